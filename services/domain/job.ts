/** The import job: one per device, from submission to a terminal status. Pure data, no I/O. */

export const JOB_STATUSES = [
  'awaiting_approval',
  'approved',
  'running',
  'completed',
  'failed',
  'rejected',
  'expired',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const OPEN_STATUSES: readonly JobStatus[] = ['awaiting_approval', 'approved', 'running'];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'rejected', 'expired'];
/** Statuses the pipeline works on; a job in one of them is claimable once due. */
export const WORKABLE_STATUSES: readonly JobStatus[] = ['approved', 'running'];

/** The steps of a registration (the first kind of job), in order. */
export const REGISTRATION_STEPS = [
  'check-registration',
  'import',
  'await-import',
  'await-autopilot-device',
  'set-device-name',
  'await-entra-device',
  'add-to-group',
  'assign-user',
  'await-profile',
  // The upload record's removal begins as soon as the import is confirmed and runs beside the steps above
  // (services/pipeline/upload-cleanup.ts): these deletes are most of a bulk import's Intune writes, and on the
  // device's own path the write budget would hold every device back (bench/bulk-import.ts). This last step sees
  // that the record is gone.
  'cleanup-import',
] as const;

/**
 * The steps of the rest of a device's life (services/domain/job-kinds.ts puts them in order per kind): find the
 * exact record and note what it has, change its properties and read them back, or deregister in Microsoft's order.
 */
export const LIFECYCLE_STEPS = [
  'check-device',
  'apply-change',
  'verify-change',
  'delete-managed-device',
  'unassign-user',
  'delete-autopilot-record',
  'await-removal',
] as const;

/**
 * The steps of a corporate identifier (Windows Autopilot device preparation): look for the identifier and for a
 * classic registration of the serial, then import the identifier.
 */
export const CORPORATE_IDENTIFIER_STEPS = ['check-identifier', 'import-identifier'] as const;

export const STEP_NAMES = [...REGISTRATION_STEPS, ...LIFECYCLE_STEPS, ...CORPORATE_IDENTIFIER_STEPS] as const;
export type StepName = (typeof STEP_NAMES)[number];

/**
 * What a job does. A job without a kind is a registration (jobs stored before kinds existed). `replace` deregisters
 * the old record and then imports the new hash (a motherboard swap).
 */
