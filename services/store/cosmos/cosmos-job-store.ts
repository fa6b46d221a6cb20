/**
 * Azure Cosmos DB store for scale-out: several service instances share one container.
 *
 * Partitioning: one container, partition key `/pk`. A job's partition key is its own id, so every read and
 * write of a job is a point operation on one small logical partition and load spreads evenly however many
 * jobs arrive at once; no partition can grow hot or past its 20 GB limit. The job's card address lives in the
 * same partition (`card:<jobId>`). A CSV batch is a document in its own partition `batch:<id>`, with its card. The few queries (due jobs, open job for a serial, listings) fan out across
 * partitions, which is cheap at helpdesk volumes (thousands of jobs, not millions) and avoids a hot "status"
 * partition that every worker would hammer. The channel binding is a single document in partition `binding`.
 *
 * Concurrency: every job write is a replace with `IfMatch: <_etag>`; a stale etag is a 412 and becomes a
 * StoreConflictError. Claims are such replaces too, so two instances can never lease the same job.
 * Retention: finished jobs get a per-item `ttl` so Cosmos deletes them itself; open jobs never expire.
 */
import type { Agent } from 'node:https';
import { CosmosClient, type Container, type ItemDefinition, type SqlParameter } from '@azure/cosmos';
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
import { decodeCursor, encodeCursor } from '../cursor.js';
import { withLease } from '../due.js';
import { StoreConflictError, StoreUnavailableError } from '../errors.js';
import type {
  CardAddress,
  ChannelBinding,
  ClaimRequest,
  ConversationReferenceData,
  UserReferenceDrop,
  JobStore,
  ListQuery,
  Page,
  StoredBatch,
  StoredJob,
} from '../job-store.js';
import { mutateJob } from '../mutate.js';
import { CosmosBatches } from './cosmos-batches.js';
import { OpenSerialLocks } from './cosmos-open-serials.js';

export interface CosmosStoreOptions {
  endpoint: string;
  /** Account key; without one the store signs in with DefaultAzureCredential (managed identity in Azure). */
  key?: string;
  databaseId: string;
  containerId: string;
  retentionDays: number;
  /** Creates the database and container when missing (needs key auth: Entra data-plane roles cannot). */
  createIfMissing?: boolean;
  /** An HTTPS agent for this client only, e.g. to trust a local emulator's self-signed certificate. */
  agent?: Agent;
}

type JobDocument = ImportJob & ItemDefinition & { pk: string; type: 'job'; ttl?: number };
const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts', 'pk', 'type', 'ttl'] as const;
const BINDING = { id: 'binding:helpdesk', pk: 'binding' };

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function fromDocument(doc: JobDocument): StoredJob {
  const etag: unknown = doc._etag;
  if (typeof etag !== 'string')
    throw new StoreUnavailableError(`Cosmos returned job ${doc.id} without an etag.`, null);
  const job: Record<string, unknown> = { ...doc };
  for (const field of SYSTEM_FIELDS) delete job[field];
  return { job: job as unknown as ImportJob, etag };
}

export class CosmosJobStore implements JobStore {
  private readonly batches: CosmosBatches;
  private readonly openSerials: OpenSerialLocks;

  private constructor(
    private readonly client: CosmosClient,
    private readonly container: Container,
    private readonly retentionSeconds: number,
  ) {
    this.batches = new CosmosBatches(container);
    this.openSerials = new OpenSerialLocks(container);
  }

  static async open(options: CosmosStoreOptions): Promise<CosmosJobStore> {
    const client = new CosmosClient({
      endpoint: options.endpoint,
      ...(options.key ? { key: options.key } : { aadCredentials: new DefaultAzureCredential() }),
      connectionPolicy: { enableEndpointDiscovery: false },
      ...(options.agent ? { agent: options.agent } : {}),
    });
    let container = client.database(options.databaseId).container(options.containerId);
    if (options.createIfMissing) {
      const { database } = await client.databases.createIfNotExists({ id: options.databaseId });
      ({ container } = await database.containers.createIfNotExists({
        id: options.containerId,
        partitionKey: { paths: ['/pk'] },
        defaultTtl: -1,
        indexingPolicy: {
          compositeIndexes: [
            [
              { path: '/createdAt', order: 'descending' },
              { path: '/id', order: 'descending' },
            ],
          ],
        },
      }));
    }
    return new CosmosJobStore(client, container, options.retentionDays * 24 * 60 * 60);
  }

  private toDocument(job: ImportJob): JobDocument {
    return {
      ...job,
      pk: job.id,
      type: 'job',
      ...(isTerminal(job.status) ? { ttl: this.retentionSeconds } : {}),
    };
  }

