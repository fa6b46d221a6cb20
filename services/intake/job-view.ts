/** What the intake API shows of a job: never the hash, nor anything from the store's internals. */
import type { ImportJob, JobFlag, JobStatus, Outcome, StepName, StepState } from '../domain/job.js';

export interface JobView {
  id: string;
  status: JobStatus;
  outcome?: Outcome;
  serialNumber: string;
  hashFingerprint: string;
  flags: JobFlag[];
  batchId?: string;
  createdAt: string;
  updatedAt: string;
  steps: { name: StepName; state: StepState; startedAt?: string; endedAt?: string }[];
  error?: { step: StepName; code: string; name: string; advice: string; retryable: boolean };
}

export function jobView(job: ImportJob): JobView {
  return {
    id: job.id,
    status: job.status,
    ...(job.outcome ? { outcome: job.outcome } : {}),
    serialNumber: job.device.serialNumber,
    hashFingerprint: job.hashFingerprint,
    flags: job.flags,
    ...(job.batchId ? { batchId: job.batchId } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    steps: job.steps.map((s) => ({
      name: s.name,
      state: s.state,
      ...(s.startedAt ? { startedAt: s.startedAt } : {}),
      ...(s.endedAt ? { endedAt: s.endedAt } : {}),
    })),
    ...(job.error
      ? {
          error: {
            step: job.error.step,
            code: job.error.code,
            name: job.error.name,
            advice: job.error.advice,
            retryable: job.error.retryable,
          },
        }
      : {}),
  };
}
