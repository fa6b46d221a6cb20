import type { StoreConfig } from '../config/config.js';
import { CosmosJobStore } from './cosmos/cosmos-job-store.js';
import type { JobStore } from './job-store.js';
import { SqliteJobStore } from './sqlite/sqlite-job-store.js';

export async function openJobStore(config: StoreConfig, retentionDays: number): Promise<JobStore> {
  if (config.kind === 'sqlite') return new SqliteJobStore(config.path);
  return CosmosJobStore.open({
    endpoint: config.endpoint,
    ...(config.key ? { key: config.key } : {}),
    databaseId: config.databaseId,
    containerId: config.containerId,
    retentionDays,
    ...(config.throughput ? { throughput: config.throughput } : {}),
    maxRetryWaitSeconds: config.maxRetryWaitSeconds,
    // With a key we may create what is missing; with Entra ID the database is provisioned ahead (see README).
    createIfMissing: config.key !== undefined,
  });
}
