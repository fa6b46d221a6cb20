/** The AutopilotGraph port: one function per Graph operation the pipeline and the bot need. */
import type { GraphRequestError } from './graph-errors.js';

export type ImportStatus = 'unknown' | 'pending' | 'partial' | 'complete' | 'error';

export interface ImportedIdentity {
  id: string;
  serialNumber: string;
  status: ImportStatus;
  errorCode: number;
  errorName: string;
  /** The Autopilot device the import produced, once complete. */
  autopilotDeviceId?: string;
}

export interface AutopilotDevice {
  id: string;
  serialNumber: string;
  groupTag: string;
  /** The Entra *deviceId* (not the object id). */
  entraDeviceId: string;
  userPrincipalName: string;
  /** deploymentProfileAssignmentStatus (beta). */
  profileStatus: string;
}

export interface EntraDevice {
  objectId: string;
  deviceId: string;
}

export interface ImportRequest {
  serialNumber: string;
  hardwareHash: string;
  groupTag: string | null;
  productKey?: string;
  assignedUser?: string;
}

/** One item's result in a call about many: a failure of one device never fails the others. */
export type ItemResult<T> = { ok: true; value: T } | { ok: false; error: GraphRequestError };

export interface AutopilotGraph {
  /** Autopilot devices whose serial is exactly this one (contains() filter, paged, compared exactly). */
  findAutopilotDevicesBySerial(
    serials: readonly string[],
  ): Promise<Map<string, ItemResult<AutopilotDevice[]>>>;
  /** All imported identities (the upload records), every page. */
  listImportedIdentities(): Promise<ImportedIdentity[]>;
  /** Uploads devices with the import action; returns one record per device, by serial. */
  importDevices(devices: readonly ImportRequest[]): Promise<Map<string, ImportedIdentity>>;
  /** Deletes upload records; a record already gone counts as deleted. */
  deleteImportedIdentities(ids: readonly string[]): Promise<Map<string, ItemResult<void>>>;
  /** Autopilot devices by id with the profile status; `null` when not (yet) there. */
  getAutopilotDevices(ids: readonly string[]): Promise<Map<string, ItemResult<AutopilotDevice | null>>>;
  /** Entra devices by deviceId; `null` when not (yet) there. */
  findEntraDevices(deviceIds: readonly string[]): Promise<Map<string, ItemResult<EntraDevice | null>>>;
  /** Adds devices to a group; already a member counts as success (400 from Graph). */
  addGroupMembers(
    groupId: string,
    objectIds: readonly string[],
  ): Promise<Map<string, ItemResult<'added' | 'already_member'>>>;
  assignUsers(
    assignments: readonly { autopilotDeviceId: string; userPrincipalName: string }[],
  ): Promise<Map<string, ItemResult<void>>>;
  /** Asks Intune to sync Autopilot devices. Callers must not ask more than once per 10 minutes per tenant. */
  requestSync(): Promise<'started' | 'running' | 'too_soon'>;
  /** Which of `groupIds` the user is a member of (transitively). */
  checkMemberGroups(userObjectId: string, groupIds: readonly string[]): Promise<string[]>;
}
