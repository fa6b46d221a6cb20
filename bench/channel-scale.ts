/**
 * The helpdesk channel at scale, against the strict Teams stand-in (per-thread windows answered 429 with
 * Retry-After, 40 KB messages) and the whole in-process service: 1,000 single-device submissions spread over
 * 10 minutes, each approved on its card once it is posted and imported at demo speed; then one 500-row CSV
 * batch approved with "Approve all". Teams' windows (1 s, 2 s, 30 s, 1 h) are kept on a faster clock, by the
 * stand-in and by the service alike, so that the hour Teams needs for this many sends plays in minutes; every
 * time below is in Teams' time (real time divided by the scale). Printed: time from submission to card, from a
 * job's final state to the card showing it, the most sends in each window, and the 429s Teams answered.
 */
import { performance } from 'node:perf_hooks';
import { isTerminal, type ImportJob } from '../services/domain/job.js';
import { listAll } from '../services/store/list-all.js';
import { HARNESS_KEY, startBotHarness, type BotHarness } from '../test/support/bot-harness.js';
import type { ConnectorCall } from '../test/support/fake-connector.js';
import { fakeHardwareHash } from '../test/support/jobs.js';
import { alice, cardClick, installation, TEAM } from '../test/support/teams-activities.js';
import { percentile, round } from './report.js';

export interface ChannelScaleResult {
  timeScale: number;
  singles: number;
  spreadMinutes: number;
  batchRows: number;
  allPosted: boolean;
  allFinalShown: boolean;
  /** Teams' time, seconds. */
  submissionToCard: { p50: number; p95: number; max: number };
  finalToCard: { p50: number; p95: number; max: number };
  sendsToChannel: number;
  answered429: number;
  /** The most sends Teams accepted in any window of each size, beside its limit. */
  mostPerWindow: { window: string; most: number; limit: number }[];
  approveAllClickMs: number;
  batchFinalToCardS: number;
  realSeconds: number;
}

