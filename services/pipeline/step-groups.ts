/**
 * The jobs of a round, grouped by their current step: jobs in the same step share Graph calls (step-runner.ts).
 * Pure.
 */
import { currentStep, type ImportJob, type StepName } from '../domain/job.js';

/**
 * Imports are confirmed this many jobs at a time. Each part's upload records go to the clean-up as soon as the
 * part is confirmed, and the write budget paces the clean-ups at 100 per 20 s, so it is the first hundred that
 * matter. Confirming a round of 1,000 in one go kept the clean-ups waiting while all 1,000 records were read and
 * written (about 1 s in the 10,000-device benchmark).
 */
export const CONFIRM_PART = 100;

/** Groups by current step, in the order first met; `await-import` groups in parts of CONFIRM_PART. */
export function byStep<H extends { readonly job: ImportJob }>(handles: readonly H[]): [StepName, H[]][] {
  const groups = new Map<StepName, H[]>();
  for (const handle of handles) {
    const step = currentStep(handle.job)?.name;
    if (!step) continue;
    const group = groups.get(step);
    if (group) group.push(handle);
    else groups.set(step, [handle]);
  }
  return [...groups].flatMap(([step, group]): [StepName, H[]][] => {
    if (step !== 'await-import' || group.length <= CONFIRM_PART) return [[step, group]];
    const parts: [StepName, H[]][] = [];
    for (let i = 0; i < group.length; i += CONFIRM_PART) parts.push([step, group.slice(i, i + CONFIRM_PART)]);
    return parts;
  });
}
