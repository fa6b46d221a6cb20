/**
 * A job this worker holds under lease. Writes to it are serialised (a step's result and a lease renewal never
 * race each other), and once the lease is lost every further write is dropped.
 */
import type { ImportJob, StepName } from '../domain/job.js';
import { LeaseLostError } from '../store/errors.js';
import type { JobStore, StoredJob } from '../store/job-store.js';
import { releaseLease, renewLease, updateLeased } from '../store/leases.js';

/** Stands in for a packed job: never read, since `stored` unpacks first. */
const PACKED = Object.freeze({}) as ImportJob;

export class JobHandle {
  lost = false;
  /** The step this worker started in the write that ended the one before (it has not touched Graph for it yet). */
  startedHere: StepName | undefined;
  /** Set when the job's wait goes on and it stays in this worker's hand until then (parked-jobs.ts). */
  parkUntil: Date | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** The job as its JSON text while it waits in hand (see `pack`); read again at its first use. */
  private packed: { text: string; etag: string } | undefined;

  constructor(
    private readonly store: JobStore,
    private storedJob: StoredJob,
    private readonly owner: string,
  ) {}

  private get stored(): StoredJob {
    if (this.packed) {
      this.storedJob = { job: JSON.parse(this.packed.text) as ImportJob, etag: this.packed.etag };
      this.packed = undefined;
    }
    return this.storedJob;
  }

  private set stored(value: StoredJob) {
    this.packed = undefined;
    this.storedJob = value;
  }

  get job(): ImportJob {
    return this.stored.job;
  }

  /**
   * Keeps the job as JSON text until it is used again: a bulk's 10,000 waiting devices are held for many seconds
   * each, and as text a job takes a fraction of the memory of the objects it parses into.
   */
  pack(): void {
    if (this.packed) return;
    this.packed = { text: JSON.stringify(this.storedJob.job), etag: this.storedJob.etag };
    this.storedJob = { job: PACKED, etag: this.packed.etag };
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
