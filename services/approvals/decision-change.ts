/** What a click asks for, as a pure change to a job: the inputs checked first, then the domain transition. */
import type { ApprovalConfig } from '../config/config.js';
import type { BatchDecision } from '../domain/batch.js';
import type { Actor, DeviceChange, ImportJob } from '../domain/job.js';
import type { Result } from '../domain/result.js';
import { approve, reject, type ApproveDecision } from '../domain/transitions.js';
import { retry } from '../domain/step-transitions.js';
import { approversNeeded, type ApprovalPolicy, type RequestFacts } from '../policy/policy.js';
import { nameFromTemplate } from '../domain/device-name.js';
import { checkApprovalInputs, checkRejectionInputs, text, type InputProblem } from './decision-inputs.js';

/** `update` and `replace` approve a device already registered (see BatchDecision's `plan`). */
export const VERBS = ['approve', 'update', 'replace', 'reject', 'retry'] as const;
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
    // A change (a bulk re-tag) carries its own tag: that is the one a rule judges.
    tag: job.change?.groupTag !== undefined ? job.change.groupTag : tag,
    submission: job.batchId ? 'batch' : 'single',
    kind: job.kind === 'corporateIdentifier' ? 'corporateIdentifier' : 'hash',
  };
}

/** How many approvers the job needs with this tag, and what the audit says about it. */
export function approvalsRequired(
  job: ImportJob,
  tag: string | null,
  policy: ApprovalPolicy | undefined,
): { approversNeeded: 1 | 2; note?: string } {
  const needs = approversNeeded(policy, job.policy, factsOnCard(job, tag));
  if (needs.needed === 2) return { approversNeeded: 2, note: `rule ${needs.rule} requires two approvers` };
  if (needs.wouldHave)
    return {
      approversNeeded: 1,
      note: `dry run: rule ${needs.wouldHave} would have required a second approver`,
    };
  return { approversNeeded: 1 };
}

type Approve = Extract<BatchDecision, { verb: 'approve' }>;

function approvalOf(
  decision: Approve,
  job: ImportJob,
  policy: ApprovalPolicy | undefined,
  /** A batch's decision says itself how many approved: its devices follow it, whatever the policy says now. */
  batchApprovers?: 1 | 2,
) {
  const { approversNeeded, note } = batchApprovers
    ? {
        approversNeeded: batchApprovers,
        note: batchApprovers === 2 ? 'two approvers on the batch' : undefined,
      }
    : approvalsRequired(job, decision.groupTag, policy);
  const deviceName =
    decision.deviceName ??
    (decision.deviceNameTemplate
      ? nameFromTemplate(decision.deviceNameTemplate, job.device.serialNumber)
      : undefined);
  return {
    ...(deviceName ? { deviceName } : {}),
    ...planOf(decision, job, deviceName),
    by: decision.by,
    at: new Date(decision.at),
    groupTag: decision.groupTag,
    comment: decision.comment,
    approversNeeded,
    ...(note ? { note } : {}),
  };
}

/** An update sets the tag, the name and the submitted user on the existing record; a replace imports anew. */
function planOf(
  decision: Approve,
  job: ImportJob,
  deviceName: string | undefined,
): Pick<ApproveDecision, 'plan'> {
  if (decision.plan === 'replace')
    return { plan: { kind: 'replace', enrolledConfirmed: decision.enrolledConfirmed === true } };
  if (decision.plan !== 'update') return {};
  const change: DeviceChange = {
    groupTag: decision.groupTag,
    ...(deviceName ? { displayName: deviceName } : {}),
    ...(job.device.assignedUser ? { user: job.device.assignedUser } : {}),
  };
  return { plan: { kind: 'change', change } };
}

/**
 * The job change for a recorded approve/reject decision. A batch's decision (`batch` given) applies to each of its
 * jobs as it was taken: with two approvers when the batch has a first approval, each job then takes both in order.
 */
export function applyDecision(
  decision: BatchDecision,
  policy?: ApprovalPolicy,
  batch?: { firstApproval?: Approve },
): JobChange {
  if (decision.verb === 'reject') {
    const at = new Date(decision.at);
    return (job) => orThrow(reject(job, { by: decision.by, at, reason: decision.reason }));
  }
  if (!batch) return (job) => orThrow(approve(job, approvalOf(decision, job, policy)));
  const first = batch.firstApproval;
  return (job) => {
    if (!first) return orThrow(approve(job, approvalOf(decision, job, policy, 1)));
    const afterFirst = job.firstApproval ? job : orThrow(approve(job, approvalOf(first, job, policy, 2)));
    return orThrow(approve(afterFirst, approvalOf(decision, job, policy, 2)));
  };
}

/** The decision a click makes, or the problems with its inputs; `retry` has no inputs and no decision record. */
export function clickedDecision(
  verb: Verb,
  inputs: Record<string, unknown>,
  by: Actor,
  at: Date,
  config: ApprovalConfig,
  options: { tagless?: boolean } = {},
): { decision: BatchDecision } | { retry: true } | { problems: InputProblem[] } {
  switch (verb) {
    case 'approve':
    case 'update':
    case 'replace': {
      const checked = checkApprovalInputs(inputs, config, options);
      if (!checked.ok) return { problems: checked.problems };
      const { groupTag, comment, deviceName } = checked;
      return {
        decision: {
          verb: 'approve',
          by,
          at: at.toISOString(),
          groupTag,
          comment,
          ...(deviceName ? { deviceName } : {}),
          ...(verb === 'approve' ? {} : { plan: verb }),
          ...(verb === 'replace' && text(inputs.confirmEnrolled) === 'true'
            ? { enrolledConfirmed: true }
            : {}),
        },
      };
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
  options: { tagless?: boolean } = {},
): { apply: JobChange } | { problems: InputProblem[] } {
  const clicked = clickedDecision(verb, inputs, by, at, config, options);
  if ('problems' in clicked) return clicked;
  if ('retry' in clicked) return { apply: (job) => orThrow(retry(job, by, at)) };
  return { apply: applyDecision(clicked.decision, config.policy) };
}
