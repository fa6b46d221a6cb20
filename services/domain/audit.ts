/**
 * Appending to a job's audit trail without letting it grow without bound: a refusal repeated by the same
 * person for the same verb is one entry with a count and the time of the latest try (a batch card refuses
 * every click on every one of its jobs), so a document stays far below Cosmos DB's 2 MB item limit.
 */
import { applyHashRetention } from './hash-retention.js';
import type { Actor, AuditAction, AuditEvent, ImportJob } from './job.js';

const sameRefusal = (a: AuditEvent, b: AuditEvent) =>
  a.action === 'denied' && b.action === 'denied' && a.by.id === b.by.id && a.detail === b.detail;

export function withAudit(job: ImportJob, event: AuditEvent): ImportJob {
  const earlier = job.audit.findIndex((e) => sameRefusal(e, event));
  if (earlier < 0) return { ...job, audit: [...job.audit, event] };
  const previous = job.audit[earlier]!;
  const repeated: AuditEvent = { ...previous, at: event.at, count: (previous.count ?? 1) + 1 };
  return { ...job, audit: job.audit.map((e, i) => (i === earlier ? repeated : e)) };
}

export const SYSTEM: Actor = { id: 'system', name: 'Autopilot Approvals' };

/** The job with a decision or an ending added to its audit trail, and the hash-retention rule applied. */
export function audited(
  job: ImportJob,
  at: Date,
  action: AuditAction,
  by: Actor,
  detail?: string,
): ImportJob {
  const event =
    detail === undefined
      ? { at: at.toISOString(), action, by }
      : { at: at.toISOString(), action, by, detail };
  return applyHashRetention({ ...job, updatedAt: at.toISOString(), audit: [...job.audit, event] });
}
