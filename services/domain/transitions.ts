/**
 * The job's state machine as pure functions: each takes a job and an event and returns the new job or a
 * typed DomainError. Every decision appends an audit event; every transition applies the hash-retention rule.
 * Here: submission and the decisions on it (approve, reject, expire); the steps are in step-transitions.ts.
 */
import { audited, SYSTEM, withAudit } from './audit.js';
import { DomainError } from './errors.js';
import { hashFingerprint } from './fingerprint.js';
import { planName, planned, planProblem, planText, type ApprovalPlan } from './approval-plan.js';
import { stepsOf } from './job-kinds.js';
import { secondApprovalProblem } from './second-approval.js';
import type {
  Actor,
  AuditEvent,
  DeviceChange,
  DeviceFacts,
  ImportJob,
  JobFlag,
  RegisteredRecord,
  Submitter,
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
  let what = planText(decision.plan, decision.groupTag) ?? tag;
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
    what = `${what}; second approver after ${first.by.name ?? first.by.id}`;
  }
  const approved: ImportJob = { ...planned(job, decision.plan), status: 'approved', approval, nextRunAt: at };
  return ok(audited(approved, decision.at, 'approved', decision.by, detail(what)));
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

/** The audit event of someone trying a verb they may not use. */
export function deniedAttempt(by: Actor, now: Date, verb: string): AuditEvent {
  return { at: now.toISOString(), action: 'denied', by, detail: verb };
}

/** Someone tried a verb they may not use: nothing changes but the audit trail. */
export function recordDenied(job: ImportJob, by: Actor, now: Date, verb: string): ImportJob {
  return { ...withAudit(job, deniedAttempt(by, now, verb)), updatedAt: now.toISOString() };
}
