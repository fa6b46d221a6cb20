/**
 * The pipeline worker. Each tick (rounds overlap) it leases due jobs and takes up the parked ones whose next look
 * has come, groups them by their current step so that jobs in the same step share Graph calls (step-runner.ts),
 * and carries each group on while its jobs have more to do right now. A job that waits stays in hand under its
 * lease (parked-jobs.ts) until its next look; everything else goes back to the pool.
 */
import { randomUUID } from 'node:crypto';
import { WORKABLE_STATUSES, type ImportJob, type StepName } from '../domain/job.js';
import { describeError } from '../errors.js';
import { Housekeeping } from './housekeeping.js';
import type { AutopilotGraph } from '../graph/autopilot-graph.js';
import type { ApprovalPolicy } from '../policy/policy.js';
import type { ReminderSender, ReminderSettings } from './reminders.js';
import type { Logger } from '../logging/logger.js';
import type { JobStore } from '../store/job-store.js';
import { JobHandle } from './job-handle.js';
import type { ProgressPublisher } from './progress.js';
import type { PipelineSettings } from './settings.js';
import type { SyncGate } from './sync-gate.js';
import { WaitEstimator } from './wait-estimator.js';
import { logWriteFailure, StepRunner } from './step-runner.js';
import { ParkedJobs } from './parked-jobs.js';
import { UploadCleanup } from './upload-cleanup.js';
import { inSlices } from './in-slices.js';
import { byStep } from './step-groups.js';

/** How many claims' worth of waiting jobs a worker keeps in hand (parked-jobs.ts). */
const PARKED_BATCHES = 40;
/** Rounds (claims) a worker runs at the same time. */
const MAX_ROUNDS_IN_FLIGHT = 8;

export interface WorkerDeps {
  store: JobStore;
  graph: AutopilotGraph;
  syncGate: SyncGate;
  settings: PipelineSettings;
  publisher: ProgressPublisher;
  logger: Logger;
  owner?: string;
  clock?: () => Date;
  random?: () => number;
  /** How many finished jobs to keep before purging; retention in days. */
  retentionDays?: number;
  hashRetentionDays?: number;
  /** POLICY_FILE's rules, for a decided batch that housekeeping finishes. */
  policy?: ApprovalPolicy;
  /** Reminders, expiry warnings and the daily digest (housekeeping sends them). */
  reminders?: { settings: ReminderSettings; sender: ReminderSender };
}

export class PipelineWorker {
  readonly owner: string;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The jobs in this worker's rounds under way, by id (parked ones are known to `parked`). */
  private readonly inRound = new Map<string, JobHandle>();
  private parkedKeeper: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly parked: ParkedJobs;
  private readonly steps: StepRunner;

  private readonly housekeeping: Housekeeping;

