/**
 * What real Azure Cosmos DB does that the local server does not show on its own: the container's settings checked at
 * open, TTL as a backstop with `ttl: -1` on what must not expire, 429s and 404/1002 after the SDK's retries, a write
 * failing in the middle of a claim, guests' ids, and two instances creating the container at once. Faults come in
 * through the SDK's request plugins, below the store, where real Cosmos DB's answers arrive.
 */
import { randomUUID } from 'node:crypto';
import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosJobStore, type CosmosStoreOptions } from '../../../services/store/cosmos/cosmos-job-store.js';
import {
  COMPOSITE_INDEXES,
  containerDefinition,
  INDEXING_POLICY,
  StoreSetupError,
} from '../../../services/store/cosmos/container-setup.js';
import { storeErrorOf } from '../../../services/store/cosmos/cosmos-call.js';
import { StoreConflictError, StoreUnavailableError } from '../../../services/store/errors.js';
import { LOCAL_COSMOS_KEY, startLocalCosmos, type LocalCosmos } from '../../support/cosmos-server.js';
import { approvedJob, submittedJob } from '../../support/jobs.js';

let cosmos: LocalCosmos;
let admin: CosmosClient;
const DATABASE = 'autopilot-approvals';
beforeAll(async () => {
  cosmos = await startLocalCosmos();
  admin = new CosmosClient({ endpoint: cosmos.endpoint, key: LOCAL_COSMOS_KEY, agent: cosmos.agent });
  await admin.databases.createIfNotExists({ id: DATABASE });
});
afterAll(async () => {
  admin.dispose();
  await cosmos.stop();
});

const options = (containerId: string, extra: Partial<CosmosStoreOptions> = {}): CosmosStoreOptions => ({
  endpoint: cosmos.endpoint,
  key: LOCAL_COSMOS_KEY,
  databaseId: DATABASE,
  containerId,
  retentionDays: 30,
  createIfMissing: true,
  agent: cosmos.agent,
  ...extra,
});

const rawContainer = (id: string) => admin.database(DATABASE).container(id);

const device = (serialNumber: string) => ({ device: { serialNumber, manufacturer: 'Contoso', model: 'M1' } });

async function refusal(containerId: string): Promise<StoreSetupError> {
  const error: unknown = await CosmosJobStore.open(options(containerId, { createIfMissing: false })).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreSetupError);
  return error as StoreSetupError;
}

describe('Cosmos DB container settings, checked at open', () => {
  it('creates the container with the partition key, TTL on without a default, and only the queried paths indexed', async () => {
    const id = `jobs-${randomUUID()}`;
    const store = await CosmosJobStore.open(options(id));
    const { resource } = await rawContainer(id).read();
    expect(resource?.partitionKey?.paths).toEqual(['/pk']);
    expect(resource?.defaultTtl).toBe(-1);
    expect(resource?.indexingPolicy?.excludedPaths).toContainEqual({ path: '/*' });
    expect(resource?.indexingPolicy?.compositeIndexes).toEqual(COMPOSITE_INDEXES);
    await store.close();
  });

  it('refuses to start, naming each fix, when the partition key, TTL or composite indexes are wrong', async () => {
    const id = `wrong-${randomUUID()}`;
    await admin
      .database(DATABASE)
      .containers.create({ id, partitionKey: { paths: ['/id'] }, indexingPolicy: { compositeIndexes: [] } });
    const error = await refusal(id);
    expect(error.message).toContain('partition key is /id; it must be /pk');
    expect(error.message).toContain('time to live is off');
    expect(error.message).toContain('(status ASC, createdAt DESC, id DESC) is missing');
    expect(error.message).toContain('(batchId ASC, createdAt DESC, id DESC) is missing');
    expect(error.retryable).toBe(false);
  });

  it('refuses a policy that leaves a queried path out of the index, and accepts the README policy', async () => {
    const narrow = `narrow-${randomUUID()}`;
    await admin.database(DATABASE).containers.create({
      ...containerDefinition(narrow),
      indexingPolicy: {
        ...INDEXING_POLICY,
        includedPaths: (INDEXING_POLICY.includedPaths ?? []).filter((p) => p.path !== '/nextRunAt/?'),
      },
    });
    expect((await refusal(narrow)).problems).toEqual([
      "the path /nextRunAt/? is not indexed; the queries need it. Apply the README's indexing policy.",
    ]);
    // The default policy (everything indexed) with the composite indexes added is fine too.
    const wide = `wide-${randomUUID()}`;
    await admin.database(DATABASE).containers.create({
      id: wide,
      partitionKey: { paths: ['/pk'] },
      defaultTtl: -1,
      indexingPolicy: { compositeIndexes: COMPOSITE_INDEXES },
    });
    const store = await CosmosJobStore.open(options(wide, { createIfMissing: false }));
    await store.close();
  });

  it("brings an earlier version's container up to date when it holds the account key", async () => {
    const id = `upgrade-${randomUUID()}`;
    // As the previous version created it: one composite index, everything indexed.
    await admin.database(DATABASE).containers.create({
      id,
      partitionKey: { paths: ['/pk'] },
      defaultTtl: -1,
      indexingPolicy: { compositeIndexes: [COMPOSITE_INDEXES[0] ?? []] },
    });
    expect((await refusal(id)).problems).toHaveLength(2);
    const store = await CosmosJobStore.open(options(id));
    const { resource } = await rawContainer(id).read();
    expect(resource?.indexingPolicy?.compositeIndexes).toEqual(COMPOSITE_INDEXES);
    await store.close();
  });

  it('refuses a numeric default time to live: documents of earlier versions carry no ttl of their own', async () => {
    const id = `numeric-${randomUUID()}`;
    await admin.database(DATABASE).containers.create({ ...containerDefinition(id), defaultTtl: 3600 });
    expect((await refusal(id)).message).toContain('default time to live is 3600 s');
  });

  it('says the container is missing when it may not create it (Entra ID)', async () => {
    const error = await refusal(`absent-${randomUUID()}`);
    expect(error.message).toMatch(/does not exist/);
  });

  it('lets two instances create the same container at once', async () => {
    const id = `race-${randomUUID()}`;
    const stores = await Promise.all([1, 2, 3].map(() => CosmosJobStore.open(options(id))));
    expect(stores).toHaveLength(3);
    await Promise.all(stores.map((s) => s.close()));
  });
});

