import { WORKABLE_STATUSES, type ImportJob } from '../domain/job.js';

/** Whether a worker may claim the job now: workable, due, and not leased by a live worker. */
export function isClaimable(job: ImportJob, now: Date): boolean {
  const nowIso = now.toISOString();
  return (
    WORKABLE_STATUSES.includes(job.status) &&
    job.nextRunAt !== undefined &&
    job.nextRunAt <= nowIso &&
    (job.lease === undefined || job.lease.expiresAt <= nowIso)
  );
}

export function withLease(job: ImportJob, owner: string, now: Date, leaseMs: number): ImportJob {
  return { ...job, lease: { owner, expiresAt: new Date(now.getTime() + leaseMs).toISOString() } };
}
