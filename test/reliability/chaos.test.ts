/**
 * Chaos: 200 devices submitted to the whole service (150 one by one, 50 in a CSV batch) and approved on their
 * cards; then the service process is killed with SIGKILL at random moments and started again, while the Graph
 * emulator answers with 429s, 503s and dropped connections. Every job ends in the right state, Graph saw exactly
 * one upload per imported device, and every card in the channel shows its job's final state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type RunningGraphEmulator } from '../../graph-emulator/server.js';
import { batchProgress } from '../../services/domain/batch.js';
import type { ImportJob } from '../../services/domain/job.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import { startFakeConnector, type FakeConnector } from '../support/fake-connector.js';
import { fakeHardwareHash } from '../support/jobs.js';
import { FAST_WORKER, graphFor, sleep, waitForAllTerminal } from '../support/reliability.js';
import { startServiceChild, type ServiceChild } from '../support/service-child.js';
import { alice, cardClick } from '../support/teams-activities.js';

const KEY = 'chaos-intake-key-0123456789abc';
const TEAM = '19:chaos-team@thread.tacv2';
const serial = (i: number) => `CHAOS-${String(i).padStart(4, '0')}`;
const REFUSED_BY_INTUNE = [0, 1, 2, 3, 4].map(serial); // 808: registered to another organisation
const ALREADY_REGISTERED = [5, 6, 7, 8, 9].map(serial);
const SINGLE = 150;
const IN_BATCH = 50;

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

async function start(): Promise<ServiceChild> {
  return startServiceChild({
    env: {
      DATA_DIR: dir,
      INTAKE_KEYS: `chaos:${KEY}`,
      APPROVER_IDS: alice.aadObjectId,
      GROUP_TAGS: 'Standard',
      TEAMS_TEAM_ID: TEAM,
      TEAMS_SERVICE_URL: connector.url.replace(/\/$/, ''),
      ...FAST_WORKER,
    },
    graph: graphFor(emulator),
  });
}

async function post(path: string, body: string, contentType: string): Promise<any> {
  const response = await fetch(`${service!.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': contentType },
    body,
  });
  expect(response.status).toBeLessThan(300);
  return response.json();
}

async function click(data: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${service!.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      cardClick(connector.url, alice, 'approve', { ...data, groupTag: 'Standard', comment: 'INC-CHAOS' }),
    ),
  });
  expect(response.status).toBe(200);
}

/** The last thing the channel was sent for a card: its newest update, or the post if it was never updated. */
/**
 * What the channel shows for a card: its last update, or, for a card whose first post already carried its
 * final state (the channel's budget merged every step into it), that post.
 */
function lastShown(activityId: string, text?: string): string {
  const calls = connector.calls.filter(
    (c) =>
      (c.method === 'PUT' && c.path.endsWith(`/activities/${encodeURIComponent(activityId)}`)) ||
      (c.method === 'PUT' && c.path.endsWith(`/activities/${activityId}`)),
  );
  const post = text
    ? connector.calls.filter((c) => c.method === 'POST' && JSON.stringify(c.body ?? '').includes(text)).at(-1)
    : undefined;
  return JSON.stringify(calls.at(-1)?.body ?? post?.body ?? '');
}

