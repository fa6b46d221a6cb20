/**
 * Report figures from a stream of projected rows (a few small fields per job, never the document), for a store
 * whose query language lacks what SQLite has (GROUP BY and OFFSET in the local Cosmos DB server, percentiles
 * everywhere in Cosmos DB). Memory grows with the distinct keys and two numbers per job, not with the jobs'
 * documents. Pure.
 */
import type { JobStatus, Outcome } from '../domain/job.js';
import {
  emptyOutcomes,
  NO_TAG_LABEL,
  NOT_APPROVED,
  outcomeKey,
  percentilesOf,
  sortApprovers,
  sortRows,
  type BreakdownName,
  type BreakdownRow,
  type OutcomeCounts,
  type ReportFigures,
  type ReportPeriod,
} from './figures.js';
import { RULE_PREFIX } from '../policy/policy.js';

/** The fields of a job a report reads. */
export interface ReportRow {
  status: JobStatus;
  outcome?: Outcome | null;
  createdAt: string;
  updatedAt: string;
  via: string;
  manufacturer: string;
  model: string;
  /** Present when approved; `approvedTag` null means "no tag". */
  approvedAt?: string | null;
  approvedTag?: string | null;
  approver?: string | null;
  approverId?: string | null;
  rejecter?: string | null;
  errorCode?: string | null;
  errorName?: string | null;
}

export class ReportAccumulator {
  private total = 0;
  private readonly outcomes = emptyOutcomes();
  private readonly rows: Record<BreakdownName, Map<string, BreakdownRow>> = {
    tag: new Map(),
    source: new Map(),
    model: new Map(),
    failure: new Map(),
  };
  private readonly days = new Map<string, number>();
  private readonly approvers = new Map<string, { approved: number; rejected: number }>();
  private readonly approveMs: number[] = [];
  private readonly completeMs: number[] = [];

  constructor(private readonly period: ReportPeriod) {}

  add(row: ReportRow): void {
    const outcome = outcomeKey(row.status, row.outcome);
    this.total++;
    this.outcomes[outcome]++;
    const approved = typeof row.approvedAt === 'string';
    this.count('tag', approved ? (row.approvedTag ?? NO_TAG_LABEL) : NOT_APPROVED, outcome);
    this.count('source', row.via, outcome);
    this.count('model', `${row.manufacturer} ${row.model}`, outcome);
    if (row.status === 'failed')
      this.count('failure', `${row.errorCode ?? '?'} ${row.errorName ?? 'unknown'}`, outcome);
    const day = row.createdAt.slice(0, 10);
    this.days.set(day, (this.days.get(day) ?? 0) + 1);
    const decider = approved ? row.approver : row.rejecter;
    if (decider) {
      const entry = this.approvers.get(decider) ?? { approved: 0, rejected: 0 };
      if (approved) entry.approved++;
      else entry.rejected++;
      this.approvers.set(decider, entry);
    }
    if (approved) {
      const approvedAt = Date.parse(row.approvedAt as string);
      if (!row.approverId?.startsWith(RULE_PREFIX))
        this.approveMs.push(approvedAt - Date.parse(row.createdAt));
      if (row.status === 'completed') this.completeMs.push(Date.parse(row.updatedAt) - approvedAt);
    }
  }

  private count(name: BreakdownName, key: string, outcome: keyof OutcomeCounts): void {
    const rows = this.rows[name];
    const row = rows.get(key) ?? { key, total: 0, outcomes: emptyOutcomes() };
    row.total++;
    row.outcomes[outcome]++;
    rows.set(key, row);
  }

  figures(): ReportFigures {
    const timeToApprove = percentilesOf(this.approveMs);
    const timeToComplete = percentilesOf(this.completeMs);
    return {
      period: this.period,
      total: this.total,
      outcomes: { ...this.outcomes },
      breakdowns: {
        tag: sortRows([...this.rows.tag.values()]),
        source: sortRows([...this.rows.source.values()]),
        model: sortRows([...this.rows.model.values()]),
        failure: sortRows([...this.rows.failure.values()]),
      },
      perDay: [...this.days].map(([day, count]) => ({ day, count })).sort((a, b) => (a.day < b.day ? -1 : 1)),
      decisionsByApprover: sortApprovers([...this.approvers].map(([approver, d]) => ({ approver, ...d }))),
      ...(timeToApprove ? { timeToApprove } : {}),
      ...(timeToComplete ? { timeToComplete } : {}),
    };
  }
}
