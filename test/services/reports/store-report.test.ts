/**
 * The report's figures as each store computes them (SQL in SQLite, a projected query in Cosmos DB), checked
 * against a brute-force count over the same 10,000 generated jobs, including a period that cuts the data.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJob } from '../../../services/domain/job.js';
import type { ReportPeriod } from '../../../services/reports/figures.js';
import { CosmosJobStore } from '../../../services/store/cosmos/cosmos-job-store.js';
import type { JobStore } from '../../../services/store/job-store.js';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
import { LOCAL_COSMOS_KEY, startLocalCosmos, type LocalCosmos } from '../../support/cosmos-server.js';
import { generateReportJobs } from '../../support/report-jobs.js';

const START = new Date('2026-10-01T00:00:00Z');
const JOBS = generateReportJobs(10_000, START, 40);
const WHOLE: ReportPeriod = { from: START.toISOString(), to: '2026-11-10T00:00:00.000Z' };
const CUT: ReportPeriod = { from: '2026-10-12T06:30:00.000Z', to: '2026-10-29T00:00:00.000Z' };

/** The figures by brute force, written apart from the product's code: plain loops over whole jobs. */
function bruteForce(jobs: readonly ImportJob[], period: ReportPeriod) {
  const inPeriod = jobs.filter((j) => j.createdAt >= period.from && j.createdAt < period.to);
  const outcomeOf = (j: ImportJob) =>
    j.status === 'completed'
      ? j.outcome === 'already_registered'
        ? 'already_registered'
        : j.outcome === 'changed' || j.outcome === 'deregistered'
          ? 'changed'
          : 'imported'
      : ['awaiting_approval', 'approved', 'running'].includes(j.status)
        ? 'open'
        : j.status;
  const tally = (key: (j: ImportJob) => string | undefined) => {
    const rows: Record<string, Record<string, number>> = {};
    for (const j of inPeriod) {
      const k = key(j);
      if (k === undefined) continue;
      const row = (rows[k] ??= { total: 0 });
      row.total = (row.total ?? 0) + 1;
      row[outcomeOf(j)] = (row[outcomeOf(j)] ?? 0) + 1;
    }
    return rows;
  };
  const rank = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.ceil(p * sorted.length) - 1];
  };
  // A rule approves at once: only people's approvals count.
  const approveMs = inPeriod
    .filter((j) => j.approval && !j.approval.by.id.startsWith('rule:'))
    .map((j) => Date.parse(j.approval?.at ?? '') - Date.parse(j.createdAt));
  const completeMs = inPeriod
    .filter((j) => j.approval && j.status === 'completed')
    .map((j) => Date.parse(j.updatedAt) - Date.parse(j.approval?.at ?? ''));
  const deciders: Record<string, { approved: number; rejected: number }> = {};
  for (const j of inPeriod) {
    const by = j.approval?.by ?? j.rejection?.by;
    if (!by) continue;
    const entry = (deciders[by.name ?? by.id] ??= { approved: 0, rejected: 0 });
    if (j.approval) entry.approved++;
    else entry.rejected++;
  }
  const days: Record<string, number> = {};
  for (const j of inPeriod) days[j.createdAt.slice(0, 10)] = (days[j.createdAt.slice(0, 10)] ?? 0) + 1;
  return {
    total: inPeriod.length,
    outcomes: tally(() => 'all').all,
    tag: tally((j) => (j.approval ? (j.approval.groupTag ?? '(no tag)') : '(not approved)')),
    source: tally((j) => j.submittedBy.via),
    model: tally((j) => `${j.device.manufacturer} ${j.device.model}`),
    failure: tally((j) => (j.status === 'failed' ? `${j.error?.code} ${j.error?.name}` : undefined)),
    days,
    deciders,
    approve: {
      count: approveMs.length,
      p50: rank(approveMs, 0.5),
      p90: rank(approveMs, 0.9),
      p99: rank(approveMs, 0.99),
    },
    complete: {
      count: completeMs.length,
      p50: rank(completeMs, 0.5),
      p90: rank(completeMs, 0.9),
      p99: rank(completeMs, 0.99),
    },
  };
}

