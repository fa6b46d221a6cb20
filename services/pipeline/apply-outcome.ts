import type { ImportJob, StepName } from '../domain/job.js';
import type { Result } from '../domain/result.js';
import { completeAlreadyRegistered, failStep, finishStep, postponeStep } from '../domain/step-transitions.js';
import type { StepOutcome } from './step-outcome.js';

/** Pure: the job after a step's outcome, or the DomainError that says why that cannot happen now. */
export function applyOutcome(
  job: ImportJob,
  step: StepName,
  outcome: StepOutcome,
  now: Date,
): Result<ImportJob> {
  switch (outcome.kind) {
    case 'done':
      return finishStep(job, step, now, {
        ...(outcome.graph ? { graph: outcome.graph } : {}),
        ...(outcome.note ? { note: outcome.note } : {}),
        ...(outcome.warning ? { warning: outcome.warning } : {}),
      });
    case 'skipped':
      return finishStep(job, step, now, { skipped: true, note: outcome.note });
    case 'wait':
      return postponeStep(job, step, now, outcome.until, outcome.graph);
    case 'already_registered':
      return completeAlreadyRegistered(job, step, now, outcome.graph);
    case 'retry':
      return failStep(job, step, now, outcome.error, {
        at: outcome.at,
        ...(outcome.from ? { from: outcome.from } : {}),
      });
    case 'fail':
      return failStep(job, step, now, outcome.error);
  }
}
