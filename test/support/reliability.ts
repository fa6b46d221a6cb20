/** Shared pieces of the reliability suite: the emulator the services talk to, and how to start them on it. */
import { DEMO_APP, type RunningGraphEmulator } from '../../graph-emulator/server.js';
import type { ImportJob } from '../../services/domain/job.js';
import type { JobStore } from '../../services/store/job-store.js';
import { listAll } from '../../services/store/list-all.js';
import type { ServiceProcessConfig } from './service-process.js';

export function graphFor(emulator: RunningGraphEmulator, app = DEMO_APP): ServiceProcessConfig['graph'] {
  return {
    graphUrl: emulator.graphUrl,
    authorityHost: emulator.authorityHost,
    tenantId: emulator.tenantId,
    clientId: app.clientId,
    secret: app.secret ?? '',
    caCertificate: emulator.caCertificate,
    budgetWindowMs: 20_000 * emulator.scenario.timeScale,
  };
}

/** Worker settings for a fast, scaled run: short ticks and polls, leases that expire soon after a kill. */
export const FAST_WORKER = {
  WORKER_TICK_MS: '20',
  WORKER_POLL_MIN_MS: '20',
  WORKER_POLL_MAX_MS: '200',
  WORKER_LEASE_SECONDS: '2',
  INTAKE_RATE_PER_MINUTE: '100000',
};

const TERMINAL = new Set(['completed', 'failed', 'rejected', 'expired']);

/** Polls the store until every job has ended (or throws with the ones still open). */
export async function waitForAllTerminal(
  store: JobStore,
  count: number,
  timeoutMs: number,
): Promise<ImportJob[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await listAll(store, {});
    if (jobs.length >= count && jobs.every((j) => TERMINAL.has(j.status))) return jobs;
    if (Date.now() > deadline) {
      const open = jobs.filter((j) => !TERMINAL.has(j.status));
      throw new Error(
        `${open.length} of ${jobs.length} jobs still open: ${open
          .slice(0, 5)
          .map((j) => `${j.device.serialNumber}:${j.status}`)
          .join(', ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
