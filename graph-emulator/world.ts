/**
 * The emulated tenant: imported identities, Autopilot devices, Entra devices, groups and approvers. States
 * are derived from the clock and the scenario's delays, so a record "finishes" by time passing, as in Intune.
 */
import { randomUUID } from 'node:crypto';
import { REALISTIC_DELAYS, type ImportErrorName, type Scenario } from './scenario.js';

export interface ImportedRecord {
  id: string;
  serialNumber: string;
  /** The hash as uploaded: Graph gives it back on every read of the record. */
  hardwareIdentifier: string;
  groupTag: string;
  productKey: string;
  assignedUserPrincipalName: string;
  createdAt: number;
  readyAt: number;
  error?: { code: number; name: ImportErrorName };
  autopilotDeviceId?: string;
}

export interface AutopilotRecord {
  id: string;
  serialNumber: string;
  groupTag: string;
  manufacturer: string;
  model: string;
  userPrincipalName: string;
  entraDeviceId: string;
  /** Until then the record shows the zero GUID as its Entra device id (the join is still being made). */
  entraLinkedAt: number;
  displayName: string;
  visibleAt: number;
  profileFails: boolean;
  /** When the profile becomes assigned, once the device is where the profile targets. */
  profileAt?: number;
  /** The Intune managed device, once the device has enrolled. */
  managedDeviceId?: string;
  /** A DELETE was accepted then; the record still shows until `goneAt` (see StageDelays.deregistration). */
  deletedAt?: number;
  goneAt?: number;
}

/** A corporate identifier (Windows Autopilot device preparation), `Manufacturer,Model,Serial`. */
export interface CorporateIdentifierRecord {
  id: string;
  importedDeviceIdentifier: string;
  importedDeviceIdentityType: string;
  createdAt: number;
}

export interface EntraRecord {
  id: string;
  deviceId: string;
  displayName: string;
  visibleAt: number;
  physicalIds: string[];
}

export interface EmulatedGroup {
  id: string;
  displayName: string;
  /** A dynamic group (`DynamicMembership` in groupTypes) refuses direct adds. */
  dynamic: boolean;
  members: Set<string>;
}

export const IMPORT_ERROR_CODES: Record<ImportErrorName, number> = {
  InvalidZtdRequestBody: 801,
  InvalidZtdHardwareHash: 802,
  MissingZtdSerialNumberAndProductKey: 803,
  ZtdDeviceAlreadyAssigned: 806,
  ZtdDeviceIsNotRegistered: 807,
  ZtdDeviceNotFound: 812,
  ZtdDeviceIsNotUnique: 813,
  ZtdDeviceAlreadyAadRegistered: 814,
  ZtdDeviceAssignedToOtherTenant: 808,
  ZtdDeviceAssignedToAnotherTenant: 808,
  ZtdDeviceDuplicated: 0,
  StorageError: 0,
};

export class EmulatedTenant {
  readonly imported = new Map<string, ImportedRecord>();
  readonly autopilot = new Map<string, AutopilotRecord>();
  readonly entra = new Map<string, EntraRecord>();
  private readonly entraByDeviceId = new Map<string, EntraRecord>();
  /**
   * Autopilot records by serial (how many) and by Entra device id: an import's duplicate check and a group add
   * look a device up here instead of walking every record, which at 10,000 devices made each import of 500 and
   * each group add of 20 walk the whole tenant (the emulator's time, which the service saw as Graph's latency).
   */
  private readonly autopilotSerials = new Map<string, number>();
  private readonly autopilotByEntraDeviceId = new Map<string, AutopilotRecord>();
  /** Groups by id. Only known groups accept members or answer a GET. */
  readonly groups = new Map<string, EmulatedGroup>();
  /** user object id → group ids the user is a member of (transitively). */
  readonly userGroups = new Map<string, string[]>();
  readonly uploadsBySerial = new Map<string, number>();
  /** DELETEs of Autopilot records accepted, by serial (a record deleted twice shows here). */
  readonly deletesBySerial = new Map<string, number>();
  /** Records deleted but still shown (see deleteAutopilot), so that settling does not walk every record. */
  private readonly deleting = new Set<AutopilotRecord>();
  /** Intune managed devices by id (enrolled Autopilot devices). */
  readonly managedDevices = new Map<string, { id: string; autopilotDeviceId: string }>();
  readonly corporateIdentifiers = new Map<string, CorporateIdentifierRecord>();
  private readonly storageErrorsBySerial = new Map<string, number>();
  sync: { lastAt?: number; runningUntil?: number } = {};
  /** Intune's account id for the tenant (it names itself in some error messages). */
  readonly accountId = randomUUID();

