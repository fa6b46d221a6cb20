import type { ImportJob } from '../domain/job.js';

export function withLease(job: ImportJob, owner: string, now: Date, leaseMs: number): ImportJob {
  return { ...job, lease: { owner, expiresAt: new Date(now.getTime() + leaseMs).toISOString() } };
}
