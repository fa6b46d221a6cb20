/**
 * Learns how long each wait usually takes (median of the latest finished waits), so that a new wait is first
 * looked at when it is likely over instead of being polled from the start. In memory, per worker: it relearns
 * after a restart from the first jobs that finish.
 */
import type { StepName } from '../domain/job.js';

export const WAIT_STEPS: readonly StepName[] = [
  'await-import',
  'await-autopilot-device',
  'await-entra-device',
  'await-profile',
];
const SAMPLES = 25;

export class WaitEstimator {
  private readonly samples = new Map<StepName, number[]>();

  record(step: StepName, durationMs: number): void {
    if (!WAIT_STEPS.includes(step) || durationMs < 0) return;
    const list = [...(this.samples.get(step) ?? []), durationMs].slice(-SAMPLES);
    this.samples.set(step, list);
  }

  /** The median duration seen for this wait, or undefined before any finished. */
  estimate(step: StepName): number | undefined {
    const list = this.samples.get(step);
    if (!list?.length) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}
