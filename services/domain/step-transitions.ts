/**
 * The steps of a running job as pure functions: start, postpone, finish, fail (with an automatic retry or not),
 * the "already registered" ending, and an approver's retry of a failed job. Each works on the job's own list of
 * steps, which depends on its kind (services/domain/job-kinds.ts).
 */
import { audited, SYSTEM } from './audit.js';
import { DomainError } from './errors.js';
import { applyHashRetention } from './hash-retention.js';
import { outcomeOf } from './job-kinds.js';
import {
  currentStep,
  isTerminal,
  type Actor,
  type GraphIds,
  type ImportJob,
  type JobError,
  type Outcome,
  type StepName,
  type StepRecord,
} from './job.js';
import { describeTransition } from './lifecycle-job.js';
import { err, ok, type Result } from './result.js';

/** Where a step is in this job's own list (kinds differ; a replace runs check-registration after deleting). */
function stepIndex(job: ImportJob, name: StepName): number {
  const index = job.steps.findIndex((s) => s.name === name);
  // Reopening from a step the job does not have would reopen from its first: never guess.
  if (index < 0) throw new DomainError('step_out_of_order', `The job has no step ${name}.`);
  return index;
}

function withStep(job: ImportJob, name: StepName, change: (s: StepRecord) => StepRecord): ImportJob {
  return { ...job, steps: job.steps.map((s) => (s.name === name ? change(s) : s)) };
}

function checkStep(job: ImportJob, step: StepName): DomainError | undefined {
  if (job.status !== 'approved' && job.status !== 'running') {
    return isTerminal(job.status)
      ? new DomainError('job_finished', `The job is already ${job.status}.`)
      : new DomainError('not_running', `The job is ${job.status}; it must be approved first.`);
  }
  const current = currentStep(job);
  if (current?.name !== step) {
    return new DomainError('step_out_of_order', `Step ${step} is not next; ${current?.name ?? 'none'} is.`);
  }
  return undefined;
}

/** Marks the next step as running (a new attempt). Persist the result before acting on Graph. */
export function startStep(job: ImportJob, step: StepName, now: Date): Result<ImportJob> {
  const problem = checkStep(job, step);
  if (problem) return err(problem);
  const at = now.toISOString();
  const started = withStep(job, step, (s) => ({
    ...s,
    state: 'running',
    attempts: s.attempts + 1,
    startedAt: s.startedAt ?? at,
  }));
  return ok({ ...started, status: 'running', updatedAt: at });
}

/** A wait that is not over yet: the step stays running and the job is looked at again at `nextRunAt`. */
export function postponeStep(
  job: ImportJob,
  step: StepName,
  now: Date,
  nextRunAt: Date,
  patch: GraphIds = {},
): Result<ImportJob> {
  const problem = checkStep(job, step);
  if (problem) return err(problem);
  return ok({
    ...job,
    graph: { ...job.graph, ...patch },
    nextRunAt: nextRunAt.toISOString(),
    updatedAt: now.toISOString(),
  });
}

export function finishStep(
  job: ImportJob,
  step: StepName,
  now: Date,
  result: { graph?: GraphIds; skipped?: boolean; note?: string; warning?: string } = {},
): Result<ImportJob> {
  const problem = checkStep(job, step);
  if (problem) return err(problem);
  const at = now.toISOString();
  let next = withStep(job, step, (s) => ({
    ...s,
    state: result.skipped ? 'skipped' : 'succeeded',
    startedAt: s.startedAt ?? at,
    endedAt: at,
    ...(result.note === undefined ? {} : { note: result.note }),
    ...(result.warning === undefined ? {} : { warning: result.warning }),
  }));
  next = {
    ...next,
    graph: { ...job.graph, ...result.graph },
    status: 'running',
    nextRunAt: at,
    updatedAt: at,
  };
  if (currentStep(next) === undefined) return ok(completed(next, now, outcomeOf(next)));
  return ok(applyHashRetention(next));
}

