/** What a click asks for, as a pure change to a job: the inputs checked first, then the domain transition. */
import type { ApprovalConfig } from '../config/config.js';
import type { BatchDecision } from '../domain/batch.js';
import type { Actor, ImportJob } from '../domain/job.js';
import type { Result } from '../domain/result.js';
import { approve, reject, retry } from '../domain/transitions.js';
import { checkApprovalInputs, checkRejectionInputs, type InputProblem } from './decision-inputs.js';

export const VERBS = ['approve', 'reject', 'retry'] as const;
export type Verb = (typeof VERBS)[number];

export type JobChange = (job: ImportJob) => ImportJob;

/** The transition's new job, or its DomainError thrown (mutateJob gives up on a throw). */
export function orThrow(result: Result<ImportJob>): ImportJob {
  if (!result.ok) throw result.error;
  return result.value;
}

/** The job change for a recorded approve/reject decision (a batch's decision applies to each of its jobs). */
export function applyDecision(decision: BatchDecision): JobChange {
  const at = new Date(decision.at);
  return decision.verb === 'approve'
    ? (job) =>
        orThrow(approve(job, { by: decision.by, at, groupTag: decision.groupTag, comment: decision.comment }))
    : (job) => orThrow(reject(job, { by: decision.by, at, reason: decision.reason }));
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
  return { apply: applyDecision(clicked.decision) };
}
