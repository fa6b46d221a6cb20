import { randomUUID } from 'node:crypto';
import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosJobStore, type CosmosStoreOptions } from '../../../services/store/cosmos/cosmos-job-store.js';
import { describeJobStoreContract } from './job-store-contract.js';
import { LOCAL_COSMOS_KEY, startLocalCosmos, type LocalCosmos } from '../../support/cosmos-server.js';

let cosmos: LocalCosmos;
beforeAll(async () => {
  cosmos = await startLocalCosmos();
});
afterAll(async () => {
  await cosmos.stop();
});

describeJobStoreContract('Cosmos DB', async () => {
  // A fresh container per test keeps tests independent; each store is its own CosmosClient.
  const options: CosmosStoreOptions = {
    endpoint: cosmos.endpoint,
    key: LOCAL_COSMOS_KEY,
    databaseId: 'autopilot-approvals',
    containerId: `jobs-${randomUUID()}`,
    retentionDays: 90,
    createIfMissing: true,
    agent: cosmos.agent,
  };
  const store = await CosmosJobStore.open(options);
  return {
    store,
    openAnother: () => CosmosJobStore.open({ ...options, createIfMissing: false }),
    dispose: () => store.close(),
  };
});

describe('Cosmos DB documents beside the jobs', () => {
  it('give card and user documents a time to live, so that they go with their jobs', async () => {
    const containerId = `jobs-${randomUUID()}`;
    const store = await CosmosJobStore.open({
      endpoint: cosmos.endpoint,
      key: LOCAL_COSMOS_KEY,
      databaseId: 'autopilot-approvals',
      containerId,
      retentionDays: 30,
      createIfMissing: true,
      agent: cosmos.agent,
    });
    await store.saveCardAddress('job-1', { activityId: 'a', conversationReference: {} });
    await store.saveUserReference('ada@contoso.example', { conversation: { id: 'a:1' } });
    const client = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: LOCAL_COSMOS_KEY,
      agent: cosmos.agent,
    });
    const container = client.database('autopilot-approvals').container(containerId);
    const card = (await container.item('card:job-1', 'job-1').read<{ ttl?: number }>()).resource;
    const user = (await container.item('user:ada@contoso.example', 'users').read<{ ttl?: number }>())
      .resource;
    expect([card?.ttl, user?.ttl]).toEqual([30 * 86_400, 30 * 86_400]);
    client.dispose();
    await store.close();
  });
});
