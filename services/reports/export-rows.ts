/**
 * One row per job for auditors and asset registers (issue: export). Pure: what a job says about itself, never its
 * hardware hash (not even its fingerprint: a register keys on the serial).
 */
import type { ImportJob } from '../domain/job.js';

export const EXPORT_COLUMNS = [
  'jobId',
  'serialNumber',
  'manufacturer',
  'model',
  'requestedTag',
  'groupTag',
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

export function exportRow(job: ImportJob): ExportRow {
  const decision = decisionOf(job);
  return {
    jobId: job.id,
    serialNumber: job.device.serialNumber,
    manufacturer: job.device.manufacturer,
    model: job.device.model,
    requestedTag: job.device.requestedGroupTag ?? '',
    groupTag: job.approval?.groupTag ?? '',
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