describe('Cosmos DB time to live, a backstop behind the purge', () => {
  it('gives finished jobs and cards retention plus grace, people retention, and everything else -1', async () => {
    const id = `ttl-${randomUUID()}`;
    const store = await CosmosJobStore.open(options(id));
    const now = new Date();
    const open = submittedJob(now, device('TTL-OPEN'));
    await store.create(open);
    const done = { ...approvedJob(now, 'TTL-DONE'), status: 'completed' as const };
    await store.create(done);
    await store.saveCardAddress(done.id, { activityId: 'a', conversationReference: {} });
    await store.saveChannelBinding({ teamId: 't', channelId: 'c', conversationReference: {} } as never);
    await store.tryAcquireTimedSlot('sync', now, 1000);
    await store.saveUserReference('ada@contoso.example', { conversation: { id: 'a:1' } });
    const { resources } = await rawContainer(id)
      .items.query<{ id: string; type: string; ttl?: number }>('SELECT c.id, c.type, c.ttl FROM c')
      .fetchAll();
    const ttlOf = (predicate: (d: { id: string; type: string }) => boolean) =>
      resources.filter(predicate).map((d) => d.ttl);
    const day = 86_400;
    expect(ttlOf((d) => d.id === open.id)).toEqual([-1]);
    expect(ttlOf((d) => d.id === done.id)).toEqual([37 * day]);
    expect(ttlOf((d) => d.type === 'card')).toEqual([37 * day]);
    expect(ttlOf((d) => d.type === 'open-serial')).toEqual([-1]);
    expect(ttlOf((d) => d.type === 'binding')).toEqual([-1]);
    expect(ttlOf((d) => d.type === 'slot')).toEqual([-1]);
    expect(ttlOf((d) => d.type === 'user')).toEqual([30 * day]);
    expect(resources.every((d) => d.ttl !== undefined)).toBe(true);
    await store.close();
  });
});

describe('Cosmos DB ids from user input', () => {
  it("stores and finds a guest's chat: '#EXT#' cannot be part of a Cosmos id, so the id is encoded", async () => {
    const store = await CosmosJobStore.open(options(`guests-${randomUUID()}`));
    const guest = 'ada_fabrikam.com#EXT#@contoso.onmicrosoft.com';
    await store.saveUserReference(guest, { conversation: { id: 'a:guest' } });
    expect(await store.getUserReference(guest.toUpperCase())).toEqual({ conversation: { id: 'a:guest' } });
    await store.close();
  });
});