  constructor(
    readonly scenario: Scenario,
    /** The group that targets the deployment profile; with none, every device gets the profile. */
    private readonly profileGroupId?: string,
    private readonly random: () => number = Math.random,
  ) {
    if (profileGroupId) this.addGroup(profileGroupId, { displayName: 'Autopilot profile devices' });
  }

  addGroup(id: string, options: { displayName?: string; dynamic?: boolean } = {}): EmulatedGroup {
    const group: EmulatedGroup = {
      id,
      displayName: options.displayName ?? `Group ${id.slice(0, 8)}`,
      dynamic: options.dynamic ?? false,
      members: new Set(),
    };
    this.groups.set(id, group);
    return group;
  }

  /** A user and the groups it is a member of; each group is created when the tenant does not have it yet. */
  addUserToGroups(userObjectId: string, groupIds: readonly string[]): void {
    for (const id of groupIds) if (!this.groups.has(id)) this.addGroup(id);
    this.userGroups.set(userObjectId, [...groupIds]);
  }

  /** The device enrolled: Intune has a managed device for it, and the Autopilot record says enrolled. */
  enroll(autopilotDeviceId: string): string {
    const device = this.autopilot.get(autopilotDeviceId);
    if (!device) throw new Error(`no Autopilot device ${autopilotDeviceId}`);
    const id = randomUUID();
    this.managedDevices.set(id, { id, autopilotDeviceId });
    device.managedDeviceId = id;
    return id;
  }

  /** Upload records whose serial contains `needle` (case-insensitive, as Intune's contains()). */
  importedContaining(needle: string): ImportedRecord[] {
    const lower = needle.toLowerCase();
    return [...this.imported.values()].filter((r) => r.serialNumber.toLowerCase().includes(lower));
  }

  /** True with probability `rate` (a fault rate of the scenario). */
  roll(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  scaled(ms: number): number {
    return ms * this.scenario.timeScale;
  }

  /** A device that is already registered (an "already registered" case for tests and the demo). */
  seedRegisteredDevice(input: {
    serialNumber: string;
    groupTag?: string;
    manufacturer?: string;
    model?: string;
    /**
     * When it shows among Autopilot devices (default: at once). Intune answers 806 to an upload of a device that
     * another tool registered moments ago, before the device is listed (reference sheet, import errors).
     */
    visibleAt?: number;
  }): AutopilotRecord {
    const record: AutopilotRecord = {
      id: randomUUID(),
      serialNumber: input.serialNumber,
      groupTag: input.groupTag ?? '',
      manufacturer: input.manufacturer ?? 'Contoso',
      model: input.model ?? 'Model',
      userPrincipalName: '',
      entraDeviceId: randomUUID(),
      entraLinkedAt: 0,
      displayName: '',
      visibleAt: input.visibleAt ?? 0,
      profileFails: false,
      profileAt: 0,
    };
    this.putAutopilot(record);
    this.addEntraDevice(record, 0);
    return record;
  }

  /** One uploaded identity. `duplicateInUpload` marks the second of two rows with the same hash. */
  importIdentity(
    input: {
      serialNumber: string;
      hardwareIdentifier: string;
      groupTag: string;
      productKey: string;
      assignedUserPrincipalName: string;
    },
    now: number,
    duplicateInUpload: boolean,
  ): ImportedRecord {
    this.uploadsBySerial.set(input.serialNumber, (this.uploadsBySerial.get(input.serialNumber) ?? 0) + 1);
    const record: ImportedRecord = {
      id: randomUUID(),
      serialNumber: input.serialNumber,
      groupTag: input.groupTag,
      productKey: input.productKey,
      assignedUserPrincipalName: input.assignedUserPrincipalName,
      hardwareIdentifier: input.hardwareIdentifier,
      createdAt: now,
      readyAt: now + this.scaled(this.scenario.delays.import),
    };
    const error = this.importError(input.serialNumber, input.hardwareIdentifier, duplicateInUpload);
    if (error) record.error = { code: IMPORT_ERROR_CODES[error], name: error };
    else record.autopilotDeviceId = this.registerDevice(record).id;
    this.imported.set(record.id, record);
    return record;
  }

  private importError(serial: string, hash: string, duplicateInUpload: boolean): ImportErrorName | undefined {
    if (duplicateInUpload) return 'ZtdDeviceDuplicated';
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(hash) || Buffer.from(hash, 'base64').length < 64)
      return 'InvalidZtdHardwareHash';
    if (this.autopilotSerials.has(serial)) return 'ZtdDeviceAlreadyAssigned';
    for (const rule of this.scenario.importErrors) {
      const applies = rule.serialNumber ? rule.serialNumber === serial : this.random() < (rule.rate ?? 0);
      if (!applies) continue;
      if (rule.error === 'StorageError' && rule.times !== undefined) {
        const seen = this.storageErrorsBySerial.get(serial) ?? 0;
        if (seen >= rule.times) continue;
        this.storageErrorsBySerial.set(serial, seen + 1);
      }
      return rule.error;
    }
    return undefined;
  }

