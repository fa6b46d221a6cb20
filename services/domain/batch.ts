/**
 * A CSV batch: the rows of one file, decided together on one card. The batch holds what its jobs cannot: the
 * refused rows and the one decision taken for all. Pure data and functions, no I/O.
 */
import { DomainError } from './errors.js';
import type { Actor, ImportJob, JobStatus, Submitter } from './job.js';
import { err, ok, type Result } from './result.js';
import { secondApprovalProblem } from './second-approval.js';

export interface BatchRefusal {
  line: number;
  serialNumber: string;
  reason: string;
  field?: string;
}

export type BatchDecision =
  | {
      verb: 'approve';
      by: Actor;
      at: string;
      groupTag: string | null;
      comment: string;
      /** The name a single device's approver set. */
      deviceName?: string;
      /** DEVICE_NAME_TEMPLATE when a batch was approved: each device is named from it. */
      deviceNameTemplate?: string;
      /**
       * A device already registered, decided on its card: update the existing record, or replace it (deregister
       * it, then import); `enrolledConfirmed` when the record's device is enrolled in Intune.
       */
      plan?: 'update' | 'replace';
      enrolledConfirmed?: boolean;
    }
  | { verb: 'reject'; by: Actor; at: string; reason: string };

export interface ImportBatch {
  id: string;
  createdAt: string;
  submittedBy: Submitter;
  /** Data rows in the file. */
  rows: number;
  /** Rows answered with a request that was already open (those jobs belong to their own card). */
  alreadyOpen: number;
  refused: BatchRefusal[];
  /** Set once, by the first approver to decide; every later click is told who it was. */
  decision?: BatchDecision;
  /** When a policy rule requires two approvers for some of its devices: the first approval, waiting for another. */
  firstApproval?: Extract<BatchDecision, { verb: 'approve' }>;
  /** When the reminder of its waiting devices went to the batch card's thread (once per batch). */
  remindedAt?: string;
}

/**
 * Records the batch's decision; refused when somebody decided first. With two approvers needed, a first approval
 * is kept apart and the decision waits for a second, different approver choosing the same tag.
 */
export function decideBatch(
  batch: ImportBatch,
  decision: BatchDecision,
  approversNeeded: 1 | 2 = 1,
): Result<ImportBatch> {
  if (batch.decision) {
    const who = batch.decision.by.name ?? batch.decision.by.id;
    const what = batch.decision.verb === 'approve' ? 'approved' : 'rejected';
    return err(new DomainError('already_decided', `This batch was already ${what} by ${who}.`));
  }
  // Once a first of two approvals is recorded, the batch needs a second whatever tag the next approver picks.
  if (decision.verb === 'reject' || (approversNeeded === 1 && !batch.firstApproval))
    return ok({ ...batch, decision });
  const first = batch.firstApproval;
  if (!first) return ok({ ...batch, firstApproval: decision });
  const problem = secondApprovalProblem(first, decision);
  if (problem) return err(problem);
  return ok({ ...batch, decision });
}

export interface BatchProgress {
  total: number;
  byStatus: Record<JobStatus, number>;
  /** Jobs in a terminal status. */
  finished: number;
  registered: number;
  alreadyRegistered: number;
  failed: ImportJob[];
  /** Distinct manufacturer and model pairs with their counts, most common first. */
  models: { manufacturer: string; model: string; count: number }[];
  flagged: { alreadyRegistered: number; notOnAllowList: number };
  /** The earliest approval deadline among jobs still waiting. */
  decideBy?: string;
  /** The newest change among the jobs: what a card showing this progress is up to date with. */
  version: string;
}

export function batchProgress(batch: ImportBatch, jobs: readonly ImportJob[]): BatchProgress {
  const byStatus: Record<JobStatus, number> = {
    awaiting_approval: 0,
    approved: 0,
    running: 0,
    completed: 0,
    failed: 0,
    rejected: 0,
    expired: 0,
  };
  const models = new Map<string, { manufacturer: string; model: string; count: number }>();
  let version = batch.createdAt;
  let decideBy: string | undefined;
  for (const job of jobs) {
    byStatus[job.status]++;
    const key = `${job.device.manufacturer}\u0000${job.device.model}`.toLowerCase();
    const entry = models.get(key) ?? {
      manufacturer: job.device.manufacturer,
      model: job.device.model,
      count: 0,
    };
    entry.count++;
    models.set(key, entry);
    if (job.updatedAt > version) version = job.updatedAt;
    if (job.status === 'awaiting_approval' && (!decideBy || job.approvalDeadline < decideBy))
      decideBy = job.approvalDeadline;
  }
  const completed = jobs.filter((j) => j.status === 'completed');
  return {
    total: jobs.length,
    byStatus,
    finished: byStatus.completed + byStatus.failed + byStatus.rejected + byStatus.expired,
    registered: completed.filter((j) => j.outcome !== 'already_registered').length,
    alreadyRegistered: completed.filter((j) => j.outcome === 'already_registered').length,
    failed: jobs.filter((j) => j.status === 'failed'),
    models: [...models.values()].sort((a, b) => b.count - a.count || a.model.localeCompare(b.model)),
    flagged: {
      alreadyRegistered: jobs.filter((j) => j.flags.includes('already_registered')).length,
      notOnAllowList: jobs.filter((j) => j.flags.includes('not_on_allow_list')).length,
    },
    ...(decideBy ? { decideBy } : {}),
    version,
  };
}
