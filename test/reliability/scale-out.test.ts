/**
 * Scale-out: two service instances share one Cosmos DB (`@vercel/cosmosdb-server`, in this process) and 200
 * approved jobs. One is killed halfway; the other takes its jobs over once their leases expire and finishes
 * everything. No device is uploaded twice, and both instances did part of the work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_APP, startGraphEmulator, type RunningGraphEmulator } from '../../graph-emulator/server.js';
import { approve, submit } from '../../services/domain/transitions.js';
import { CosmosJobStore } from '../../services/store/cosmos/cosmos-job-store.js';
import { LOCAL_COSMOS_KEY, startLocalCosmos, type LocalCosmos } from '../support/cosmos-server.js';
import { DAY_MS, newJobInput } from '../support/jobs.js';
import { FAST_WORKER, graphFor, sleep, waitForAllTerminal } from '../support/reliability.js';
import { startServiceChild, type ServiceChild } from '../support/service-child.js';

const JOBS = 200;
const SECOND_APP = { clientId: '5b1c0f8e-0000-4000-8000-00000000b002', secret: 'second-instance-secret' };
const DATABASE = { databaseId: 'autopilot-approvals', containerId: 'jobs' };

let cosmos: LocalCosmos;
let emulator: RunningGraphEmulator;
let store: CosmosJobStore;
const services: ServiceChild[] = [];
let dir: string;

afterAll(async () => {
  for (const service of services) await service.kill();
  await store?.close();
  await emulator?.stop();
  await cosmos?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startInstance(app: { clientId: string; secret?: string }): Promise<ServiceChild> {
  return startServiceChild({
    env: {
      DATA_DIR: dir,
      STORE: 'cosmos',
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: LOCAL_COSMOS_KEY,
      COSMOS_DATABASE: DATABASE.databaseId,
      COSMOS_CONTAINER: DATABASE.containerId,
      ...FAST_WORKER,
      // Each tick is a cross-partition query; the local Cosmos DB server is one Node process, so go easy on it.
      WORKER_TICK_MS: '250',
      WORKER_POLL_MIN_MS: '250',
    },
    graph: graphFor(emulator, app),
    cosmos: { endpoint: cosmos.endpoint, key: LOCAL_COSMOS_KEY, ...DATABASE },
  });
}

describe('scale-out on Cosmos DB', () => {
  it(
    'two instances share 200 jobs; one is killed; the other finishes its jobs; no device is uploaded twice',
    { timeout: 300_000 },
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'aa-scale-'));
      cosmos = await startLocalCosmos();
      emulator = await startGraphEmulator({
        host: '127.0.0.1',
        apps: [DEMO_APP, SECOND_APP],
        scenario: { timeScale: 0.002 },
      });
      store = await CosmosJobStore.open({
        endpoint: cosmos.endpoint,
        key: LOCAL_COSMOS_KEY,
        ...DATABASE,
        retentionDays: 30,
        createIfMissing: true,
        agent: cosmos.agent,
      });
      const now = new Date();
      for (let i = 0; i < JOBS; i++) {
        const job = submit(
          newJobInput({ device: { serialNumber: `SCALE-${i}`, manufacturer: 'Contoso', model: 'M1' } }),
          now,
          DAY_MS,
        );
        const approved = approve(job, {
          by: { id: 'aad-approver' },
          at: now,
          groupTag: 'Sales',
          comment: 'INC-1',
        });
        if (!approved.ok) throw approved.error;
        await store.create(approved.value);
      }

      const [first, second] = [await startInstance(DEMO_APP), await startInstance(SECOND_APP)];
      services.push(first, second);
      // Let both work until about a quarter is done, then kill the first in the middle of its jobs.
      for (;;) {
        const done = (await store.list({ statuses: ['completed'], limit: JOBS })).items.length;
        if (done >= JOBS / 4) break;
        await sleep(100);
      }
      const open = new Set(
        (await store.list({ statuses: ['approved', 'running'], limit: JOBS })).items.map(
          (j) => j.device.serialNumber,
        ),
      );
      await first.kill('SIGKILL');
      const uploadedByFirst = new Set(
        emulator.log.entries
          .filter((e) => e.clientId === DEMO_APP.clientId && e.status < 300)
          .flatMap((e) => e.uploads ?? []),
      );

      const jobs = await waitForAllTerminal(store, JOBS, 240_000);
      expect(jobs.map((j) => j.status)).toEqual(jobs.map(() => 'completed'));
      const uploads = emulator.log.uploadsBySerial();
      for (const job of jobs)
        expect([job.device.serialNumber, uploads.get(job.device.serialNumber)]).toEqual([
          job.device.serialNumber,
          1,
        ]);
      // Both instances imported devices, and the survivor finished devices the killed one had uploaded.
      const uploadedBySecond = emulator.log.entries
        .filter((e) => e.clientId === SECOND_APP.clientId && e.status < 300)
        .flatMap((e) => e.uploads ?? []);
      expect(uploadedByFirst.size).toBeGreaterThan(0);
      expect(uploadedBySecond.length).toBeGreaterThan(0);
      expect([...uploadedByFirst].filter((s) => open.has(s)).length).toBeGreaterThan(0);
    },
  );
});
