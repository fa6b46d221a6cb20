/**
 * One step for a group of jobs in hand: persist its start, ask Graph once for the whole group, then write each
 * job's outcome together with what follows it (the next step's start, or the lease given back), or keep a job that
 * only waits in hand without a write (parked-jobs.ts). Groups write in turns, the furthest along first
 * (write-turns.ts).
 */
import { currentStep, WORKABLE_STATUSES, type ImportJob, type StepName } from '../domain/job.js';
import type { Result } from '../domain/result.js';
import { startStep } from '../domain/step-transitions.js';
import { describeError } from '../errors.js';
import type { AutopilotGraph } from '../graph/autopilot-graph.js';
import type { Logger } from '../logging/logger.js';
import { applyOutcome } from './apply-outcome.js';
import { graphFailure } from './failure-policy.js';
import { inSlices } from './in-slices.js';
import type { JobHandle } from './job-handle.js';
import type { ParkedJobs } from './parked-jobs.js';
import type { ProgressPublisher } from './progress.js';
import type { PipelineSettings } from './settings.js';
import type { StepContext } from './step-context.js';
import type { StepOutcome } from './step-outcome.js';
import { DECIDED_WITHOUT_GRAPH, STEP_HANDLERS } from './steps/index.js';
import type { SyncGate } from './sync-gate.js';
import type { UploadCleanup } from './upload-cleanup.js';
import { WAIT_STEPS, type WaitEstimator } from './wait-estimator.js';
import { WriteTurns } from './write-turns.js';

export interface StepRunnerDeps {
  graph: AutopilotGraph;
  syncGate: SyncGate;
  settings: PipelineSettings;
  publisher: ProgressPublisher;
  logger: Logger;
  estimates: WaitEstimator;
  parked: ParkedJobs;
  now: () => Date;
  random: () => number;
  /** True once the worker is stopping: nothing more is started or parked. */
  stopping: () => boolean;
  /** Removes upload records once their import is confirmed, beside the job's path (upload-cleanup.ts). */
  uploads: UploadCleanup;
}

/** Steps that change nothing in Intune or Entra: running one again after a crash is harmless. */
const READ_ONLY_STEPS: ReadonlySet<StepName> = new Set(['check-registration']);