describe('chaos', () => {
  it(
    'ends every job right, uploads each device once and leaves every card showing its final state, through kills and faults',
    { timeout: 300_000 },
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'aa-chaos-'));
      connector = await startFakeConnector();
      emulator = await startGraphEmulator({
        host: '127.0.0.1',
        scenario: {
          timeScale: 0.002,
          importErrors: REFUSED_BY_INTUNE.map((s) => ({
            error: 'ZtdDeviceAssignedToOtherTenant' as const,
            serialNumber: s,
          })),
          // Tighter than the client's own budget, so that Intune's 429s happen and must be waited out.
          // Some of Intune's 429s come without Retry-After.
          throttling: { enabled: true, writesPer20s: 5, requestsPer20s: 30, retryAfterOmittedRate: 0.3 },
          // Besides faults before any work, the first two uploads holding these serials (one single, one of the
          // CSV batch) are applied and their answers lost to a 504: every device in them must be looked up.
          faults: {
            serviceUnavailableRate: 0.03,
            dropConnectionRate: 0.02,
            afterImport: { kind: 'gateway_timeout', serials: [serial(3), serial(SINGLE + 7)], times: 2 },
          },
        },
      });
      for (const s of ALREADY_REGISTERED)
        emulator.tenant.seedRegisteredDevice({ serialNumber: s, groupTag: 'Old' });
      service = await start();

      // Intake and approval, through the service's own API and card clicks.
      const single: string[] = [];
      for (let i = 0; i < SINGLE; i++) {
        const body = JSON.stringify({
          serialNumber: serial(i),
          hardwareHash: fakeHardwareHash(),
          manufacturer: 'Contoso',
          model: 'Laptop 7',
        });
        single.push(((await post('/api/submissions', body, 'application/json')) as { id: string }).id);
      }
      const csv = [
        'Device Serial Number,Windows Product ID,Hardware Hash',
        ...Array.from({ length: IN_BATCH }, (_, i) => `${serial(SINGLE + i)},,${fakeHardwareHash()}`),
      ].join('\r\n');
      const batch = (await post('/api/submissions/batch', csv, 'text/csv')) as {
        batchId: string;
        accepted: number;
      };
      expect(batch.accepted).toBe(IN_BATCH);
      for (const jobId of single) await click({ jobId });
      await click({ batchId: batch.batchId });

      // Chaos: kill the service at random moments while it imports, and start it again each time.
      const store = new SqliteJobStore(join(dir, 'autopilot-approvals.db'));
      const openAtKill: number[] = [];
      try {
        for (let kill = 0; kill < 5; kill++) {
          await sleep(300 + Math.random() * 1200);
          openAtKill.push(
            (await store.list({ statuses: ['approved', 'running'], limit: 1000 })).items.length,
          );
          await service.kill('SIGKILL');
          service = await start();
        }
        // The kills hit the service while it was importing, not after it had finished.
        expect(openAtKill.filter((open) => open > 0).length).toBeGreaterThanOrEqual(3);

        const jobs = await waitForAllTerminal(store, SINGLE + IN_BATCH, 180_000);
        const bySerial = new Map(jobs.map((j) => [j.device.serialNumber, j]));
        for (const [s, job] of bySerial) {
          if (REFUSED_BY_INTUNE.includes(s))
            expect(job).toMatchObject({ status: 'failed', error: { code: '808' } });
          else if (ALREADY_REGISTERED.includes(s))
            expect(job).toMatchObject({ status: 'completed', outcome: 'already_registered' });
          else expect(job).toMatchObject({ status: 'completed', outcome: 'imported' });
        }
        // Exactly one upload per device that was imported (or refused by Intune at import), none for the others.
        const uploads = emulator.log.uploadsBySerial();
        for (const s of bySerial.keys())
          expect([s, uploads.get(s) ?? 0]).toEqual([s, ALREADY_REGISTERED.includes(s) ? 0 : 1]);
        expect(emulator.log.entries.filter((e) => e.status === 429).length).toBeGreaterThan(0);
        expect(emulator.log.entries.some((e) => e.status === 429 && e.retryAfterMs === undefined)).toBe(true);
        expect(emulator.log.entries.filter((e) => e.uploads && e.status === 504).length).toBe(2);

        // Every card ends showing its job's final state (the restarted service sends what a kill interrupted).
        const singles = jobs.filter((j) => !j.batchId);
        const batchJobs = jobs.filter((j) => j.batchId);
        await waitForCards(store, singles, batchJobs);
        for (const job of singles) {
          const address = await store.getCardAddress(job.id);
          const shown = lastShown(address!.activityId, `Autopilot registration: ${job.device.serialNumber}`);
          expect([
            job.device.serialNumber,
            shown.includes(job.status === 'failed' ? 'Failed: ' : 'Completed: '),
          ]).toEqual([job.device.serialNumber, true]);
        }
        const batchAddress = await store.getCardAddress(`batch:${batch.batchId}`);
        expect(lastShown(batchAddress!.activityId)).toContain(
          `Completed: all ${IN_BATCH} devices registered`,
        );
      } finally {
        await store.close();
      }
    },
  );
});

async function waitForCards(
  store: SqliteJobStore,
  singles: ImportJob[],
  batchJobs: ImportJob[],
): Promise<void> {
  // Teams takes 60 sends per 30 s in a channel, and a restart or a burst of finished jobs can leave more cards
  // than that to update: the wait goes on while cards keep catching up, and fails when none has for 45 s.
  let lastProgress = Date.now();
  let staleBefore = Infinity;
  const batchVersion = batchJobs.length
    ? batchProgress(
        {
          id: '',
          createdAt: '',
          submittedBy: { channel: 'batch', via: '' },
          rows: 0,
          alreadyOpen: 0,
          refused: [],
        },
        batchJobs,
      ).version
    : '';
  for (;;) {
    const stale: string[] = [];
    for (const job of singles)
      if ((await store.getCardAddress(job.id))?.shows !== job.updatedAt) stale.push(job.device.serialNumber);
    if (batchJobs[0] && (await store.getCardAddress(`batch:${batchJobs[0].batchId}`))?.shows !== batchVersion)
      stale.push('the batch card');
    if (stale.length === 0) return;
    if (stale.length < staleBefore) {
      staleBefore = stale.length;
      lastProgress = Date.now();
    }
    if (Date.now() - lastProgress > 45_000)
      throw new Error(`cards not showing their final state: ${stale.slice(0, 5).join(', ')}`);
    await sleep(100);
  }
}
