import { afterAll, describe, expect, it } from 'vitest';
import type { ImportJob } from '../../../services/domain/job.js';
import { ReportAccumulator } from '../../../services/reports/accumulator.js';
import type { ReportFigures, ReportPeriod } from '../../../services/reports/figures.js';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
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

const period: ReportPeriod = { from: hoursAgo(7 * 24).toISOString(), to: now.toISOString() };

function scenario(): ImportJob[] {
  const error = (name: string) => ({
    step: 'await-import' as const,
    code: '808',
    name,
    advice: '',
    retryable: false,
  });
  return [
    job(10, {
      status: 'completed',
      outcome: 'imported',
      approval: approval(alice, 10, 10),
      updatedAt: new Date(hoursAgo(10).getTime() + 40 * 60_000).toISOString(),
    }),
    job(20, {
      status: 'completed',
      outcome: 'already_registered',
      approval: { ...approval(alice, 20, 30), groupTag: 'Sales' },
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
}

/** The hand-counted figures of the scenario: each store's way of computing them must give these. */
function expectScenario(report: ReportFigures): void {
  expect(report.total).toBe(7);
  expect(report.outcomes).toEqual({
    imported: 1,
    already_registered: 1,
    changed: 0,
    failed: 2,
    rejected: 1,
    expired: 1,
    open: 1,
  });
  // Approvals after 10, 20, 20 and 30 minutes; completions 30 and 10 minutes after approval (nearest rank).
  expect(report.timeToApprove).toEqual({ count: 4, p50: 20 * 60_000, p90: 30 * 60_000, p99: 30 * 60_000 });
  expect(report.timeToComplete).toEqual({ count: 2, p50: 10 * 60_000, p90: 30 * 60_000, p99: 30 * 60_000 });
  expect(report.breakdowns.failure).toEqual([
    { key: '808 ZtdDeviceAssignedToOtherTenant', total: 2, outcomes: expect.objectContaining({ failed: 2 }) },
  ]);
  expect(report.breakdowns.tag.map((r) => [r.key, r.total])).toEqual([
    ['(no tag)', 3],
    ['(not approved)', 3],
    ['Sales', 1],
  ]);
  expect(report.decisionsByApprover).toEqual([
    { approver: 'Bob', approved: 2, rejected: 1 },
    { approver: 'Alice', approved: 2, rejected: 0 },
  ]);
}

describe('report figures of a hand-counted scenario', () => {
  const store = new SqliteJobStore(':memory:');
  afterAll(() => store.close());

  it('in SQL (SQLite)', async () => {
    for (const j of scenario()) await store.create(j);
    expectScenario(await store.report(period));
  });

  it('from projected rows (the accumulator Cosmos DB reads into)', () => {
    const accumulator = new ReportAccumulator(period);
    for (const j of scenario().filter((x) => x.createdAt >= period.from && x.createdAt < period.to))
      accumulator.add({
        status: j.status,
        outcome: j.outcome ?? null,
        createdAt: j.createdAt,
        updatedAt: j.updatedAt,
        via: j.submittedBy.via,
        manufacturer: j.device.manufacturer,
        model: j.device.model,
        ...(j.approval ? { approvedAt: j.approval.at, approvedTag: j.approval.groupTag } : {}),
        approver: j.approval ? (j.approval.by.name ?? j.approval.by.id) : null,
        rejecter: j.rejection ? (j.rejection.by.name ?? j.rejection.by.id) : null,
        errorCode: j.error?.code ?? null,
        errorName: j.error?.name ?? null,
      });
    expectScenario(accumulator.figures());
  });

  it('says nothing about percentiles when nothing was decided', async () => {
    const empty = new SqliteJobStore(':memory:');
    await empty.create(job(1, {}));
    const report = await empty.report(period);
    await empty.close();
    expect(report.total).toBe(1);
    expect(report.timeToApprove).toBeUndefined();
    expect(report.timeToComplete).toBeUndefined();
  });
});
