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
    'two instances share 200 jobs; one is killed while busy; the other finishes every job; no device is uploaded twice',
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

      const [first, second] = await Promise.all([startInstance(DEMO_APP), startInstance(SECOND_APP)]);
      services.push(first, second);
      const requestsBy = (app: { clientId: string }) =>
        emulator.log.entries.filter((e) => e.clientId === app.clientId && e.status < 300);
      const uploadsBy = (app: { clientId: string }) =>
        new Set(requestsBy(app).flatMap((e) => e.uploads ?? []));
      // Both at work (the wait needs requests from each); the first is killed as soon as it has uploaded
      // devices, whose imports take a while, so it dies holding leases on jobs in the middle of their steps.
      while (uploadsBy(DEMO_APP).size === 0 || requestsBy(SECOND_APP).length === 0) await sleep(20);
      await first.kill('SIGKILL');
      const uploadedByFirst = uploadsBy(DEMO_APP);
      const openAtKill = new Set(
        (await store.list({ statuses: ['approved', 'running'], limit: JOBS })).items.map(
          (j) => j.device.serialNumber,
        ),
      );

      const jobs = await waitForAllTerminal(store, JOBS, 240_000);
      expect(jobs.map((j) => j.status)).toEqual(jobs.map(() => 'completed'));
      // No device uploaded twice, although the survivor finished the devices the killed one had uploaded.
      const uploads = emulator.log.uploadsBySerial();
      for (const job of jobs)
        expect([job.device.serialNumber, uploads.get(job.device.serialNumber)]).toEqual([
          job.device.serialNumber,
          1,
        ]);
      const takenOver = [...uploadedByFirst].filter((s) => openAtKill.has(s));
      expect(takenOver.length).toBeGreaterThan(0);
    },
  );
});
