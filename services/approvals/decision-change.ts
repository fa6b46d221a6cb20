/** What a click asks for, as a pure change to a job: the inputs checked first, then the domain transition. */
import type { ApprovalConfig } from '../config/config.js';
import type { BatchDecision } from '../domain/batch.js';
import type { Actor, ImportJob } from '../domain/job.js';
import type { Result } from '../domain/result.js';
import { approve, reject, retry } from '../domain/transitions.js';
import { approversNeeded, type ApprovalPolicy, type RequestFacts } from '../policy/policy.js';
import { checkApprovalInputs, checkRejectionInputs, type InputProblem } from './decision-inputs.js';

export const VERBS = ['approve', 'reject', 'retry'] as const;
export type Verb = (typeof VERBS)[number];

export type JobChange = (job: ImportJob) => ImportJob;

/** The transition's new job, or its DomainError thrown (mutateJob gives up on a throw). */
export function orThrow(result: Result<ImportJob>): ImportJob {
  if (!result.ok) throw result.error;
  return result.value;
}

/** What the policy's rules see of a job when an approver picks `tag`. */
export function factsOnCard(job: ImportJob, tag: string | null): RequestFacts {
  return {
    source: job.submittedBy.via,
    manufacturer: job.device.manufacturer,
    model: job.device.model,
    serialNumber: job.device.serialNumber,
    tag,
    submission: job.batchId ? 'batch' : 'single',
    kind: 'hash',
  };
}

/** How many approvers the job needs with this tag, and what the audit says about it. */
export function approvalsRequired(
  job: ImportJob,
  tag: string | null,
  policy: ApprovalPolicy | undefined,
): { approversNeeded: 1 | 2; note?: string } {
  const needs = approversNeeded(policy, job.policy, factsOnCard(job, tag));
  if (needs.rule) return { approversNeeded: 2, note: `rule ${needs.rule} requires two approvers` };
  if (needs.wouldHave)
    return {
      approversNeeded: 1,
      note: `dry run: rule ${needs.wouldHave} would have required a second approver`,
    };
  return { approversNeeded: 1 };
}

type Approve = Extract<BatchDecision, { verb: 'approve' }>;

function approvalOf(decision: Approve, job: ImportJob, policy: ApprovalPolicy | undefined) {
  const { approversNeeded, note } = approvalsRequired(job, decision.groupTag, policy);
  return {
    by: decision.by,
    at: new Date(decision.at),
    groupTag: decision.groupTag,
    comment: decision.comment,
    approversNeeded,
    ...(note ? { note } : {}),
  };
}

/**
 * The job change for a recorded approve/reject decision (a batch's decision applies to each of its jobs). A
 * batch that needed two approvers carries the first approval too: each job then takes both, in order.
 */
export function applyDecision(
  decision: BatchDecision,
  policy?: ApprovalPolicy,
  firstApproval?: Approve,
): JobChange {
  if (decision.verb === 'reject') {
    const at = new Date(decision.at);
    return (job) => orThrow(reject(job, { by: decision.by, at, reason: decision.reason }));
  }
  return (job) => {
    const second = approvalOf(decision, job, policy);
    if (second.approversNeeded === 2 && firstApproval && !job.firstApproval)
      return orThrow(approve(orThrow(approve(job, approvalOf(firstApproval, job, policy))), second));
    return orThrow(approve(job, second));
  };
}

/** The decision a click makes, or the problems with its inputs; `retry` has no inputs and no decision record. */
export function clickedDecision(
  verb: Verb,
  inputs: Record<string, unknown>,
  by: Actor,
  at: Date,
  config: ApprovalConfig,
): { decision: BatchDecision } | { retry: true } | { problems: InputProblem[] } {
  switch (verb) {
    case 'approve': {
      const checked = checkApprovalInputs(inputs, config);
      if (!checked.ok) return { problems: checked.problems };
      const { groupTag, comment } = checked;
      return { decision: { verb, by, at: at.toISOString(), groupTag, comment } };
    }
    case 'reject': {
      const checked = checkRejectionInputs(inputs);
      if (!checked.ok) return { problems: checked.problems };
      return { decision: { verb, by, at: at.toISOString(), reason: checked.reason } };
    }
    case 'retry':
      return { retry: true };
  }
}

export function decisionChange(
  verb: Verb,
  inputs: Record<string, unknown>,
  by: Actor,
  at: Date,
  config: ApprovalConfig,
): { apply: JobChange } | { problems: InputProblem[] } {
  const clicked = clickedDecision(verb, inputs, by, at, config);
  if ('problems' in clicked) return clicked;
  if ('retry' in clicked) return { apply: (job) => orThrow(retry(job, by, at)) };
  return { apply: applyDecision(clicked.decision, config.policy) };
}
