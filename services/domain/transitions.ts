/**
 * The job's state machine as pure functions: each takes a job and an event and returns the new job or a
 * typed DomainError. Every decision appends an audit event; every transition applies the hash-retention rule.
 */
import { withAudit } from './audit.js';
import { DomainError } from './errors.js';
import { hashFingerprint } from './fingerprint.js';
import { applyHashRetention } from './hash-retention.js';
import { planName, planned, planProblem, planText, type ApprovalPlan } from './approval-plan.js';
import { outcomeOf, stepsOf } from './job-kinds.js';
import { describeTransition } from './lifecycle-job.js';
import { secondApprovalProblem } from './second-approval.js';
import {
  currentStep,
  isTerminal,
  type Actor,
  type AuditAction,
  type AuditEvent,
  type DeviceChange,
  type DeviceFacts,
  type GraphIds,
  type ImportJob,
  type JobError,
  type JobFlag,
  type Outcome,
  type RegisteredRecord,
  type StepName,
  type StepRecord,
  type Submitter,
} from './job.js';
import { err, ok, type Result } from './result.js';

export interface NewJob {
  id: string;
  /**
   * A registration unless said otherwise; a corporate identifier has no hash; a change (a bulk re-tag) acts on
   * `registeredRecord` and waits for approval like the rest.
   */
  kind?: 'register' | 'corporateIdentifier' | 'change';
  change?: DeviceChange;
  device: DeviceFacts;
  hardwareHash: string | null;
  submittedBy: Submitter;
  batchId?: string;
  flags?: JobFlag[];
  /** The Autopilot record intake found for the serial (the card shows it; Update and Replace act on it). */
  registeredRecord?: RegisteredRecord;
}

const SYSTEM: Actor = { id: 'system', name: 'Autopilot Approvals' };

function audited(job: ImportJob, at: Date, action: AuditAction, by: Actor, detail?: string): ImportJob {
  const event =
    detail === undefined
      ? { at: at.toISOString(), action, by }
      : { at: at.toISOString(), action, by, detail };
  return applyHashRetention({ ...job, updatedAt: at.toISOString(), audit: [...job.audit, event] });
}

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

export function submit(input: NewJob, now: Date, approvalWindowMs: number): ImportJob {
  const job: ImportJob = {
    id: input.id,
    status: 'awaiting_approval',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    approvalDeadline: new Date(now.getTime() + approvalWindowMs).toISOString(),
    device: input.device,
    hardwareHash: input.hardwareHash,
    hashFingerprint: input.hardwareHash === null ? '' : hashFingerprint(input.hardwareHash),
    submittedBy: input.submittedBy,
    flags: input.flags ?? [],
    steps: stepsOf(input.kind ?? 'register'),
    ...(input.kind && input.kind !== 'register' ? { kind: input.kind } : {}),
    ...(input.change ? { change: input.change } : {}),
    graph: input.registeredRecord
      ? {
          record: input.registeredRecord,
          // A change acts on this very record (check-device makes sure it is still the serial's).
          ...(input.kind === 'change' ? { autopilotDeviceId: input.registeredRecord.id } : {}),
        }
      : {},
    audit: [],
    ...(input.batchId === undefined ? {} : { batchId: input.batchId }),
  };
  return audited(job, now, 'submitted', { id: input.submittedBy.via }, input.submittedBy.channel);
}

function checkAwaitingDecision(job: ImportJob, now: Date): DomainError | undefined {
  if (
    job.status === 'expired' ||
    (job.status === 'awaiting_approval' && now >= new Date(job.approvalDeadline))
  ) {
    return new DomainError('approval_expired', `The approval deadline passed at ${job.approvalDeadline}.`);
  }
  if (job.status !== 'awaiting_approval') {
    const decidedBy =
      job.approval?.by.name ?? job.rejection?.by.name ?? job.approval?.by.id ?? job.rejection?.by.id;
    return new DomainError(
      'already_decided',
      decidedBy ? `Already decided by ${decidedBy} (${job.status}).` : `The job is ${job.status}.`,
    );
  }
  return undefined;
}

