/** The managers' summary of a period, computed from jobs alone. Pure. */
import type { ImportJob } from '../domain/job.js';

export interface Report {
  days: number;
  from: string;
  to: string;
  total: number;
  outcomes: {
    imported: number;
    alreadyRegistered: number;
    failed: number;
    rejected: number;
    expired: number;
    open: number;
  };
  medianApproveMs?: number;
  medianCompleteMs?: number;
  topFailures: { reason: string; count: number }[];
  decisionsByApprover: { approver: string; approved: number; rejected: number }[];
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function countBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** Jobs submitted in the `days` before `now`. */
export function buildReport(jobs: readonly ImportJob[], now: Date, days: number): Report {
  const from = new Date(now.getTime() - days * 86_400_000).toISOString();
  const inPeriod = jobs.filter((j) => j.createdAt >= from && j.createdAt <= now.toISOString());
  const is = (predicate: (j: ImportJob) => boolean) => inPeriod.filter(predicate).length;
  const approved = inPeriod.filter((j) => j.approval);
  const finished = inPeriod.filter((j) => j.status === 'completed' && j.approval);
  const decisions = new Map<string, { approved: number; rejected: number }>();
  for (const job of inPeriod) {
    const decision = job.approval
      ? { by: job.approval.by, kind: 'approved' as const }
      : job.rejection
        ? { by: job.rejection.by, kind: 'rejected' as const }
        : undefined;
    if (!decision) continue;
    const name = decision.by.name ?? decision.by.id;
    const entry = decisions.get(name) ?? { approved: 0, rejected: 0 };
    entry[decision.kind]++;
    decisions.set(name, entry);
  }
  const medianApproveMs = median(
    approved.map((j) => Date.parse(j.approval?.at ?? '') - Date.parse(j.createdAt)),
  );
  const medianCompleteMs = median(
    finished.map((j) => Date.parse(j.updatedAt) - Date.parse(j.approval?.at ?? '')),
  );
  return {
    days,
    from,
    to: now.toISOString(),
    total: inPeriod.length,
    outcomes: {
      imported: is((j) => j.status === 'completed' && j.outcome === 'imported'),
      alreadyRegistered: is((j) => j.status === 'completed' && j.outcome === 'already_registered'),
      failed: is((j) => j.status === 'failed'),
      rejected: is((j) => j.status === 'rejected'),
      expired: is((j) => j.status === 'expired'),
      open: is((j) => j.status === 'awaiting_approval' || j.status === 'approved' || j.status === 'running'),
    },
    ...(medianApproveMs === undefined ? {} : { medianApproveMs }),
    ...(medianCompleteMs === undefined ? {} : { medianCompleteMs }),
    topFailures: [
      ...countBy(
        inPeriod.filter((j) => j.status === 'failed'),
        (j) => j.error && `${j.error.code} ${j.error.name}`,
      ),
    ]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
      .slice(0, 5),
    decisionsByApprover: [...decisions]
      .map(([approver, d]) => ({ approver, ...d }))
      .sort(
        (a, b) => b.approved + b.rejected - (a.approved + a.rejected) || a.approver.localeCompare(b.approver),
      ),
  };
}