  private async query<T>(query: string, parameters: SqlParameter[]): Promise<T[]> {
    try {
      const { resources } = await this.container.items.query<T>({ query, parameters }).fetchAll();
      return resources;
    } catch (error) {
      throw new StoreUnavailableError('Cosmos DB query failed.', error);
    }
  }

  async create(job: ImportJob): Promise<{ stored: StoredJob; created: boolean }> {
    if (isOpen(job.status)) {
      const holder = await this.openSerials.hold(job, (id) => this.get(id));
      if (holder) return { stored: holder, created: false };
    }
    try {
      const { resource } = await this.container.items.create<JobDocument>(this.toDocument(job));
      return { stored: fromDocument(resource as JobDocument), created: true };
    } catch (error) {
      if (statusOf(error) !== 409) throw new StoreUnavailableError('Cosmos DB refused the new job.', error);
      const existing = await this.get(job.id);
      if (!existing) throw new StoreUnavailableError(`Job ${job.id} exists but cannot be read.`, error);
      return { stored: existing, created: false };
    }
  }

  async get(id: string): Promise<StoredJob | undefined> {
    const { resource, statusCode } = await this.container.item(id, id).read<JobDocument>();
    if (statusCode === 404 || !resource) return undefined;
    return fromDocument(resource);
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
    // Jobs from before the device locks: compared by key as well.
    const docs = await this.query<JobDocument>(
      `SELECT * FROM c WHERE c.type = 'job' AND UPPER(TRIM(c.device.serialNumber)) = @key
       AND ARRAY_CONTAINS(@open, c.status)`,
      [
        { name: '@key', value: serialKey(serialNumber) },
        { name: '@open', value: [...OPEN_STATUSES] },
      ],
    );
    const newest = docs.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    return newest ? fromDocument(newest) : undefined;
  }

