import { describe, expect, it } from 'vitest';
import type { ImportJob, StepName } from '../../../services/domain/job.js';
import { WaitEstimator } from '../../../services/pipeline/wait-estimator.js';
import { submittedJob } from '../../support/jobs.js';

const upload = Date.parse('2026-11-01T10:00:00Z');

/** A job uploaded at `upload + offsetMs` whose `step` ended `doneAfterMs` after its upload. */
function jobWith(step: StepName, doneAfterMs: number, offsetMs = 0): ImportJob {
  const job = submittedJob();
  const iso = (ms: number) => new Date(upload + offsetMs + ms).toISOString();
  return {
    ...job,
    steps: job.steps.map((s) =>
      s.name === 'import'
        ? { ...s, endedAt: iso(0) }
        : s.name === step
          ? { ...s, startedAt: iso(1), endedAt: iso(doneAfterMs) }
          : s,
    ),
  };
}

describe('WaitEstimator', () => {
  it('knows nothing before a wait finished, then looks 10% after the median time from upload', () => {
    const estimates = new WaitEstimator();
    const fresh = jobWith('await-import', 0, 60_000);
    expect(estimates.firstLook(fresh, 'await-profile')).toBeUndefined();
    for (const ms of [1000, 9000, 2000, 3000, 2500])
      estimates.record(jobWith('await-profile', ms), 'await-profile');
    expect(estimates.firstLook(fresh, 'await-profile')?.getTime()).toBe(upload + 60_000 + 2750);
    expect(estimates.firstLook(fresh, 'await-import')).toBeUndefined();
  });

  it('ignores steps that are not waits, and jobs not uploaded yet', () => {
    const estimates = new WaitEstimator();
    estimates.record(jobWith('cleanup-import', 50), 'cleanup-import');
    expect(estimates.firstLook(jobWith('import', 0), 'cleanup-import')).toBeUndefined();
    estimates.record(jobWith('await-import', 400), 'await-import');
    expect(estimates.firstLook(submittedJob(), 'await-import')).toBeUndefined();
  });
});
