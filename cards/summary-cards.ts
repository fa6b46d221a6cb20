/** The report, the pending list and "my requests": read-only cards filled from typed views. */
import type { ImportJob } from '../services/domain/job.js';
import {
  OUTCOME_KEYS,
  type BreakdownRow,
  type OutcomeKey,
  type Percentiles,
  type ReportFigures,
} from '../services/reports/figures.js';
import { escapeCardText as esc } from './escape.js';
import { formatDuration, formatInstant } from './format.js';
import { statusLine } from './job-card.js';
import listTemplate from './templates/list-card.json' with { type: 'json' };
import reportTemplate from './templates/report-card.json' with { type: 'json' };
import { expandTemplate } from './template-engine.js';

/** Rows a list card shows; the rest are counted ("…and 230 more"). */
export const LIST_LIMIT = 25;

/** How the report names its period: "the last 7 days" or its first and last day. */
export type ReportTitle = { days: number } | { firstDay: string; lastDay: string };

const ROWS_PER_SECTION = 5;
const APPROVER_ROWS = 10;
/** Bars a per-day chart shows at most; a longer period is drawn in buckets of several days. */
const MAX_BARS = 31;

const OUTCOME_LABELS: Record<OutcomeKey, string> = {
  imported: 'Imported',
  already_registered: 'Already registered',
  changed: 'Changed or deregistered',
  failed: 'Failed',
  rejected: 'Rejected',
  expired: 'Expired',
  open: 'Still open',
};

function percentileText(p: Percentiles | undefined, none: string): string {
  if (!p) return none;
  return `median ${formatDuration(p.p50)} · p90 ${formatDuration(p.p90)} · p99 ${formatDuration(p.p99)} (${p.count})`;
}

function breakdownLine(row: BreakdownRow): string {
  const parts = OUTCOME_KEYS.filter((k) => row.outcomes[k] > 0).map(
    (k) => `${row.outcomes[k]} ${OUTCOME_LABELS[k].toLowerCase()}`,
  );
  return `${esc(row.key)}: ${row.total} (${parts.join(', ')})`;
}

function topRows<T>(rows: readonly T[], limit: number, line: (row: T) => string): string[] {
  const shown = rows.slice(0, limit).map(line);
  return rows.length > limit ? [...shown, `…and ${rows.length - limit} more.`] : shown;
}

/** Requests per day, or per bucket of days when the period is long, every day of the period counted. */
export function dayBuckets(figures: ReportFigures): { bucketDays: number; bars: { x: string; y: number }[] } {
  const first = Date.parse(`${figures.period.from.slice(0, 10)}T00:00:00Z`);
  const last = Date.parse(figures.period.to) - 1;
  const days = Math.max(1, Math.floor((last - first) / 86_400_000) + 1);
  const bucketDays = Math.ceil(days / MAX_BARS);
  const counts = new Map(figures.perDay.map((d) => [d.day, d.count]));
  const bars: { x: string; y: number }[] = [];
  for (let start = 0; start < days; start += bucketDays) {
    let y = 0;
    for (let d = start; d < Math.min(days, start + bucketDays); d++)
      y += counts.get(new Date(first + d * 86_400_000).toISOString().slice(0, 10)) ?? 0;
    bars.push({ x: new Date(first + start * 86_400_000).toISOString().slice(5, 10), y });
  }
  return { bucketDays, bars };
}

export function renderReportCard(figures: ReportFigures, title: ReportTitle): Record<string, unknown> {
  const o = figures.outcomes;
  const label = 'days' in title ? `the last ${title.days} days` : `${title.firstDay} to ${title.lastDay}`;
  const { bucketDays, bars } = dayBuckets(figures);
  const busiest = figures.perDay.reduce<{ day: string; count: number } | undefined>(
    (best, d) => (best && best.count >= d.count ? best : d),
    undefined,
  );
  const sections = [
    { heading: 'By group tag', rows: topRows(figures.breakdowns.tag, ROWS_PER_SECTION, breakdownLine) },
    { heading: 'By source', rows: topRows(figures.breakdowns.source, ROWS_PER_SECTION, breakdownLine) },
    { heading: 'By model', rows: topRows(figures.breakdowns.model, ROWS_PER_SECTION, breakdownLine) },
    {
      heading: 'Failures by code',
      rows: topRows(figures.breakdowns.failure, ROWS_PER_SECTION, (r) => `${r.total} × ${esc(r.key)}`),
    },
    {
      heading: 'Decisions per approver',
      rows: topRows(
        figures.decisionsByApprover,
        APPROVER_ROWS,
        (a) => `${esc(a.approver)}: ${a.approved} approved, ${a.rejected} rejected`,
      ),
    },
  ].filter((section) => section.rows.length > 0);
  return expandTemplate(reportTemplate, {
    summary: `Report of ${label}: ${figures.total} requests`,
    title: label,
    period: `Requests submitted ${formatInstant(figures.period.from)} to ${formatInstant(figures.period.to)}`,
    total: String(figures.total),
    imported: String(o.imported),
    alreadyRegistered: String(o.already_registered),
    changed: String(o.changed),
    failed: String(o.failed),
    rejected: String(o.rejected),
    expired: String(o.expired),
    open: String(o.open),
    outcomeChart: OUTCOME_KEYS.filter((k) => o[k] > 0).map((k) => ({
      legend: OUTCOME_LABELS[k],
      value: o[k],
    })),
    dayChart: figures.total > 0 ? bars : [],
    dayChartTitle: bucketDays === 1 ? 'Requests per day' : `Requests per ${bucketDays} days`,
    dayChartAxis: bucketDays === 1 ? 'Day (UTC)' : `${bucketDays} days from (UTC)`,
    busiest: busiest ? `Busiest day: ${busiest.day} (${busiest.count} requests)` : '',
    timeToApprove: percentileText(figures.timeToApprove, 'none decided'),
    timeToComplete: percentileText(figures.timeToComplete, 'none completed'),
    sections,
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

/** The daily digest: how many wait, the oldest first (closest to expiring), with how long each has waited. */
export function renderDigestCard(page: ListPage, now: Date): Record<string, unknown> {
  const total = Math.max(page.total, page.jobs.length);
  return listCard(
    `Daily digest: ${total} ${total === 1 ? 'request waits' : 'requests wait'} for approval`,
    'Nothing is waiting for approval.',
    page,
    (job) => {
      const waited = formatDuration(now.getTime() - Date.parse(job.createdAt));
      const second = job.firstApproval ? ' · needs a second approver' : '';
      return `Waiting ${waited} via ${esc(job.submittedBy.via)}${second} · expires ${formatInstant(job.approvalDeadline)}`;
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
