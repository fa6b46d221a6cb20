import { GraphError } from '@microsoft/microsoft-graph-client';
import { GraphRequestError, parseRetryAfter, readableGraphMessage } from './graph-errors.js';

/** Runs an SDK call and turns whatever it throws into a GraphRequestError with Graph's status and code. */
export async function graphCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGraphRequestError(what, error);
  }
}

export function toGraphRequestError(what: string, error: unknown): GraphRequestError {
  if (error instanceof GraphRequestError) return error;
  if (error instanceof GraphError && error.statusCode > 0) {
    const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after'));
    return new GraphRequestError(
      error.statusCode,
      error.code ?? 'unknown',
      `${what}: ${error.statusCode} ${error.code ?? ''} ${readableGraphMessage(error.message)}`.trim(),
      {
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GraphRequestError(0, 'network', `${what}: ${message}`, { cause: error });
}