async function expectFigures(store: JobStore, period: ReportPeriod): Promise<void> {
  const expected = bruteForce(JOBS, period);
  const figures = await store.report(period);
  expect(figures.total).toBe(expected.total);
  const { total: _t, ...outcomes } = expected.outcomes ?? {};
  expect(Object.fromEntries(Object.entries(figures.outcomes).filter(([, n]) => n > 0))).toEqual(outcomes);
  for (const name of ['tag', 'source', 'model', 'failure'] as const) {
    const rows = Object.fromEntries(
      figures.breakdowns[name].map((r) => [
        r.key,
        { total: r.total, ...Object.fromEntries(Object.entries(r.outcomes).filter(([, n]) => n > 0)) },
      ]),
    );
    expect(rows, name).toEqual(expected[name]);
    const totals = figures.breakdowns[name].map((r) => r.total);
    expect(totals, `${name} is sorted, most first`).toEqual([...totals].sort((a, b) => b - a));
  }
  expect(Object.fromEntries(figures.perDay.map((d) => [d.day, d.count]))).toEqual(expected.days);
  expect(figures.perDay.map((d) => d.day)).toEqual(Object.keys(expected.days).sort());
  expect(
    Object.fromEntries(
      figures.decisionsByApprover.map((d) => [d.approver, { approved: d.approved, rejected: d.rejected }]),
    ),
  ).toEqual(expected.deciders);
  expect(figures.timeToApprove).toEqual(expected.approve);
  expect(figures.timeToComplete).toEqual(expected.complete);
}

async function fill(store: JobStore, jobs: readonly ImportJob[], parallel: number): Promise<void> {
  for (let i = 0; i < jobs.length; i += parallel)
    await Promise.all(jobs.slice(i, i + parallel).map((job) => store.create(job)));
}

describe('report figures computed by the store, against a brute-force count over 10,000 jobs', () => {
  it('the generated data covers every outcome, tag, source, model and failure', () => {
    const expected = bruteForce(JOBS, WHOLE);
    expect(expected.total).toBe(10_000);
    expect(Object.keys(expected.outcomes ?? {}).sort()).toEqual(
      ['already_registered', 'changed', 'expired', 'failed', 'imported', 'open', 'rejected', 'total'].sort(),
    );
    expect(Object.keys(expected.tag)).toHaveLength(5);
    expect(Object.keys(expected.failure)).toHaveLength(3);
  });

  describe('SQLite', () => {
    let dir: string;
    let store: SqliteJobStore;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'aa-report-'));
      store = new SqliteJobStore(join(dir, 'jobs.db'));
      await fill(store, JOBS, 1);
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('over the whole data', () => expectFigures(store, WHOLE));
    it('over a period that starts and ends between jobs', () => expectFigures(store, CUT));
    it('over an empty period: zeros and no percentiles', async () => {
      const figures = await store.report({ from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' });
      expect(figures.total).toBe(0);
      expect(figures.timeToApprove).toBeUndefined();
      expect(figures.breakdowns.tag).toEqual([]);
    });
  });

  describe('Cosmos DB (local server)', () => {
    let cosmos: LocalCosmos;
    let store: CosmosJobStore;
    beforeAll(async () => {
      cosmos = await startLocalCosmos();
      store = await CosmosJobStore.open({
        endpoint: cosmos.endpoint,
        key: LOCAL_COSMOS_KEY,
        databaseId: 'autopilot-approvals',
        containerId: `jobs-${randomUUID()}`,
        retentionDays: 90,
        createIfMissing: true,
        agent: cosmos.agent,
      });
      await fill(store, JOBS, 25);
    }, 240_000);
    afterAll(async () => {
      await store.close();
      await cosmos.stop();
    });

    it('over the whole data', () => expectFigures(store, WHOLE));
    it('over a period that starts and ends between jobs', () => expectFigures(store, CUT));
  });
});
