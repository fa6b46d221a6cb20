/**
 * SIGTERM while the service is busy importing: it stops taking work, gives back every job in hand (no lease
 * left to run out), sends what the cards still owe, and exits 0. Started again, it finishes every job with one
 * upload per device.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type RunningGraphEmulator } from '../../graph-emulator/server.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import { listAll } from '../../services/store/list-all.js';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector.js';
import { fakeHardwareHash } from '../support/jobs.js';
import { graphFor, sleep, waitForAllTerminal } from '../support/reliability.js';
import { startServiceChild, type ServiceChild } from '../support/service-child.js';
import { alice, cardClick } from '../support/teams-activities.js';

const KEY = 'shutdown-intake-key-0123456789';
const TEAM = '19:shutdown-team@thread.tacv2';
const JOBS = 40;

let emulator: RunningGraphEmulator;
let connector: FakeConnector;
let service: ServiceChild | undefined;
let dir: string;

afterAll(async () => {
  await service?.kill();
  await connector?.stop();
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const start = () =>
  startServiceChild({
    env: {
      DATA_DIR: dir,
      INTAKE_KEYS: `lab:${KEY}`,
      APPROVER_IDS: alice.aadObjectId,
      GROUP_TAGS: 'Standard',
      TEAMS_TEAM_ID: TEAM,
      TEAMS_SERVICE_URL: connector.url.replace(/\/$/, ''),
      WORKER_TICK_MS: '20',
      WORKER_POLL_MIN_MS: '20',
      WORKER_POLL_MAX_MS: '200',
      // Long leases: a job left leased by the stopped process would wait this long before anyone took it.
      WORKER_LEASE_SECONDS: '600',
      INTAKE_RATE_PER_MINUTE: '100000',
    },
    graph: graphFor(emulator),
  });

describe('SIGTERM', () => {
  it('gives back the jobs in hand, exits 0 within the drain, and the next start finishes them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-shutdown-'));
    connector = await startFakeConnector();
    // Slow enough that the jobs are still in the pipeline when the signal comes (the profile wait is 6 s).
    emulator = await startGraphEmulator({ host: '127.0.0.1', scenario: { timeScale: 0.01 } });
    service = await start();
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const response = await fetch(`${service.url}/api/submissions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          serialNumber: `TERM-${String(i).padStart(4, '0')}`,
          hardwareHash: fakeHardwareHash(),
          manufacturer: 'Contoso',
          model: 'Laptop 7',
        }),
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    for (const jobId of ids)
      await fetch(`${service.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          cardClick(connector.url, alice, 'approve', { jobId, groupTag: 'Standard', comment: 'INC-TERM' }),
        ),
      });

    const store = new SqliteJobStore(join(dir, 'autopilot-approvals.db'));
    try {
      // Wait until the worker holds jobs, then ask it to stop.
      for (;;) {
        const jobs = await listAll(store, {});
        if (jobs.some((j) => j.status === 'running' && j.lease)) break;
        await sleep(20);
      }
      service.process.kill('SIGTERM');
      expect(await service.exited).toBe(0);
      service = undefined;

      const after = await listAll(store, {});
      const open = after.filter((j) => j.status === 'approved' || j.status === 'running');
      // It stopped busy, and gave every job in hand back.
      expect(open.length).toBeGreaterThan(0);
      expect(open.filter((j) => j.lease)).toEqual([]);

      service = await start();
      const jobs = await waitForAllTerminal(store, JOBS, 120_000);
      expect(jobs.filter((j) => j.status === 'completed')).toHaveLength(JOBS);
      expect([...emulator.log.uploadsBySerial().values()].every((n) => n === 1)).toBe(true);
    } finally {
      await store.close();
    }
  }, 240_000);
});
