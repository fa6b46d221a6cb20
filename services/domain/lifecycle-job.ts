/**
 * A lifecycle job (a change or a deregistration) asked for by an approver from a device's look-up card: it is
 * approved as it is created, by that approver with their ticket, and acts on the record they saw.
 */
import { withAudit } from './audit.js';
import { describeChange, stepsOf } from './job-kinds.js';
import type { Actor, DeviceChange, DeviceFacts, ImportJob, RegisteredRecord, Submitter } from './job.js';

export interface LifecycleJobInput {
  id: string;
  kind: 'change' | 'deregister';
  device: DeviceFacts;
  /** The record the approver acted on, as the card showed it. */
  record: RegisteredRecord;
  change?: DeviceChange;
  by: Actor;
  ticket: string;
  submittedBy: Submitter;
  /** The approver confirmed that deregistering deletes the Intune device of an enrolled device. */
  enrolledConfirmed?: boolean;
}

/** "tag Sales → Kiosk, user ada@contoso.com → removed": the old and the new value of each changed field. */
export function describeTransition(change: DeviceChange, record: RegisteredRecord): string {
  const shown = (value: string | null | undefined) => value || 'none';
  const parts: string[] = [];
  if (change.groupTag !== undefined) parts.push(`tag ${shown(record.groupTag)} → ${shown(change.groupTag)}`);
  if (change.displayName !== undefined)
    parts.push(`name ${shown(record.displayName)} → ${change.displayName}`);
  if (change.user !== undefined) parts.push(`user ${shown(record.user)} → ${change.user ?? 'removed'}`);
  return parts.join(', ') || describeChange(change);
}

function whatFor(request: LifecycleJobInput): string {
  if (request.kind === 'deregister') {
    const enrolled = request.record.managedDeviceId ? ' and its Intune device (confirmed)' : '';
    return `deregister record ${request.record.id}${enrolled}`;
  }
  return describeTransition(request.change ?? {}, request.record);
}

export function openLifecycleJob(request: LifecycleJobInput, now: Date): ImportJob {
  const at = now.toISOString();
  const tag =
    request.change?.groupTag !== undefined ? request.change.groupTag : request.record.groupTag || null;
  const job: ImportJob = {
    id: request.id,
    kind: request.kind,
    status: 'approved',
    createdAt: at,
    updatedAt: at,
    approvalDeadline: at,
    device: request.device,
    hardwareHash: null,
    hashFingerprint: '',
    submittedBy: request.submittedBy,
    flags: [],
    approval: { by: request.by, at, groupTag: tag, comment: request.ticket },
    steps: stepsOf(request.kind),
    graph: { autopilotDeviceId: request.record.id, record: request.record },
    nextRunAt: at,
    audit: [],
    ...(request.change ? { change: request.change } : {}),
    ...(request.enrolledConfirmed ? { enrolledConfirmed: true } : {}),
  };
  const submitted = withAudit(job, {
    at,
    action: 'submitted',
    by: request.by,
    detail: request.submittedBy.channel,
  });
  return withAudit(submitted, {
    at,
    action: 'approved',
    by: request.by,
    detail: `${whatFor(request)}; ticket ${request.ticket}`,
  });
}
