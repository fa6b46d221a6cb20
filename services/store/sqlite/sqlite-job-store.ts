/**
 * The embedded default store: SQLite in WAL mode through better-sqlite3. Several processes may open the same
 * file; claims run in IMMEDIATE transactions, so SQLite's single writer makes each claim atomic.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ImportBatch } from '../../domain/batch.js';
import {
  isOpen,
  OPEN_STATUSES,
  TERMINAL_STATUSES,
  WORKABLE_STATUSES,
  type AuditEvent,
  type ImportJob,
} from '../../domain/job.js';
import { withAudit } from '../../domain/audit.js';
import { DomainError } from '../../domain/errors.js';
import { serialKey } from '../../domain/serial-key.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { withLease } from '../due.js';
import { StoreConflictError } from '../errors.js';
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
import { migrate } from './migrations.js';
import { sqliteReport } from './sqlite-report.js';
import type { ReportFigures, ReportPeriod } from '../../reports/figures.js';
import { SqliteBatches } from './sqlite-batches.js';
import { Statements } from './statements.js';
import { GroupCommit } from './group-commit.js';
import {
  HASH_JOIN,
  insertJob,
  JOBS_WITH_HASH,
  replaceJob,
  toStored,
  WITH_HASH,
  WITHOUT_HASH,
  type JobRow,
} from './job-rows.js';

const BINDING_NAME = 'helpdesk';
const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** The WHERE clauses of a listing's filter (the person is read from the document: a 30-day window is small). */
function filterClauses(filter: JobFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (filter.statuses?.length) add(`status IN (${placeholders(filter.statuses)})`, ...filter.statuses);
  if (filter.createdFrom) add('created_at >= ?', filter.createdFrom);
  if (filter.createdBefore) add('created_at < ?', filter.createdBefore);
  if (filter.serialNumber) add('serial_number = ?', filter.serialNumber);
  if (filter.batchId) add('batch_id = ?', filter.batchId);
  if (filter.person)
    add(
      `(lower(json_extract(doc, '$.submittedBy.requestedBy')) = ? OR lower(json_extract(doc, '$.device.assignedUser')) = ?)`,
      filter.person,
      filter.person,
    );
  return { where, params };
}

