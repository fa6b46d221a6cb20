/** Grouping a round's jobs by step (services/pipeline/step-groups.ts). */
import { describe, expect, it } from 'vitest';
import type { ImportJob, StepName } from '../../../services/domain/job.js';
import { byStep, CONFIRM_PART } from '../../../services/pipeline/step-groups.js';
import { approvedJob } from '../../support/jobs.js';

/** An approved job whose steps before `step` are done. */
function inStep(step: StepName): { job: ImportJob } {
  const job = approvedJob();
  const at = job.steps.findIndex((s) => s.name === step);
  return {
    job: { ...job, steps: job.steps.map((s, i) => (i < at ? { ...s, state: 'succeeded' as const } : s)) },
  };
}

describe('byStep', () => {
  it('groups jobs by their current step, in the order first met', () => {
    const handles = [
      inStep('import'),
      inStep('check-registration'),
      inStep('import'),
      inStep('await-profile'),
    ];
    const groups = byStep(handles);
    expect(groups.map(([step, group]) => [step, group.length])).toEqual([
      ['import', 2],
      ['check-registration', 1],
      ['await-profile', 1],
    ]);
    expect(groups[0]?.[1]).toEqual([handles[0], handles[2]]);
  });

  it('confirms imports in parts, so that the first part goes to the clean-up without waiting for the rest', () => {
    const waiting = Array.from({ length: 2 * CONFIRM_PART + 50 }, () => inStep('await-import'));
    const uploading = Array.from({ length: 2 * CONFIRM_PART + 50 }, () => inStep('import'));
    const groups = byStep([...waiting, ...uploading]);
    expect(groups.map(([step, group]) => [step, group.length])).toEqual([
      ['await-import', CONFIRM_PART],
      ['await-import', CONFIRM_PART],
      ['await-import', 50],
      ['import', 2 * CONFIRM_PART + 50],
    ]);
    // Every waiting job is in exactly one part.
    expect(new Set(groups.flatMap(([, group]) => group))).toEqual(new Set([...waiting, ...uploading]));
  });

  it('leaves out jobs with no step left', () => {
    const done = inStep('await-import');
    const finished = {
      job: { ...done.job, steps: done.job.steps.map((s) => ({ ...s, state: 'succeeded' as const })) },
    };
    expect(byStep([finished])).toEqual([]);
  });
});
