/**
 * Appending to a job's audit trail without letting it grow without bound: a refusal repeated by the same
 * person for the same verb is one entry with a count and the time of the latest try (a batch card refuses
 * every click on every one of its jobs), so a document stays far below Cosmos DB's 2 MB item limit.
 */
import type { AuditEvent, ImportJob } from './job.js';

const sameRefusal = (a: AuditEvent, b: AuditEvent) =>
  a.action === 'denied' && b.action === 'denied' && a.by.id === b.by.id && a.detail === b.detail;

export function withAudit(job: ImportJob, event: AuditEvent): ImportJob {
  const earlier = job.audit.findIndex((e) => sameRefusal(e, event));
  if (earlier < 0) return { ...job, audit: [...job.audit, event] };
  const previous = job.audit[earlier]!;
  const repeated: AuditEvent = { ...previous, at: event.at, count: (previous.count ?? 1) + 1 };
  return { ...job, audit: job.audit.map((e, i) => (i === earlier ? repeated : e)) };
}
