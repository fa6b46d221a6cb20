/**
 * One open job per device across instances: two service processes on one Cosmos DB (`@vercel/cosmosdb-server`)
 * receive the same 20 serials at the same moment, one in lower case and one in upper case with stray spaces
 * (a client retry through another instance). Each device gets exactly one job: one request is answered 202,
 * the other 200 with that same job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_APP, startGraphEmulator, type RunningGraphEmulator } from '../../graph-emulator/server.js';
import { serialKey } from '../../services/domain/serial-key.js';
import { CosmosJobStore } from '../../services/store/cosmos/cosmos-job-store.js';
import { listAll } from '../../services/store/list-all.js';
import { LOCAL_COSMOS_KEY, startLocalCosmos, type LocalCosmos } from '../support/cosmos-server.js';
import { fakeHardwareHash } from '../support/jobs.js';
import { graphFor } from '../support/reliability.js';
import { startServiceChild, type ServiceChild } from '../support/service-child.js';

const KEY = 'race-intake-key-0123456789abc';
const SECOND_APP = { clientId: '5b1c0f8e-0000-4000-8000-00000000b003', secret: 'race-second-secret' };
const DATABASE = { databaseId: 'autopilot-approvals', containerId: 'race' };
const SERIALS = 20;

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

const startInstance = (app: { clientId: string; secret?: string }) =>
  startServiceChild({
    env: {
      DATA_DIR: dir,
      STORE: 'cosmos',
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: LOCAL_COSMOS_KEY,
      COSMOS_DATABASE: DATABASE.databaseId,
      COSMOS_CONTAINER: DATABASE.containerId,
      INTAKE_KEYS: `lab:${KEY}`,
      INTAKE_RATE_PER_MINUTE: '100000',
      // Nobody approves here: the worker has nothing to do.
      WORKER_TICK_MS: '1000',
    },
    graph: graphFor(emulator, app),
    cosmos: { endpoint: cosmos.endpoint, key: LOCAL_COSMOS_KEY, ...DATABASE },
  });

async function submit(url: string, serialNumber: string): Promise<{ status: number; id: string }> {
  const response = await fetch(`${url}/api/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      serialNumber,
      hardwareHash: fakeHardwareHash(),
      manufacturer: 'Contoso',
      model: 'M1',
    }),
  });
  return { status: response.status, id: ((await response.json()) as { id: string }).id };
}

describe('one open job per device, across instances', () => {
  it('two instances given one serial at once, in mixed case, make one job', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-race-'));
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
    services.push(await startInstance(DEMO_APP), await startInstance(SECOND_APP));
    const [one, two] = services.map((s) => s.url);
    const pairs = await Promise.all(
      Array.from({ length: SERIALS }, (_, i) => {
        const serial = `race-${String(i).padStart(4, '0')}`;
        return Promise.all([submit(one!, serial), submit(two!, `  ${serial.toUpperCase()} `)]);
      }),
    );
    for (const [a, b] of pairs) {
      expect([a.status, b.status].sort()).toEqual([200, 202]);
      expect(a.id).toBe(b.id);
    }
    const jobs = await listAll(store, {});
    expect(jobs).toHaveLength(SERIALS);
    expect(new Set(jobs.map((j) => serialKey(j.device.serialNumber))).size).toBe(SERIALS);
  }, 120_000);
});
