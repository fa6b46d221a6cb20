import { describe, expect, it } from 'vitest';
import type { ImportJob } from '../../../services/domain/job.js';
import { buildReport } from '../../../services/reports/report.js';
import { submittedJob } from '../../support/jobs.js';

const now = new Date('2026-11-22T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const alice = { id: 'a', name: 'Alice' };
const bob = { id: 'b', name: 'Bob' };

function job(createdHoursAgo: number, patch: Partial<ImportJob>): ImportJob {
  return { ...submittedJob(hoursAgo(createdHoursAgo)), ...patch };
}
const approval = (by: typeof alice, createdHoursAgo: number, minutes: number) => ({
  by,
  at: new Date(hoursAgo(createdHoursAgo).getTime() + minutes * 60_000).toISOString(),
  groupTag: null,
  comment: 'x',
});

describe('buildReport', () => {
  it('counts outcomes, medians, top failures and decisions per approver for the period', () => {
    const error = (name: string) => ({
      step: 'await-import' as const,
      code: '808',
      name,
      advice: '',
      retryable: false,
    });
    const jobs = [
      job(10, {
        status: 'completed',
        outcome: 'imported',
        approval: approval(alice, 10, 10),
        updatedAt: new Date(hoursAgo(10).getTime() + 40 * 60_000).toISOString(),
      }),
      job(20, {
        status: 'completed',
        outcome: 'already_registered',
        approval: approval(alice, 20, 30),
        updatedAt: new Date(hoursAgo(20).getTime() + 40 * 60_000).toISOString(),
      }),
      job(30, {
        status: 'failed',
        approval: approval(bob, 30, 20),
        error: error('ZtdDeviceAssignedToOtherTenant'),
      }),
      job(40, {
        status: 'failed',
        approval: approval(bob, 40, 20),
        error: error('ZtdDeviceAssignedToOtherTenant'),
      }),
      job(50, { status: 'rejected', rejection: { by: bob, at: hoursAgo(49).toISOString(), reason: 'no' } }),
      job(60, { status: 'expired' }),
      job(1, {}),
      job(24 * 9, { status: 'completed', outcome: 'imported' }),
    ];
    const report = buildReport(jobs, now, 7);
    expect(report.total).toBe(7);
    expect(report.outcomes).toEqual({
      imported: 1,
      alreadyRegistered: 1,
      failed: 2,
      rejected: 1,
      expired: 1,
      open: 1,
    });
    expect(report.medianApproveMs).toBe(20 * 60_000);
    expect(report.medianCompleteMs).toBe(20 * 60_000);
    expect(report.topFailures).toEqual([{ reason: '808 ZtdDeviceAssignedToOtherTenant', count: 2 }]);
    expect(report.decisionsByApprover).toEqual([
      { approver: 'Bob', approved: 2, rejected: 1 },
      { approver: 'Alice', approved: 2, rejected: 0 },
    ]);
  });

  it('says nothing about medians when nothing was decided', () => {
    const report = buildReport([job(1, {})], now, 7);
    expect(report.medianApproveMs).toBeUndefined();
    expect(report.medianCompleteMs).toBeUndefined();
  });
});