function orThrow<T>(result: Result<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

export function logWriteFailure(logger: Logger, job: ImportJob, action: string, error: unknown): void {
  logger.warn({ jobId: job.id, action, err: describeError(error) }, 'pipeline could not write a job');
}

export class StepRunner {
  /** Groups write one after another, the furthest along first (write-turns.ts). */
  private readonly turns = new WriteTurns();

  constructor(private readonly deps: StepRunnerDeps) {}

  private now(): Date {
    return this.deps.now();
  }

  async runStep(step: StepName, group: JobHandle[]): Promise<void> {
    // Persist "running" before touching Graph, so a crash from here on is visible and the step re-checks. A job
    // whose previous step ended in this round had this step started in that same write.
    const pending = new Set(group.filter((h) => currentStep(h.job)?.state === 'pending'));
    const fresh = new Set([...pending, ...group.filter((h) => h.startedHere === step)]);
    for (const h of group) h.startedHere = undefined;
    // A step that only reads Graph is started in the write of its outcome: a crash before that leaves it pending,
    // and reading again is all it takes (at 10,000 devices, 10,000 writes fewer while the bulk is starting).
    const startsWithOutcome = READ_ONLY_STEPS.has(step) ? pending : new Set<JobHandle>();
    const startedAt = this.now();
    // Groups take turns to write, the furthest along first (write-turns.ts).
    const rank = stepRank(group, step);
    const toStart = group.filter((h) => pending.has(h) && !startsWithOutcome.has(h));
    const starts = toStart.length
      ? await this.turns.run(rank, () =>
          inSlices(toStart, (h) => this.persist(h, (job) => orThrow(startStep(job, step, this.now())))),
        )
      : [];
    const notStarted = new Set(toStart.filter((_, i) => !starts[i]));
    const ready = group.filter((h) => !notStarted.has(h) && !h.lost);
    if (ready.length === 0) return;
    const context: StepContext = {
      graph: this.deps.graph,
      settings: this.deps.settings,
      syncGate: this.deps.syncGate,
      now: this.now(),
      random: this.deps.random,
      estimates: this.deps.estimates,
      resumed: new Set(ready.filter((h) => !fresh.has(h)).map((h) => h.job.id)),
      uploads: this.deps.uploads,
    };
    // A wait that just began is not polled at once when it is known to take longer: it is looked at then.
    const firstLooks = new Map<JobHandle, Date>();
    for (const h of ready) {
      const at =
        WAIT_STEPS.includes(step) && fresh.has(h) ? this.deps.estimates.firstLook(h.job, step) : undefined;
      if (at && at.getTime() > context.now.getTime() + this.deps.settings.pollMinMs) firstLooks.set(h, at);
    }
    const polled = ready.filter((h) => !firstLooks.has(h));
    const outcomes = polled.length
      ? await this.outcomes(step, polled, context)
      : new Map<string, StepOutcome>();
    alignWaits(outcomes);
    for (const [h, until] of firstLooks) outcomes.set(h.job.id, { kind: 'wait', until });
    // A wait that changes nothing in the job is kept in hand without a write; the other outcomes are written.
    const toWrite = ready.filter((h) => {
      const outcome = outcomes.get(h.job.id);
      if (!outcome || !this.mayPark(h, outcome)) return outcome !== undefined;
      h.parkUntil = outcome.until;
      return false;
    });
    const written = toWrite.length
      ? await this.turns.run(rank, () =>
          inSlices(toWrite, (h) => {
            const outcome = outcomes.get(h.job.id) as StepOutcome;
            return this.writeOutcome(h, step, outcome, startsWithOutcome.has(h) ? startedAt : undefined);
          }),
        )
      : [];
    // Imports confirmed and written: their upload records can go now, while the jobs go on (upload-cleanup.ts).
    if (step === 'await-import') {
      const confirmed = toWrite.filter((h, i) => written[i] && outcomes.get(h.job.id)?.kind === 'done');
      const ids = confirmed.flatMap((h) => h.job.graph.importedIdentityId ?? []);
      if (ids.length) this.deps.uploads.begin(ids);
    }
  }

  /**
   * Writes a job's outcome with what follows it (the next step's start, or the lease given back); a step started
   * with its outcome (`startedAt`) is marked started in the same write. True when written.
   */
  private async writeOutcome(
    h: JobHandle,
    step: StepName,
    outcome: StepOutcome,
    startedAt: Date | undefined,
  ): Promise<boolean> {
    const written = await this.persist(h, (job) => {
      const running = startedAt ? orThrow(startStep(job, step, startedAt)) : job;
      // One time for the whole write: the step's end, the next step's start and any step settled with it.
      const now = this.now();
      return this.followOn(h, orThrow(applyOutcome(running, step, outcome, now)), now);
    });
    if (written && outcome.kind === 'done') this.deps.estimates.record(h.job, step);
    return written;
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
    if (outcome.kind !== 'wait' || outcome.graph || this.deps.stopping() || !this.deps.parked.hasRoom())
      return false;
    return h.job.lease !== undefined;
  }

  /**
   * What comes after a step's outcome, in the same write: the next step started when this worker goes on with the
   * job at once, or the lease given back when it does not (the job waits, retries later or is finished), so that a
   * step costs one write, not two. A next step whose outcome needs no Graph call (steps/index.ts) is settled in
   * this write too, and what follows it in turn.
   */
  private followOn(handle: JobHandle, job: ImportJob, now: Date): ImportJob {
    if (!job.lease) return job;
    const due = WORKABLE_STATUSES.includes(job.status) && (job.nextRunAt ?? '') <= now.toISOString();
    if (!due || this.deps.stopping()) {
      const { lease: _lease, ...released } = job;
      return released;
    }
    const next = currentStep(job);
    if (next?.state !== 'pending') return job;
    const started = startStep(job, next.name, now);
    if (!started.ok) return job;
    const known = DECIDED_WITHOUT_GRAPH[next.name]?.(started.value, this.deps.uploads);
    const settled = known && applyOutcome(started.value, next.name, known, now);
    if (settled?.ok) return this.followOn(handle, settled.value, now);
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
    logWriteFailure(this.deps.logger, job, action, error);
  }
}

/** How far along its path the group's step is (its place among the first job's steps): later steps write first. */
function stepRank(group: readonly JobHandle[], step: StepName): number {
  return group[0]?.job.steps.findIndex((s) => s.name === step) ?? 0;
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
