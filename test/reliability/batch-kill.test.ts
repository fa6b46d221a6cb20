/**
 * "Approve all" on a 500-row CSV batch, the most Intune takes in one file: the click is answered before the
 * jobs take the decision, and the service process is killed with SIGKILL while it is applying it. After a
 * restart the worker's housekeeping finishes the batch: every device is imported once, and the batch card,
 * in a strict Teams stand-in's channel, ends showing all of them registered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type RunningGraphEmulator } from '../../graph-emulator/server.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector.js';
import { fakeHardwareHash } from '../support/jobs.js';
import { FAST_WORKER, graphFor, sleep, waitForAllTerminal } from '../support/reliability.js';
import { startServiceChild, type ServiceChild } from '../support/service-child.js';
import { alice, cardClick } from '../support/teams-activities.js';

const KEY = 'batch-kill-intake-key-0123456789';
const TEAM = '19:batch-kill-team@thread.tacv2';
const ROWS = 500;

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
      ...FAST_WORKER,
    },
    graph: graphFor(emulator),
  });

describe('a 500-row batch approved all at once', () => {
  it('answers the click, and finishes the batch after the process is killed halfway through applying it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-batch-kill-'));
    connector = await startFakeConnector({ strict: { installedTeams: new Set([TEAM]) } });
    emulator = await startGraphEmulator({ host: '127.0.0.1', scenario: { timeScale: 0.001 } });
    service = await start();
    const csv = [
      'Device Serial Number,Windows Product ID,Hardware Hash',
      ...Array.from({ length: ROWS }, (_, i) => `KILLB-${String(i).padStart(4, '0')},,${fakeHardwareHash()}`),
    ].join('\r\n');
    const submitted = await fetch(`${service.url}/api/submissions/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const { batchId, accepted } = (await submitted.json()) as { batchId: string; accepted: number };
    expect(accepted).toBe(ROWS);

    const store = new SqliteJobStore(join(dir, 'autopilot-approvals.db'));
    try {
      const clicked = await fetch(`${service.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          cardClick(connector.url, alice, 'approve', { batchId, groupTag: 'Standard', comment: 'INC-500' }),
        ),
      });
      expect(clicked.status).toBe(200);
      expect(JSON.stringify(await clicked.json())).toContain('Approved');

      // Kill it as soon as the first jobs have taken the decision, with the rest still waiting.
      let waitingAtKill = 0;
      for (;;) {
        const waiting = (await store.list({ batchId, statuses: ['awaiting_approval'], limit: ROWS })).items
          .length;
        if (waiting < ROWS) {
          await service.kill('SIGKILL');
          waitingAtKill = (await store.list({ batchId, statuses: ['awaiting_approval'], limit: ROWS })).items
            .length;
          break;
        }
        await sleep(5);
      }
      expect(waitingAtKill).toBeGreaterThan(0);
      expect((await store.getBatch(batchId))?.batch.decision?.verb).toBe('approve');

      service = await start();
      const jobs = await waitForAllTerminal(store, ROWS, 240_000);
      expect(jobs.filter((j) => j.status === 'completed' && j.outcome === 'imported')).toHaveLength(ROWS);
      expect(new Set(jobs.map((j) => j.approval?.by.name))).toEqual(new Set([alice.name]));
      const uploads = emulator.log.uploadsBySerial();
      expect([...uploads.values()].every((n) => n === 1)).toBe(true);
      expect(uploads.size).toBe(ROWS);

      // The batch card in the channel ends showing the whole batch registered, within Teams' limits.
      const address = await waitFor(async () => {
        const shown = await store.getCardAddress(`batch:${batchId}`);
        const last = connector.calls
          .filter((c) => c.method === 'PUT' && c.status === 200 && shown && c.path.includes(shown.activityId))
          .at(-1);
        return last && JSON.stringify(last.body).includes(`Completed: all ${ROWS} devices registered`)
          ? shown
          : undefined;
      });
      expect(address).toBeDefined();
      expect(connector.calls.filter((c) => c.status === 413)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 300_000);
});

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the batch card did not reach its final state in time');
    await sleep(100);
  }
}
