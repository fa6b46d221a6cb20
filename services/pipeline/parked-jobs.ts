/**
 * Waiting jobs this worker keeps in hand between rounds. A job whose wait is not over (its Graph object is not
 * there yet) is usually looked at again within its lease, and nothing about it changed: writing "look again at T"
 * and claiming it again at T would cost two writes per look, for every device of a bulk, on every poll. A parked
 * job keeps its lease instead (renewed before it runs out) and is taken up again at T from memory. Nothing is
 * lost if the worker dies: the lease runs out and any worker claims the job, whose step re-checks Graph.
 */
import { WORKABLE_STATUSES, type ImportJob } from '../domain/job.js';
import type { JobHandle } from './job-handle.js';

export class ParkedJobs {
  /** Each parked job's time to be taken up again (ms). */
  private readonly parked = new Map<JobHandle, number>();
  /**
   * The same jobs by their time. Waits are aligned to a grid (polling.ts), so there are few distinct times: a tick
   * looks at the times that have come, not at each of 10,000 jobs (a walk of all of them on every tick that had
   * a job due took about 6 % of the service's CPU while the 10,000-device benchmark's devices went through their
   * steps).
   */
  private readonly byTime = new Map<number, Set<JobHandle>>();
  private readonly ids = new Set<string>();
  /** The soonest time a parked job is due: a tick before it looks at nothing (the worker ticks every few ms). */
  private soonest = Infinity;
  /**
   * No parked job's lease ends before this (ISO time; a job taken up since may have held it): the worker asks for
   * renewals on every tick, and with 10,000 jobs in hand a look at each lease every few ms is seconds of CPU.
   */
  private firstLeaseEnd = '';

  constructor(
    /** At most this many jobs are kept in hand; more waiting jobs are written back and released. */
    private readonly limit: number,
  ) {}

  hasRoom(): boolean {
    return this.parked.size < this.limit;
  }

  park(handle: JobHandle, until: Date): void {
    const at = until.getTime();
    this.unlist(handle);
    this.parked.set(handle, at);
    const bucket = this.byTime.get(at);
    if (bucket) bucket.add(handle);
    else this.byTime.set(at, new Set([handle]));
    this.ids.add(handle.job.id);
    const leaseEnds = handle.job.lease?.expiresAt ?? '';
    if (this.parked.size === 1 || leaseEnds < this.firstLeaseEnd) this.firstLeaseEnd = leaseEnds;
    this.soonest = Math.min(this.soonest, until.getTime());
  }

  /** Whether this job is parked here. */
  holds(jobId: string): boolean {
    return this.ids.has(jobId);
  }

  private drop(handle: JobHandle): void {
    this.unlist(handle);
    this.parked.delete(handle);
    this.ids.delete(handle.job.id);
  }

  /** Takes the job out of its time's bucket. */
  private unlist(handle: JobHandle): void {
    const at = this.parked.get(handle);
    if (at === undefined) return;
    const bucket = this.byTime.get(at);
    bucket?.delete(handle);
    if (bucket?.size === 0) this.byTime.delete(at);
  }

  /** The parked jobs whose time has come (they leave the parking); jobs lost meanwhile are forgotten. */
  takeDue(now: Date): JobHandle[] {
    if (now.getTime() < this.soonest) return [];
    const due: JobHandle[] = [];
    this.soonest = Infinity;
    for (const [at, bucket] of this.byTime) {
      if (at > now.getTime()) {
        this.soonest = Math.min(this.soonest, at);
        continue;
      }
      for (const handle of bucket) {
        this.drop(handle);
        if (handle.lost) continue;
        handle.parkUntil = undefined;
        due.push(handle);
      }
    }
    return due;
  }

  /**
   * Renews the leases that run out within `margin`; a lease lost to another worker drops the job, a failed write
   * (the store busy) leaves it parked for the next try.
   */
  async renew(now: Date, leaseMs: number, margin: number): Promise<void> {
    const soon = new Date(now.getTime() + margin).toISOString();
    if (this.parked.size === 0 || this.firstLeaseEnd > soon) return;
    const until = new Date(now.getTime() + leaseMs);
    const handles = [...this.parked.keys()];
    // Renewals under way and jobs parked meanwhile are not later than `until`, so the next look is not too late.
    this.firstLeaseEnd = until.toISOString();
    await Promise.all(
      handles.map(async (h) => {
        const leaseEnds = h.job.lease?.expiresAt ?? '';
        if (leaseEnds > soon) {
          if (leaseEnds < this.firstLeaseEnd) this.firstLeaseEnd = leaseEnds;
          return;
        }
        const renewed = await h.renew(until).catch(() => undefined);
        if (renewed === false) this.drop(h);
        else if (renewed === undefined) this.firstLeaseEnd = '';
      }),
    );
  }

  /** Gives every parked job back, due when it would have been looked at. */
  async releaseAll(onError: (job: ImportJob, error: unknown) => void): Promise<void> {
    const all = [...this.parked];
    this.parked.clear();
    this.byTime.clear();
    this.ids.clear();
    await Promise.all(
      all.map(([handle, at]) =>
        handle
          .release((job) =>
            WORKABLE_STATUSES.includes(job.status) ? { ...job, nextRunAt: new Date(at).toISOString() } : job,
          )
          .catch((error: unknown) => onError(handle.job, error)),
      ),
    );
  }
}
