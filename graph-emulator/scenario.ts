/** What the emulator does: how long each stage takes, which errors it injects, how hard it throttles. */
import { DEFAULT_GRANTED_PERMISSIONS } from './permissions.js';

/**
 * Import errors Intune reports in `state.deviceErrorCode` / `deviceErrorName`. The 801-814 table is from Microsoft's
 * draft Autopilot troubleshooting doc; 806 and 808 are confirmed by the support article "Windows Autopilot device
 * import errors" (Intune troubleshoot docs). Only ZtdDeviceDuplicated and StorageError carry code 0.
 */
export type ImportErrorName =
  | 'InvalidZtdRequestBody'
  | 'InvalidZtdHardwareHash'
  | 'MissingZtdSerialNumberAndProductKey'
  | 'ZtdDeviceAlreadyAssigned'
  | 'ZtdDeviceIsNotRegistered'
  | 'ZtdDeviceNotFound'
  | 'ZtdDeviceIsNotUnique'
  | 'ZtdDeviceAlreadyAadRegistered'
  | 'ZtdDeviceAssignedToOtherTenant'
  /**
   * 808 again: the support article "Troubleshoot error 806 or 808 when importing Windows Autopilot CSV files" spells
   * it ZtdDeviceAssignedToOtherTenant; Autopilot's troubleshooting FAQ spells it ...ToAnotherTenant. Both are answered.
   */
  | 'ZtdDeviceAssignedToAnotherTenant'
  | 'ZtdDeviceDuplicated'
  | 'StorageError';

/** Realistic stage durations in milliseconds, before the time scale is applied. */
export interface StageDelays {
  import: number;
  autopilotDevice: number;
  entraDevice: number;
  profile: number;
  /**
   * How long a deleted Autopilot record still shows in gets and lists. Microsoft's deregistration steps say it
   * "might take some time" and to refresh every few minutes until the device is gone (memdocs, "Deregister a
   * device"; "deletion can take a few minutes to complete", MicrosoftDocs/memdocs #1435). Default 3 minutes.
   */
  deregistration?: number;
}

export interface ErrorRule {
  error: ImportErrorName;
  /** Applies to this serial only; otherwise to a random share of imports given by `rate`. */
  serialNumber?: string;
  rate?: number;
  /** StorageError only: how many imports of the serial fail before one succeeds (default: every one). */
  times?: number;
}

export interface Scenario {
  /** Multiplies every delay and the throttle window: 1 = realistic, 0.01 = a hundred times faster. */
  timeScale: number;
  delays: StageDelays;
  importErrors: ErrorRule[];
  /** Serials whose deployment profile ends `failed`. */
  profileFailures: string[];
  throttling: {
    enabled: boolean;
    writesPer20s: number;
    requestsPer20s: number;
    /**
     * Share of Intune 429s sent without `Retry-After`: some Intune throttling answers carry none (Graph
     * throttling guidance: "if no Retry-After header is provided, back off exponentially").
     */
    retryAfterOmittedRate?: number;
  };
  /** The interval within which a second sync call is answered 429 (realistic: 10 minutes). */
  syncIntervalMs: number;
  /** How long a sync runs (409 to another sync meanwhile). */
  syncDurationMs: number;
  /** Faults for reliability tests. */
  faults: Faults;
  /** App roles put into tokens issued from now on; drop one to see a call answer 403. */
  grantedPermissions: string[];
  /** Tokens that are not readable JWTs (Graph access tokens are opaque to clients): roles are not shown. */
  opaqueTokens?: boolean;
  /**
   * Most devices one import action takes before Intune answers 400. Microsoft documents no maximum (the portal's
   * CSV import takes 500 rows); a tenant that refuses large imports is a scenario to rehearse.
   */
  importActionMaxDevices?: number;
  /** Items per page for list endpoints. */
  pageSize: number;
}

/** A fault that strikes after the import action was applied: the upload is in Intune, the answer is lost. */
export interface AfterImportFault {
  kind: 'gateway_timeout' | 'drop';
  /** Applies to uploads holding one of these serials; otherwise to a random share given by `rate`. */
  serials?: string[];
  rate?: number;
  /** How many uploads it strikes before it stops (default: every one). */
  times?: number;
}

export interface Faults {
  /** A share of requests answered 503, or dropped without an answer, before any work is done. */
  serviceUnavailableRate: number;
  dropConnectionRate: number;
  afterImport?: AfterImportFault;
  /**
   * Intune refuses every serial filter with 400, as it does some it was never documented to refuse (#2464 found
   * the hyphen that way): lets tests see a client fall back to paging when its search term is refused after all.
   */
  refuseSerialFilters?: boolean;
  /** A complete import's state names no device (`deviceRegistrationId` empty; the property is nullable). */
  omitDeviceRegistrationId?: boolean;
  /** Share of updateDeviceProperties calls answered 412 ConditionNotMet (reported intermittently). */
  updateConditionNotMetRate?: number;
  /**
   * assignUserToDevice answers 400 ResourceNotFound (okieselbach/Intune #23, microsoft-graph-docs #11620 report
   * it failing in practice). On by default.
   */
  assignUserToDeviceFails?: boolean;
}

/** Realistic timings from the reference sheet (imports ~1-2 min, Entra minutes, profile up to ~15 min). */
export const REALISTIC_DELAYS: StageDelays = {
  import: 90_000,
  autopilotDevice: 60_000,
  entraDevice: 120_000,
  profile: 600_000,
  deregistration: 180_000,
};

export function defaultScenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    timeScale: 1,
    delays: REALISTIC_DELAYS,
    importErrors: [],
    profileFailures: [],
    throttling: { enabled: true, writesPer20s: 100, requestsPer20s: 1000, retryAfterOmittedRate: 0.2 },
    syncIntervalMs: 10 * 60_000,
    syncDurationMs: 30_000,
    faults: { serviceUnavailableRate: 0, dropConnectionRate: 0, assignUserToDeviceFails: true },
    grantedPermissions: [...DEFAULT_GRANTED_PERMISSIONS],
    pageSize: 100,
    ...overrides,
  };
}
