import { AppError } from '../errors.js';

export type IntakeErrorCode =
  | 'unauthorized'
  | 'invalid_json'
  | 'invalid_field'
  | 'unknown_field'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'rate_limited'
  | 'not_allowed'
  | 'not_found'
  | 'invalid_csv'
  | 'too_many_rows'
  | 'graph_unavailable';

const STATUS: Record<IntakeErrorCode, number> = {
  unauthorized: 401,
  invalid_json: 400,
  invalid_field: 400,
  unknown_field: 400,
  unsupported_media_type: 415,
  body_too_large: 413,
  rate_limited: 429,
  not_allowed: 422,
  not_found: 404,
  invalid_csv: 400,
  too_many_rows: 413,
  graph_unavailable: 503,
};

/** A refused request: HTTP status, stable code, a message, and the field at fault when there is one. */
export class IntakeError extends AppError {
  readonly status: number;
  constructor(
    override readonly code: IntakeErrorCode,
    message: string,
    readonly field?: string,
    retryAfterMs?: number,
  ) {
    super(code, message, {
      retryable: code === 'rate_limited',
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    this.name = 'IntakeError';
    this.status = STATUS[code];
  }

  toBody(): { error: { code: string; message: string; field?: string } } {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) },
    };
  }
}
