import { isOpen, type ImportJob } from './job.js';

/**
 * The hash is needed until the import has been confirmed complete: a retryable failure before that point
 * (StorageError, say) uploads it again. After that, and for jobs that will never run, it is erased.
 */
export function hashStillNeeded(job: ImportJob): boolean {
  // A job that imports nothing (a change or a deregistration, or an update chosen on the card) never needs it.
  if (!job.steps.some((s) => s.name === 'import')) return false;
  const confirmed = job.steps.some((s) => s.name === 'await-import' && s.state === 'succeeded');
  if (confirmed) return false;
  if (isOpen(job.status)) return true;
  return job.status === 'failed' && job.error?.retryable === true;
}

export function applyHashRetention(job: ImportJob): ImportJob {
  return job.hardwareHash !== null && !hashStillNeeded(job) ? { ...job, hardwareHash: null } : job;
}

/** A failed job keeps its hash for a retry this long after failing (HASH_RETENTION_DAYS), no longer. */
export function hashHeldTooLong(job: ImportJob, now: Date, retentionDays: number): boolean {
  return (
    job.hardwareHash !== null &&
    job.status === 'failed' &&
    job.error?.retryable === true &&
    Date.parse(job.updatedAt) <= now.getTime() - retentionDays * 86_400_000
  );
}

/** Erases a hash held for a retry: the job can no longer be retried, and its card says what to do instead. */
export function eraseHeldHash(job: ImportJob, now: Date, retentionDays: number): ImportJob {
  if (!job.error) return { ...job, hardwareHash: null };
  return {
    ...job,
    hardwareHash: null,
    updatedAt: now.toISOString(),
    error: {
      ...job.error,
      retryable: false,
      advice: `${job.error.advice} The hardware hash was erased ${retentionDays} days after the failure: submit the device again to retry.`,
    },
    audit: [
      ...job.audit,
      {
        at: now.toISOString(),
        action: 'hash_erased',
        by: { id: 'system', name: 'Autopilot Approvals' },
        detail: `kept ${retentionDays} days for a retry`,
      },
    ],
  };
}
