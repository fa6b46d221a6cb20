import type { ImportJob } from '../domain/job.js';

/** The lease a claim gives: to `owner`, until `leaseMs` after `now`. */
export function leaseFor(owner: string, now: Date, leaseMs: number): NonNullable<ImportJob['lease']> {
  return { owner, expiresAt: new Date(now.getTime() + leaseMs).toISOString() };
}

export function withLease(job: ImportJob, owner: string, now: Date, leaseMs: number): ImportJob {
  return { ...job, lease: leaseFor(owner, now, leaseMs) };
}
