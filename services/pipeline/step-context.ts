import type { ImportJob, StepName } from '../domain/job.js';
import type { AutopilotGraph } from '../graph/autopilot-graph.js';
import { keepWaiting } from './polling.js';
import type { PipelineSettings } from './settings.js';
import type { StepOutcome } from './step-outcome.js';
import type { SyncGate } from './sync-gate.js';
import type { UploadCleanup } from './upload-cleanup.js';
import type { WaitEstimator } from './wait-estimator.js';

export interface StepContext {
  graph: AutopilotGraph;
  settings: PipelineSettings;
  syncGate: SyncGate;
  now: Date;
  random: () => number;
  estimates: WaitEstimator;
  /**
   * Jobs whose step was already running when this worker took them: an earlier worker died or lost its lease
   * inside the step, so whatever the step does may have happened already.
   */
  resumed: ReadonlySet<string>;
  /** Upload records whose removal began when their import was confirmed (the worker's; absent in step tests). */
  uploads?: UploadCleanup;
}

/** The outcome for a job whose wait is not over: poll again (at the usual time if known), or time out. */
export function notYet(job: ImportJob, step: StepName, ctx: StepContext): StepOutcome {
  return keepWaiting(job, step, ctx.now, ctx.settings, ctx.random, ctx.estimates.firstLook(job, step));
}

/** Runs one step for every job waiting in it, sharing Graph calls; returns an outcome per job id. */
export type StepHandler = (
  jobs: readonly ImportJob[],
  context: StepContext,
) => Promise<Map<string, StepOutcome>>;

export function outcomesFor(
  jobs: readonly ImportJob[],
  decide: (job: ImportJob) => StepOutcome,
): Map<string, StepOutcome> {
  return new Map(jobs.map((job) => [job.id, decide(job)]));
}
