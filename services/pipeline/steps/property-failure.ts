/**
 * A failed updateDeviceProperties (assign-user, set-device-name): Intune's intermittent 412 ConditionNotMet and
 * 409 are retried like transient errors; once the attempts run out, the step ends with a warning on the card
 * instead of failing the import (the device is registered; the property can be set in Intune).
 */
import type { ImportJob, JobError } from '../../domain/job.js';
import type { GraphRequestError } from '../../graph/graph-errors.js';
import { errorFromException, failureOutcome } from '../failure-policy.js';
import type { StepContext } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';

export function propertyUpdateFailure(
  step: 'assign-user' | 'set-device-name',
  job: ImportJob,
  error: GraphRequestError,
  ctx: StepContext,
  givenUp: (error: JobError) => { note: string; warning: string },
): StepOutcome {
  const jobError: JobError = {
    ...errorFromException(step, error),
    retryable: error.retryable || error.status === 409 || error.status === 412,
  };
  const retry = failureOutcome(job, jobError, {
    ...ctx,
    ...(error.retryAfterMs ? { retryAfterMs: error.retryAfterMs } : {}),
  });
  if (retry.kind === 'retry') return retry;
  return { kind: 'done', ...givenUp(jobError) };
}
