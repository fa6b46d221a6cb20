/**
 * One wrapper for every Cosmos DB call, so that the rest of the store sees only its own errors:
 * - 429 after the SDK's own retries ran out: a retryable StoreUnavailableError that keeps Cosmos' retry-after;
 * - 404 with substatus 1002 (read session not yet available on this replica: Cosmos DB's "HTTP status codes" page):
 *   retryable, never "not found";
 * - 409 and 412: a StoreConflictError (someone else wrote first);
 * - plain 404: what the caller says a missing item means (`undefined` for a read or a delete, a conflict for a
 *   conditional write whose record went away); otherwise unavailable (a deleted container answers 404/1003);
 * - anything else: StoreUnavailableError.
 */
import { AppError } from '../../errors.js';
import { StoreConflictError, StoreUnavailableError } from '../errors.js';

interface CosmosErrorLike {
  code?: unknown;
  substatus?: unknown;
  retryAfterInMs?: unknown;
  headers?: Record<string, unknown>;
}

export function statusOf(error: unknown): number | undefined {
  const code = (error as CosmosErrorLike | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function substatusOf(error: unknown): number | undefined {
  const e = error as CosmosErrorLike | null;
  const sub = e?.substatus ?? e?.headers?.['x-ms-substatus'];
  const value = typeof sub === 'string' ? Number(sub) : sub;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function retryAfterOf(error: unknown): number | undefined {
  const e = error as CosmosErrorLike | null;
  const raw = e?.retryAfterInMs ?? e?.headers?.['x-ms-retry-after-ms'];
  const value = typeof raw === 'string' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Cosmos' substatus for "the session token's writes have not reached this replica yet". */
export const READ_SESSION_NOT_AVAILABLE = 1002;

/** The store's error for what Cosmos answered; `conditional`: a 404 means the record went away under us. */
export function storeErrorOf(what: string, error: unknown, recordId: string, conditional = false): Error {
  const status = statusOf(error);
  if (status === 429)
    return new StoreUnavailableError(`Cosmos DB is throttling (${what}).`, error, retryAfterOf(error));
  if (status === 404 && substatusOf(error) === READ_SESSION_NOT_AVAILABLE)
    return new StoreUnavailableError(`Cosmos DB has not caught up with this session yet (${what}).`, error);
  if (status === 409 || status === 412 || (status === 404 && conditional))
    return new StoreConflictError(recordId);
  return new StoreUnavailableError(`Cosmos DB refused ${what}.`, error);
}

/**
 * Runs one Cosmos call. `missing` is what a plain 404 means to the caller: a value (e.g. `undefined` for a delete
 * of something already gone) or `'conflict'` for a conditional write whose record went away.
 */
export async function cosmosCall<T>(
  what: string,
  recordId: string,
  call: () => Promise<T>,
  missing?: (() => T) | 'conflict',
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // The store's own errors (e.g. a 404/1002 found in a read's response) pass as they are.
    if (error instanceof AppError) throw error;
    const plain404 = statusOf(error) === 404 && substatusOf(error) !== READ_SESSION_NOT_AVAILABLE;
    if (plain404 && typeof missing === 'function') return missing();
    throw storeErrorOf(what, error, recordId, missing === 'conflict');
  }
}

/** A point read's answer: the SDK returns 404 without throwing, so a 404/1002 must be caught from the response. */
export function checkReadResponse(what: string, response: { statusCode?: number; substatus?: number }): void {
  if (response.statusCode === 404 && response.substatus === READ_SESSION_NOT_AVAILABLE)
    throw new StoreUnavailableError(`Cosmos DB has not caught up with this session yet (${what}).`, null);
}
