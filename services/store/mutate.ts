import type { ImportBatch } from '../domain/batch.js';
import type { ImportJob } from '../domain/job.js';
import { JobNotFoundError, StoreConflictError } from './errors.js';
import type { JobStore, StoredBatch, StoredJob } from './job-store.js';

/**
 * Optimistic read-modify-write: applies `change` to the job and writes it with the etag it was read with; on a
 * conflict, reads the job again and re-applies `change` to the fresh copy. `change` must be a pure function of
 * the job (it may throw to give up). Starts from `known` when the caller already holds a copy.
 */
export async function mutateJob(
  store: JobStore,
  id: string,
  change: (job: ImportJob) => ImportJob,
  options: { known?: StoredJob; attempts?: number } = {},
): Promise<StoredJob> {
  let current = options.known ?? (await store.get(id));
  for (let attempt = 1; ; attempt++) {
    if (!current) throw new JobNotFoundError(id);
    try {
      return await store.update(change(current.job), current.etag);
    } catch (error) {
      if (!(error instanceof StoreConflictError) || attempt >= (options.attempts ?? 5)) throw error;
      current = await store.get(id);
    }
  }
}

/** `mutateJob` for a batch: read, change, write with the etag, and on a conflict start again. */
export async function mutateBatch(
  store: JobStore,
  id: string,
  change: (batch: ImportBatch) => ImportBatch,
  options: { known?: StoredBatch; attempts?: number } = {},
): Promise<StoredBatch> {
  let current = options.known ?? (await store.getBatch(id));
  for (let attempt = 1; ; attempt++) {
    if (!current) throw new JobNotFoundError(id);
    try {
      return await store.updateBatch(change(current.batch), current.etag);
    } catch (error) {
      if (!(error instanceof StoreConflictError) || attempt >= (options.attempts ?? 5)) throw error;
      current = await store.getBatch(id);
    }
  }
}
