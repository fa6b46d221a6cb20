import type { ImportJob } from '../domain/job.js';

/**
 * The port through which the pipeline reports each persisted change of a job (the bot's card publisher
 * implements it). Must not throw and must return quickly: implementations queue.
 */
export interface ProgressPublisher {
  jobChanged(job: ImportJob): void;
}

/** Reports each change to every publisher. */
export function fanOut(...publishers: ProgressPublisher[]): ProgressPublisher {
  return { jobChanged: (job) => publishers.forEach((p) => p.jobChanged(job)) };
}
