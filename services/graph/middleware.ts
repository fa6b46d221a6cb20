/**
 * The Graph client's middleware chain: resilience (budget, Retry-After, backoff with jitter, timeouts,
 * correlation ids, logs without bodies or tokens) → bearer token → the SDK's fetch handler.
 */
import { randomUUID } from 'node:crypto';
import {
  HTTPMessageHandler,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';
import type { Logger } from '../logging/logger.js';
import { parseRetryAfter } from './graph-errors.js';
import type { RequestBudget, RequestCost } from './request-budget.js';
import type { TokenProvider } from './token-provider.js';

const RETRY_STATUSES = new Set([429, 503, 504]);
/** Sync's 429 means "not within 10 minutes of the last sync", not throttling: it pauses nothing. */
const SYNC_PATH = /\/windowsautopilotsettings\/sync$/i;

/** Per-request option: answer the first response as it is (e.g. sync, where 429 means "not now"). */
export class NoRetryOption implements MiddlewareOptions {}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ResilienceOptions {
  budget: RequestBudget;
  logger: Logger;
  maxAttempts: number;
  timeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

function setHeader(context: Context, name: string, value: string): void {
  const options = (context.options ??= {});
  if (options.headers instanceof Headers) options.headers.set(name, value);
  else options.headers = { ...(options.headers as Record<string, string> | undefined), [name]: value };
}

/** The import action, which uploads many devices in one request (request-budget.ts gives it a lane of its own). */
const IMPORT_ACTION = /\/importedwindowsautopilotdeviceidentities\/import$/i;

/** Intune's limits apply to device management only; directory calls (groups, devices, users) have their own. */
const INTUNE_PATH = /\/devicemanagement\//i;

/**
 * What a request costs against Intune's budget: a `$batch` costs its Intune parts, like Graph counts them;
 * directory requests cost nothing here.
 */
export function costOf(method: string, url: string, body: unknown): RequestCost {
  const path = new URL(url).pathname;
  if (/\/\$batch$/i.test(path) && typeof body === 'string') {
    const parts = (JSON.parse(body) as { requests?: { method?: string; url?: string }[] }).requests ?? [];
    const intune = parts.filter((p) => INTUNE_PATH.test(p.url ?? ''));
    return {
      requests: intune.length,
      writes: intune.filter((p) => (p.method ?? 'GET').toUpperCase() !== 'GET').length,
    };
  }
  if (!INTUNE_PATH.test(path)) return { requests: 0, writes: 0 };
  if (method.toUpperCase() === 'GET') return { requests: 1, writes: 0 };
  return IMPORT_ACTION.test(path) ? { requests: 1, writes: 1, upload: true } : { requests: 1, writes: 1 };
}

export class ResilienceMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly options: ResilienceOptions) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    // The SDK always hands a URL string here; a Request object would carry its own url.
    const url =
      typeof context.request === 'string' ? context.request : (context.request as { url: string }).url;
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const path = new URL(url).pathname;
    const cost = costOf(method, url, context.options?.body);
    const maxAttempts = context.middlewareControl?.getMiddlewareOptions(NoRetryOption)
      ? 1
      : this.options.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      const settle = await this.options.budget.acquire(cost);
      const correlationId = randomUUID();
      setHeader(context, 'client-request-id', correlationId);
      const started = Date.now();
      const status = await this.attempt(context);
      // The answer's status line is here: the budget counts the request from now, not from after its body is read.
      const answeredAt = Date.now();
      const log = { correlationId, method, path, status, attempt, ms: Date.now() - started };
      await this.pauseForThrottledParts(context, path, status);
      const retryable = status === 0 || RETRY_STATUSES.has(status);
      if (status === 429 && !SYNC_PATH.test(path))
        this.options.budget.pauseUntil(
          Date.now() + this.delay(attempt, context.response?.headers.get('retry-after')),
        );
      // Only now, with any pause a 429 asks for in place, may the next write go (request-budget.ts).
      settle(answeredAt);
      if (!retryable || attempt >= maxAttempts) {
        this.options.logger.debug(log, 'graph request');
        if (status === 0)
          throw new Error(
            `Graph request ${method} ${path} failed without a response after ${attempt} attempts.`,
          );
        return;
      }
      const delay = this.delay(attempt, context.response?.headers.get('retry-after'));
      this.options.logger.warn({ ...log, retryInMs: delay }, 'graph request will be retried');
      await sleep(delay);
    }
  }

  /**
   * Graph throttles each `$batch` part on its own and answers the envelope 200: a part's 429 pauses every
   * request for its Retry-After, as a whole request's 429 does, or the other requests would go on into the limit.
   */
  private async pauseForThrottledParts(context: Context, path: string, status: number): Promise<void> {
    if (status !== 200 || !/\/\$batch$/i.test(path) || !context.response) return;
    try {
      const body = (await context.response.clone().json()) as {
        responses?: { status?: number; headers?: Record<string, string> }[];
      };
      const waits = (body.responses ?? [])
        .filter((r) => r.status === 429)
        .map((r) => {
          const header = Object.entries(r.headers ?? {}).find(
            ([k]) => k.toLowerCase() === 'retry-after',
          )?.[1];
          return parseRetryAfter(header) ?? this.options.baseDelayMs;
        });
      if (waits.length) this.options.budget.pauseUntil(Date.now() + Math.max(...waits));
    } catch {
      // Not JSON after all: nothing to pause for; the SDK reports the body as it is.
    }
  }

  /** Runs the rest of the chain once; returns the status, or 0 when no response came (network, timeout). */
  private async attempt(context: Context): Promise<number> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    context.options = { ...context.options, signal: controller.signal };
    try {
      await this.next?.execute(context);
      return context.response?.status ?? 0;
    } catch {
      // A dropped connection or a timeout: no response to read; the caller retries with backoff.
      context.response = undefined;
      return 0;
    } finally {
      clearTimeout(timer);
    }
  }

  private delay(attempt: number, retryAfter: string | null | undefined): number {
    const told = parseRetryAfter(retryAfter);
    if (told !== undefined) return told;
    const cap = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + (this.options.random ?? Math.random)() * (cap / 2));
  }
}

export class BearerTokenMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly tokens: TokenProvider) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    setHeader(context, 'Authorization', `Bearer ${await this.tokens.getToken()}`);
    await this.next?.execute(context);
  }
}

export function middlewareChain(tokens: TokenProvider, resilience: ResilienceOptions): Middleware {
  const first = new ResilienceMiddleware(resilience);
  const auth = new BearerTokenMiddleware(tokens);
  first.setNext(auth);
  auth.setNext(new HTTPMessageHandler());
  return first;
}
