/**
 * Bulk import: N approved devices through the real pipeline (SQLite store, real Graph SDK and MSAL) against the
 * emulator with Intune throttling on and realistic delays under a time scale. Reports the makespan, the lower
 * bound that the emulator's delays and the throttle budget allow (with its derivation), their ratio, Graph
 * requests per device (each $batch part counted), 429s received and whether each was honoured, and peak RSS.
 */
import { randomUUID } from 'node:crypto';
import { newJobId } from '../services/domain/job-id.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_APP } from '../graph-emulator/server.js';
import { localAuthority } from '../services/graph/local-authority.js';
import { createMsalTokenProvider } from '../services/graph/token-provider.js';
import { startEmulatorChild, type EmulatorChild } from './emulator-child.js';
import type { LoggedRequest } from '../graph-emulator/request-log.js';
import { REALISTIC_DELAYS } from '../graph-emulator/scenario.js';
import { isTerminal, type ImportJob } from '../services/domain/job.js';
import { approve, submit } from '../services/domain/transitions.js';
import { createAutopilotGraph } from '../services/graph/create-graph.js';
import { createSyncGate } from '../services/pipeline/sync-gate.js';
import { PipelineWorker } from '../services/pipeline/worker.js';
import { SqliteJobStore } from '../services/store/sqlite/sqlite-job-store.js';
import { listAll } from '../services/store/list-all.js';
import { silentLogger } from '../test/support/graph.js';
import { fakeHardwareHash } from '../test/support/jobs.js';
import { round } from './report.js';

/** Intune's limits per app per tenant per 20 s (reference sheet, section 4). */
const INTUNE = { writesPer20s: 100, requestsPer20s: 1000 };
const WINDOW_MS = 20_000;

export interface BulkResult {
  devices: number;
  timeScale: number;
  makespanMs: number;
  lowerBoundMs: number;
  ratio: number;
  derivation: string[];
  graphRequests: number;
  requestsPerDevice: number;
  /** Requests by method and path shape, most first: where the requests go. */
  byKind: Record<string, number>;
  intuneWrites: number;
  throttled429: number;
  retryAfterViolations: number;
  peakRssMb: number;
  /** Per step, ms from the start of the run until the first job started it and the last job finished it. */
  stages: Record<string, { firstStartMs: number; lastEndMs: number }>;
  /** Ms from the start of the run to the first and the last Intune write Graph received (the writes bound's span). */
  intuneWritesMs: { first: number; last: number };
}

