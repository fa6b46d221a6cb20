/**
 * What a report holds, as the stores compute it over a period: counts by outcome, breakdowns by tag, source,
 * model and failure, requests per day, decisions per approver, and percentiles of the time to approve and to
 * complete. The definitions live here once, so that both stores and the tests agree on them. Pure.
 */
import type { JobStatus, Outcome } from '../domain/job.js';

/** Jobs created in [from, to): ISO-8601 instants. */
export interface ReportPeriod {
  from: string;
  to: string;
}

/** `changed`: a lifecycle job that changed or deregistered a record (a replace imports, so it counts as imported). */
export const OUTCOME_KEYS = [
  'imported',
  'already_registered',
  'changed',
  'failed',
  'rejected',
  'expired',
  'open',
] as const;
export type OutcomeKey = (typeof OUTCOME_KEYS)[number];
export type OutcomeCounts = Record<OutcomeKey, number>;

/** Nearest-rank percentiles in milliseconds (the value at rank ⌈p·n⌉ of the sorted durations). */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface BreakdownRow {
  key: string;
  total: number;
  outcomes: OutcomeCounts;
}

export const BREAKDOWNS = ['tag', 'source', 'model', 'failure'] as const;
export type BreakdownName = (typeof BREAKDOWNS)[number];

export interface ReportFigures {
  period: ReportPeriod;
  total: number;
  outcomes: OutcomeCounts;
  /** Rows sorted by total (descending), then key; `failure` counts failed jobs only. */
  breakdowns: Record<BreakdownName, BreakdownRow[]>;
  /** Requests per UTC day (YYYY-MM-DD), oldest first; days without requests are left out. */
  perDay: { day: string; count: number }[];
  decisionsByApprover: { approver: string; approved: number; rejected: number }[];
  /** From submission to approval, over jobs a person approved (a rule approves at once: left out). */
  timeToApprove?: Percentiles;
  /** From approval to completion (the completed job's last change), over completed jobs. */
  timeToComplete?: Percentiles;
}

/** Labels of the keys that a job may lack. */
export const NOT_APPROVED = '(not approved)';
export const NO_TAG_LABEL = '(no tag)';

export function outcomeKey(status: JobStatus, outcome: Outcome | undefined | null): OutcomeKey {
  switch (status) {
    case 'completed':
      if (outcome === 'already_registered') return 'already_registered';
      return outcome === 'changed' || outcome === 'deregistered' ? 'changed' : 'imported';
    case 'awaiting_approval':
    case 'approved':
    case 'running':
      return 'open';
    default:
      return status;
  }
}

export function emptyOutcomes(): OutcomeCounts {
  return { imported: 0, already_registered: 0, changed: 0, failed: 0, rejected: 0, expired: 0, open: 0 };
}

/** The value at rank ⌈p·n⌉ (1-based) of ascending values; `sorted` must be sorted. */
export function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? NaN;
}

/** The 0-based offsets of p50, p90 and p99 among `count` sorted values (for stores that seek to a rank). */
export function percentileOffsets(count: number): { p50: number; p90: number; p99: number } {
  const at = (p: number) => Math.max(1, Math.ceil(p * count)) - 1;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

export function percentilesOf(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    p50: nearestRank(list, 0.5),
    p90: nearestRank(list, 0.9),
    p99: nearestRank(list, 0.99),
  };
}

/** Most first, then by key; ties between approvers by name. */
export function sortRows(rows: BreakdownRow[]): BreakdownRow[] {
  return rows.sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function sortApprovers(
  rows: { approver: string; approved: number; rejected: number }[],
): { approver: string; approved: number; rejected: number }[] {
  return rows.sort(
    (a, b) =>
      b.approved + b.rejected - (a.approved + a.rejected) ||
      (a.approver < b.approver ? -1 : a.approver > b.approver ? 1 : 0),
  );
}
