/**
 * A job this worker holds under lease. Writes to it are serialised (a step's result and a lease renewal never
 * race each other), and once the lease is lost every further write is dropped.
 */
import type { ImportJob, StepName } from '../domain/job.js';
import { LeaseLostError } from '../store/errors.js';
import type { JobStore, StoredJob } from '../store/job-store.js';
import { releaseLease, renewLease, updateLeased } from '../store/leases.js';

export class JobHandle {
  lost = false;
  /** The step this worker started in the write that ended the one before (it has not touched Graph for it yet). */
  startedHere: StepName | undefined;
  /** Set when the job's wait goes on and it stays in this worker's hand until then (parked-jobs.ts). */
  parkUntil: Date | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: JobStore,
    private stored: StoredJob,
    private readonly owner: string,
  ) {}

  get job(): ImportJob {
    return this.stored.job;
  }

  /** Applies `change` to the stored job; returns false when the lease was lost (nothing written). */
  write(change: (job: ImportJob) => ImportJob): Promise<boolean> {
    return this.serial(async () => {
      this.stored = await updateLeased(this.store, this.stored, this.owner, change);
    });
  }

  renew(until: Date): Promise<boolean> {
    return this.serial(async () => {
      if (!this.stored.job.lease) return;
      this.stored = await renewLease(this.store, this.stored, this.owner, until);
    });
  }

  /** Gives the job back (changed by `change`) unless it finished (a finished job carries no lease). */
  release(change?: (job: ImportJob) => ImportJob): Promise<boolean> {
    return this.serial(async () => {
      if (!this.stored.job.lease) return;
      this.stored = await releaseLease(this.store, this.stored, this.owner, change);
    });
  }

  private serial(action: () => Promise<void>): Promise<boolean> {
    const run = this.chain.then(async () => {
      if (this.lost) return false;
      try {
        await action();
        return true;
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        this.lost = true;
        return false;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