  private registerDevice(imported: ImportedRecord): AutopilotRecord {
    const visibleAt = imported.readyAt + this.scaled(this.scenario.delays.autopilotDevice);
    const record: AutopilotRecord = {
      id: randomUUID(),
      serialNumber: imported.serialNumber,
      groupTag: imported.groupTag,
      manufacturer: 'Contoso',
      model: 'Model',
      userPrincipalName: imported.assignedUserPrincipalName,
      entraDeviceId: randomUUID(),
      entraLinkedAt: visibleAt + this.scaled(this.scenario.delays.entraDevice) / 2,
      displayName: '',
      visibleAt,
      profileFails: this.scenario.profileFailures.includes(imported.serialNumber),
    };
    this.putAutopilot(record);
    this.addEntraDevice(record, record.visibleAt + this.scaled(this.scenario.delays.entraDevice));
    if (!this.profileGroupId) record.profileAt = record.visibleAt + this.scaled(this.scenario.delays.profile);
    return record;
  }

  private addEntraDevice(device: AutopilotRecord, visibleAt: number): void {
    const id = randomUUID();
    const record: EntraRecord = {
      id,
      deviceId: device.entraDeviceId,
      displayName: device.serialNumber,
      visibleAt,
      physicalIds: [`[ZTDID]:${device.id}`, ...(device.groupTag ? [`[OrderID]:${device.groupTag}`] : [])],
    };
    this.entra.set(id, record);
    this.entraByDeviceId.set(record.deviceId.toLowerCase(), record);
  }

  /** The Entra device with this deviceId (any case), once visible. */
  entraDevice(deviceId: string, now: number): EntraRecord | undefined {
    const record = this.entraByDeviceId.get(deviceId.toLowerCase());
    return record && record.visibleAt <= now ? record : undefined;
  }

  importState(record: ImportedRecord, now: number) {
    if (now < record.readyAt) {
      const started = now - record.createdAt > this.scaled(5_000);
      return {
        deviceImportStatus: started ? 'pending' : 'unknown',
        deviceRegistrationId: '',
        deviceErrorCode: 0,
        deviceErrorName: '',
      };
    }
    if (record.error) {
      return {
        deviceImportStatus: 'error',
        deviceRegistrationId: '',
        deviceErrorCode: record.error.code,
        deviceErrorName: record.error.name,
      };
    }
    return {
      deviceImportStatus: 'complete',
      // Nullable in Microsoft's reference (importedWindowsAutopilotDeviceIdentityState): a client must also find
      // the device by its serial. `omitDeviceRegistrationId` rehearses that.
      deviceRegistrationId: this.scenario.faults.omitDeviceRegistrationId
        ? ''
        : (record.autopilotDeviceId ?? ''),
      deviceErrorCode: 0,
      deviceErrorName: 'None',
    };
  }