const WINDOWS = [
  { window: '1 s', ms: 1_000, limit: 7 },
  { window: '2 s', ms: 2_000, limit: 8 },
  { window: '30 s', ms: 30_000, limit: 60 },
  { window: '1 h', ms: 3_600_000, limit: 1_800 },
];
const SERIAL = /SCALE-\d{4}/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function channelAtScale(
  options: { singles?: number; spreadMinutes?: number; batchRows?: number; timeScale?: number } = {},
): Promise<ChannelScaleResult> {
  const { singles = 1_000, spreadMinutes = 10, batchRows = 500, timeScale = 0.05 } = options;
  const started = performance.now();
  const h = await startBotHarness(
    { EMULATOR_TIME_SCALE: '0.005', INTAKE_RATE_PER_MINUTE: '1000000' },
    undefined,
    { strict: { installedTeams: new Set([TEAM]), timeScale } },
    { teamsTimeScale: timeScale },
  );
  try {
    await h.toBot(installation(h.connector.url));
    const submittedAt = new Map<string, number>();
    const clicked = new Set<string>();
    let submitting = true;
    // The approver: approves each card once it is in the channel.
    const approver = (async () => {
      while (submitting || clicked.size < singles) {
        for (const jobId of submittedAt.keys()) {
          if (clicked.has(jobId) || !(await h.app.store.getCardAddress(jobId))) continue;
          clicked.add(jobId);
          await h.toBot(
            cardClick(h.connector.url, alice, 'approve', {
              jobId,
              groupTag: 'Standard',
              comment: 'INC-SCALE',
            }),
          );
        }
        await sleep(20);
      }
    })();
    const spreadMs = spreadMinutes * 60_000 * timeScale;
    for (let i = 0; i < singles; i++) {
      const due = started + (i * spreadMs) / singles;
      if (performance.now() < due) await sleep(due - performance.now());
      const serial = `SCALE-${String(i).padStart(4, '0')}`;
      const at = Date.now();
      submittedAt.set(await h.submit(serial), at);
    }
    submitting = false;
    await approver;
    const jobs = await waitForCardsFinal(h, singles, 30 * 60_000 * timeScale + 120_000);

    // One 500-row batch, approved all at once.
    const batchId = await submitBatch(h, batchRows);
    await waitFor(async () => ((await h.app.store.getCardAddress(`batch:${batchId}`)) ? true : undefined));
    const click = performance.now();
    await h.toBot(
      cardClick(h.connector.url, alice, 'approve', { batchId, groupTag: 'Standard', comment: 'INC-BATCH' }),
    );
    const approveAllClickMs = performance.now() - click;
    const batchJobs = await waitFor(
      async () => {
        const all = await listAll(h.app.store, { batchId });
        return all.every((j) => isTerminal(j.status)) ? all : undefined;
      },
      30 * 60_000 * timeScale + 120_000,
    );
    const batchDone = Math.max(...batchJobs.map((j) => Date.parse(j.updatedAt)));
    const batchShown = await waitFor(
      () =>
        sendsToChannel(h.connector.calls).find(
          (c) => c.at >= batchDone && JSON.stringify(c.body).includes(`Completed: all ${batchRows} devices`),
        )?.at,
      30 * 60_000 * timeScale + 120_000,
    );

    const sends = sendsToChannel(h.connector.calls);
    const teamsS = (ms: number) => round(ms / timeScale / 1000, 1);
    const toCard = new Map<string, number>();
    const finalShownAt = new Map<string, number>();
    for (const call of sends) {
      const text = JSON.stringify(call.body);
      const serial = SERIAL.exec(text)?.[0];
      if (!serial) continue;
      if (!toCard.has(serial)) toCard.set(serial, call.at);
      if (text.includes('Completed: ') && !finalShownAt.has(serial)) finalShownAt.set(serial, call.at);
    }
    const postDelays = jobs.map(
      (j) => (toCard.get(j.device.serialNumber) ?? NaN) - (submittedAt.get(j.id) ?? NaN),
    );
    const finalDelays = jobs.map(
      (j) => (finalShownAt.get(j.device.serialNumber) ?? NaN) - Date.parse(j.updatedAt),
    );
    const stats = (values: number[]) => ({
      p50: teamsS(percentile(values, 50)),
      p95: teamsS(percentile(values, 95)),
      max: teamsS(Math.max(...values)),
    });
    const accepted = sends.map((c) => c.at).sort((a, b) => a - b);
    return {
      timeScale,
      singles,
      spreadMinutes,
      batchRows,
      allPosted: jobs.every((j) => toCard.has(j.device.serialNumber)),
      allFinalShown: jobs.every((j) => finalShownAt.has(j.device.serialNumber)),
      submissionToCard: stats(postDelays),
      finalToCard: stats(finalDelays),
      sendsToChannel: sends.length,
      answered429: h.connector.calls.filter((c) => c.status === 429).length,
      mostPerWindow: WINDOWS.map((w) => ({
        window: w.window,
        most: mostInWindow(accepted, w.ms * timeScale),
        limit: w.limit,
      })),
      approveAllClickMs: round(approveAllClickMs, 1),
      batchFinalToCardS: teamsS(batchShown - batchDone),
      realSeconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    await h.stop();
  }
}

/** What Teams accepted into the helpdesk channel: new threads and updates that were answered 2xx. */
function sendsToChannel(calls: readonly ConnectorCall[]): ConnectorCall[] {
  return calls.filter(
    (c) =>
      (c.method === 'POST' || c.method === 'PUT') &&
      (c.status ?? 0) < 300 &&
      !decodeURIComponent(c.path).includes('personal'),
  );
}

function mostInWindow(sorted: readonly number[], ms: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= ms) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

async function waitForCardsFinal(h: BotHarness, count: number, timeoutMs: number): Promise<ImportJob[]> {
  return waitFor(async () => {
    const jobs = (await listAll(h.app.store, {})).filter((j) => !j.batchId);
    if (jobs.length < count || !jobs.every((j) => isTerminal(j.status))) return undefined;
    for (const job of jobs)
      if ((await h.app.store.getCardAddress(job.id))?.shows !== job.updatedAt) return undefined;
    return jobs;
  }, timeoutMs);
}

async function submitBatch(h: BotHarness, rows: number): Promise<string> {
  const csv = [
    'Device Serial Number,Windows Product ID,Hardware Hash',
    ...Array.from({ length: rows }, (_, i) => `BATCH-${String(i).padStart(4, '0')},,${fakeHardwareHash()}`),
  ].join('\r\n');
  const response = await fetch(`${h.app.url}/api/submissions/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HARNESS_KEY}`, 'content-type': 'text/csv' },
    body: csv,
  });
  return ((await response.json()) as { batchId: string }).batchId;
}

async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('channel benchmark: not done in time');
    await sleep(100);
  }
}
