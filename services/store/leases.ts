import { LeaseLostError } from './errors.js';
import type { JobStore, StoredJob } from './job-store.js';
import { mutateJob } from './mutate.js';
import type { ImportJob } from '../domain/job.js';

/** Writes a change to a job this worker holds; throws LeaseLostError if the lease went to someone else. */
export function updateLeased(
  store: JobStore,
  held: StoredJob,
  owner: string,
  change: (job: ImportJob) => ImportJob,
): Promise<StoredJob> {
  return mutateJob(
    store,
    held.job.id,
    (job) => {
      if (job.lease?.owner !== owner) throw new LeaseLostError(job.id, owner);
      return change(job);
    },
    { known: held },
  );
}

/** Extends the lease while a worker is still busy with the job. Throws LeaseLostError if another took it. */
export function renewLease(store: JobStore, held: StoredJob, owner: string, until: Date): Promise<StoredJob> {
  return updateLeased(store, held, owner, (job) => ({
    ...job,
    lease: { owner, expiresAt: until.toISOString() },
  }));
}

/** Gives the job back to the pool (optionally changed by `change`), so any worker may claim it when due. */
export function releaseLease(
  store: JobStore,
  held: StoredJob,
  owner: string,
  change: (job: ImportJob) => ImportJob = (job) => job,
): Promise<StoredJob> {
  return updateLeased(store, held, owner, (job) => {
    const { lease: _lease, ...rest } = change(job);
    return rest;
  });
}
