/**
 * One Graph request through the emulator: the route in the version called, the app's permissions, Intune's
 * throttling, the handler, and the faults a scenario injects after the work is done. `$batch` runs its parts
 * through the same path.
 */
import { findRoute } from './graph-routes.js';
import {
  graphError,
  intuneError,
  type ApiVersion,
  type EmulatorRequest,
  type EmulatorResponse,
} from './http-types.js';
import { missingPermission } from './permissions.js';
import type { RequestLog } from './request-log.js';
import type { Route } from './routes/route.js';
import type { Scenario } from './scenario.js';
import type { SlidingWindowThrottle } from './throttle.js';
import type { EmulatedTenant } from './world.js';

export interface Caller {
  clientId: string;
  roles: readonly string[];
}

interface BatchPartInput {
  id?: string | number;
  method?: string;
  url?: unknown;
  headers?: Record<string, string>;
  body?: unknown;
}

const IMPORT_PATH = /importedwindowsautopilotdeviceidentities(\/import)?$/i;

export class GraphDispatcher {
  private afterImportStrikes = 0;
  graphUrl = '';

  constructor(
    private readonly scenario: Scenario,
    private readonly tenant: EmulatedTenant,
    private readonly throttle: SlidingWindowThrottle,
    private readonly log: RequestLog,
    private readonly random: () => number,
  ) {}