function completed(job: ImportJob, now: Date, outcome: Outcome): ImportJob {
  const { nextRunAt: _n, lease: _l, ...rest } = job;
  // A change's audit keeps the old and the new values (the record as check-device found it, and the change).
  const detail =
    outcome === 'changed' && job.change && job.graph.record
      ? `${outcome}: ${describeTransition(job.change, job.graph.record)}`
      : outcome;
  return audited({ ...rest, status: 'completed', outcome }, now, 'completed', SYSTEM, detail);
}

/**
 * The serial turned out to be registered already (check-registration found it, or the import answered 806):
 * nothing more to do; the job completes with that outcome and the remaining steps are skipped.
 */
export function completeAlreadyRegistered(
  job: ImportJob,
  step: StepName,
  now: Date,
  graph: GraphIds,
): Result<ImportJob> {
  const problem = checkStep(job, step);
  if (problem) return err(problem);
  const at = now.toISOString();
  const tag = graph.existingGroupTag ? `tag ${graph.existingGroupTag}` : 'no tag';
  let reached = false;
  const steps = job.steps.map((s): StepRecord => {
    if (s.name === step) {
      reached = true;
      return {
        ...s,
        state: 'succeeded',
        startedAt: s.startedAt ?? at,
        endedAt: at,
        note: `Already registered (${tag})`,
      };
    }
    return reached ? { ...s, state: 'skipped' } : s;
  });
  return ok(completed({ ...job, steps, graph: { ...job.graph, ...graph } }, now, 'already_registered'));
}

/**
 * A step failed. A retryable error with `retry` is retried automatically at `retry.at`: the step (and, with
 * `retry.from`, the steps back to that one) goes back to pending.
 * Anything else ends the job as failed; a retryable error can then still be retried by an approver.
 */
export function failStep(
  job: ImportJob,
  step: StepName,
  now: Date,
  error: JobError,
  retry?: { at: Date; from?: StepName },
): Result<ImportJob> {
  const problem = checkStep(job, step);
  if (problem) return err(problem);
  const at = now.toISOString();
  if (error.retryable && retry) {
    // Going back to an earlier step (await-import → import) reopens every step from there to this one.
    const from = stepIndex(job, retry.from ?? step);
    const until = stepIndex(job, step);
    const steps = job.steps.map((s, i): StepRecord => {
      if (i < from || i > until) return s;
      const { endedAt: _e, ...open } = s;
      return { ...open, state: 'pending', ...(i === until ? { note: `${error.name}: retrying` } : {}) };
    });
    return ok({ ...job, steps, nextRunAt: retry.at.toISOString(), updatedAt: at });
  }
  const failedSteps = withStep(job, step, (s) => ({ ...s, state: 'failed', endedAt: at, note: error.name }));
  const { nextRunAt: _n, lease: _l, ...rest } = failedSteps;
  return ok(
    audited({ ...rest, status: 'failed', error }, now, 'failed', SYSTEM, `${error.code} ${error.name}`),
  );
}

export function retry(job: ImportJob, by: Actor, now: Date): Result<ImportJob> {
  if (job.status !== 'failed') {
    return err(new DomainError('not_retryable', `Only a failed job can be retried; it is ${job.status}.`));
  }
  if (!job.error?.retryable) {
    return err(
      new DomainError('not_retryable', `${job.error?.name ?? 'This error'} cannot be fixed by a retry.`),
    );
  }
  // Reopen the failed step (and those back to where its retry starts), with fresh automatic attempts.
  const from = stepIndex(job, job.error.restartFrom ?? job.error.step);
  const until = stepIndex(job, job.error.step);
  const steps = job.steps.map((s, i): StepRecord => {
    if (i < from || i > until) return s;
    const { endedAt: _end, note: _note, startedAt: _start, ...open } = s;
    return { ...open, state: 'pending', attempts: 0 };
  });
  const { error: _e, ...rest } = job;
  return ok(
    audited({ ...rest, steps, status: 'approved', nextRunAt: now.toISOString() }, now, 'retried', by),
  );
}
