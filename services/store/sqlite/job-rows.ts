/**
 * A job as rows: the `jobs` row (the JSON document without the hash, and the columns queries use) and its hardware
 * hash in `job_hashes`. A hash is written once, when the job is created, and only ever erased after that; kept
 * apart, it is not rewritten by each of a job's writes, seven for a device of a bulk (SQLite writes a whole row
 * on every update, and a hash is 4 KB, more than the rest of the row).
 */
import type { ImportJob } from '../../domain/job.js';
import { serialKey } from '../../domain/serial-key.js';
import { StoreCorruptError } from '../errors.js';
import type { StoredJob } from '../job-store.js';
import type { Statements } from './statements.js';

export interface JobRow {
  id: string;
  version: number;
  hardware_hash: string | null;
  doc: string;
}

/** A job's hash beside its row, read as `hardware_hash` (WITH_HASH); JOBS_WITH_HASH is the usual FROM clause. */
export const HASH_JOIN = 'LEFT JOIN job_hashes h ON h.job_id = jobs.id';
export const JOBS_WITH_HASH = `jobs ${HASH_JOIN}`;
export const WITH_HASH = 'jobs.id, jobs.version, h.hash AS hardware_hash, jobs.doc';
export const WITHOUT_HASH = 'jobs.id, jobs.version, NULL AS hardware_hash, jobs.doc';

export function toStored(row: JobRow): StoredJob {
  const doc = JSON.parse(row.doc) as Omit<ImportJob, 'hardwareHash'>;
  if (doc.id !== row.id) throw new StoreCorruptError(`Row ${row.id} holds a document for ${doc.id}.`);
  return { job: { ...doc, hardwareHash: row.hardware_hash }, etag: String(row.version) };
}

/**
 * The `next_run_at` column: when another worker may claim the job. A leased job is not claimable before its
 * lease runs out, so the column holds the later of the two; the document keeps the job's own time. Claims then
 * pass over the jobs that workers hold (a bulk's thousands of waiting devices) inside the index, row by row never.
 */
function claimableFrom(job: ImportJob): string | null {
  const due = job.nextRunAt ?? null;
  const leased = job.lease?.expiresAt;
  if (!leased || due === null) return due;
  return leased > due ? leased : due;
}

/** What a job's writes change: its state, its times and its document. */
function changing(job: ImportJob) {
  const { hardwareHash: _hash, ...doc } = job;
  return {
    id: job.id,
    status: job.status,
    updated_at: job.updatedAt,
    next_run_at: claimableFrom(job),
    lease_expires_at: job.lease?.expiresAt ?? null,
    doc: JSON.stringify(doc),
  };
}

/** What is fixed when a job is created (domain/transitions.ts): the device, its batch, the time. */
function fixed(job: ImportJob) {
  return {
    serial_number: job.device.serialNumber,
    serial_key: serialKey(job.device.serialNumber),
    batch_id: job.batchId ?? null,
    created_at: job.createdAt,
  };
}

export function insertJob(sql: Statements, job: ImportJob): void {
  sql
    .get(
      `INSERT INTO jobs (id, version, status, serial_number, serial_key, batch_id, created_at, updated_at,
           next_run_at, lease_expires_at, doc)
         VALUES (@id, 1, @status, @serial_number, @serial_key, @batch_id, @created_at, @updated_at,
           @next_run_at, @lease_expires_at, @doc)`,
    )
    .run({ ...changing(job), ...fixed(job) });
  if (job.hardwareHash !== null)
    sql.get('INSERT INTO job_hashes (job_id, hash) VALUES (?, ?)').run(job.id, job.hardwareHash);
}

/**
 * Writes a job over version `version`; false when the stored job is at another version. Only what can change is
 * set, so SQLite leaves alone the indexes over what cannot (and, when the status stays, those over the status):
 * a step's write touches the row and the due index. The fixed columns are part of the condition, so a job whose
 * device or batch was changed is refused rather than stored with columns that disagree with its document. A hash
 * is never written here: one that is gone is erased (the job's document says null), one that is there stays.
 */
export function replaceJob(sql: Statements, job: ImportJob, version: number): boolean {
  const params = { ...changing(job), ...fixed(job), version };
  const where = `WHERE id = @id AND version = @version AND serial_number = @serial_number
      AND serial_key = @serial_key AND batch_id IS @batch_id AND created_at = @created_at`;
  const set = `version = version + 1, updated_at = @updated_at, next_run_at = @next_run_at,
      lease_expires_at = @lease_expires_at, doc = @doc`;
  const written =
    sql.get(`UPDATE jobs SET ${set} ${where} AND status = @status`).run(params).changes === 1 ||
    sql.get(`UPDATE jobs SET ${set}, status = @status ${where}`).run(params).changes === 1;
  if (written && job.hardwareHash === null) sql.get('DELETE FROM job_hashes WHERE job_id = ?').run(job.id);
  return written;
}
