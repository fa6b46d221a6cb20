/** The AutopilotGraph port: one function per Graph operation the pipeline and the bot need. */
import type { GraphRequestError } from './graph-errors.js';

/** `deleted`: this call removed it; `gone`: there was nothing (left) to delete. */
export type DeleteResult = 'deleted' | 'gone';

export type ImportStatus = 'unknown' | 'pending' | 'partial' | 'complete' | 'error';

export interface ImportedIdentity {
  id: string;
  serialNumber: string;
  status: ImportStatus;
  errorCode: number;
  errorName: string;
  /** The Autopilot device the import produced, once complete. */
  autopilotDeviceId?: string;
  /** The fingerprint of the hash Graph gives back (never the hash): tells this device's upload from others'. */
  hashFingerprint?: string;
}

export interface AutopilotDevice {
  id: string;
  serialNumber: string;
  groupTag: string;
  /** The Entra *deviceId* (not the object id); '' until Autopilot has linked one (Graph shows the zero GUID). */
  entraDeviceId: string;
  userPrincipalName: string;
  /** deploymentProfileAssignmentStatus (beta). */
  profileStatus: string;
  /** What a look-up shows (the record as Intune has it); absent where Graph gave nothing. */
  details?: AutopilotDeviceDetails;
}

export interface AutopilotDeviceDetails {
  manufacturer: string;
  model: string;
  displayName: string;
  /** enrollmentState: unknown, enrolled, pendingReset, failed, notContacted (beta adds blocked). */
  enrollmentState: string;
  /** Undefined when never contacted (Graph shows 0001-01-01). */
  lastContacted?: string;
  /** The Intune managed device, once enrolled ('' before). */
  managedDeviceId: string;
}

export interface EntraDevice {
  objectId: string;
  deviceId: string;
}

export interface GroupInfo {
  id: string;
  displayName: string;
  /** `DynamicMembership` in groupTypes: members cannot be added directly. */
  dynamic: boolean;
}

export interface ImportRequest {
  serialNumber: string;
  hardwareHash: string;
  groupTag: string | null;
  productKey?: string;
  assignedUser?: string;
}

export interface DevicePropertiesUpdate {
  autopilotDeviceId: string;
  userPrincipalName?: string;
  groupTag?: string;
  displayName?: string;
}

/** One item's result in a call about many: a failure of one device never fails the others. */
export type ItemResult<T> = { ok: true; value: T } | { ok: false; error: GraphRequestError };

export interface AutopilotGraph {
  /**
   * The Autopilot device whose serial is exactly this one, or none: searched with contains() on the serial's
   * longest run without `-` or space, compared exactly, paging stopped at the first exact match.
   */
  findAutopilotDevicesBySerial(
    serials: readonly string[],
  ): Promise<Map<string, ItemResult<AutopilotDevice[]>>>;
  /** Every upload record whose serial is exactly this one (searched like Autopilot devices). */
  findImportedIdentitiesBySerial(
    serials: readonly string[],
  ): Promise<Map<string, ItemResult<ImportedIdentity[]>>>;
  /** Upload records by id; `null` when gone. */
  getImportedIdentities(ids: readonly string[]): Promise<Map<string, ItemResult<ImportedIdentity | null>>>;
  /**
   * Uploads devices with the import action; returns one record or failure per device, by serial. Never retried
   * by the HTTP layer: an upload whose answer was lost may have been applied, and only a look-up can tell.
   */
  importDevices(devices: readonly ImportRequest[]): Promise<Map<string, ItemResult<ImportedIdentity>>>;
  /** Deletes upload records; any 2xx (Graph answers 200) or a record already gone counts as deleted. */
  deleteImportedIdentities(ids: readonly string[]): Promise<Map<string, ItemResult<void>>>;
  /** Autopilot devices by id with the profile status; `null` when not (yet) there. */
  getAutopilotDevices(ids: readonly string[]): Promise<Map<string, ItemResult<AutopilotDevice | null>>>;
  /** Entra devices by deviceId; `null` when not (yet) there. */
  findEntraDevices(deviceIds: readonly string[]): Promise<Map<string, ItemResult<EntraDevice | null>>>;
  /** Groups by id; `null` when the directory has no such group. */
  getGroups(ids: readonly string[]): Promise<Map<string, ItemResult<GroupInfo | null>>>;
  /** Adds devices to a group; already a member counts as success (400 from Graph). */
  addGroupMembers(
    groupId: string,
    objectIds: readonly string[],
  ): Promise<Map<string, ItemResult<'added' | 'already_member'>>>;
  /** updateDeviceProperties per device (user, tag, name), by Autopilot device id. */
  updateDeviceProperties(updates: readonly DevicePropertiesUpdate[]): Promise<Map<string, ItemResult<void>>>;
  /** Deletes Intune managed devices (the first step of deregistration). */
  deleteManagedDevices(ids: readonly string[]): Promise<Map<string, ItemResult<DeleteResult>>>;
  /** Removes the assigned user from Autopilot devices. */
  unassignUsers(autopilotDeviceIds: readonly string[]): Promise<Map<string, ItemResult<void>>>;
  /** Deletes Autopilot records; one Intune no longer knows counts as `gone`. */
  deleteAutopilotDevices(ids: readonly string[]): Promise<Map<string, ItemResult<DeleteResult>>>;
  /** Corporate identifiers (`Manufacturer,Model,Serial`) Intune already has: the id of each, or null. */
  searchCorporateIdentifiers(identifiers: readonly string[]): Promise<Map<string, ItemResult<string | null>>>;
  /** Imports corporate identifiers without overwriting; null where Intune's answer left one out. */
  importCorporateIdentifiers(
    identifiers: readonly string[],
  ): Promise<Map<string, ItemResult<{ id: string; accepted: boolean } | null>>>;
  /** Asks Intune to sync Autopilot devices. Callers must not ask more than once per 10 minutes per tenant. */
  requestSync(): Promise<'started' | 'running' | 'too_soon'>;
  /** Which of `groupIds` the user is a member of (transitively). */
  checkMemberGroups(userObjectId: string, groupIds: readonly string[]): Promise<string[]>;
  /** One harmless GET, for the permission check: the status Graph answered (0 without an answer). */
  probe(version: 'v1.0' | 'beta', path: string): Promise<{ status: number; code: string }>;
}
