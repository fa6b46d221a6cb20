/**
 * One row per job for auditors and asset registers (issue: export). Pure: what a job says about itself, never its
 * hardware hash (not even its fingerprint: a register keys on the serial).
 */
import { describeChange, kindOf } from '../domain/job-kinds.js';
import type { ImportJob } from '../domain/job.js';
import { describeTransition } from '../domain/lifecycle-job.js';

export const EXPORT_COLUMNS = [
  'jobId',
  'kind',
  'serialNumber',
  'manufacturer',
  'model',
  'requestedTag',
  'groupTag',
  'change',
  'source',
  'channel',
  'batchId',
  'requester',
  'decision',
  'decidedBy',
  'decidedAt',
  'ticket',
  'status',
  'outcome',
  'errorCode',
  'errorName',
  'createdAt',
  'updatedAt',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string>;

function decisionOf(job: ImportJob): { decision: string; by: string; at: string; text: string } {
  if (job.approval)
    return {
      decision: 'approved',
      by: job.approval.by.name ?? job.approval.by.id,
      at: job.approval.at,
      text: job.approval.comment,
    };
  if (job.rejection)
    return {
      decision: 'rejected',
      by: job.rejection.by.name ?? job.rejection.by.id,
      at: job.rejection.at,
      text: job.rejection.reason,
    };
  return { decision: job.status === 'expired' ? 'expired' : 'none', by: '', at: '', text: '' };
}

function changeOf(job: ImportJob): string {
  const record = job.graph.record;
  if (job.change) return record ? describeTransition(job.change, record) : describeChange(job.change);
  const kind = kindOf(job);
  if (kind === 'deregister') return record ? `deregister record ${record.id}` : 'deregister';
  if (kind === 'replace') return record ? `replace record ${record.id}` : 'replace';
  return '';
}

export function exportRow(job: ImportJob): ExportRow {
  const decision = decisionOf(job);
  return {
    jobId: job.id,
    kind: kindOf(job),
    serialNumber: job.device.serialNumber,
    manufacturer: job.device.manufacturer,
    model: job.device.model,
    requestedTag: job.device.requestedGroupTag ?? '',
    groupTag: (job.change?.groupTag !== undefined ? job.change.groupTag : job.approval?.groupTag) ?? '',
    // What a change or a deregistration did to the record, old and new values (a registration: empty).
    change: changeOf(job),
    source: job.submittedBy.via,
    channel: job.submittedBy.channel,
    batchId: job.batchId ?? '',
    requester: job.submittedBy.requestedBy ?? '',
    decision: decision.decision,
    decidedBy: decision.by,
    decidedAt: decision.at,
    ticket: decision.text,
    status: job.status,
    outcome: job.outcome ?? '',
    errorCode: job.error?.code ?? '',
    errorName: job.error?.name ?? '',
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
