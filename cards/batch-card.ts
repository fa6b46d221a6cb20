/**
 * Turns a CSV batch and its jobs into the batch card: one card for the whole file, decided once (Approve all /
 * Reject all), then showing the batch's overall progress, its failed devices and the rows that were refused.
 */
import { NO_TAG, type InputProblem } from '../services/approvals/decision-inputs.js';
import { isRuleActor } from '../services/policy/policy.js';
import type { ApprovalConfig } from '../services/config/config.js';
import { batchProgress, type BatchProgress, type ImportBatch } from '../services/domain/batch.js';
import type { ImportJob } from '../services/domain/job.js';
import { fitsTeamsMessage } from './card-size.js';
import { escapeCardText as esc, plainText } from './escape.js';
import { formatInstant } from './format.js';
import { inputsView } from './inputs-view.js';
import { kindOf } from '../services/domain/job-kinds.js';
import { expandTemplate } from './template-engine.js';
import template from './templates/batch-card.json' with { type: 'json' };

/** Rows listed by name before the card says "and N more"; keeps the largest batch well under 28 KB. */
const LISTED = 10;
const MODELS_LISTED = 5;

export interface BatchCardOptions {
  approvals: ApprovalConfig;
  problems?: InputProblem[];
  notice?: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** How a batch speaks of its work: a registration, a bulk re-tag, corporate identifiers. */
interface Words {
  doing: string;
  done: string;
}
const REGISTERING: Words = { doing: 'Importing', done: 'registered' };
const CHANGING: Words = { doing: 'Changing', done: 'changed' };
const IDENTIFYING: Words = { doing: 'Importing', done: 'imported' };

function statusLine(
  batch: ImportBatch,
  p: BatchProgress,
  ruleApproved: number,
  words: Words,
): { text: string; color: string } {
  const done = p.registered + p.alreadyRegistered;
  if (batch.decision?.verb === 'reject') return { text: 'Rejected', color: 'Attention' };
  if (!batch.decision && p.byStatus.awaiting_approval > 0)
    return batch.firstApproval
      ? { text: 'Waiting for a second approver', color: 'Accent' }
      : { text: 'Waiting for approval', color: 'Accent' };
  // Devices a policy rule approved at intake go on without a decision on the batch.
  if (!batch.decision && ruleApproved === 0)
    return { text: 'Expired: nobody decided before the deadline', color: 'Warning' };
  if (p.finished < p.total)
    return { text: `${words.doing}: ${p.finished} of ${p.total} done`, color: 'Accent' };
  if (done === p.total)
    return { text: `Completed: all ${plural(p.total, 'device')} ${words.done}`, color: 'Good' };
  const expired = p.byStatus.expired > 0 ? `, ${p.byStatus.expired} expired` : '';
  return {
    text: `Finished: ${done} of ${p.total} ${words.done}, ${p.byStatus.failed} failed${expired}`,
    color: p.byStatus.failed > 0 ? 'Attention' : 'Warning',
  };
}

/** What every job of the batch is: a batch holds one kind (a CSV of hashes, of identifiers, or of serials). */
function kindOfBatch(jobs: readonly ImportJob[]): 'register' | 'change' | 'corporateIdentifier' {
  const first = jobs[0] ? kindOf(jobs[0]) : 'register';
  return first === 'change' || first === 'corporateIdentifier' ? first : 'register';
}

function batchTitle(
  kind: ReturnType<typeof kindOfBatch>,
  jobs: readonly ImportJob[],
  devices: string,
): string {
  if (kind === 'corporateIdentifier')
    return `Corporate identifiers (Autopilot device preparation): batch of ${devices}`;
  if (kind === 'change') {
    const tag = jobs[0]?.change?.groupTag;
    return `Change the group tag to ${tag ? esc(tag) : 'none'}: batch of ${devices}`;
  }
  return `Autopilot registration: batch of ${devices}`;
}

function progressLine(p: BatchProgress): string {
  const percent = p.total === 0 ? 100 : Math.floor((p.finished / p.total) * 100);
  return `Progress: ${p.finished} of ${p.total} finished (${percent}%)`;
}

function counts(p: BatchProgress, words: Words): { label: string; value: string }[] {
  const capital = words.done.charAt(0).toUpperCase() + words.done.slice(1);
  const rows: [string, number][] = [
    ['Queued', p.byStatus.approved],
    [words.doing, p.byStatus.running],
    [capital, p.registered],
    ['Already registered', p.alreadyRegistered],
    ['Failed', p.byStatus.failed],
    ['Rejected', p.byStatus.rejected],
    ['Expired', p.byStatus.expired],
  ];
  return rows.filter(([, n]) => n > 0).map(([label, n]) => ({ label, value: String(n) }));
}

function more(total: number, listed: number, what: string): string {
  return total > listed ? `…and ${total - listed} more ${what}.` : '';
}

export function batchCardView(
  batch: ImportBatch,
  jobs: readonly ImportJob[],
  options: BatchCardOptions,
  /** How many failed devices and refused rows the card lists (fewer when the card would be too big). */
  listed = LISTED,
) {
  const p = batchProgress(batch, jobs);
  const ruleApproved = jobs.filter((j) => j.approval && isRuleActor(j.approval.by)).length;
  const kind = kindOfBatch(jobs);
  const words = kind === 'change' ? CHANGING : kind === 'corporateIdentifier' ? IDENTIFYING : REGISTERING;
  const status = statusLine(batch, p, ruleApproved, words);
  const awaiting = !batch.decision && p.byStatus.awaiting_approval > 0;
  const decision = batch.decision;
  const underway = decision?.verb === 'approve' || ruleApproved > 0;
  const rules = [...new Set(jobs.flatMap((j) => (j.policy && !j.policy.dryRun ? [j.policy.rule] : [])))];
  const dryRuns = [...new Set(jobs.flatMap((j) => (j.policy?.dryRun ? [j.policy.rule] : [])))];
  const first = batch.firstApproval;
  const models = p.models
    .slice(0, MODELS_LISTED)
    .map((m) => `${esc(m.manufacturer)} ${esc(m.model)} (${m.count})`)
    .join(', ');
  const requestedTags = new Set(jobs.map((j) => j.device.requestedGroupTag));
  const warnings = awaiting
    ? [
        p.flagged.alreadyRegistered > 0
          ? `${plural(p.flagged.alreadyRegistered, 'serial number is', 'serial numbers are')} already registered in Autopilot.`
          : '',
        p.flagged.notOnAllowList > 0
          ? `${plural(p.flagged.notOnAllowList, 'device is', 'devices are')} not on the manufacturer or model allow-list.`
          : '',
        jobs.some((j) => j.status === 'awaiting_approval' && j.reminders?.expiryWarnedAt)
          ? `The waiting devices expire at ${formatInstant(p.decideBy)} unless someone decides before then.`
          : '',
      ].filter(Boolean)
    : [];
  return {
    batchId: batch.id,
    // A bulk re-tag names its tag in the request; corporate identifiers take none: no tag to choose.
    tagless: kind !== 'register',
    title: batchTitle(kind, jobs, plural(p.total, 'device')),
    summary: `${awaiting ? 'Approval needed: batch' : 'Batch'} of ${plural(p.total, 'device')}: ${status.text}`,
    statusLine: status.text,
    statusColor: status.color,
    progress: underway ? progressLine(p) : '',
    policyLine: [
      ruleApproved > 0 ? `${plural(ruleApproved, 'device')} approved by rule ${esc(rules.join(', '))}.` : '',
      ruleApproved === 0 && rules.length > 0 ? `Rules matched: ${esc(rules.join(', '))}.` : '',
      dryRuns.length > 0 ? `Dry run: rules ${esc(dryRuns.join(', '))} matched; they did nothing.` : '',
      first && awaiting
        ? `First approval: ${esc(first.by.name ?? first.by.id)}, ${formatInstant(first.at)}, ${first.groupTag ? `tag ${esc(first.groupTag)}` : 'no tag'}; waiting for a second, different approver.`
        : '',
    ]
      .filter(Boolean)
      .join(' '),
    warnings,
    devices: String(p.total),
    models: models + (p.models.length > MODELS_LISTED ? `, and ${p.models.length - MODELS_LISTED} more` : ''),
    file: [
      plural(batch.rows, 'row'),
      `${p.total} for approval`,
      `${batch.refused.length} refused`,
      ...(batch.alreadyOpen > 0 ? [`${batch.alreadyOpen} already requested elsewhere`] : []),
    ].join(' · '),
    submitted: `${formatInstant(batch.createdAt)} via CSV batch (${esc(batch.submittedBy.via)})`,
    deadline: formatInstant(p.decideBy),
    awaiting,
    decided: decision !== undefined,
    decisionTitle: decision?.verb === 'reject' ? 'Rejected by' : 'Approved by',
    decisionBy: decision ? `${esc(decision.by.name ?? decision.by.id)}, ${formatInstant(decision.at)}` : '',
    groupTag: decision?.verb === 'approve' ? esc(decision.groupTag ?? 'No tag') : '',
    // Free text goes in TextRuns, which no client reads as Markdown or HTML: as typed, nothing escaped.
    comment: decision?.verb === 'approve' ? plainText(decision.comment) : '',
    reason: decision?.verb === 'reject' ? plainText(decision.reason) : '',
    counts: decision || underway ? counts(p, words) : [],
    failures: p.failed.slice(0, listed).map((job) => ({
      text: `${esc(job.device.serialNumber)}: ${esc(job.error?.code ?? '')} ${esc(job.error?.name ?? '')}. ${esc(job.error?.advice ?? '')}`,
    })),
    moreFailures: more(p.failed.length, listed, 'failed devices'),
    refused: batch.refused.slice(0, listed).map((r) => ({
      text: `Line ${r.line} · ${esc(r.serialNumber || '(no serial)')}: ${esc(r.reason)}`,
    })),
    moreRefused: more(batch.refused.length, listed, 'refused rows (the batch report lists them all)'),
    canRetry: p.failed.some((j) => j.error?.retryable === true),
    notice: esc(options.notice ?? ''),
    updated: formatInstant(p.version),
    // One suggestion for all: the CSV's group tag when every row asks for the same one.
    ...inputsView(
      options.approvals,
      options.problems,
      first ? (first.groupTag ?? NO_TAG) : requestedTags.size === 1 ? [...requestedTags][0] : undefined,
    ),
  };
}

/** The batch card, its lists cut ("…and N more") until the message fits Teams' size limit: never refused for size. */
export function renderBatchCard(
  batch: ImportBatch,
  jobs: readonly ImportJob[],
  options: BatchCardOptions,
): Record<string, unknown> {
  let card: Record<string, unknown> = {};
  for (const listed of [LISTED, 5, 2, 0]) {
    card = expandTemplate(template, batchCardView(batch, jobs, options, listed));
    if (fitsTeamsMessage(card)) return card;
  }
  return card;
}
