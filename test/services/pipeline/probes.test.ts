import { describe, expect, it } from 'vitest';
import type { ImportJob } from '../../../services/domain/job.js';
import { nearDeadline, nextPoll } from '../../../services/pipeline/polling.js';
import { afterProbes, chooseProbes } from '../../../services/pipeline/probes.js';
import { submittedJob } from '../../support/jobs.js';
import { testSettings } from '../../support/pipeline.js';

const t0 = new Date('2026-11-22T10:00:00Z');

/** A job waiting for its profile since `second` seconds after t0. */
function waitingSince(second: number): ImportJob {
  const job = submittedJob(t0);
  return {
    ...job,
    status: 'running',
    steps: job.steps.map((s) =>
      s.name === 'await-profile'
        ? { ...s, state: 'running' as const, startedAt: new Date(t0.getTime() + second * 1000).toISOString() }
        : s,
    ),
  };
}

describe('probing a per-device wait', () => {
  it('orders the group by when each started waiting and spreads four probes across it, both ends included', () => {
    const jobs = [7, 3, 9, 1, 5, 2, 8, 4, 6, 0].map(waitingSince);
    const { ordered, probes } = chooseProbes(jobs, 'await-profile');
    expect(ordered.map((j) => jobs.indexOf(j))).toEqual([9, 3, 5, 1, 7, 4, 8, 0, 6, 2]);
    expect(probes).toEqual([ordered[0], ordered[3], ordered[6], ordered[9]]);
    expect(chooseProbes(jobs.slice(0, 3), 'await-profile').probes).toHaveLength(3);
  });

  it('asks about the jobs before the last probe that is done, and those near their deadline; no others', () => {
    const { ordered, probes } = chooseProbes(
      Array.from({ length: 10 }, (_, i) => waitingSince(i)),
      'await-profile',
    );
    const done = new Set([ordered[0]!.id, ordered[3]!.id]);
    const urgent = ordered[8]!;
    const asked = afterProbes(
      ordered,
      probes,
      (p) => done.has(p.id),
      (j) => j.id === urgent.id,
    );
    expect(asked).toEqual([ordered[1], ordered[2], urgent]);
    expect(
      afterProbes(
        ordered,
        probes,
        () => false,
        () => false,
      ),
    ).toEqual([]);
  });

  it('always asks about a job whose deadline comes before its next poll', () => {
    const settings = testSettings({
      pollMaxMs: 1000,
      deadlinesMs: { import: 1, autopilotDevice: 1, entraDevice: 1, profile: 10_000 },
    });
    const job = waitingSince(0);
    expect(nearDeadline(job, 'await-profile', new Date(t0.getTime() + 8_000), settings)).toBe(false);
    expect(nearDeadline(job, 'await-profile', new Date(t0.getTime() + 9_000), settings)).toBe(true);
  });

  it('lines up the next polls of jobs that have waited about as long', () => {
    const settings = testSettings({ pollMinMs: 100, pollMaxMs: 60_000 });
    const now = new Date(t0.getTime() + 20_000);
    const polls = [0, 0.3, 0.7, 1].map((r) =>
      nextPoll(waitingSince(0.01 * r), 'await-profile', now, settings, () => r),
    );
    // Waited ~20 s: polls about 5 s later, on a 3.2 s grid (100 ms × 2^5), so all four land on one instant.
    expect(new Set(polls.map((p) => p.getTime())).size).toBe(1);
    expect(polls[0]!.getTime() - now.getTime()).toBeGreaterThanOrEqual(4_500);
  });
});
