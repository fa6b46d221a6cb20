/** The report, the pending list and "my requests": read-only cards filled from typed views. */
import type { ImportJob } from '../services/domain/job.js';
import type { Report } from '../services/reports/report.js';
import { escapeCardText as esc } from './escape.js';
import { formatDuration, formatInstant } from './format.js';
import { statusLine } from './job-card.js';
import listTemplate from './templates/list-card.json' with { type: 'json' };
import reportTemplate from './templates/report-card.json' with { type: 'json' };
import { expandTemplate } from './template-engine.js';

const LIST_LIMIT = 25;

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

function listCard(
  title: string,
  empty: string,
  jobs: readonly ImportJob[],
  secondary: (job: ImportJob) => string,
): Record<string, unknown> {
  return expandTemplate(listTemplate, {
    summary: `${title}: ${jobs.length}`,
    title,
    empty,
    rows: jobs.slice(0, LIST_LIMIT).map((job) => ({
      primary: `${esc(job.device.serialNumber)} · ${esc(job.device.manufacturer)} ${esc(job.device.model)}`,
      secondary: secondary(job),
    })),
    more: jobs.length > LIST_LIMIT ? `…and ${jobs.length - LIST_LIMIT} more.` : '',
  });
}

export function renderPendingCard(jobs: readonly ImportJob[], now: Date): Record<string, unknown> {
  return listCard(
    `Waiting for approval (${jobs.length})`,
    'Nothing is waiting for approval.',
    jobs,
    (job) => {
      const waited = formatDuration(now.getTime() - Date.parse(job.createdAt));
      return `Submitted ${waited} ago via ${esc(job.submittedBy.via)} · decide by ${formatInstant(job.approvalDeadline)}`;
    },
  );
}

export function renderRequestsCard(jobs: readonly ImportJob[]): Record<string, unknown> {
  return listCard(
    'Your requests',
    'You have no requests from the last 30 days.',
    jobs,
    (job) => `${statusLine(job).text} · submitted ${formatInstant(job.createdAt)} · job ${job.id}`,
  );
}
