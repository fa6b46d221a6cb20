/**
 * How a failed Graph call becomes a step outcome: retryable errors are retried with exponential backoff and
 * jitter until the step's attempts run out; the rest fail the job with a code, a name and plain advice.
 */
import type { ImportJob, JobError, StepName } from '../domain/job.js';
import { isAppError } from '../errors.js';
import { GraphRequestError } from '../graph/graph-errors.js';
import { STEP_PERMISSIONS } from '../graph/permissions.js';
import type { PipelineSettings } from './settings.js';
import type { StepOutcome } from './step-outcome.js';

const ADVICE_BY_STATUS: Record<number, string> = {
  400: 'Graph refused the request as malformed. Report it with the job id.',
  401: 'The app could not sign in to Graph. Check the client secret or certificate of the app registration.',
  404: 'Graph did not find the object. It may have been deleted in Intune meanwhile.',
};

function adviceFor(step: StepName, error: GraphRequestError): string {
  if (error.status === 403) {
    const names = STEP_PERMISSIONS[step].join(' and ');
    return `The app registration lacks the Graph application permission ${names}, or admin consent for it. Grant it (npm run doctor checks every permission), then retry.`;
  }
  // Graph's answer to a path the API version called does not have: a bug or a version slip, not "not there yet".
  // Called directly it is a 400 "Resource not found for the segment"; inside a $batch, a 405.
  if (
    (error.status === 400 && /Resource not found for the segment/i.test(error.message)) ||
    error.status === 405
  )
    return 'Graph does not know this request in the API version called. Report it with the job id.';
  return (
    ADVICE_BY_STATUS[error.status] ??
    'Microsoft Graph did not answer as expected. It is retried automatically; an approver can retry later.'
  );
}

export function errorFromException(step: StepName, error: unknown): JobError {
  if (error instanceof GraphRequestError) {
    return {
      step,
      code: error.status ? `HTTP${error.status}` : 'Network',
      name: error.graphCode,
      advice: adviceFor(step, error),
      retryable: error.retryable,
    };
  }
  const code = isAppError(error) ? error.code : 'Unexpected';
  return {
    step,
    code,
    name: error instanceof Error ? error.name : 'Error',
    advice: 'An unexpected error occurred. An approver can retry; report it if it repeats.',
    retryable: isAppError(error) ? error.retryable : true,
  };
}

export function attemptsOf(job: ImportJob, step: StepName): number {
  return job.steps.find((s) => s.name === step)?.attempts ?? 0;
}

export function retryDelayMs(
  attempt: number,
  settings: PipelineSettings,
  random: () => number,
  retryAfterMs?: number,
): number {
  const cap = Math.min(5 * 60_000, settings.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  const backoff = cap / 2 + random() * (cap / 2);
  return Math.max(backoff, retryAfterMs ?? 0);
}

/** Retry while attempts remain; then fail (still retryable by an approver when the error is). */
export function failureOutcome(
  job: ImportJob,
  error: JobError,
  context: {
    now: Date;
    settings: PipelineSettings;
    random: () => number;
    retryAfterMs?: number;
    from?: StepName;
  },
): StepOutcome {
  const attempt = attemptsOf(job, context.from ?? error.step);
  if (!error.retryable || attempt >= context.settings.maxAttempts) {
    return { kind: 'fail', error: context.from ? { ...error, restartFrom: context.from } : error };
  }
  const at = new Date(
    context.now.getTime() + retryDelayMs(attempt, context.settings, context.random, context.retryAfterMs),
  );
  return { kind: 'retry', error, at, ...(context.from ? { from: context.from } : {}) };
}

export function graphFailure(
  job: ImportJob,
  step: StepName,
  error: unknown,
  context: { now: Date; settings: PipelineSettings; random: () => number },
): StepOutcome {
  const retryAfterMs = error instanceof GraphRequestError ? error.retryAfterMs : undefined;
  return failureOutcome(job, errorFromException(step, error), {
    ...context,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
