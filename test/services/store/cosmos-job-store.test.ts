import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
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
