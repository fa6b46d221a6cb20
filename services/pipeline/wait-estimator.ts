/**
 * Learns when each wait is usually over, so that a new wait is first looked at then instead of being polled from
 * its start. Times are measured from the upload (the end of the import step), not from the start of the wait:
 * the start of a wait depends on when the previous one was noticed, so it would drift as polling gets better;
 * Intune's own timing after the upload does not. In memory, per worker: it relearns after a restart.
 */
import type { ImportJob, StepName } from '../domain/job.js';

export const WAIT_STEPS: readonly StepName[] = [
  'await-import',
  'await-autopilot-device',
  'await-entra-device',
  'await-profile',
];
const SAMPLES = 25;

function uploadedAt(job: ImportJob): number | undefined {
  const ended = job.steps.find((s) => s.name === 'import')?.endedAt;
  return ended ? Date.parse(ended) : undefined;
}

export class WaitEstimator {
  private readonly samples = new Map<StepName, number[]>();

  /** Records a finished wait of this job. */
  record(job: ImportJob, step: StepName): void {
    const ended = job.steps.find((s) => s.name === step)?.endedAt;
    const anchor = uploadedAt(job);
    if (!WAIT_STEPS.includes(step) || !ended || anchor === undefined) return;
    this.samples.set(step, [...(this.samples.get(step) ?? []), Date.parse(ended) - anchor].slice(-SAMPLES));
  }

  /**
   * When to first look at this job's wait: 10% after the median time from upload to done of the finished ones,
   * so that a wait of usual length is over by then (one poll, not two). Undefined before any finished.
   */
  firstLook(job: ImportJob, step: StepName): Date | undefined {
    const list = this.samples.get(step);
    const anchor = uploadedAt(job);
    if (!list?.length || anchor === undefined) return undefined;
    const median = [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
    return new Date(anchor + median * 1.1);
  }
}