  constructor(private readonly deps: WorkerDeps) {
    this.housekeeping = new Housekeeping(deps);
    this.parked = new ParkedJobs(deps.settings.batchSize * PARKED_BATCHES);
    this.steps = new StepRunner({
      ...deps,
      estimates: new WaitEstimator(),
      parked: this.parked,
      now: () => this.now(),
      random: deps.random ?? Math.random,
      stopping: () => this.stopped,
      uploads: new UploadCleanup(deps.graph, deps.logger),
    });
    this.owner = deps.owner ?? `worker-${randomUUID().slice(0, 8)}`;
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  start(): void {
    this.stopped = false;
    // Rounds overlap: a long step (a bulk's deletes at Intune's write budget) does not hold back the jobs that
    // come due meanwhile, which the next round claims or takes up from the parked ones.
    const loop = () => {
      if (this.stopped) return;
      if (this.inFlight.size < MAX_ROUNDS_IN_FLIGHT) {
        const round: Promise<unknown> = this.tick()
          .catch((error: unknown) =>
            this.deps.logger.error({ err: describeError(error) }, 'pipeline tick failed'),
          )
          .finally(() => this.inFlight.delete(round));
        this.inFlight.add(round);
      }
      this.timer = setTimeout(loop, this.deps.settings.tickMs);
    };
    loop();
    // Parked jobs keep their leases whether or not rounds are running (all of them may be in long steps).
    const { leaseMs } = this.deps.settings;
    this.parkedKeeper = setInterval(
      () => void this.parked.renew(this.now(), leaseMs, leaseMs / 2),
      Math.max(50, leaseMs / 4),
    );
  }

  /** Stops after the steps under way; the jobs in hand are released (another worker or the next start goes on). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Parked leases are kept until the rounds under way end, which can take a while.
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    clearInterval(this.parkedKeeper);
    await this.parked.releaseAll((job, error) => this.logFailure(job, 'release', error));
  }

  /** One round: returns how many jobs were worked on (claimed or taken up again). Exposed for tests. */
  async tick(): Promise<number> {
    await this.housekeeping.run(this.now());
    const { store, settings } = this.deps;
    await this.parked.renew(this.now(), settings.leaseMs, settings.leaseMs / 2);
    const resumed = this.parked.takeDue(this.now());
    for (const h of resumed) this.inRound.set(h.job.id, h);
    const claimed = (
      await store.claimDue({
        owner: this.owner,
        now: this.now(),
        leaseMs: settings.leaseMs,
        limit: settings.batchSize,
      })
    )
      // A job this worker still holds (parked, or leased in another round) is not taken up twice: its lease ran
      // out unrenewed (a stalled event loop), and the claim only renewed it. One that round gave back is new.
      .filter((stored) => !this.holds(stored.job.id));
    if (claimed.length === 0 && resumed.length === 0) return 0;
    const fresh = claimed.map((stored) => new JobHandle(store, stored, this.owner));
    for (const h of fresh) this.inRound.set(h.job.id, h);
    const handles = [...fresh, ...resumed];
    const keeper = setInterval(() => void this.renew(handles), Math.max(50, settings.leaseMs / 3));
    try {
      await Promise.all(byStep(handles).map(([step, group]) => this.chain(step, group)));
    } finally {
      clearInterval(keeper);
      const parking = new Set(handles.filter((h) => h.parkUntil !== undefined && !h.lost));
      for (const h of parking) this.parked.park(h, h.parkUntil as Date);
      await inSlices(
        handles.filter((h) => !parking.has(h)),
        (h) => h.release().catch((error: unknown) => this.logFailure(h.job, 'release', error)),
      );
      for (const h of handles) if (this.inRound.get(h.job.id) === h) this.inRound.delete(h.job.id);
    }
    return handles.length;
  }

  private holds(jobId: string): boolean {
    if (this.parked.holds(jobId)) return true;
    const handle = this.inRound.get(jobId);
    return handle !== undefined && !handle.lost && handle.job.lease !== undefined;
  }

  /**
   * Runs a step for a group, then goes on at once with the jobs that are due again, grouped by their next step.
   * Groups do not wait for one another: each goes on as soon as its own step is done.
   */
  private async chain(step: StepName, group: JobHandle[]): Promise<void> {
    // Once stopping, the jobs in hand are given back after the step under way, not walked to their end.
    if (this.stopped) return;
    await this.steps.runStep(step, group);
    const now = this.now().toISOString();
    // A job given back in its last write (it waits, or it is finished) or parked is not to be run now.
    const due = group.filter(
      (h) =>
        !h.lost &&
        h.job.lease !== undefined &&
        h.parkUntil === undefined &&
        WORKABLE_STATUSES.includes(h.job.status) &&
        (h.job.nextRunAt ?? '') <= now,
    );
    await Promise.all(byStep(due).map(([next, jobs]) => this.chain(next, jobs)));
  }

  private async renew(handles: JobHandle[]): Promise<void> {
    const until = new Date(this.now().getTime() + this.deps.settings.leaseMs);
    await Promise.all(
      handles.map((h) =>
        h.renew(until).catch((error: unknown) => this.logFailure(h.job, 'renew lease', error)),
      ),
    );
  }

  private logFailure(job: ImportJob, action: string, error: unknown): void {
    logWriteFailure(this.deps.logger, job, action, error);
  }
}
