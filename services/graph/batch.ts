/**
 * JSON batching: up to 20 requests per `$batch`. Graph throttles each part on its own and the SDK does not
 * retry parts, so parts answered 429/503/504 are sent again, after the longest Retry-After among them.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphRequestError, parseRetryAfter, readableGraphMessage } from './graph-errors.js';
import { graphCall } from './graph-call.js';
import type { ItemResult } from './autopilot-graph.js';

export interface BatchPart {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  /** Relative to the version, e.g. `/deviceManagement/...`. */
  url: string;
  body?: unknown;
}

export interface PartResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const MAX_PARTS = 20;
const RETRY_STATUSES = new Set([429, 503, 504]);
/**
 * `$batch` requests of one call under way at a time. A read of 500 upload records is 25 requests; one after
 * another, each waits for the answer before it (while a bulk keeps the service busy, 50 ms or more each), and the
 * devices' clean-up waits for that read. Writes still go one at a time: the client's budget sends each only after
 * the answer to the write before it (request-budget.ts).
 */
const BATCHES_IN_FLIGHT = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `items` cut into runs of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * `work` for every item, at most `width` at a time, in order of the items. After a failure no further item is
 * begun, and the failure is thrown once the items under way have ended.
 */
async function inTurns<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = await Promise.allSettled(Array.from({ length: Math.min(width, items.length) }, worker));
  const failure = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
  if (failure) throw failure.reason;
}

export async function sendBatch(
  client: Client,
  version: 'v1.0' | 'beta',
  parts: readonly BatchPart[],
  options: { maxRounds?: number; fallbackDelayMs?: number } = {},
): Promise<PartResponse[]> {
  const results: PartResponse[] = new Array<PartResponse>(parts.length);
  let pending = parts.map((_, i) => i);
  for (let round = 1; pending.length > 0; round++) {
    const retry: number[] = [];
    let waitMs = 0;
    await inTurns(chunks(pending, MAX_PARTS), BATCHES_IN_FLIGHT, async (chunk) => {
      const requests = chunk.map((i) => {
        const part = parts[i] as BatchPart;
        return {
          id: String(i),
          method: part.method,
          url: part.url,
          ...(part.body === undefined
            ? {}
            : { body: part.body, headers: { 'Content-Type': 'application/json' } }),
        };
      });
      const reply = await graphCall(
        '$batch',
        () =>
          client.api('/$batch').version(version).post({ requests }) as Promise<{
            responses?: { id: string; status: number; body?: unknown; headers?: Record<string, string> }[];
          }>,
      );
      for (const response of reply.responses ?? []) {
        const index = Number(response.id);
        const headers = Object.fromEntries(
          Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
        );
        results[index] = { status: response.status, body: response.body, headers };
        if (RETRY_STATUSES.has(response.status) && round < (options.maxRounds ?? 6)) {
          retry.push(index);
          waitMs = Math.max(
            waitMs,
            parseRetryAfter(headers['retry-after']) ?? (options.fallbackDelayMs ?? 1000) * round,
          );
        }
      }
      for (const index of chunk) {
        results[index] ??= { status: 0, body: undefined, headers: {} };
      }
    });
    pending = retry;
    if (pending.length) await sleep(waitMs);
  }
  return results;
}

/** A part's failure as the typed error the rest of the code handles. */
export function partError(what: string, response: PartResponse): GraphRequestError {
  const error = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  return new GraphRequestError(
    response.status,
    error?.code ?? 'unknown',
    `${what}: ${response.status} ${error?.code ?? ''} ${readableGraphMessage(error?.message)}`.trim(),
    retryAfterMs === undefined ? {} : { retryAfterMs },
  );
}

/** One `$batch` part per key, each answer read by `interpret`: a result per key, failures kept per key. */
export async function batchByKey<K, T>(
  client: Client,
  keys: readonly K[],
  version: 'v1.0' | 'beta',
  toPart: (key: K) => BatchPart,
  interpret: (key: K, response: PartResponse) => Promise<ItemResult<T>> | ItemResult<T>,
): Promise<Map<K, ItemResult<T>>> {
  const responses = keys.length ? await sendBatch(client, version, keys.map(toPart)) : [];
  const results = new Map<K, ItemResult<T>>();
  for (const [i, key] of keys.entries()) results.set(key, await interpret(key, responses[i] as PartResponse));
  return results;
}