  profileStatus(device: AutopilotRecord, now: number): string {
    if (device.profileAt === undefined || now < device.profileAt)
      return now < device.visibleAt ? 'unknown' : 'notAssigned';
    return device.profileFails ? 'failed' : 'assignedInSync';
  }

  /**
   * Accepts the deletion of an Autopilot record: it shows until the deregistration delay has passed. A second
   * DELETE meanwhile is accepted again and changes nothing. Every accepted DELETE is counted, by serial.
   */
  deleteAutopilot(device: AutopilotRecord, now: number): void {
    this.deletesBySerial.set(device.serialNumber, (this.deletesBySerial.get(device.serialNumber) ?? 0) + 1);
    if (device.deletedAt !== undefined) return;
    device.deletedAt = now;
    this.deleting.add(device);
    device.goneAt =
      now + this.scaled(this.scenario.delays.deregistration ?? REALISTIC_DELAYS.deregistration ?? 0);
  }

  /** Removes the deleted records whose time has come (called before each request is answered). */
  settle(now: number): void {
    for (const device of this.deleting)
      if (device.goneAt !== undefined && device.goneAt <= now) {
        this.dropAutopilot(device);
        this.deleting.delete(device);
      }
  }

  private putAutopilot(record: AutopilotRecord): void {
    this.autopilot.set(record.id, record);
    this.autopilotSerials.set(record.serialNumber, (this.autopilotSerials.get(record.serialNumber) ?? 0) + 1);
    if (!this.autopilotByEntraDeviceId.has(record.entraDeviceId))
      this.autopilotByEntraDeviceId.set(record.entraDeviceId, record);
  }

  private dropAutopilot(record: AutopilotRecord): void {
    this.autopilot.delete(record.id);
    const left = (this.autopilotSerials.get(record.serialNumber) ?? 1) - 1;
    if (left > 0) this.autopilotSerials.set(record.serialNumber, left);
    else this.autopilotSerials.delete(record.serialNumber);
    if (this.autopilotByEntraDeviceId.get(record.entraDeviceId) === record)
      this.autopilotByEntraDeviceId.delete(record.entraDeviceId);
  }

  visibleAutopilot(now: number): AutopilotRecord[] {
    return [...this.autopilot.values()].filter((d) => d.visibleAt <= now);
  }

  /** A sync makes devices imported before it visible once it finishes. */
  requestSync(now: number): 'started' | 'running' | 'too_soon' {
    if (this.sync.runningUntil !== undefined && now < this.sync.runningUntil) return 'running';
    if (this.sync.lastAt !== undefined && now - this.sync.lastAt < this.scaled(this.scenario.syncIntervalMs))
      return 'too_soon';
    const done = now + this.scaled(this.scenario.syncDurationMs);
    this.sync = { lastAt: now, runningUntil: done };
    for (const imported of this.imported.values()) {
      const device = imported.autopilotDeviceId ? this.autopilot.get(imported.autopilotDeviceId) : undefined;
      if (!device || device.visibleAt <= done) continue;
      const shift = device.visibleAt - Math.max(done, imported.readyAt);
      device.visibleAt -= shift;
      device.entraLinkedAt -= shift;
      const entra = this.entraByDeviceId.get(device.entraDeviceId.toLowerCase());
      if (entra) entra.visibleAt -= shift;
      if (device.profileAt !== undefined) device.profileAt -= shift;
    }
    return 'started';
  }

  /** Adds a member; the profile follows after the profile delay when this is the profile group. */
  addMember(
    groupId: string,
    objectId: string,
    now: number,
  ): 'added' | 'already_member' | 'no_group' | 'no_object' | 'dynamic_group' {
    const group = this.groups.get(groupId);
    if (!group) return 'no_group';
    if (group.dynamic) return 'dynamic_group';
    const entra = this.entra.get(objectId);
    if (!entra || entra.visibleAt > now) return 'no_object';
    if (group.members.has(objectId)) return 'already_member';
    group.members.add(objectId);
    if (groupId === this.profileGroupId) {
      const device = this.autopilotByEntraDeviceId.get(entra.deviceId);
      if (device && device.profileAt === undefined)
        device.profileAt = now + this.scaled(this.scenario.delays.profile);
    }
    return 'added';
  }
}
