import { AppError } from '../errors.js';

export type DomainErrorCode =
  | 'already_decided'
  | 'approval_expired'
  | 'job_finished'
  | 'not_awaiting_approval'
  | 'not_retryable'
  | 'not_running'
  | 'step_out_of_order'
  | 'not_yet_due'
  | 'device_already_open'
  | 'same_approver'
  | 'tag_mismatch'
  | 'confirm_enrolled'
  | 'plan_not_applicable'
  | 'plan_mismatch';

/** A transition that the job's current state does not allow. Never retryable: the state must change first. */
export class DomainError extends AppError {
  constructor(
    override readonly code: DomainErrorCode,
    message: string,
  ) {
    super(code, message, { retryable: false });
    this.name = 'DomainError';
  }
}
