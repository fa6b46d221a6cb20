/** What a job card says that depends on the job's kind: its title, the record it acts on, the change, its end. */
import { corporateIdentifierOf, describeChange, kindOf, takesNoTag } from '../services/domain/job-kinds.js';
import type { ImportJob, RegisteredRecord } from '../services/domain/job.js';
import { describeTransition } from '../services/domain/lifecycle-job.js';
import { escapeCardText as esc } from './escape.js';
import { formatInstant } from './format.js';

const TITLES = {
  register: 'Autopilot registration',
  change: 'Autopilot change',
  deregister: 'Autopilot deregistration',
  replace: 'Autopilot replacement',
  corporateIdentifier: 'Corporate identifier',
} as const;

/** "tag Sales · name PC-1 · enrolled (Intune device …) · user ada@…": a registered record in one line. */
export function recordLine(record: RegisteredRecord): string {
  return [
    record.groupTag ? `tag ${esc(record.groupTag)}` : 'no tag',
    record.displayName ? `name ${esc(record.displayName)}` : 'no name',
    record.managedDeviceId
      ? `enrolled (Intune device ${record.managedDeviceId})`
      : esc(record.enrollmentState),
    record.user ? `user ${esc(record.user)}` : 'no user',
    record.lastContacted ? `last contact ${formatInstant(record.lastContacted)}` : 'never contacted',
  ].join(' · ');
}

export function kindView(job: ImportJob) {
  const kind = kindOf(job);
  const record = job.graph.record ?? undefined;
  const awaitingRegistered =
    job.status === 'awaiting_approval' && record !== undefined && kind === 'register';
  return {
    title: TITLES[kind],
    /** A corporate identifier or a change: no group tag and no device name to choose. */
    tagless: takesNoTag(job),
    registeredLine: record ? recordLine(record) : '',
    changeLine:
      kind === 'change' && job.change
        ? esc(record ? describeTransition(job.change, record) : describeChange(job.change))
        : kind === 'deregister'
          ? 'Deregister (the Entra device object is left alone)'
          : kind === 'replace'
            ? 'Replace: deregister the old record, then import this hash'
            : kind === 'corporateIdentifier'
              ? `${esc(corporateIdentifierOf(job.device))}: the device will enroll through Windows Autopilot device preparation${record ? '. This serial is registered for classic Autopilot, whose profile wins unless the device is associated for device preparation: deregister it first (lookup).' : ''}`
              : '',
    /** The approval card of a device already registered offers Update it and Replace it instead of Approve. */
    registered: awaitingRegistered,
    registeredEnrolled: awaitingRegistered && record?.managedDeviceId !== undefined,
  };
}

/** The status line of a job at work or done, by kind (a registration's own lines are in job-card.ts). */
export function kindProgress(job: ImportJob, stepLabel: string): string | undefined {
  const kind = kindOf(job);
  if (kind === 'register') return undefined;
  if (job.status === 'running') return `Working: ${stepLabel}`;
  if (job.status === 'approved') return 'Approved: queued';
  if (job.status !== 'completed') return undefined;
  switch (job.outcome) {
    case 'changed':
      return 'Completed: Intune shows the change';
    case 'deregistered':
      return 'Completed: the device is deregistered from Autopilot';
    case 'imported':
      return kind === 'replace'
        ? 'Completed: the old record was replaced and the device is registered'
        : 'Completed: the corporate identifier is in Intune (Autopilot device preparation)';
    default:
      return undefined;
  }
}

/** The Outcome fact of a lifecycle job. */
export function kindOutcome(job: ImportJob): string | undefined {
  if (job.outcome === 'changed') return 'Changed';
  if (job.outcome === 'deregistered')
    return job.graph.record === null ? 'Was not registered: nothing deleted' : 'Deregistered';
  if (job.outcome === 'imported' && kindOf(job) === 'replace') return 'Replaced and imported';
  if (job.outcome === 'imported' && kindOf(job) === 'corporateIdentifier')
    return 'Corporate identifier imported';
  return undefined;
}
