/**
 * Approval latency: card clicks (invokes) through the real CloudAdapter and the whole service, 50 in flight at
 * a time, each on its own waiting device; the round trip from sending the click to the card in the answer. The
 * service runs in its own process, as in production, so that the load generator does not share its CPU.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startGraphEmulator } from '../graph-emulator/server.js';
import { startFakeConnector } from '../test/support/fake-connector.js';
import { fakeHardwareHash } from '../test/support/jobs.js';
import { FAST_WORKER, graphFor } from '../test/support/reliability.js';
import { startServiceChild } from '../test/support/service-child.js';
import { alice, cardClick, installation } from '../test/support/teams-activities.js';
import { percentile, round } from './report.js';

const KEY = 'bench-intake-key-0123456789abcdef';

export interface LatencyResult {
  clicks: number;
  inFlight: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function approvalLatency(rounds = 11, inFlight = 50): Promise<LatencyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-latency-'));
  const emulator = await startGraphEmulator({ host: '127.0.0.1', scenario: { timeScale: 0.01 } });
  const connector = await startFakeConnector();
  const service = await startServiceChild({
    env: {
      DATA_DIR: dir,
      INTAKE_KEYS: `bench:${KEY}`,
      APPROVER_IDS: alice.aadObjectId,
      GROUP_TAGS: 'Standard',
      ...FAST_WORKER,
      // The worker idles, so that the clicks compete only with each other.
      WORKER_TICK_MS: '600000',
    },
    graph: graphFor(emulator),
  });
  const toBot = (activity: object) =>
    fetch(`${service.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
  try {
    await (await toBot(installation(connector.url))).arrayBuffer();
    const samples: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const jobs: string[] = [];
      for (let i = 0; i < inFlight; i++) {
        const response = await fetch(`${service.url}/api/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            serialNumber: `LAT-${round}-${i}`,
            hardwareHash: fakeHardwareHash(),
            manufacturer: 'Contoso',
            model: 'Laptop 7',
          }),
        });
        jobs.push(((await response.json()) as { id: string }).id);
      }
      // Let the new cards reach the channel first, as they would before anyone could click.
      await new Promise((r) => setTimeout(r, 1000));
      const times = await Promise.all(
        jobs.map(async (jobId) => {
          const started = performance.now();
          const reply = await toBot(
            cardClick(connector.url, alice, 'approve', { jobId, groupTag: 'Standard', comment: 'INC-LAT' }),
          );
          await reply.arrayBuffer();
          if (reply.status !== 200) throw new Error(`click answered ${reply.status}`);
          return performance.now() - started;
        }),
      );
      // The first round warms the process up (JIT, connections); it is not counted.
      if (round > 0) samples.push(...times);
    }
    return {
      clicks: samples.length,
      inFlight,
      p50Ms: round(percentile(samples, 50), 1),
      p99Ms: round(percentile(samples, 99), 1),
      maxMs: round(Math.max(...samples), 1),
    };
  } finally {
    await service.kill('SIGTERM');
    await connector.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
