import { currentStep, type ImportJob } from '../domain/job.js';
import type { Logger } from '../logging/logger.js';
import type { ProgressPublisher } from './progress.js';

/** Reports job progress to the log: status changes at info, step changes at debug. Never logs the hash. */
export function loggingPublisher(logger: Logger): ProgressPublisher {
  const lastStatus = new Map<string, string>();
  return {
    jobChanged(job: ImportJob) {
      const step = currentStep(job);
      const entry = {
        jobId: job.id,
        serial: job.device.serialNumber,
        status: job.status,
        step: step?.name,
        stepState: step?.state,
      };
      if (lastStatus.get(job.id) !== job.status) {
        logger.info(
          {
            ...entry,
            outcome: job.outcome,
            error: job.error && { code: job.error.code, name: job.error.name },
          },
          `job ${job.status}`,
        );
        lastStatus.set(job.id, job.status);
      } else {
        logger.debug(entry, 'job progressed');
      }
      if (lastStatus.size > 10_000) lastStatus.clear();
    },
  };
}
