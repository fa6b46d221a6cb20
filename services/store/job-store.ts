/** The JobStore port: everything the service keeps durably. Implemented by SQLite (default) and Cosmos DB. */
import type { ImportBatch } from '../domain/batch.js';
import type { AuditEvent, ImportJob, JobStatus } from '../domain/job.js';
import type { ReportFigures, ReportPeriod } from '../reports/figures.js';

/** A job as read from the store, with the version token that a conditional update must present. */
export interface StoredJob {
  job: ImportJob;
  etag: string;
}

export interface StoredBatch {
  batch: ImportBatch;
  etag: string;
}

export interface ListQuery {
  statuses?: readonly JobStatus[];
  /** Inclusive lower bound on createdAt (ISO-8601). */
  createdFrom?: string;
  /** Exclusive upper bound on createdAt (ISO-8601). */
  createdBefore?: string;
  serialNumber?: string;
  batchId?: string;
  /** Jobs about this person (lower-case UPN): requested by them or assigned to them. */
  person?: string;
  limit: number;
  cursor?: string;
  /** Leave the hardware hash out (it is not read at all where the store can help it): for listings and exports. */
  omitHash?: boolean;
}

/** The filter of a listing, without its paging. */
export type JobFilter = Omit<ListQuery, 'limit' | 'cursor' | 'omitHash'>;

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface ClaimRequest {
  owner: string;
  now: Date;
  leaseMs: number;
  limit: number;
}

/** Why and when a person's personal chat was forgotten. */
export interface UserReferenceDrop {
  at: string;
  /** Teams' answer, e.g. "403 MessageWritesBlocked". */
  reason: string;
}

/** An opaque, serialisable conversation reference (botbuilder's shape); the store does not look inside. */
export type ConversationReferenceData = Record<string, unknown>;

export interface ChannelBinding {
  teamId: string;
  channelId: string;
  conversationReference: ConversationReferenceData;
  boundBy: string;
  boundAt: string;
}

/** Where a job's approval card lives, so that it can be updated in place. */
export interface CardAddress {
  conversationReference: ConversationReferenceData;
  activityId: string;
  /** The job's updatedAt that the card shows now; a newer job means the card still owes an update. */
  shows?: string;
}

export interface JobStore {
  /** Creates the job; if a job with that id exists, returns it unchanged (`created: false`). */
  create(job: ImportJob): Promise<{ stored: StoredJob; created: boolean }>;
  get(id: string): Promise<StoredJob | undefined>;
  /** Several jobs for reading only (status requests): never their hashes. Unknown ids are left out. */
  peek(ids: readonly string[]): Promise<ImportJob[]>;
  /**
   * Before a finished job is opened again (a retry): another open job of the same device, if there is one;
   * otherwise the device is held for this job (Cosmos DB takes its lock; SQLite's index holds it on write).
   */
  reserveDevice(job: ImportJob): Promise<StoredJob | undefined>;
  /** The job for this serial that is awaiting approval, approved or running, if any. */
  findOpenBySerial(serialNumber: string): Promise<StoredJob | undefined>;
  /** Newest first, keyset-paged. */
  list(query: ListQuery): Promise<Page<ImportJob>>;
  /** How many jobs match the filter, counted by the store (not by loading them). */
  count(filter: JobFilter): Promise<number>;
  /** The report's figures over the jobs created in the period, computed by the store (see reports/figures.ts). */
  report(period: ReportPeriod): Promise<ReportFigures>;
  /** Replaces the job if `etag` is still current; otherwise throws StoreConflictError. */
  update(job: ImportJob, etag: string): Promise<StoredJob>;
  /**
   * Leases up to `limit` due jobs (approved or running, `nextRunAt` reached, no live lease) to `owner`.
   * Each due job is handed to exactly one claimer, however many claim at once.
   */
  claimDue(request: ClaimRequest): Promise<StoredJob[]>;
  /** Appends an audit event, retrying on concurrent changes; the rest of the job is untouched. */
  appendAudit(id: string, event: AuditEvent): Promise<StoredJob>;
  eraseHash(id: string): Promise<void>;
  /** Stores a new batch; a batch with that id already stored is left as it is. */
  createBatch(batch: ImportBatch): Promise<void>;
  getBatch(id: string): Promise<StoredBatch | undefined>;
  /** Replaces the batch if `etag` is still current; otherwise throws StoreConflictError. */
  updateBatch(batch: ImportBatch, etag: string): Promise<StoredBatch>;
  /**
   * Deletes finished jobs (and their card addresses) last changed before `cutoff`, then batches created before
   * `cutoff` that have no jobs left; returns how many jobs.
   */
  purgeFinishedBefore(cutoff: Date): Promise<number>;
  getChannelBinding(): Promise<ChannelBinding | undefined>;
  saveChannelBinding(binding: ChannelBinding): Promise<void>;
  /** Forgets the binding (the app was removed from the bound team); nothing bound is fine. */
  clearChannelBinding(): Promise<void>;
  /**
   * Takes the named slot if it was last taken at least `intervalMs` before `now`; true for exactly one caller
   * across every instance. Used for "sync at most once per 10 minutes per tenant".
   */
  tryAcquireTimedSlot(name: string, now: Date, intervalMs: number): Promise<boolean>;
  /** A person's personal-chat address with the bot, by lower-case UPN, for notifications. */
  saveUserReference(userPrincipalName: string, reference: ConversationReferenceData): Promise<void>;
  getUserReference(userPrincipalName: string): Promise<ConversationReferenceData | undefined>;
  /**
   * Forgets a person's personal chat because Teams refused it (they blocked or removed the app), and keeps why;
   * saving a reference again (they wrote to the bot or reinstalled) clears it.
   */
  dropUserReference(userPrincipalName: string, dropped: UserReferenceDrop): Promise<void>;
  getUserReferenceDrop(userPrincipalName: string): Promise<UserReferenceDrop | undefined>;
  getCardAddress(jobId: string): Promise<CardAddress | undefined>;
  saveCardAddress(jobId: string, address: CardAddress): Promise<void>;
  /**
   * The store's own upkeep, run by the worker's housekeeping about once a minute. SQLite checkpoints its WAL into
   * the database and truncates it, so that overwritten content (an erased hash) leaves no copy in the WAL.
   */
  maintain?(): Promise<void>;
  close(): Promise<void>;
}
