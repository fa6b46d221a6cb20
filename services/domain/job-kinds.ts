/**
 * Job kinds as data: the steps each kind walks through, what it ends with, and how it is named. Adding a kind is
 * adding a row here and its step handlers (services/pipeline/steps/), not a switch in many places.
 */
import {
  CORPORATE_IDENTIFIER_STEPS,
  REGISTRATION_STEPS,
  type DeviceChange,
  type DeviceFacts,
  type ImportJob,
  type JobKind,
  type Outcome,
  type StepName,
  type StepRecord,
} from './job.js';

/** Microsoft's order (the reference sheet, deregistration): the Intune device, the user, then the record. */
const DEREGISTRATION: readonly StepName[] = [
  'check-device',
  'delete-managed-device',
  'unassign-user',
  'delete-autopilot-record',
  'await-removal',
];

export const KIND_STEPS: Record<JobKind, readonly StepName[]> = {
  register: REGISTRATION_STEPS,
  change: ['check-device', 'apply-change', 'verify-change'],
  deregister: DEREGISTRATION,
  // The old record must be gone before the new hash is imported; check-registration then confirms it.
  replace: [...DEREGISTRATION, ...REGISTRATION_STEPS],
  corporateIdentifier: CORPORATE_IDENTIFIER_STEPS,
};

const KIND_OUTCOME: Record<JobKind, Outcome> = {
  register: 'imported',
  change: 'changed',
  deregister: 'deregistered',
  replace: 'imported',
  corporateIdentifier: 'imported',
};

export function kindOf(job: Pick<ImportJob, 'kind'>): JobKind {
  return job.kind ?? 'register';
}

export function stepsOf(kind: JobKind): StepRecord[] {
  return KIND_STEPS[kind].map((name) => ({ name, state: 'pending', attempts: 0 }));
}

/** The outcome of a job of this kind whose every step finished. */
export function outcomeOf(job: Pick<ImportJob, 'kind'>): Outcome {
  return KIND_OUTCOME[kindOf(job)];
}

/** A change in words, for the card and the audit: "tag Kiosk, name CON-1234, user removed". */
export function describeChange(change: DeviceChange): string {
  const parts: string[] = [];
  if (change.groupTag !== undefined) parts.push(change.groupTag ? `tag ${change.groupTag}` : 'tag removed');
  if (change.displayName !== undefined) parts.push(`name ${change.displayName}`);
  if (change.user !== undefined) parts.push(change.user ? `user ${change.user}` : 'user removed');
  return parts.join(', ') || 'nothing';
}

/**
 * An approval that chooses no group tag: a corporate identifier has none, and a change carries its own (a bulk
 * re-tag names it in the request).
 */
export function takesNoTag(job: Pick<ImportJob, 'kind'>): boolean {
  const kind = kindOf(job);
  return kind === 'corporateIdentifier' || kind === 'change';
}

/**
 * The devices that count as this job's registration: for a replace, never the old record it deleted (Intune may
 * still list it for a while after the delete, and a list can lag behind a read by id).
 */
export function notReplaced<T extends { id: string }>(
  job: Pick<ImportJob, 'kind' | 'graph'>,
  devices: readonly T[],
): T[] {
  const old = kindOf(job) === 'replace' ? job.graph.record?.id : undefined;
  return old ? devices.filter((d) => d.id !== old) : [...devices];
}

/** What the job is for, as a card's title says it. */
export function kindTitle(job: Pick<ImportJob, 'kind' | 'change'>): string {
  switch (kindOf(job)) {
    case 'register':
      return 'Register';
    case 'change':
      return `Change ${job.change ? describeChange(job.change) : 'properties'}`;
    case 'deregister':
      return 'Deregister';
    case 'replace':
      return 'Replace the registration';
    case 'corporateIdentifier':
      return 'Import the corporate identifier';
  }
}

/**
 * The corporate identifier `Manufacturer,Model,Serial` Intune matches at enrollment. Dots and commas in make and
 * model break it ("Invalid Device Identifier parameter found", the reference sheet on corporate identifiers):
 * they are left out.
 */
export function corporateIdentifierOf(
  device: Pick<DeviceFacts, 'manufacturer' | 'model' | 'serialNumber'>,
): string {
  const clean = (text: string) => text.replace(/[.,]/g, '').replace(/\s+/g, ' ').trim();
  return `${clean(device.manufacturer)},${clean(device.model)},${device.serialNumber}`;
}
