/**
 * The Cosmos DB container this store needs, and the check that the one it is given is so. Real Cosmos DB answers
 * 400 to an ORDER BY over several properties without a matching composite index, and `createIfNotExists` never
 * changes an existing container, so the store reads the container's settings at open (the data-plane role may)
 * and refuses to start, naming the fix, when they are not as required. Microsoft's Cosmos DB docs: "Indexing
 * policies" (composite indexes, included and excluded paths), "Time to live" (per-item ttl works only when the
 * container's default TTL is set, -1 meaning on without a default).
 */
import type {
  CompositePath,
  Container,
  ContainerDefinition,
  CosmosClient,
  IndexingPolicy,
} from '@azure/cosmos';
import { AppError } from '../../errors.js';
import { statusOf } from './cosmos-call.js';

export const PARTITION_KEY_PATH = '/pk';

const desc = (path: string): CompositePath => ({ path, order: 'descending' });
const asc = (path: string): CompositePath => ({ path, order: 'ascending' });

/** Listings: all jobs, jobs in one status, jobs of one batch; each newest first. */
export const COMPOSITE_INDEXES: CompositePath[][] = [
  [desc('/createdAt'), desc('/id')],
  [asc('/status'), desc('/createdAt'), desc('/id')],
  [asc('/batchId'), desc('/createdAt'), desc('/id')],
];

/** Only the paths that queries filter or sort on are indexed: the hash, steps, audit and references are not. */
export const INDEXED_PATHS = [
  '/type/?',
  '/status/?',
  '/nextRunAt/?',
  '/lease/expiresAt/?',
  '/createdAt/?',
  '/updatedAt/?',
  '/serialKey/?',
  '/device/serialNumber/?',
  '/batchId/?',
  '/people/[]/?',
];

export const INDEXING_POLICY: IndexingPolicy = {
  indexingMode: 'consistent',
  automatic: true,
  includedPaths: INDEXED_PATHS.map((path) => ({ path })),
  excludedPaths: [{ path: '/*' }, { path: '/"_etag"/?' }],
  compositeIndexes: COMPOSITE_INDEXES,
};

/** The container as the store creates it: TTL on with no default (-1), so only items that say so expire. */
export function containerDefinition(containerId: string): ContainerDefinition {
  return {
    id: containerId,
    partitionKey: { paths: [PARTITION_KEY_PATH] },
    defaultTtl: -1,
    indexingPolicy: INDEXING_POLICY,
  };
}

/** The container's settings are not what the store needs: start-up stops, naming each problem and its fix. */
export class StoreSetupError extends AppError {
  constructor(readonly problems: readonly string[]) {
    super(
      'store_setup',
      `The Cosmos DB container is not set up as this service needs (see the README, "Cosmos DB in Azure"):\n- ${problems.join('\n- ')}`,
      { retryable: false },
    );
    this.name = 'StoreSetupError';
  }
}

const orderOf = (p: CompositePath) => p.order ?? 'ascending';
const flip = (order: string) => (order === 'ascending' ? 'descending' : 'ascending');
const describe = (index: CompositePath[]) =>
  `(${index.map((p) => `${p.path.slice(1)} ${orderOf(p) === 'ascending' ? 'ASC' : 'DESC'}`).join(', ')})`;

/** A composite index serves an ORDER BY in its own orders or all of them inverted (Cosmos DB indexing docs). */
function hasComposite(actual: CompositePath[][] | undefined, wanted: CompositePath[]): boolean {
  return (actual ?? []).some(
    (index) =>
      index.length === wanted.length &&
      (index.every((p, i) => p.path === wanted[i]?.path && orderOf(p) === orderOf(wanted[i])) ||
        index.every((p, i) => p.path === wanted[i]?.path && orderOf(p) === flip(orderOf(wanted[i])))),
  );
}

/** True when a path such as `/status/?` is indexed under the policy (included by itself or a wildcard above it). */
function isIndexed(policy: IndexingPolicy | undefined, path: string): boolean {
  if (!policy || policy.indexingMode === 'none' || policy.automatic === false) return false;
  const covers = (pattern: string) =>
    pattern === path || (pattern.endsWith('/*') && path.startsWith(pattern.slice(0, -1)));
  // Deeper is more specific; at the same depth a scalar path (`/?`) is more specific than a wildcard (`/*`).
  const depth = (pattern: string) => pattern.split('/').length * 2 + (pattern.endsWith('/?') ? 1 : 0);
  const included = (policy.includedPaths ?? [{ path: '/*' }]).filter((p) => covers(p.path));
  const excluded = (policy.excludedPaths ?? []).filter((p) => covers(p.path));
  const best = (list: { path: string }[]) => Math.max(-1, ...list.map((p) => depth(p.path)));
  // The most specific rule wins.
  return included.length > 0 && best(included) > best(excluded);
}