export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;
  private readonly batches: SqliteBatches;
  private readonly statements: Statements;
  private readonly group: GroupCommit;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Deleted and overwritten content (an erased hash, a purged job) is zeroed, not left in free pages.
    this.db.pragma('secure_delete = ON');
    // Other processes on the same file wait for the writer instead of failing with SQLITE_BUSY.
    this.db.pragma('busy_timeout = 5000');
    // A group commit makes each write a savepoint of its transaction (group-commit.ts), and SQLite keeps what a
    // savepoint may have to undo in a temporary file: opened, written and deleted for each group. In memory it
    // costs a copy of the pages the group changes; on file it cost 13 of a submission's 30 `pwrite` calls.
    this.db.pragma('temp_store = MEMORY');
    migrate(this.db);
    this.statements = new Statements(this.db);
    this.group = new GroupCommit(this.db);
    this.batches = new SqliteBatches(this.db);
  }

  private sql(text: string): Database.Statement {
    return this.statements.get(text);
  }

  private readRow(id: string): JobRow | undefined {
    return this.sql(`SELECT ${WITH_HASH} FROM ${JOBS_WITH_HASH} WHERE jobs.id = ?`).get(id) as
      JobRow | undefined;
  }

  private insert(job: ImportJob): void {
    insertJob(this.statements, job);
  }

  private replace(job: ImportJob, version: number): boolean {
    try {
      return replaceJob(this.statements, job, version);
    } catch (error) {
      // The unique index over open jobs: another request for this device opened meanwhile.
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new DomainError('device_already_open', 'This device has a newer request that is still open.');
      throw error;
    }
  }

  create(job: ImportJob): Promise<{ stored: StoredJob; created: boolean }> {
    const run = this.db.transaction(() => {
      const existing = this.readRow(job.id);
      if (existing) return { stored: toStored(existing), created: false };
      // The unique partial index holds one open job per device across every process on the file.
      const open = isOpen(job.status) ? this.openRowFor(job.device.serialNumber) : undefined;
      if (open) return { stored: toStored(open), created: false };
      this.insert(job);
      return { stored: { job, etag: '1' }, created: true };
    });
    // Concurrent submissions share one commit (group-commit.ts).
    return this.group.run(() => run.immediate());
  }

  private openRowFor(serialNumber: string): JobRow | undefined {
    return this.sql(
      `SELECT ${WITH_HASH} FROM ${JOBS_WITH_HASH}
         WHERE serial_key = ? AND status IN (${placeholders(OPEN_STATUSES)})
         ORDER BY created_at DESC LIMIT 1`,
    ).get(serialKey(serialNumber), ...OPEN_STATUSES) as JobRow | undefined;
  }

  get(id: string): Promise<StoredJob | undefined> {
    const row = this.readRow(id);
    return Promise.resolve(row ? toStored(row) : undefined);
  }

  peek(ids: readonly string[]): Promise<ImportJob[]> {
    if (ids.length === 0) return Promise.resolve([]);
    // The hash column is not read at all.
    const rows = this.sql(`SELECT ${WITHOUT_HASH} FROM jobs WHERE id IN (${placeholders(ids)})`).all(
      ...ids,
    ) as JobRow[];
    return Promise.resolve(rows.map((row) => toStored(row).job));
  }

  async reserveDevice(job: ImportJob): Promise<StoredJob | undefined> {
    const open = await this.findOpenBySerial(job.device.serialNumber);
    return open && open.job.id !== job.id ? open : undefined;
  }

  findOpenBySerial(serialNumber: string): Promise<StoredJob | undefined> {
    const row = this.openRowFor(serialNumber);
    return Promise.resolve(row ? toStored(row) : undefined);
  }

  list(query: ListQuery): Promise<Page<ImportJob>> {
    const { where, params } = filterClauses(query);
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(after.createdAt, after.createdAt, after.id);
    }
    const from = query.omitHash ? `${WITHOUT_HASH} FROM jobs` : `${WITH_HASH} FROM ${JOBS_WITH_HASH}`;
    const sql = `SELECT ${from}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.sql(sql).all(...params, query.limit + 1) as JobRow[];
    const items = rows.slice(0, query.limit).map((r) => toStored(r).job);
    const last = items.at(-1);
    return Promise.resolve(
      rows.length > query.limit && last ? { items, nextCursor: encodeCursor(last) } : { items },
    );
  }

  report(period: ReportPeriod): Promise<ReportFigures> {
    return Promise.resolve(sqliteReport(this.db, period));
  }

  count(filter: JobFilter): Promise<number> {
    const { where, params } = filterClauses(filter);
    const sql = `SELECT COUNT(*) AS n FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    return Promise.resolve((this.sql(sql).get(...params) as { n: number }).n);
  }

  update(job: ImportJob, etag: string): Promise<StoredJob> {
    const version = Number(etag);
    return this.group.run(() => {
      if (!this.replace(job, version)) throw new StoreConflictError(job.id);
      return { job, etag: String(version + 1) };
    });
  }

  claimDue(request: ClaimRequest): Promise<StoredJob[]> {
    const now = request.now.toISOString();
    const claim = this.db.transaction(() => {
      // Through the partial index of due jobs, in next_run_at order: the statuses are written out as the index's
      // own condition (SQLite cannot match a partial index against bound parameters), and leased jobs, whose
      // next_run_at is their lease's end (claimableFrom), fall outside the range instead of being read one by one.
      const rows = this.sql(
        `SELECT ${WITH_HASH} FROM jobs INDEXED BY jobs_due ${HASH_JOIN}
           WHERE status IN (${WORKABLE_STATUSES.map((s) => `'${s}'`).join(', ')}) AND next_run_at <= ?
             AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
           ORDER BY next_run_at LIMIT ?`,
      ).all(now, now, request.limit) as JobRow[];
      return rows.map((row) => {
        const leased = withLease(toStored(row).job, request.owner, request.now, request.leaseMs);
        if (!this.replace(leased, row.version)) throw new StoreConflictError(row.id);
        return { job: leased, etag: String(row.version + 1) };
      });
    });
    return Promise.resolve(claim.immediate());
  }

  appendAudit(id: string, event: AuditEvent): Promise<StoredJob> {
    return mutateJob(this, id, (job) => withAudit(job, event));
  }

  eraseHash(id: string): Promise<void> {
    this.db.transaction(() => {
      this.sql('DELETE FROM job_hashes WHERE job_id = ?').run(id);
      this.sql('UPDATE jobs SET version = version + 1 WHERE id = ?').run(id);
    })();
    return Promise.resolve();
  }

  createBatch(batch: ImportBatch): Promise<void> {
    this.batches.create(batch);
    return Promise.resolve();
  }

  getBatch(id: string): Promise<StoredBatch | undefined> {
    return Promise.resolve(this.batches.get(id));
  }

  updateBatch(batch: ImportBatch, etag: string): Promise<StoredBatch> {
    // A conflict thrown inside the executor becomes the rejection.
    return new Promise((resolve) => resolve(this.batches.update(batch, etag)));
  }

  purgeFinishedBefore(cutoff: Date): Promise<number> {
    const purge = this.db.transaction(() => {
      const condition = `status IN (${placeholders(TERMINAL_STATUSES)}) AND updated_at < ?`;
      const params = [...TERMINAL_STATUSES, cutoff.toISOString()];
      for (const table of ['card_addresses', 'job_hashes'])
        this.sql(`DELETE FROM ${table} WHERE job_id IN (SELECT id FROM jobs WHERE ${condition})`).run(
          ...params,
        );
      const purged = this.sql(`DELETE FROM jobs WHERE ${condition}`).run(...params).changes;
      this.batches.purgeOrphaned(cutoff);
      return purged;
    });
    return Promise.resolve(purge.immediate());
  }

  getChannelBinding(): Promise<ChannelBinding | undefined> {
    const row = this.sql('SELECT binding FROM channel_binding WHERE name = ?').get(BINDING_NAME) as
      { binding: string } | undefined;
    return Promise.resolve(row ? (JSON.parse(row.binding) as ChannelBinding) : undefined);
  }

  saveChannelBinding(binding: ChannelBinding): Promise<void> {
    this.sql(
      `INSERT INTO channel_binding (name, binding, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET binding = excluded.binding, updated_at = excluded.updated_at`,
    ).run(BINDING_NAME, JSON.stringify(binding), binding.boundAt);
    return Promise.resolve();
  }

  clearChannelBinding(): Promise<void> {
    this.sql('DELETE FROM channel_binding WHERE name = ?').run(BINDING_NAME);
    return Promise.resolve();
  }

  tryAcquireTimedSlot(name: string, now: Date, intervalMs: number): Promise<boolean> {
    const take = this.db.transaction(() => {
      const row = this.sql('SELECT taken_at FROM timed_slots WHERE name = ?').get(name) as
        { taken_at: string } | undefined;
      if (row && now.getTime() - Date.parse(row.taken_at) < intervalMs) return false;
      this.sql(
        'INSERT INTO timed_slots (name, taken_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET taken_at = excluded.taken_at',
      ).run(name, now.toISOString());
      return true;
    });
    return Promise.resolve(take.immediate());
  }

  saveUserReference(userPrincipalName: string, reference: ConversationReferenceData): Promise<void> {
    const upn = userPrincipalName.toLowerCase();
    this.db.transaction(() => {
      this.sql(
        `INSERT INTO user_references (upn, reference, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (upn) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at`,
      ).run(upn, JSON.stringify(reference), new Date().toISOString());
      this.sql('DELETE FROM user_reference_drops WHERE upn = ?').run(upn);
    })();
    return Promise.resolve();
  }

  dropUserReference(userPrincipalName: string, dropped: UserReferenceDrop): Promise<void> {
    const upn = userPrincipalName.toLowerCase();
    this.db.transaction(() => {
      this.sql('DELETE FROM user_references WHERE upn = ?').run(upn);
      this.sql(
        `INSERT INTO user_reference_drops (upn, reason, dropped_at) VALUES (?, ?, ?)
           ON CONFLICT (upn) DO UPDATE SET reason = excluded.reason, dropped_at = excluded.dropped_at`,
      ).run(upn, dropped.reason, dropped.at);
    })();
    return Promise.resolve();
  }

  getUserReferenceDrop(userPrincipalName: string): Promise<UserReferenceDrop | undefined> {
    const row = this.sql('SELECT reason, dropped_at FROM user_reference_drops WHERE upn = ?').get(
      userPrincipalName.toLowerCase(),
    ) as { reason: string; dropped_at: string } | undefined;
    return Promise.resolve(row ? { reason: row.reason, at: row.dropped_at } : undefined);
  }

  getUserReference(userPrincipalName: string): Promise<ConversationReferenceData | undefined> {
    const row = this.sql('SELECT reference FROM user_references WHERE upn = ?').get(
      userPrincipalName.toLowerCase(),
    ) as { reference: string } | undefined;
    return Promise.resolve(row ? (JSON.parse(row.reference) as ConversationReferenceData) : undefined);
  }

  getCardAddress(jobId: string): Promise<CardAddress | undefined> {
    const row = this.sql('SELECT address FROM card_addresses WHERE job_id = ?').get(jobId) as
      { address: string } | undefined;
    return Promise.resolve(row ? (JSON.parse(row.address) as CardAddress) : undefined);
  }

  saveCardAddress(jobId: string, address: CardAddress): Promise<void> {
    this.sql(
      `INSERT INTO card_addresses (job_id, address, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (job_id) DO UPDATE SET address = excluded.address, updated_at = excluded.updated_at`,
    ).run(jobId, JSON.stringify(address), new Date().toISOString());
    return Promise.resolve();
  }

  maintain(): Promise<void> {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.group.flush();
    this.db.close();
    return Promise.resolve();
  }
}
