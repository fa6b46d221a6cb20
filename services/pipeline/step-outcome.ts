import type { GraphIds, JobError, StepName } from '../domain/job.js';

/** What a step handler decided for one job. The worker turns it into a domain transition. */
export type StepOutcome =
  | { kind: 'done'; graph?: GraphIds; note?: string; warning?: string }
  | { kind: 'skipped'; note: string }
  | { kind: 'wait'; until: Date; graph?: GraphIds }
  | { kind: 'already_registered'; graph: GraphIds }
  /** Retryable: run again at `at`, from `from` (an earlier step) or this one. */
  | { kind: 'retry'; error: JobError; at: Date; from?: StepName }
  | { kind: 'fail'; error: JobError };
