/**
 * Azure Cosmos DB store for scale-out: several service instances share one container.
 *
 * Partitioning: one container, partition key `/pk`. A job's partition key is its own id, so every read and
 * write of a job is a point operation on one small logical partition and load spreads evenly however many
 * jobs arrive at once. The job's card address lives in the same partition (`card:<jobId>`); a CSV batch is a
 * document in its own partition `batch:<id>`, with its card. The few queries (due jobs, open job for a serial,
 * listings) fan out across partitions and are shaped for the container's indexes (container-setup.ts).
 *
 * Concurrency: every job write is a replace with `IfMatch: <_etag>`; a stale etag is a 412 and becomes a
 * StoreConflictError. A claim selects ids and etags only, then leases each job with a conditional patch.
 * Retention: the purge removes a finished job with its card a retention period after it ended; the item's `ttl`
 * (retention plus a grace period) is a backstop only. Everything that must not expire carries `ttl: -1`; the
 * container's default TTL must be -1 (documents of earlier versions carry no ttl of their own).
 */
import type { Agent } from 'node:https';
import {
  CosmosClient,
  type Container,
  type ItemDefinition,
  type PluginConfig,
  type SqlQuerySpec,
} from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';
import {
  OPEN_STATUSES,
  TERMINAL_STATUSES,
  WORKABLE_STATUSES,
  isOpen,
  isTerminal,
  type AuditEvent,
  type ImportJob,
} from '../../domain/job.js';
import type { ImportBatch } from '../../domain/batch.js';
import { withAudit } from '../../domain/audit.js';
import { serialKey } from '../../domain/serial-key.js';
import { encodeCursor } from '../cursor.js';
import { leaseFor } from '../due.js';
import { StoreConflictError, StoreUnavailableError } from '../errors.js';
import type {
  CardAddress,
  ChannelBinding,
  ClaimRequest,
  ConversationReferenceData,
  UserReferenceDrop,
  JobFilter,
  JobStore,
  ListQuery,
  Page,
  StoredBatch,
  StoredJob,
} from '../job-store.js';
import { mutateJob } from '../mutate.js';
import { CosmosBatches } from './cosmos-batches.js';
import { checkReadResponse, cosmosCall } from './cosmos-call.js';
import { countQuery, inList, listingQueries, newestFirst } from './cosmos-job-queries.js';
import { OpenSerialLocks } from './cosmos-open-serials.js';
import { cosmosReport } from './cosmos-report.js';
import type { ReportFigures, ReportPeriod } from '../../reports/figures.js';
import { CosmosReferences } from './cosmos-references.js';
import { openContainer, StoreSetupError, type ContainerOptions } from './container-setup.js';

export interface CosmosStoreOptions {
  endpoint: string;
  /** Account key; without one the store signs in with DefaultAzureCredential (managed identity in Azure). */
  key?: string;
  databaseId: string;
  containerId: string;
  retentionDays: number;
  /** Creates the database and container when missing (needs key auth: Entra data-plane roles cannot). */
  createIfMissing?: boolean;
  /** Throughput of a container the store creates. */
  throughput?: ContainerOptions['throughput'];
  /**
   * Longest the SDK waits out 429s inside one call before the store's own retryable error is raised: keep it well
   * under a third of the worker's lease, so a throttled write cannot outlast the lease it renews.
   */
  maxRetryWaitSeconds?: number;
  /** An HTTPS agent for this client only, e.g. to trust a local emulator's self-signed certificate. */
  agent?: Agent;
  /**
   * The SDK's request plugins: tests inject what the local server never answers (429s, 404/1002, a failed write)
   * through them, below the store, where real Cosmos DB's answers arrive.
   */
  plugins?: PluginConfig[];
}

/** How long past the retention a finished job's ttl lets the purge come first. */
const TTL_GRACE_DAYS = 7;
const DAY_SECONDS = 24 * 60 * 60;

type JobDocument = ImportJob &
  ItemDefinition & { pk: string; type: 'job'; serialKey: string; people: string[]; ttl: number };