/**
 * A store whose requests matching `when` are answered by a request plugin, as real Cosmos DB would answer them,
 * below the SDK's own retries and the store.
 */
function storeWithFault(
  containerId: string,
  when: (operationType: string | undefined, resourceType: string | undefined) => boolean,
  answer: object,
  extra: Partial<CosmosStoreOptions> = {},
): Promise<CosmosJobStore> {
  return CosmosJobStore.open(
    options(containerId, {
      ...extra,
      plugins: [
        {
          on: 'request',
          plugin: async (context, _diagnostics, next) => {
            if (when(context.operationType, context.resourceType))
              throw Object.assign(new Error('injected'), answer);
            return next(context);
          },
        },
      ],
    }),
  );
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('Cosmos DB errors become the store errors', () => {
  it('maps 429, 404/1002, 409, 412 and others, keeping the retry-after', () => {
    const throttled = storeErrorOf('x', { code: 429, retryAfterInMs: 1234 }, 'j');
    expect(throttled).toBeInstanceOf(StoreUnavailableError);
    expect(throttled).toMatchObject({ retryable: true, retryAfterMs: 1234 });
    const session = storeErrorOf('x', { code: 404, substatus: 1002 }, 'j');
    expect(session).toBeInstanceOf(StoreUnavailableError);
    expect(storeErrorOf('x', { code: 409 }, 'j')).toBeInstanceOf(StoreConflictError);
    expect(storeErrorOf('x', { code: 412 }, 'j')).toBeInstanceOf(StoreConflictError);
    expect(storeErrorOf('x', { code: 503 }, 'j')).toBeInstanceOf(StoreUnavailableError);
  });

  it('raises a retryable error with the retry-after once the SDK gives up on 429s, on reads and writes', async () => {
    const store = await storeWithFault(
      `throttled-${randomUUID()}`,
      (op, resource) => resource === 'docs' && (op === 'read' || op === 'upsert'),
      { code: 429, retryAfterInMs: 200, headers: { 'x-ms-retry-after-ms': '200' } },
      { maxRetryWaitSeconds: 1 },
    );
    for (const call of [() => store.get('nope'), () => store.saveUserReference('a@b.c', {})]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).retryAfterMs).toBeGreaterThan(0);
    }
    await store.close();
  });

  it('reads a 404 with substatus 1002 as "not caught up yet", never as "not found"', async () => {
    let behind = false;
    const store = await storeWithFault(`session-${randomUUID()}`, (op) => behind && op === 'read', {
      code: 404,
      substatus: 1002,
      headers: {},
    });
    const job = submittedJob(new Date(), device('SESSION-1'));
    await store.create(job);
    behind = true;
    expect(await rejection(store.get(job.id))).toBeInstanceOf(StoreUnavailableError);
    behind = false;
    expect((await store.get(job.id))?.job.id).toBe(job.id);
    await store.close();
  });
});

describe('Cosmos DB claims', () => {
  it('hands over what it leased when a later lease write fails, and the rest is claimed next time', async () => {
    // Every lease write after the first fails while armed.
    let patches = 0;
    let armed = true;
    const store = await storeWithFault(
      `claim-${randomUUID()}`,
      (op) => op === 'patch' && armed && ++patches > 1,
      { code: 503, headers: {} },
    );
    const now = new Date();
    for (let i = 0; i < 4; i++) await store.create(approvedJob(now, `CLAIM-${i}`));
    const claimAt = new Date(now.getTime() + 1000);
    const first = await store.claimDue({ owner: 'w1', now: claimAt, leaseMs: 60_000, limit: 4 });
    // What was leased before the failure is handed over, not abandoned until its lease runs out.
    expect(first).toHaveLength(1);
    expect(first[0]?.job.lease?.owner).toBe('w1');
    armed = false;
    const rest = await store.claimDue({ owner: 'w2', now: claimAt, leaseMs: 60_000, limit: 4 });
    expect(rest).toHaveLength(3);
    expect(new Set([...first, ...rest].map((s) => s.job.id)).size).toBe(4);
    await store.close();
  });

  it('throws when the very first lease write fails, so the worker backs off', async () => {
    const store = await storeWithFault(`claim0-${randomUUID()}`, (op) => op === 'patch', {
      code: 503,
      headers: {},
    });
    const now = new Date();
    await store.create(approvedJob(now, 'CLAIM-0'));
    await expect(
      store.claimDue({ owner: 'w1', now: new Date(now.getTime() + 1000), leaseMs: 60_000, limit: 1 }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });
});