  dispatch(
    method: string,
    rawPath: string,
    body: unknown,
    version: ApiVersion,
    caller: Caller,
    batchPart: boolean,
  ): EmulatorResponse {
    const now = Date.now();
    const url = new URL(rawPath, 'http://graph.local');
    const path = decodeURIComponent(url.pathname);
    const found = findRoute(method, path, version);
    let response: EmulatorResponse;
    let uploads: string[] | undefined;
    if (found.kind === 'unknown') {
      // Graph names the first segment it cannot resolve (microsoft-graph-docs #4900, msgraph-beta-sdk-python #764).
      response = graphError(400, 'BadRequest', `Resource not found for the segment '${found.segment}'.`);
    } else if (found.kind === 'other_version') {
      // Inside $batch a route of the other version answers 405 (Graph's JSON batching page, request 3).
      response = batchPart
        ? graphError(
            405,
            'Request_BadRequest',
            'Specified HTTP method is not allowed for the request target.',
          )
        : graphError(400, 'BadRequest', `Resource not found for the segment '${found.route.segment}'.`);
    } else {
      const request: EmulatorRequest = {
        method,
        path,
        query: url.searchParams,
        body,
        version,
        now,
        baseUrl: this.graphUrl,
      };
      this.tenant.settle(now);
      response =
        this.admitted(found.route, caller, now) ??
        found.route.handle(request, found.match, this.tenant, this.scenario.pageSize);
      if (IMPORT_PATH.test(path) && method === 'POST' && response.status < 300) {
        uploads = uploadedSerials(body);
        response = this.afterImportFault(uploads) ?? response;
      }
    }
    const retryAfter = response.status === 429 ? Number(response.headers?.['Retry-After'] ?? NaN) : NaN;
    this.log.add({
      at: now,
      method,
      path,
      status: response.drop ? 0 : response.status,
      batchPart,
      clientId: caller.clientId,
      ...(uploads ? { uploads } : {}),
      ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
    return response;
  }

  /** A refusal before the handler runs (missing permission, throttled), or undefined to go on. */
  private admitted(route: Route, caller: Caller, now: number): EmulatorResponse | undefined {
    const missing = missingPermission(route.permissions, caller.roles);
    if (missing) {
      // Intune names the scopes it wants (IntuneBackupAndRestore #55); the directory does not (aaddevsup, 2024).
      return route.intune
        ? intuneError(
            403,
            'Forbidden',
            `Application is not authorized to perform this operation. Application must have one of the following scopes: ${missing.join(', ')}`,
          )
        : graphError(
            403,
            'Authorization_RequestDenied',
            'Insufficient privileges to complete the operation.',
          );
    }
    if (!route.intune || !this.scenario.throttling.enabled) return undefined;
    const verdict = this.throttle.admit(caller.clientId, route.write, now);
    if (verdict.allowed) return undefined;
    const omitted = this.random() < (this.scenario.throttling.retryAfterOmittedRate ?? 0);
    return graphError(
      429,
      'TooManyRequests',
      'Too many requests; retry after the time given.',
      omitted ? undefined : { 'Retry-After': verdict.retryAfterSeconds.toFixed(3) },
    );
  }

  /**
   * The upload was applied; the answer is lost to a gateway timeout or a dropped connection. Graph's error page
   * ("Microsoft Graph error responses": 504 Gateway Timeout, the server acting as a proxy got no timely answer
   * from the service behind it) promises nothing about whether the work was done. The emulator models the worst
   * case for a client, the work applied and the answer lost (the reference sheet's rule: never resend an upload
   * without looking first); it is not an observed rate.
   */
  private afterImportFault(serials: readonly string[]): EmulatorResponse | undefined {
    const fault = this.scenario.faults.afterImport;
    if (!fault || (fault.times !== undefined && this.afterImportStrikes >= fault.times)) return undefined;
    const strikes = fault.serials
      ? serials.some((s) => fault.serials?.includes(s))
      : this.random() < (fault.rate ?? 0);
    if (!strikes) return undefined;
    this.afterImportStrikes++;
    if (fault.kind === 'drop') return { status: 0, drop: true };
    return graphError(504, 'GatewayTimeout', 'The gateway did not receive a response in time.');
  }

  batch(body: unknown, version: ApiVersion, caller: Caller): EmulatorResponse {
    const requests = (body as { requests?: unknown } | null)?.requests;
    if (!Array.isArray(requests) || requests.length === 0)
      return graphError(400, 'BadRequest', 'A batch needs a requests array.');
    if (requests.length > 20) return graphError(400, 'BadRequest', 'A batch holds at most 20 requests.');
    const parts = requests as BatchPartInput[];
    const ids = parts.map((p) => String(p.id ?? ''));
    if (ids.some((id) => id === '') || new Set(ids).size !== ids.length)
      return graphError(400, 'BadRequest', 'Batch request ids must be present and unique.');
    const responses = parts.map((part) => {
      const result = this.part(part, version, caller);
      return {
        id: String(part.id),
        status: result.status,
        headers: { 'content-type': 'application/json', ...result.headers },
        ...(result.body === undefined ? {} : { body: result.body }),
      };
    });
    this.log.add({
      at: Date.now(),
      method: 'POST',
      path: '/$batch',
      status: 200,
      batchPart: false,
      clientId: caller.clientId,
    });
    // "The response format for JSON batch requests ... responses might appear in a different order than the
    // requests" (Graph's JSON batching page): answered in reverse, so a client that maps answers by position fails.
    return { status: 200, body: { responses: responses.reverse() } };
  }

  private part(part: BatchPartInput, version: ApiVersion, caller: Caller): EmulatorResponse {
    const url = typeof part.url === 'string' ? part.url : '';
    const hasContentType = Object.keys(part.headers ?? {}).some((h) => h.toLowerCase() === 'content-type');
    if (!url.startsWith('/') || /^\/(v1\.0|beta)\//i.test(url))
      return graphError(400, 'BadRequest', 'A batch url must be relative to the version.');
    if (part.body !== undefined && !hasContentType)
      return graphError(400, 'BadRequest', 'Content-Type header is required when a body is present.');
    const result = this.dispatch(
      String(part.method ?? 'GET').toUpperCase(),
      url,
      part.body,
      version,
      caller,
      true,
    );
    // A part cannot drop the connection: the gateway answers for it.
    return result.drop
      ? graphError(504, 'GatewayTimeout', 'The gateway did not receive a response in time.')
      : result;
  }
}

function uploadedSerials(body: unknown): string[] {
  const b = body as {
    serialNumber?: unknown;
    importedWindowsAutopilotDeviceIdentities?: { serialNumber?: unknown }[];
  } | null;
  const list = b?.importedWindowsAutopilotDeviceIdentities ?? (b ? [b] : []);
  return list.map((d) => (typeof d.serialNumber === 'string' ? d.serialNumber : '')).filter((s) => s !== '');
}