  async list(query: ListQuery): Promise<Page<ImportJob>> {
    const where = ["c.type = 'job'"];
    const parameters: SqlParameter[] = [];
    const add = (clause: string, name: string, value: SqlParameter['value']) => {
      where.push(clause);
      parameters.push({ name, value });
    };
    if (query.statuses?.length) add('ARRAY_CONTAINS(@statuses, c.status)', '@statuses', [...query.statuses]);
    if (query.createdFrom) add('c.createdAt >= @from', '@from', query.createdFrom);
    if (query.createdBefore) add('c.createdAt < @before', '@before', query.createdBefore);
    if (query.serialNumber) add('c.device.serialNumber = @serial', '@serial', query.serialNumber);
    if (query.batchId) add('c.batchId = @batch', '@batch', query.batchId);
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      add(
        '(c.createdAt < @afterAt OR (c.createdAt = @afterAt AND c.id < @afterId))',
        '@afterAt',
        after.createdAt,
      );
      parameters.push({ name: '@afterId', value: after.id });
    }
    const limit = Math.max(1, Math.floor(query.limit));
    const docs = await this.query<JobDocument>(
      `SELECT TOP ${limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.createdAt DESC, c.id DESC`,
      parameters,
    );
    const items = docs.slice(0, limit).map((d) => fromDocument(d).job);
    const last = items.at(-1);
    return docs.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  async update(job: ImportJob, etag: string): Promise<StoredJob> {
    try {
      const { resource } = await this.container
        .item(job.id, job.id)
        .replace<JobDocument>(this.toDocument(job), {
          accessCondition: { type: 'IfMatch', condition: etag },
        });
      const stored = fromDocument(resource as JobDocument);
      // The device is free again once its job has ended (best effort: a later submission takes a stale lock).
      if (!isOpen(job.status))
        await this.openSerials.release(job.device.serialNumber, job.id).catch(() => undefined);
      return stored;
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404) throw new StoreConflictError(job.id);
      throw new StoreUnavailableError(`Cosmos DB refused the update of job ${job.id}.`, error);
    }
  }

  async claimDue(request: ClaimRequest): Promise<StoredJob[]> {
    const now = request.now.toISOString();
    // Fetch more candidates than needed and try them in random order, so that claimers racing for the same
    // due jobs mostly pick different ones; each claim is still an IfMatch replace, so a lost race is a 412.
    const candidates = await this.query<JobDocument>(
      `SELECT TOP ${Math.max(1, request.limit) * 3} * FROM c WHERE c.type = 'job'
       AND ARRAY_CONTAINS(@workable, c.status) AND c.nextRunAt <= @now
       AND (NOT IS_DEFINED(c.lease) OR c.lease.expiresAt <= @now) ORDER BY c.nextRunAt`,
      [
        { name: '@workable', value: [...WORKABLE_STATUSES] },
        { name: '@now', value: now },
      ],
    );
    const claimed: StoredJob[] = [];
    for (const doc of shuffle(candidates)) {
      if (claimed.length >= request.limit) break;
      const { job, etag } = fromDocument(doc);
      try {
        claimed.push(await this.update(withLease(job, request.owner, request.now, request.leaseMs), etag));
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
      }
    }
    return claimed;
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
    const ids = await this.query<string>(
      `SELECT VALUE c.id FROM c WHERE c.type = 'job' AND ARRAY_CONTAINS(@terminal, c.status) AND c.updatedAt < @cutoff`,
      [
        { name: '@terminal', value: [...TERMINAL_STATUSES] },
        { name: '@cutoff', value: cutoff.toISOString() },
      ],
    );
    for (const id of ids) {
      await this.deleteIfPresent(`card:${id}`, id);
      await this.deleteIfPresent(id, id);
    }
    await this.batches.purgeOrphaned(cutoff, (id, pk) => this.deleteIfPresent(id, pk));
    return ids.length;
  }

  private async deleteIfPresent(id: string, pk: string): Promise<void> {
    try {
      await this.container.item(id, pk).delete();
    } catch (error) {
      if (statusOf(error) !== 404)
        throw new StoreUnavailableError(`Cosmos DB refused to delete ${id}.`, error);
    }
  }

  async getChannelBinding(): Promise<ChannelBinding | undefined> {
    const { resource } = await this.container
      .item(BINDING.id, BINDING.pk)
      .read<{ binding: ChannelBinding }>();
    return resource?.binding;
  }

  async saveChannelBinding(binding: ChannelBinding): Promise<void> {
    await this.container.items.upsert({ ...BINDING, type: 'binding', binding });
  }

  clearChannelBinding(): Promise<void> {
    return this.deleteIfPresent(BINDING.id, BINDING.pk);
  }

  async tryAcquireTimedSlot(name: string, now: Date, intervalMs: number): Promise<boolean> {
    const id = `slot:${name}`;
    const doc = { id, pk: 'slot', type: 'slot', takenAt: now.toISOString() };
    const { resource, etag } = await this.container.item(id, 'slot').read<{ takenAt: string }>();
    try {
      if (!resource) {
        await this.container.items.create(doc);
        return true;
      }
      if (now.getTime() - Date.parse(resource.takenAt) < intervalMs) return false;
      await this.container
        .item(id, 'slot')
        .replace(doc, { accessCondition: { type: 'IfMatch', condition: etag ?? '' } });
      return true;
    } catch (error) {
      // Another instance took the slot between our read and write: it is theirs.
      if (statusOf(error) === 409 || statusOf(error) === 412) return false;
      throw new StoreUnavailableError('Cosmos DB refused the timed slot.', error);
    }
  }

  async saveUserReference(userPrincipalName: string, reference: ConversationReferenceData): Promise<void> {
    const upn = userPrincipalName.toLowerCase();
    // Kept while the person uses the bot: forgotten a retention period after their last contact.
    await this.container.items.upsert({
      id: `user:${upn}`,
      pk: 'users',
      type: 'user',
      reference,
      ttl: this.retentionSeconds,
    });
  }

  async getUserReference(userPrincipalName: string): Promise<ConversationReferenceData | undefined> {
    return (await this.readUser(userPrincipalName))?.reference;
  }

  /** A dropped chat keeps its user document, without the reference and with why. */
  async dropUserReference(userPrincipalName: string, dropped: UserReferenceDrop): Promise<void> {
    const upn = userPrincipalName.toLowerCase();
    await this.container.items.upsert({
      id: `user:${upn}`,
      pk: 'users',
      type: 'user',
      dropped,
      ttl: this.retentionSeconds,
    });
  }

  async getUserReferenceDrop(userPrincipalName: string): Promise<UserReferenceDrop | undefined> {
    return (await this.readUser(userPrincipalName))?.dropped;
  }

  private async readUser(
    userPrincipalName: string,
  ): Promise<{ reference?: ConversationReferenceData; dropped?: UserReferenceDrop } | undefined> {
    const upn = userPrincipalName.toLowerCase();
    const { resource } = await this.container
      .item(`user:${upn}`, 'users')
      .read<{ reference?: ConversationReferenceData; dropped?: UserReferenceDrop }>();
    return resource;
  }

  async getCardAddress(jobId: string): Promise<CardAddress | undefined> {
    const { resource } = await this.container.item(`card:${jobId}`, jobId).read<{ address: CardAddress }>();
    return resource?.address;
  }

  async saveCardAddress(jobId: string, address: CardAddress): Promise<void> {
    // A card is written last when it shows its job's final state: it expires a retention period after that,
    // as its job does (Cosmos counts ttl from the last write).
    await this.container.items.upsert({
      id: `card:${jobId}`,
      pk: jobId,
      type: 'card',
      address,
      ttl: this.retentionSeconds,
    });
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
