/**
 * The pipeline worker. Each tick it leases due jobs, groups them by their current step so that jobs in the same
 * step share Graph calls, persists the start of each step before acting and its result after, and carries on
 * while jobs in hand have more to do right now; waiting jobs go back to the pool until their next poll.
 */
import { randomUUID } from 'node:crypto';
import { currentStep, WORKABLE_STATUSES, type ImportJob, type StepName } from '../domain/job.js';
import type { Result } from '../domain/result.js';
import { startStep } from '../domain/step-transitions.js';
import { describeError } from '../errors.js';
import { Housekeeping } from './housekeeping.js';
import type { AutopilotGraph } from '../graph/autopilot-graph.js';
import type { ApprovalPolicy } from '../policy/policy.js';
import type { ReminderSender, ReminderSettings } from './reminders.js';
import type { Logger } from '../logging/logger.js';
import type { JobStore } from '../store/job-store.js';
import { applyOutcome } from './apply-outcome.js';
import { graphFailure } from './failure-policy.js';
import { JobHandle } from './job-handle.js';
import type { ProgressPublisher } from './progress.js';
import type { PipelineSettings } from './settings.js';
import type { StepContext } from './step-context.js';
import type { StepOutcome } from './step-outcome.js';
import { STEP_HANDLERS } from './steps/index.js';
import type { SyncGate } from './sync-gate.js';
import { WAIT_STEPS, WaitEstimator } from './wait-estimator.js';
import { ParkedJobs } from './parked-jobs.js';

/** How many claims' worth of waiting jobs a worker keeps in hand (parked-jobs.ts). */
const PARKED_BATCHES = 40;
/** Rounds (claims) a worker runs at the same time. */
const MAX_ROUNDS_IN_FLIGHT = 8;

function byStep(handles: readonly JobHandle[]): Map<StepName, JobHandle[]> {
  const groups = new Map<StepName, JobHandle[]>();
  for (const handle of handles) {
    const step = currentStep(handle.job)?.name;
    if (!step) continue;
    const group = groups.get(step);
    if (group) group.push(handle);
    else groups.set(step, [handle]);
  }
  return groups;
}

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

