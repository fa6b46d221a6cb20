import { isOpen, type ImportJob } from './job.js';

/**
 * The hash is needed until the import has been confirmed complete: a retryable failure before that point
 * (StorageError, say) uploads it again. After that, and for jobs that will never run, it is erased.
 */
export function hashStillNeeded(job: ImportJob): boolean {
  const confirmed = job.steps.some((s) => s.name === 'await-import' && s.state === 'succeeded');
  if (confirmed) return false;
  if (isOpen(job.status)) return true;
  return job.status === 'failed' && job.error?.retryable === true;
}

export function applyHashRetention(job: ImportJob): ImportJob {
  return job.hardwareHash !== null && !hashStillNeeded(job) ? { ...job, hardwareHash: null } : job;
}
