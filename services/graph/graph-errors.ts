import { AppError } from '../errors.js';

/** A Graph call that failed after the client's own retries, with what Graph said. */
export class GraphRequestError extends AppError {
  constructor(
    readonly status: number,
    readonly graphCode: string,
    message: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(`graph_${status || 'network'}`, message, {
      retryable: status === 0 || status === 408 || status === 429 || status >= 500,
      ...options,
    });
    this.name = 'GraphRequestError';
  }
}

export class GraphAuthError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('graph_auth_failed', message, { retryable: false, cause });
    this.name = 'GraphAuthError';
  }
}

/** Reads a Retry-After header (seconds, possibly fractional, or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The readable message of a Graph error. Intune puts a JSON document of its own in `error.message`
 * (`{"_version":3,"Message":"… - Operation ID …"}`); its `Message` is what it means to say, up to the ids.
 */
export function readableGraphMessage(message: string | undefined): string {
  const text = (message ?? '').trim();
  if (!text.startsWith('{')) return text;
  try {
    const inner = JSON.parse(text) as { Message?: unknown };
    if (typeof inner.Message !== 'string') return text;
    return inner.Message.split(' - Operation ID')[0]?.trim() ?? inner.Message;
  } catch {
    return text;
  }
}
