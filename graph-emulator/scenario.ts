/** What the emulator does: how long each stage takes, which errors it injects, how hard it throttles. */

export type ImportErrorName =
  | 'InvalidZtdHardwareHash'
  | 'ZtdDeviceAlreadyAssigned'
  | 'ZtdDeviceAssignedToOtherTenant'
  | 'ZtdDeviceDuplicated'
  | 'StorageError';

/** Realistic stage durations in milliseconds, before the time scale is applied. */
export interface StageDelays {
  import: number;
  autopilotDevice: number;
  entraDevice: number;
  profile: number;
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
  throttling: { enabled: boolean; writesPer20s: number; requestsPer20s: number };
  /** The interval within which a second sync call is answered 429 (realistic: 10 minutes). */
  syncIntervalMs: number;
  /** How long a sync runs (409 to another sync meanwhile). */
  syncDurationMs: number;
  /** Faults for reliability tests: a share of requests answered 503 or dropped without an answer. */
  faults: { serviceUnavailableRate: number; dropConnectionRate: number };
  /** Items per page for list endpoints. */
  pageSize: number;
}

/** Realistic timings from the reference sheet (imports ~1-2 min, Entra minutes, profile up to ~15 min). */
export const REALISTIC_DELAYS: StageDelays = {
  import: 90_000,
  autopilotDevice: 60_000,
  entraDevice: 120_000,
  profile: 600_000,
};

export function defaultScenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    timeScale: 1,
    delays: REALISTIC_DELAYS,
    importErrors: [],
    profileFailures: [],
    throttling: { enabled: true, writesPer20s: 100, requestsPer20s: 1000 },
    syncIntervalMs: 10 * 60_000,
    syncDurationMs: 30_000,
    faults: { serviceUnavailableRate: 0, dropConnectionRate: 0 },
    pageSize: 100,
    ...overrides,
  };
}