export const JOB_KINDS = ['register', 'change', 'deregister', 'replace', 'corporateIdentifier'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The properties a `change` job sets on an Autopilot record; a field left out is left as it is. */
export interface DeviceChange {
  /** `null` removes the tag. */
  groupTag?: string | null;
  displayName?: string;
  /** A UPN assigns that user; `null` removes the assigned user. */
  user?: string | null;
}

/**
 * An Autopilot record as last read: at intake (an already-registered device's card shows it) and by check-device
 * before a lifecycle job acts (the audit keeps the old values).
 */
export interface RegisteredRecord {
  id: string;
  groupTag: string;
  displayName: string;
  user: string;
  /** enrollmentState as Intune gives it: enrolled, notContacted, pendingReset, failed, blocked, unknown. */
  enrollmentState: string;
  /** The Intune managed device, when the device is enrolled. */
  managedDeviceId?: string;
  /** As Intune read them from the hardware. */
  manufacturer?: string;
  model?: string;
  /**
   * When the device last contacted Autopilot, if ever. Graph gives an Autopilot record no registration date (the
   * windowsAutopilotDeviceIdentity resource has none), so this is the closest to "when" a card can show.
   */
  lastContacted?: string;
}

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepRecord {
  name: StepName;
  state: StepState;
  startedAt?: string;
  endedAt?: string;
  attempts: number;
  note?: string;
  /** The step finished but left something for a person to do (e.g. the user could not be assigned). */
  warning?: string;
}

/** How a job ended well: a registration imported (or found registered), a change applied, a record removed. */
export type Outcome = 'imported' | 'already_registered' | 'changed' | 'deregistered';

export interface Actor {
  /** Entra object id of the person, or the intake key's name for automation. */
  id: string;
  name?: string;
}

export type SubmissionChannel = 'api' | 'batch' | 'cli' | 'teams';

export interface Submitter {
  channel: SubmissionChannel;
  /** The intake key name or user that made the request. */
  via: string;
  /** Who asked for the device, as given by the client (a UPN), if any. */
  requestedBy?: string;
}

export interface DeviceFacts {
  serialNumber: string;
  manufacturer: string;
  model: string;
  productKey?: string;
  assignedUser?: string;
  /** The group tag the submitter suggested (a CSV's Group Tag column); the approver decides. */
  requestedGroupTag?: string;
}

export interface Approval {
  by: Actor;
  at: string;
  /** `null` when the approver chose "no tag". */
  groupTag: string | null;
  comment: string;
  /** The Windows device name to set on the Autopilot record (set-device-name), if any. */
  deviceName?: string;
  /** For a device already registered: what the approver chose (see approval-plan.ts). */
  plan?: 'update' | 'replace';
}

export interface Rejection {
  by: Actor;
  at: string;
  reason: string;
}

export interface JobError {
  step: StepName;
  code: string;
  name: string;
  advice: string;
  retryable: boolean;
  /** Where a retry starts, when earlier than `step` (a StorageError at await-import uploads again). */
  restartFrom?: StepName;
}

export interface GraphIds {
  importedIdentityId?: string;
  autopilotDeviceId?: string;
  entraDeviceId?: string;
  entraObjectId?: string;
  existingGroupTag?: string | null;
  profileStatus?: string;
  /** The user the Autopilot record already has (set at import from `assignedUserPrincipalName`). */
  autopilotUser?: string;
  /** The record as last read (see RegisteredRecord); `null` once it is known to be gone. */
  record?: RegisteredRecord | null;
  /** The imported corporate identifier's id (importedDeviceIdentity). */
  corporateIdentifierId?: string;
}

/**
 * What the card warns about before anyone decides. `other_tenant`: an earlier request for the serial failed with
 * 808 (ZtdDeviceAssignedToOtherTenant): only the other tenant can release it, so approving would fail again.
 */
export type JobFlag = 'already_registered' | 'not_on_allow_list' | 'duplicate_request' | 'other_tenant';

export interface Lease {
  owner: string;
  expiresAt: string;
}

/** What an approval policy's rule decided for a request (services/policy). */
export type PolicyOutcome = 'approve' | 'two_approvers' | 'manual';

export interface PolicyVerdict {
  rule: string;
  then: PolicyOutcome;
  /** POLICY_DRY_RUN: shown on the card and kept in the audit, never acted on. */
  dryRun: boolean;
  /** For `approve`: the tag and ticket text the rule approves with. */
  groupTag?: string | null;
  ticket?: string;
  /** Why the rule was not applied (e.g. the device is off the allow-list). */
  note?: string;
}

export type AuditAction =
  | 'submitted'
  | 'policy'
  | 'first_approval'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'retried'
  | 'denied'
  | 'completed'
  | 'failed'
  | 'hash_erased';

export interface AuditEvent {
  at: string;
  action: AuditAction;
  by: Actor;
  detail?: string;
  /** How many times the same refusal happened; `at` is the latest (see audit.ts). */
  count?: number;
}

export interface ImportJob {
  id: string;
  /** Absent on a registration (see JobKind). */
  kind?: JobKind;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  /** An approval must happen before this instant, or the job expires. */
  approvalDeadline: string;
  device: DeviceFacts;
  /** What a `change` job (or an approved update of a registered device) sets. */
  change?: DeviceChange;
  /** The approver confirmed deregistering a device that is enrolled in Intune (its managed device goes too). */
  enrolledConfirmed?: boolean;
  /** The 4K hash. Kept only while a step still needs it; see `hashStillNeeded`. A corporate identifier has none. */
  hardwareHash: string | null;
  hashFingerprint: string;
  submittedBy: Submitter;
  batchId?: string;
  flags: JobFlag[];
  approval?: Approval;
  /** The first of two approvals a rule requires; the second, by someone else, makes `approval`. */
  firstApproval?: Approval;
  /** The approval policy's verdict at intake, when a rule matched. */
  policy?: PolicyVerdict;
  /** Reminders given while the request waited (services/pipeline/reminders.ts): each at most once. */
  reminders?: { remindedAt?: string; expiryWarnedAt?: string };
  rejection?: Rejection;
  steps: StepRecord[];
  graph: GraphIds;
  outcome?: Outcome;
  error?: JobError;
  /** When the pipeline should look at the job next (approved/running only). */
  nextRunAt?: string;
  lease?: Lease;
  audit: AuditEvent[];
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function isOpen(status: JobStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** The first step that has not finished, or undefined when every step is done. */
export function currentStep(job: ImportJob): StepRecord | undefined {
  return job.steps.find((s) => s.state !== 'succeeded' && s.state !== 'skipped');
}
