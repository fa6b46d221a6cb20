/** The pipeline's tunables, from configuration (see PipelineConfig) plus test-friendly extras. */
export interface PipelineSettings {
  /** How many due jobs one claim takes; jobs in the same step share Graph calls. */
  batchSize: number;
  leaseMs: number;
  tickMs: number;
  profileGroupId?: string;
  deadlinesMs: { import: number; autopilotDevice: number; entraDevice: number; profile: number };
  /** Waits poll at a quarter of the time waited so far, between these bounds. */
  pollMinMs: number;
  pollMaxMs: number;
  /** Automatic attempts of a step on retryable errors before the job fails (an approver may retry it). */
  maxAttempts: number;
  retryBaseMs: number;
  /** Intune refuses a second sync within 10 minutes, per tenant. */
  syncIntervalMs: number;
}

export const SYNC_INTERVAL_MS = 10 * 60_000;
