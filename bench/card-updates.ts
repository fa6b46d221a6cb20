/**
 * Card updates, through the card queue, botbuilder and HTTP to a stand-in Teams connector: (1) the time from a
 * persisted change to the connector's update request, one change at a time; (2) a burst of 60 changes on one
 * card within a second: how many sends Teams receives (at most 7 per second) and that the last one shows the
 * final state.
 */
import { performance } from 'node:perf_hooks';
import { mutateJob } from '../services/store/mutate.js';
import { startBotHarness } from '../test/support/bot-harness.js';
import { installation } from '../test/support/teams-activities.js';
import { percentile, round } from './report.js';

export interface CardResult {
  singleUpdates: number;
  p50Ms: number;
  p99Ms: number;
  burstChanges: number;
  burstSends: number;
  maxSendsInAnySecond: number;
  finalStateDelivered: boolean;
}

export async function cardUpdates(): Promise<CardResult> {
  const h = await startBotHarness({ WORKER_TICK_MS: '600000' });
  try {
    await h.toBot(installation(h.connector.url));
    const jobId = await h.submit('CARD-BENCH-1');
    await h.app.cards.idle();
    const puts = () => h.connector.calls.filter((c) => c.method === 'PUT');
    const change = async (comment: string) => {
      const stored = await mutateJob(h.app.store, jobId, (job) => ({
        ...job,
        updatedAt: new Date().toISOString(),
        device: { ...job.device, model: comment },
      }));
      h.app.cards.jobChanged(stored.job);
    };
    const latencies: number[] = [];
    for (let i = 0; i < 40; i++) {
      const before = puts().length;
      const started = performance.now();
      await change(`Model step ${i}`);
      while (puts().length === before) await new Promise((r) => setImmediate(r));
      latencies.push(performance.now() - started);
      // Stay under the per-thread limit, so that each change is measured on its own.
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2100));
    const burstStart = Date.now();
    const sendsBefore = puts().length;
    for (let i = 0; i < 60; i++) {
      await change(`Model burst ${i}`);
      await new Promise((r) => setTimeout(r, 1000 / 60));
    }
    await h.app.cards.idle();
    const burst = puts()
      .slice(sendsBefore)
      .filter((c) => c.at >= burstStart);
    const maxInSecond = Math.max(
      ...burst.map((c) => burst.filter((o) => o.at >= c.at && o.at < c.at + 1000).length),
    );
    return {
      singleUpdates: latencies.length,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      burstChanges: 60,
      burstSends: burst.length,
      maxSendsInAnySecond: maxInSecond,
      finalStateDelivered: JSON.stringify(burst.at(-1)?.body ?? '').includes('Model burst 59'),
    };
  } finally {
    await h.stop();
  }
}
