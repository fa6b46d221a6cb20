import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportJob } from '../../services/domain/job.js';
import { approve, submit, type NewJob } from '../../services/domain/transitions.js';
import type { ProgressPublisher } from '../../services/pipeline/progress.js';
import type { PipelineSettings } from '../../services/pipeline/settings.js';
import { createSyncGate } from '../../services/pipeline/sync-gate.js';
import { PipelineWorker } from '../../services/pipeline/worker.js';
import type { JobStore } from '../../services/store/job-store.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import type { GraphEmulatorOptions } from '../../graph-emulator/server.js';
import { silentLogger, startGraphFixture, type GraphFixture } from './graph.js';
import { DAY_MS, newJobInput } from './jobs.js';

export function testSettings(overrides: Partial<PipelineSettings> = {}): PipelineSettings {
  return {
    batchSize: 100,
    leaseMs: 5_000,
    tickMs: 10,
    deadlinesMs: { import: 30_000, autopilotDevice: 30_000, entraDevice: 30_000, profile: 30_000 },
    pollMinMs: 10,
    pollMaxMs: 100,
    maxAttempts: 3,
    retryBaseMs: 20,
    syncIntervalMs: 600_000,
    ...overrides,
  };
}

export class RecordingPublisher implements ProgressPublisher {
  readonly events: ImportJob[] = [];
  onChange?: (job: ImportJob) => void;
  jobChanged(job: ImportJob): void {
    this.events.push(job);
    this.onChange?.(job);
  }
}

export interface PipelineFixture extends GraphFixture {
  store: JobStore;
  dbPath: string;
  publisher: RecordingPublisher;
  newWorker(overrides?: {
    owner?: string;
    store?: JobStore;
    settings?: Partial<PipelineSettings>;
  }): PipelineWorker;
  /** Creates approved jobs, ready for the pipeline. */
  /** Approved with tag Sales by default; `named` gives each a device name (`PC-<serial>`). */
  approvedJobs(
    inputs: Partial<NewJob>[],
    groupTag?: string | null,
    options?: { named?: boolean },
  ): Promise<ImportJob[]>;
  waitForTerminal(ids: string[], timeoutMs?: number): Promise<ImportJob[]>;
}

/** Emulator (realistic delays a thousand times faster), SQLite store in a temp folder, and a worker factory. */
export async function startPipelineFixture(
  options: {
    emulator?: GraphEmulatorOptions;
    settings?: Partial<PipelineSettings>;
    budget?: { requestsPer20s: number; writesPer20s: number };
  } = {},
): Promise<PipelineFixture> {
  const graphFixture = await startGraphFixture(
    { ...options.emulator, scenario: { timeScale: 0.001, ...options.emulator?.scenario } },
    options.budget,
  );
  const dir = mkdtempSync(join(tmpdir(), 'aa-pipeline-'));
  const dbPath = join(dir, 'jobs.db');
  const store = new SqliteJobStore(dbPath);
  const publisher = new RecordingPublisher();
  const workers: PipelineWorker[] = [];
  const fixture: PipelineFixture = {
    ...graphFixture,
    store,
    dbPath,
    publisher,
    newWorker(overrides = {}) {
      const jobStore = overrides.store ?? store;
      const settings = testSettings({ ...options.settings, ...overrides.settings });
      const worker = new PipelineWorker({
        store: jobStore,
        graph: graphFixture.graph,
        syncGate: createSyncGate({
          store: jobStore,
          graph: graphFixture.graph,
          tenantKey: graphFixture.emulator.tenantId,
          intervalMs: settings.syncIntervalMs,
          logger: silentLogger,
        }),
        settings,
        publisher,
        logger: silentLogger,
        ...(overrides.owner ? { owner: overrides.owner } : {}),
      });
      workers.push(worker);
      return worker;
    },
    async approvedJobs(inputs, groupTag = 'Sales', options = {}) {
      const now = new Date();
      const jobs: ImportJob[] = [];
      for (const input of inputs) {
        const submitted = submit(newJobInput(input), now, DAY_MS);
        const approved = approve(submitted, {
          by: { id: 'aad-approver', name: 'Alice' },
          at: now,
          groupTag,
          comment: 'INC-42',
          ...(options.named ? { deviceName: `PC-${submitted.device.serialNumber}`.slice(0, 15) } : {}),
        });
        if (!approved.ok) throw approved.error;
        await store.create(approved.value);
        jobs.push(approved.value);
      }
      return jobs;
    },
    async waitForTerminal(ids, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const jobs = await Promise.all(ids.map(async (id) => (await store.get(id))?.job));
        if (jobs.every((j) => j && ['completed', 'failed', 'rejected', 'expired'].includes(j.status)))
          return jobs as ImportJob[];
        if (Date.now() > deadline) {
          const open = jobs
            .filter((j) => j && !['completed', 'failed'].includes(j.status))
            .map((j) => `${j?.device.serialNumber}:${j?.status}`);
          throw new Error(`jobs not finished in time: ${open.slice(0, 5).join(', ')} (${open.length} open)`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await graphFixture.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

export const serialOf = (i: number, prefix = 'PL') => `${prefix}-${String(i).padStart(4, '0')}`;
export const deviceInput = (
  serialNumber: string,
  extra: Partial<NewJob['device']> = {},
): Partial<NewJob> => ({
  device: { serialNumber, manufacturer: 'Contoso', model: 'Laptop 7', ...extra },
});
