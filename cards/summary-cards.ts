/** The report, the pending list and "my requests": read-only cards filled from typed views. */
import type { ImportJob } from '../services/domain/job.js';
import type { Report } from '../services/reports/report.js';
import { escapeCardText as esc } from './escape.js';
import { formatDuration, formatInstant } from './format.js';
import { statusLine } from './job-card.js';
import listTemplate from './templates/list-card.json' with { type: 'json' };
import reportTemplate from './templates/report-card.json' with { type: 'json' };
import { expandTemplate } from './template-engine.js';

/** Rows a list card shows; the rest are counted ("…and 230 more"). */
export const LIST_LIMIT = 25;

export function renderReportCard(report: Report): Record<string, unknown> {
  return expandTemplate(reportTemplate, {
    summary: `Report of the last ${report.days} days: ${report.total} requests`,
    days: report.days,
    period: `${formatInstant(report.from)} to ${formatInstant(report.to)}`,
    total: String(report.total),
    imported: String(report.outcomes.imported),
    alreadyRegistered: String(report.outcomes.alreadyRegistered),
    failed: String(report.outcomes.failed),
    rejected: String(report.outcomes.rejected),
    expired: String(report.outcomes.expired),
    open: String(report.outcomes.open),
    medianApprove:
      report.medianApproveMs === undefined ? 'none decided' : formatDuration(report.medianApproveMs),
    medianComplete:
      report.medianCompleteMs === undefined ? 'none completed' : formatDuration(report.medianCompleteMs),
    failures: report.topFailures.map((f) => ({ count: f.count, reason: esc(f.reason) })),
    approvers: report.decisionsByApprover.map((a) => ({ ...a, approver: esc(a.approver) })),
  });
}

/** The first page of a listing and how many match in all (counted by the store). */
export interface ListPage {
  jobs: readonly ImportJob[];
  total: number;
}

function listCard(
  title: string,
  empty: string,
  page: ListPage,
  secondary: (job: ImportJob) => string,
): Record<string, unknown> {
  const shown = page.jobs.slice(0, LIST_LIMIT);
  const total = Math.max(page.total, page.jobs.length);
  return expandTemplate(listTemplate, {
    summary: `${title}: ${total}`,
    title,
    empty,
    rows: shown.map((job) => ({
      primary: `${esc(job.device.serialNumber)} · ${esc(job.device.manufacturer)} ${esc(job.device.model)}`,
      secondary: secondary(job),
    })),
    more: total > shown.length ? `…and ${total - shown.length} more.` : '',
  });
}

export function renderPendingCard(page: ListPage, now: Date): Record<string, unknown> {
  return listCard(
    `Waiting for approval (${Math.max(page.total, page.jobs.length)})`,
    'Nothing is waiting for approval.',
    page,
    (job) => {
      const waited = formatDuration(now.getTime() - Date.parse(job.createdAt));
      return `Submitted ${waited} ago via ${esc(job.submittedBy.via)} · decide by ${formatInstant(job.approvalDeadline)}`;
    },
  );
}

export function renderRequestsCard(page: ListPage): Record<string, unknown> {
  return listCard(
    'Your requests',
    'You have no requests from the last 30 days.',
    page,
    (job) => `${statusLine(job).text} · submitted ${formatInstant(job.createdAt)} · job ${job.id}`,
  );
}
