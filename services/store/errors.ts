import { AppError } from '../errors.js';

/** Someone else changed the record (a job or a batch) since it was read: read it again and re-apply the change. */
export class StoreConflictError extends AppError {
  constructor(readonly jobId: string) {
    super('store_conflict', `Record ${jobId} was changed by someone else since it was read.`, {
      retryable: true,
    });
    this.name = 'StoreConflictError';
  }
}

export class JobNotFoundError extends AppError {
  constructor(readonly jobId: string) {
    super('job_not_found', `No job with id ${jobId}.`, { retryable: false });
    this.name = 'JobNotFoundError';
  }
}

/** The lease on a job is held by another worker now: stop working on it. */
export class LeaseLostError extends AppError {
  constructor(
    readonly jobId: string,
    readonly owner: string,
  ) {
    super('lease_lost', `Worker ${owner} no longer holds the lease on job ${jobId}.`, { retryable: false });
    this.name = 'LeaseLostError';
  }
}

/** The store could not be reached or refused the request for a reason other than a conflict. */
export class StoreUnavailableError extends AppError {
  constructor(message: string, cause: unknown, retryAfterMs?: number) {
    super('store_unavailable', message, {
      retryable: true,
      cause,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    this.name = 'StoreUnavailableError';
  }
}

export class StoreCorruptError extends AppError {
  constructor(message: string) {
    super('store_corrupt', message, { retryable: false });
    this.name = 'StoreCorruptError';
  }
}