/** Every way the container differs from what the store needs, each with its fix. */
export function containerProblems(definition: ContainerDefinition): string[] {
  const problems: string[] = [];
  const paths = definition.partitionKey?.paths ?? [];
  if (paths.length !== 1 || paths[0] !== PARTITION_KEY_PATH)
    problems.push(
      `its partition key is ${paths.join(', ') || 'not set'}; it must be ${PARTITION_KEY_PATH}. A partition key cannot be changed: create a new container with ${PARTITION_KEY_PATH}.`,
    );
  if (definition.defaultTtl !== -1)
    problems.push(
      definition.defaultTtl === undefined || definition.defaultTtl === null
        ? 'time to live is off; finished jobs would never expire. Turn it on with no default: az cosmosdb sql container update … --ttl -1 (or "On (no default)" in the portal).'
        : `its default time to live is ${definition.defaultTtl} s; documents written before this version carry no ttl of their own and would expire. Set it to on with no default: az cosmosdb sql container update … --ttl -1.`,
    );
  for (const path of INDEXED_PATHS.filter((p) => !isIndexed(definition.indexingPolicy, p)))
    problems.push(
      `the path ${path} is not indexed; the queries need it. Apply the README's indexing policy.`,
    );
  for (const index of COMPOSITE_INDEXES.filter(
    (c) => !hasComposite(definition.indexingPolicy?.compositeIndexes, c),
  ))
    problems.push(
      `the composite index ${describe(index)} is missing; listings answer 400 without it. Apply the README's indexing policy.`,
    );
  return problems;
}

export interface ContainerOptions {
  databaseId: string;
  containerId: string;
  /** Create the database and container when missing (key auth only: Entra data-plane roles cannot). */
  createIfMissing: boolean;
  /** Throughput for a container the store creates: manual RU/s, or an autoscale maximum. */
  throughput?: { kind: 'manual'; ru: number } | { kind: 'autoscale'; maxRu: number };
}

/**
 * Opens the container, creating it when allowed and missing (another instance creating it at the same moment is
 * fine: its 409 means the container is there), then checks its settings.
 */
export async function openContainer(client: CosmosClient, options: ContainerOptions): Promise<Container> {
  if (options.createIfMissing) {
    const tolerateRace = async (create: () => Promise<unknown>) => {
      try {
        await create();
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
    };
    await tolerateRace(() => client.databases.createIfNotExists({ id: options.databaseId }));
    const throughput =
      options.throughput?.kind === 'manual'
        ? { offerThroughput: options.throughput.ru }
        : options.throughput?.kind === 'autoscale'
          ? { maxThroughput: options.throughput.maxRu }
          : {};
    await tolerateRace(() =>
      client
        .database(options.databaseId)
        .containers.createIfNotExists({ ...containerDefinition(options.containerId), ...throughput }),
    );
  }
  const container = client.database(options.databaseId).container(options.containerId);
  const resource = await container.read().then(
    (response) => response.resource,
    (error: unknown) => {
      if (statusOf(error) === 404) return undefined;
      throw error;
    },
  );
  if (!resource)
    throw new StoreSetupError([
      `the container ${options.databaseId}/${options.containerId} does not exist. Create it as the README says (the store creates it only with an account key).`,
    ]);
  let problems = containerProblems(resource);
  const samePartitionKey = resource.partitionKey?.paths?.[0] === PARTITION_KEY_PATH;
  if (problems.length && options.createIfMissing && samePartitionKey) {
    // With the account key the store may bring a container of an earlier version up to date (TTL and indexes;
    // Cosmos DB rebuilds the index online). A partition key cannot be changed, so that is refused, not fixed.
    const { resource: updated } = await container.replace({
      ...resource,
      defaultTtl: -1,
      indexingPolicy: INDEXING_POLICY,
    });
    problems = updated ? containerProblems(updated) : problems;
  }
  if (problems.length) throw new StoreSetupError(problems);
  return container;
}