function orThrow<T>(result: Result<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

export class PipelineWorker {
  readonly owner: string;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Ids of the jobs in this worker's rounds under way (parked ones are known to `parked`). */
  private readonly inRound = new Set<string>();
  private parkedKeeper: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly estimates = new WaitEstimator();
  private readonly parked: ParkedJobs;

  private readonly housekeeping: Housekeeping;

  constructor(private readonly deps: WorkerDeps) {
    this.housekeeping = new Housekeeping(deps);
    this.parked = new ParkedJobs(deps.settings.batchSize * PARKED_BATCHES);
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
    clearInterval(this.parkedKeeper);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    await this.parked.releaseAll((job, error) => this.logFailure(job, 'release', error));
  }

  /** One round: returns how many jobs were worked on. Exposed for tests and benchmarks. */
  async tick(): Promise<number> {
    await this.housekeeping.run(this.now());
    const { store, settings } = this.deps;
    await this.parked.renew(this.now(), settings.leaseMs, settings.leaseMs / 2);
    const resumed = this.parked.takeDue(this.now());
    const claimed = (
      await store.claimDue({
        owner: this.owner,
        now: this.now(),
        leaseMs: settings.leaseMs,
        limit: settings.batchSize,
      })
    )
      // A job this worker already has in hand (parked or in another round) is not taken up twice: its lease ran
      // out unrenewed (a stalled event loop), and the claim only renewed it.
      .filter((stored) => !this.inRound.has(stored.job.id) && !this.parked.holds(stored.job.id));
    if (claimed.length === 0 && resumed.length === 0) return 0;
    const handles = [...claimed.map((stored) => new JobHandle(store, stored, this.owner)), ...resumed];
    for (const h of handles) this.inRound.add(h.job.id);
    const keeper = setInterval(() => void this.renew(handles), Math.max(50, settings.leaseMs / 3));
    try {
      await Promise.all([...byStep(handles)].map(([step, group]) => this.chain(step, group)));
    } finally {
      clearInterval(keeper);
      const parking = new Set(handles.filter((h) => h.parkUntil !== undefined && !h.lost));
      for (const h of parking) this.parked.park(h, h.parkUntil as Date);
      await Promise.all(
        handles
          .filter((h) => !parking.has(h))
          .map((h) => h.release().catch((error: unknown) => this.logFailure(h.job, 'release', error))),
      );
      for (const h of handles) this.inRound.delete(h.job.id);
    }
    return claimed.length;
  }

  /**
   * Runs a step for a group, then goes on at once with the jobs that are due again, grouped by their next step.
   * Groups do not wait for one another: each goes on as soon as its own step is done.
   */
  private async chain(step: StepName, group: JobHandle[]): Promise<void> {
    // Once stopping, the jobs in hand are given back after the step under way, not walked to their end.
    if (this.stopped) return;
    await this.runStep(step, group);
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
    await Promise.all([...byStep(due)].map(([next, jobs]) => this.chain(next, jobs)));
  }

  private async renew(handles: JobHandle[]): Promise<void> {
    const until = new Date(this.now().getTime() + this.deps.settings.leaseMs);
    await Promise.all(
      handles.map((h) =>
        h.renew(until).catch((error: unknown) => this.logFailure(h.job, 'renew lease', error)),
      ),
    );
  }

  private async runStep(step: StepName, group: JobHandle[]): Promise<void> {
    // Persist "running" before touching Graph, so a crash from here on is visible and the step re-checks. A job
    // whose previous step ended in this round had this step started in that same write.
    const pending = group.filter((h) => currentStep(h.job)?.state === 'pending');
    const fresh = new Set([...pending, ...group.filter((h) => h.startedHere === step)]);
    for (const h of group) h.startedHere = undefined;
    const started = await Promise.all(
      group.map((h) =>
        pending.includes(h)
          ? this.persist(h, (job) => orThrow(startStep(job, step, this.now())))
          : Promise.resolve(true),
      ),
    );
    const ready = group.filter((h, i) => started[i] && !h.lost);
    if (ready.length === 0) return;
    const context: StepContext = {
      graph: this.deps.graph,
      settings: this.deps.settings,
      syncGate: this.deps.syncGate,
      now: this.now(),
      random: this.deps.random ?? Math.random,
      estimates: this.estimates,
      resumed: new Set(ready.filter((h) => !fresh.has(h)).map((h) => h.job.id)),
    };
    // A wait that just began is not polled at once when it is known to take longer: it is looked at then.
    const firstLooks = new Map<JobHandle, Date>();
    for (const h of ready) {
      const at =
        WAIT_STEPS.includes(step) && fresh.has(h) ? this.estimates.firstLook(h.job, step) : undefined;
      if (at && at.getTime() > context.now.getTime() + this.deps.settings.pollMinMs) firstLooks.set(h, at);
    }
    const polled = ready.filter((h) => !firstLooks.has(h));
    const outcomes = polled.length
      ? await this.outcomes(step, polled, context)
      : new Map<string, StepOutcome>();
    alignWaits(outcomes);
    for (const [h, until] of firstLooks) outcomes.set(h.job.id, { kind: 'wait', until });
    await Promise.all(
      ready.map((h) => {
        const outcome = outcomes.get(h.job.id);
        if (!outcome) return Promise.resolve(false);
        if (this.mayPark(h, outcome)) {
          h.parkUntil = outcome.until;
          return Promise.resolve(false);
        }
        return this.persist(h, (job) =>
          this.followOn(h, orThrow(applyOutcome(job, step, outcome, this.now()))),
        ).then((written) => {
          if (written && outcome.kind === 'done') this.estimates.record(h.job, step);
          return written;
        });
      }),
    );
  }

  private async outcomes(
    step: StepName,
    group: JobHandle[],
    context: StepContext,
  ): Promise<Map<string, StepOutcome>> {
    try {
      return await STEP_HANDLERS[step](
        group.map((h) => h.job),
        context,
      );
    } catch (error) {
      this.deps.logger.warn(
        { step, jobs: group.length, err: describeError(error) },
        'step failed for the whole group',
      );
      return new Map(group.map((h) => [h.job.id, graphFailure(h.job, step, error, context)]));
    }
  }

  /** A wait that changes nothing in the job is kept in hand (parked-jobs.ts) rather than written back. */
  private mayPark(h: JobHandle, outcome: StepOutcome): outcome is Extract<StepOutcome, { kind: 'wait' }> {
    if (outcome.kind !== 'wait' || outcome.graph || this.stopped || !this.parked.hasRoom()) return false;
    return h.job.lease !== undefined;
  }

  /**
   * What comes after a step's outcome, in the same write: the next step started when this worker goes on with the
   * job at once, or the lease given back when it does not (the job waits, retries later or is finished), so that a
   * step costs one write, not two.
   */
  private followOn(handle: JobHandle, job: ImportJob): ImportJob {
    if (!job.lease) return job;
    const now = this.now();
    const due = WORKABLE_STATUSES.includes(job.status) && (job.nextRunAt ?? '') <= now.toISOString();
    if (!due || this.stopped) {
      const { lease: _lease, ...released } = job;
      return released;
    }
    const next = currentStep(job);
    if (next?.state !== 'pending') return job;
    const started = startStep(job, next.name, now);
    if (!started.ok) return job;
    handle.startedHere = next.name;
    return started.value;
  }

  /** Writes a change and reports it; a job that cannot take the change is logged and left alone. */
  private async persist(handle: JobHandle, change: (job: ImportJob) => ImportJob): Promise<boolean> {
    try {
      const written = await handle.write(change);
      if (written) {
        this.deps.publisher.jobChanged(handle.job);
        this.logProgress(handle.job);
      }
      return written;
    } catch (error) {
      handle.lost = true;
      this.logFailure(handle.job, 'persist', error);
      return false;
    }
  }

  private logProgress(job: ImportJob): void {
    const step = currentStep(job);
    this.deps.logger.debug(
      {
        jobId: job.id,
        serial: job.device.serialNumber,
        status: job.status,
        step: step?.name,
        stepState: step?.state,
      },
      'job progressed',
    );
  }

  private logFailure(job: ImportJob, action: string, error: unknown): void {
    this.deps.logger.warn(
      { jobId: job.id, action, err: describeError(error) },
      'pipeline could not write a job',
    );
  }
}

/**
 * The jobs of a round that go on waiting look again together, at the soonest of their times: a group that stays
 * together shares its probes and its calls (probes.ts), where one split by small differences in when each began
 * waiting would poll as many groups.
 */
function alignWaits(outcomes: Map<string, StepOutcome>): void {
  const waits = [...outcomes].filter(
    (entry): entry is [string, Extract<StepOutcome, { kind: 'wait' }>] => entry[1].kind === 'wait',
  );
  if (waits.length < 2) return;
  const soonest = new Date(Math.min(...waits.map(([, w]) => w.until.getTime())));
  for (const [id, wait] of waits) outcomes.set(id, { ...wait, until: soonest });
}