export async function bulkImport(devices: number, timeScale: number): Promise<BulkResult> {
  const profileGroupId = randomUUID();
  // Graph is another machine in production: the emulator runs in a process of its own, so that its CPU and
  // memory are not counted as the service's.
  const emulator = await startEmulatorChild({
    profileGroupId,
    scenario: { timeScale, throttling: { enabled: true, ...INTUNE } },
  });
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-'));
  const store = new SqliteJobStore(join(dir, 'jobs.db'));
  try {
    return await run(devices, timeScale, emulator, store, profileGroupId);
  } finally {
    await store.close();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(
  devices: number,
  timeScale: number,
  emulator: EmulatorChild,
  store: SqliteJobStore,
  profileGroupId: string,
): Promise<BulkResult> {
  const scaled = (ms: number) => ms * timeScale;
  const graph = createAutopilotGraph({
    baseUrl: emulator.graphUrl,
    tokens: createMsalTokenProvider({
      tenantId: emulator.tenantId,
      clientId: DEMO_APP.clientId,
      credential: { kind: 'secret', secret: DEMO_APP.secret ?? '' },
      authorityHost: emulator.authorityHost,
      graphBaseUrl: emulator.graphUrl,
      local: localAuthority(emulator.authorityHost, emulator.tenantId, emulator.caCertificate),
    }),
    logger: silentLogger,
    // The client keeps to the same budget as Intune, over the same (scaled) window.
    budget: { ...INTUNE, windowMs: scaled(WINDOW_MS) },
    baseDelayMs: scaled(1000),
  });
  const now = new Date();
  for (let i = 0; i < devices; i++) {
    const job = submit(
      {
        // As intake makes them: a job's id begins with its time (domain/job-id.ts).
        id: newJobId(),
        device: {
          serialNumber: `BULK-${String(i).padStart(5, '0')}`,
          manufacturer: 'Contoso',
          model: 'Laptop 7',
          assignedUser: `user${i}@contoso.example`,
        },
        hardwareHash: fakeHardwareHash(),
        submittedBy: { channel: 'api', via: 'bench' },
      },
      now,
      86_400_000,
    );
    const approved = approve(job, { by: { id: 'bench' }, at: now, groupTag: 'Bench', comment: 'bench' });
    if (!approved.ok) throw approved.error;
    await store.create(approved.value);
  }
  const settings = {
    batchSize: 500,
    leaseMs: 120_000,
    tickMs: 10,
    profileGroupId,
    deadlinesMs: {
      import: 3_600_000,
      autopilotDevice: 3_600_000,
      entraDevice: 3_600_000,
      profile: 3_600_000,
    },
    pollMinMs: scaled(2_000),
    pollMaxMs: scaled(60_000),
    maxAttempts: 5,
    retryBaseMs: scaled(5_000),
    syncIntervalMs: scaled(600_000),
  };
  const finished = new Set<string>();
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const worker = new PipelineWorker({
    store,
    graph,
    syncGate: createSyncGate({
      store,
      graph,
      tenantKey: emulator.tenantId,
      intervalMs: settings.syncIntervalMs,
      logger: silentLogger,
    }),
    settings,
    // The end is watched through the worker's own progress reports: polling the store would load it.
    publisher: {
      jobChanged: (job) => {
        if (isTerminal(job.status)) finished.add(job.id);
        if (finished.size === devices) allDone();
      },
    },
    logger: silentLogger,
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = Date.now();
  worker.start();
  await done;
  const makespanMs = Date.now() - started;
  clearInterval(sampler);
  await worker.stop();
  const jobs = await listAll(store, {});
  const notCompleted = jobs.filter((j) => j.status !== 'completed');
  if (notCompleted.length) throw new Error(`${notCompleted.length} jobs did not complete`);

  const requests = (await emulator.log()).filter(
    (e) => e.path !== '/$batch' && e.clientId === DEMO_APP.clientId,
  );
  const writeRequests = requests.filter((e) => e.method !== 'GET' && !/\/groups\//i.test(e.path));
  const intuneWrites = writeRequests.length;
  const imports = Math.ceil(devices / 500);
  // Lower bound 1: one device's own path through the emulator's stages, which follow one another.
  const d = REALISTIC_DELAYS;
  const pathMs = scaled(d.import + d.autopilotDevice + d.entraDevice + d.profile);
  // Lower bound 2: the Intune writes every device needs (its share of the import calls and its clean-up; the user
  // goes with the import) at Intune's write budget. Reads are ignored, so this bound is conservative.
  const neededWrites = imports + devices;
  const writesMs = (neededWrites / INTUNE.writesPer20s) * scaled(WINDOW_MS);
  const lowerBoundMs = Math.max(pathMs, writesMs);
  const throttled = requests.filter((e) => e.status === 429);
  return {
    devices,
    timeScale,
    makespanMs,
    lowerBoundMs: round(lowerBoundMs, 0),
    ratio: round(makespanMs / lowerBoundMs),
    derivation: [
      `path: import ${d.import / 1000} s + Autopilot device ${d.autopilotDevice / 1000} s + Entra device ${d.entraDevice / 1000} s + profile after group ${d.profile / 1000} s = ${(d.import + d.autopilotDevice + d.entraDevice + d.profile) / 1000} s, × time scale ${timeScale} = ${round(pathMs, 0)} ms`,
      `writes: ${imports} import call(s) + ${devices} clean-ups (the user is set by the import) = ${neededWrites} Intune writes at ${INTUNE.writesPer20s} per ${WINDOW_MS / 1000} s (× ${timeScale}) = ${round(writesMs, 0)} ms`,
      `lower bound = max(path, writes) = ${round(lowerBoundMs, 0)} ms`,
    ],
    graphRequests: requests.length,
    requestsPerDevice: round(requests.length / devices),
    byKind: byKind(requests),
    intuneWrites,
    throttled429: throttled.length,
    retryAfterViolations: violations(requests),
    peakRssMb: round(peakRss / 1024 / 1024, 0),
    stages: stages(jobs, started),
    intuneWritesMs: span(writeRequests.map((e) => e.at - started)),
  };
}

function stages(jobs: readonly ImportJob[], started: number): BulkResult['stages'] {
  const out: BulkResult['stages'] = {};
  for (const job of jobs)
    for (const step of job.steps) {
      if (!step.startedAt || !step.endedAt) continue;
      const s = Date.parse(step.startedAt) - started;
      const e = Date.parse(step.endedAt) - started;
      const seen = out[step.name] ?? { firstStartMs: s, lastEndMs: e };
      out[step.name] = {
        firstStartMs: Math.min(seen.firstStartMs, s),
        lastEndMs: Math.max(seen.lastEndMs, e),
      };
    }
  return out;
}

function span(times: readonly number[]): { first: number; last: number } {
  return {
    first: times.reduce((a, b) => Math.min(a, b), Infinity),
    last: times.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}

function byKind(entries: readonly LoggedRequest[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const shape = `${e.method} ${e.path.split('?')[0]?.replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '{id}')}`;
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

/**
 * 429s not honoured: a request that arrived while an earlier 429's Retry-After was still running (25 ms allowed
 * for requests already on their way).
 */
function violations(entries: readonly LoggedRequest[]): number {
  let count = 0;
  for (const t of entries.filter((e) => e.status === 429 && e.retryAfterMs !== undefined)) {
    const until = t.at + (t.retryAfterMs ?? 0) - 25;
    if (entries.some((e) => e.at > t.at + 25 && e.at < until)) count++;
  }
  return count;
}