const SYSTEM_FIELDS = [
  '_rid',
  '_self',
  '_etag',
  '_attachments',
  '_ts',
  'pk',
  'type',
  'ttl',
  'serialKey',
  'people',
] as const;

function fromDocument(doc: JobDocument): StoredJob {
  const etag: unknown = doc._etag;
  if (typeof etag !== 'string')
    throw new StoreUnavailableError(`Cosmos returned job ${doc.id} without an etag.`, null);
  const job: Record<string, unknown> = { ...doc };
  for (const field of SYSTEM_FIELDS) delete job[field];
  return { job: job as unknown as ImportJob, etag };
}

/** The local server (and any endpoint on this machine) has no regions to discover. */
function isLocalEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export class CosmosJobStore implements JobStore {
  private readonly batches: CosmosBatches;
  private readonly openSerials: OpenSerialLocks;
  private readonly references: CosmosReferences;
  private readonly finishedTtlSeconds: number;

  private constructor(
    private readonly client: CosmosClient,
    private readonly container: Container,
    retentionDays: number,
  ) {
    this.finishedTtlSeconds = (retentionDays + TTL_GRACE_DAYS) * DAY_SECONDS;
    this.batches = new CosmosBatches(container);
    this.openSerials = new OpenSerialLocks(container);
    this.references = new CosmosReferences(container, retentionDays * DAY_SECONDS, this.finishedTtlSeconds);
  }

  static async open(options: CosmosStoreOptions): Promise<CosmosJobStore> {
    const local = isLocalEndpoint(options.endpoint);
    const client = new CosmosClient({
      endpoint: options.endpoint,
      ...(options.key ? { key: options.key } : { aadCredentials: new DefaultAzureCredential() }),
      connectionPolicy: {
        // Discovery brings session retries across regions, failover and preferred regions: off only locally.
        enableEndpointDiscovery: !local,
        retryOptions: {
          maxRetryAttemptCount: 9,
          fixedRetryIntervalInMilliseconds: 0,
          maxWaitTimeInSeconds: options.maxRetryWaitSeconds ?? 10,
        },
      },
      ...(options.agent ? { agent: options.agent } : {}),
      ...(options.plugins ? { plugins: options.plugins } : {}),
    });
    try {
      const container = await openContainer(client, {
        databaseId: options.databaseId,
        containerId: options.containerId,
        createIfMissing: options.createIfMissing ?? false,
        ...(options.throughput ? { throughput: options.throughput } : {}),
      });
      return new CosmosJobStore(client, container, options.retentionDays);
    } catch (error) {
      client.dispose();
      if (error instanceof StoreSetupError) throw error;
      throw new StoreUnavailableError('Cosmos DB could not be opened.', error);
    }
  }

  private toDocument(job: ImportJob): JobDocument {
    return {
      ...job,
      pk: job.id,
      type: 'job',
      serialKey: serialKey(job.device.serialNumber),
      // Who the job is about, lower-case, for "my requests" (an indexed array instead of two unindexed fields).
      people: [
        ...new Set(
          [job.submittedBy.requestedBy, job.device.assignedUser].flatMap((u) => (u ? [u.toLowerCase()] : [])),
        ),
      ],
      ttl: isTerminal(job.status) ? this.finishedTtlSeconds : -1,
    };
  }

  private query<T>(what: string, spec: SqlQuerySpec): Promise<T[]> {
    return cosmosCall(
      what,
      what,
      async () => (await this.container.items.query<T>(spec).fetchAll()).resources,
    );
  }

  async create(job: ImportJob): Promise<{ stored: StoredJob; created: boolean }> {
    if (isOpen(job.status)) {
      const holder = await this.openSerials.hold(job, (id) => this.get(id));
      if (holder) return { stored: holder, created: false };
    }
    try {
      const doc = this.toDocument(job);
      const { resource } = await cosmosCall('the new job', job.id, () =>
        this.container.items.create<JobDocument>(doc),
      );
      return { stored: fromDocument(resource as JobDocument), created: true };
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
      const existing = await this.get(job.id);
      if (!existing) throw new StoreUnavailableError(`Job ${job.id} exists but cannot be read.`, error);
      return { stored: existing, created: false };
    }
  }

  async get(id: string): Promise<StoredJob | undefined> {
    const resource = await cosmosCall(`the read of job ${id}`, id, async () => {
      const response = await this.container.item(id, id).read<JobDocument>();
      checkReadResponse(`the read of job ${id}`, response);
      return response.resource;
    });
    return resource ? fromDocument(resource) : undefined;
  }

  async reserveDevice(job: ImportJob): Promise<StoredJob | undefined> {
    const holder = await this.openSerials.hold(job, (id) => this.get(id));
    return holder && holder.job.id !== job.id ? holder : undefined;
  }

  /** Point reads (the cheapest read Cosmos DB has, one per job's partition); the hash is dropped at once. */
  async peek(ids: readonly string[]): Promise<ImportJob[]> {
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.flatMap((s) => (s ? [{ ...s.job, hardwareHash: null }] : []));
  }

  async findOpenBySerial(serialNumber: string): Promise<StoredJob | undefined> {
    const held = await this.openSerials.read(serialNumber);
    const holder = held ? await this.get(held.jobId) : undefined;
    if (holder && isOpen(holder.job.status)) return holder;
    // Jobs from before the device locks; those written before serialKey existed are compared by key as well.
    const open = inList('c.status', 'open', OPEN_STATUSES);
    const docs = await this.query<JobDocument>('the open job query', {
      query: `SELECT * FROM c WHERE c.type = 'job' AND ${open.clause} AND (c.serialKey = @key
        OR (NOT IS_DEFINED(c.serialKey) AND UPPER(TRIM(c.device.serialNumber)) = @key))`,
      parameters: [{ name: '@key', value: serialKey(serialNumber) }, ...open.parameters],
    });
    const newest = docs.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    return newest ? fromDocument(newest) : undefined;
  }

  async list(query: ListQuery): Promise<Page<ImportJob>> {
    const limit = Math.max(1, Math.floor(query.limit));
    const pages = await Promise.all(
      listingQueries(query).map((spec) => this.query<JobDocument>('the job listing', spec)),
    );
    const docs = pages.flat().sort(newestFirst);
    const items = docs.slice(0, limit).map((d) => {
      const { job } = fromDocument(d);
      return query.omitHash ? { ...job, hardwareHash: null } : job;
    });
    const last = items.at(-1);
    return docs.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  report(period: ReportPeriod): Promise<ReportFigures> {
    return cosmosReport(this.container, period);
  }

  async count(filter: JobFilter): Promise<number> {
    const [count] = await this.query<number>('the job count', countQuery(filter));
    return count ?? 0;
  }

  async update(job: ImportJob, etag: string): Promise<StoredJob> {
    const doc = this.toDocument(job);
    const { resource } = await cosmosCall(
      `the update of job ${job.id}`,
      job.id,
      () =>
        this.container
          .item(job.id, job.id)
          .replace<JobDocument>(doc, { accessCondition: { type: 'IfMatch', condition: etag } }),
      'conflict',
    );
    const stored = fromDocument(resource as JobDocument);
    // The device is free again once its job has ended (best effort: a later submission takes a stale lock).
    if (!isOpen(job.status))
      await this.openSerials.release(job.device.serialNumber, job.id).catch(() => undefined);
    return stored;
  }

  async claimDue(request: ClaimRequest): Promise<StoredJob[]> {
    const now = request.now.toISOString();
    const workable = inList('c.status', 'workable', WORKABLE_STATUSES);
    // Ids and etags only; more candidates than needed, tried in random order, so that claimers racing for the same
    // due jobs mostly pick different ones. Each lease is a patch on the etag read, so a lost race is a conflict.
    const candidates = await this.query<{ id: string; _etag: string }>('the due job query', {
      query: `SELECT TOP ${Math.max(1, request.limit) * 3} c.id, c._etag FROM c WHERE c.type = 'job'
        AND ${workable.clause} AND c.nextRunAt <= @now
        AND (NOT IS_DEFINED(c.lease) OR c.lease.expiresAt <= @now) ORDER BY c.nextRunAt`,
      parameters: [{ name: '@now', value: now }, ...workable.parameters],
    });
    const lease = leaseFor(request.owner, request.now, request.leaseMs);
    const claimed: StoredJob[] = [];
    for (const candidate of shuffle(candidates)) {
      if (claimed.length >= request.limit) break;
      try {
        claimed.push(await this.lease(candidate.id, candidate._etag, lease));
      } catch (error) {
        if (error instanceof StoreConflictError) continue;
        // What was leased already is handed over, not abandoned until its lease runs out.
        if (claimed.length) break;
        throw error;
      }
    }
    return claimed;
  }

  private async lease(id: string, etag: string, lease: ImportJob['lease']): Promise<StoredJob> {
    const { resource } = await cosmosCall(
      `the lease of job ${id}`,
      id,
      () =>
        this.container
          .item(id, id)
          .patch<JobDocument>(
            { operations: [{ op: 'set', path: '/lease', value: lease }] },
            { accessCondition: { type: 'IfMatch', condition: etag } },
          ),
      'conflict',
    );
    return fromDocument(resource as JobDocument);
  }

  appendAudit(id: string, event: AuditEvent): Promise<StoredJob> {
    return mutateJob(this, id, (job) => withAudit(job, event));
  }

  async eraseHash(id: string): Promise<void> {
    await mutateJob(this, id, (job) => ({ ...job, hardwareHash: null }));
  }

  createBatch(batch: ImportBatch): Promise<void> {
    return this.batches.create(batch);
  }

  getBatch(id: string): Promise<StoredBatch | undefined> {
    return this.batches.get(id);
  }

  updateBatch(batch: ImportBatch, etag: string): Promise<StoredBatch> {
    return this.batches.update(batch, etag);
  }

  async purgeFinishedBefore(cutoff: Date): Promise<number> {
    const terminal = inList('c.status', 'terminal', TERMINAL_STATUSES);
    const ids = await this.query<string>('the purge query', {
      query: `SELECT VALUE c.id FROM c WHERE c.type = 'job' AND ${terminal.clause} AND c.updatedAt < @cutoff`,
      parameters: [{ name: '@cutoff', value: cutoff.toISOString() }, ...terminal.parameters],
    });
    for (const id of ids) {
      await this.references.deleteIfPresent(`card:${id}`, id);
      await this.references.deleteIfPresent(id, id);
    }
    await this.batches.purgeOrphaned(cutoff, (id, pk) => this.references.deleteIfPresent(id, pk));
    return ids.length;
  }

  getChannelBinding(): Promise<ChannelBinding | undefined> {
    return this.references.getChannelBinding();
  }

  saveChannelBinding(binding: ChannelBinding): Promise<void> {
    return this.references.saveChannelBinding(binding);
  }

  clearChannelBinding(): Promise<void> {
    return this.references.clearChannelBinding();
  }

  tryAcquireTimedSlot(name: string, now: Date, intervalMs: number): Promise<boolean> {
    return this.references.tryAcquireTimedSlot(name, now, intervalMs);
  }

  saveUserReference(userPrincipalName: string, reference: ConversationReferenceData): Promise<void> {
    return this.references.saveUserReference(userPrincipalName, reference);
  }

  async getUserReference(userPrincipalName: string): Promise<ConversationReferenceData | undefined> {
    return (await this.references.readUser(userPrincipalName))?.reference;
  }

  dropUserReference(userPrincipalName: string, dropped: UserReferenceDrop): Promise<void> {
    return this.references.dropUserReference(userPrincipalName, dropped);
  }

  async getUserReferenceDrop(userPrincipalName: string): Promise<UserReferenceDrop | undefined> {
    return (await this.references.readUser(userPrincipalName))?.dropped;
  }

  getCardAddress(jobId: string): Promise<CardAddress | undefined> {
    return this.references.getCardAddress(jobId);
  }

  saveCardAddress(jobId: string, address: CardAddress): Promise<void> {
    return this.references.saveCardAddress(jobId, address);
  }

  close(): Promise<void> {
    this.client.dispose();
    return Promise.resolve();
  }
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