export interface ApproveDecision {
  by: Actor;
  at: Date;
  groupTag: string | null;
  comment: string;
  /** Two when a policy rule requires two different approvers; the first approval then waits for a second. */
  approversNeeded?: 1 | 2;
  /** Added to the audit entry (e.g. which rule required a second approver, or what a dry run would have done). */
  note?: string;
  deviceName?: string;
  /** A device already registered, decided on the card (see approval-plan.ts). */
  plan?: ApprovalPlan;
}

export function approve(job: ImportJob, decision: ApproveDecision): Result<ImportJob> {
  const problem = checkAwaitingDecision(job, decision.at) ?? planProblem(job, decision.plan);
  if (problem) return err(problem);
  const at = decision.at.toISOString();
  const plan = planName(decision.plan);
  const approval = {
    by: decision.by,
    at,
    groupTag: decision.groupTag,
    comment: decision.comment,
    ...(decision.deviceName ? { deviceName: decision.deviceName } : {}),
    ...(plan ? { plan } : {}),
  };
  const tag = decision.groupTag ?? '(no tag)';
  const detail = (text: string) => (decision.note ? `${text}; ${decision.note}` : text);
  // Once a first of two approvals is recorded, the request needs a second whatever tag the next approver picks.
  if (job.firstApproval || (decision.approversNeeded ?? 1) === 2) {
    const first = job.firstApproval;
    if (!first)
      return ok(
        audited(
          { ...job, firstApproval: approval },
          decision.at,
          'first_approval',
          decision.by,
          detail(`${tag}; waiting for a second approver`),
        ),
      );
    const problem = secondApprovalProblem(first, {
      by: decision.by,
      groupTag: decision.groupTag,
      ...(plan ? { plan } : {}),
    });
    if (problem) return err(problem);
    const firstBy = first.by.name ?? first.by.id;
    const approved: ImportJob = {
      ...planned(job, decision.plan),
      status: 'approved',
      approval,
      nextRunAt: at,
    };
    return ok(
      audited(
        approved,
        decision.at,
        'approved',
        decision.by,
        detail(`${tag}; second approver after ${firstBy}`),
      ),
    );
  }
  const approved: ImportJob = { ...planned(job, decision.plan), status: 'approved', approval, nextRunAt: at };
  return ok(
    audited(
      approved,
      decision.at,
      'approved',
      decision.by,
      detail(planText(decision.plan, decision.groupTag) ?? tag),
    ),
  );
}

export function reject(job: ImportJob, decision: { by: Actor; at: Date; reason: string }): Result<ImportJob> {
  const problem = checkAwaitingDecision(job, decision.at);
  if (problem) return err(problem);
  const rejected: ImportJob = {
    ...job,
    status: 'rejected',
    rejection: { by: decision.by, at: decision.at.toISOString(), reason: decision.reason },
  };
  return ok(audited(rejected, decision.at, 'rejected', decision.by, decision.reason));
}

export function expire(job: ImportJob, now: Date): Result<ImportJob> {
  if (job.status !== 'awaiting_approval') {
    return err(
      new DomainError(
        'not_awaiting_approval',
        `Only a job awaiting approval can expire; it is ${job.status}.`,
      ),
    );
  }
  if (now < new Date(job.approvalDeadline)) {
    return err(new DomainError('not_yet_due', `The approval deadline is ${job.approvalDeadline}.`));
  }
  return ok(audited({ ...job, status: 'expired' }, now, 'expired', SYSTEM));
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

/** The audit event of someone trying a verb they may not use. */
export function deniedAttempt(by: Actor, now: Date, verb: string): AuditEvent {
  return { at: now.toISOString(), action: 'denied', by, detail: verb };
}

/** Someone tried a verb they may not use: nothing changes but the audit trail. */
export function recordDenied(job: ImportJob, by: Actor, now: Date, verb: string): ImportJob {
  return { ...withAudit(job, deniedAttempt(by, now, verb)), updatedAt: now.toISOString() };
}
