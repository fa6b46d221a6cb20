/** What a route of the emulator declares: where Graph has it, what it needs, how it answers. */
import type { ApiVersion, EmulatorRequest, EmulatorResponse } from '../http-types.js';
import { intuneError } from '../http-types.js';
import type { PermissionRule } from '../permissions.js';
import type { EmulatedTenant } from '../world.js';

export interface Route {
  method: string;
  pattern: RegExp;
  /**
   * The API versions whose metadata has this route (microsoftgraph/msgraph-metadata, clean_v10_metadata and
   * clean_beta_metadata). Called in another version, Graph answers 400 "Resource not found for the segment".
   */
  versions: readonly ApiVersion[];
  /** The segment Graph names when the route is called in a version that lacks it. */
  segment: string;
  permissions: PermissionRule;
  /** Counts against Intune's write budget. */
  write: boolean;
  /** Under /deviceManagement: throttled by Intune's limits, errors in Intune's envelope. */
  intune: boolean;
  handle(
    req: EmulatorRequest,
    match: RegExpMatchArray,
    tenant: EmulatedTenant,
    pageSize: number,
  ): EmulatorResponse;
}

export const BOTH: readonly ApiVersion[] = ['v1.0', 'beta'];
export const BETA: readonly ApiVersion[] = ['beta'];
export const ID = '([^/?]+)';

export function text(value: unknown, max = 10_000): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/**
 * Pages a list with `$skiptoken` and `@odata.nextLink`, like Graph. The token is a cursor (the id of the last
 * item sent, items in id order), not an offset: an item deleted between two pages does not make the next page
 * skip one that is still there.
 */
export function paged<T extends { id: string }>(
  req: EmulatorRequest,
  items: T[],
  pageSize: number,
  path: string,
  /** What each item of the page looks like in the answer (only the page's items are turned into views). */
  view: (item: T) => unknown = (item) => item,
): EmulatorResponse {
  const top = Math.min(Number(req.query.get('$top') ?? pageSize) || pageSize, pageSize);
  const after = req.query.get('$skiptoken') ?? '';
  const { page, more } = nextInIdOrder(items, after, top);
  const body: Record<string, unknown> = { value: page.map(view) };
  const last = page.at(-1);
  if (more && last) {
    const next = new URLSearchParams(req.query);
    next.set('$skiptoken', last.id);
    body['@odata.nextLink'] = `${req.baseUrl}/${req.version}${path}?${next.toString()}`;
  }
  return { status: 200, body };
}

/**
 * The `top` items with the smallest ids after `after`, in id order, and whether more follow. A page of a tenant
 * of 10,000 devices does not sort all of them: a bounded heap keeps the smallest ids seen (a listing of such a
 * tenant is 100 pages, and sorting the tenant for each made the emulator, not the client, the slow side).
 */
export function nextInIdOrder<T extends { id: string }>(
  items: readonly T[],
  after: string,
  top: number,
): { page: T[]; more: boolean } {
  // A max-heap on id: heap[0] is the largest of the smallest ids kept.
  const heap: T[] = [];
  let following = 0;
  const larger = (i: number, j: number) => (heap[i]?.id ?? '') > (heap[j]?.id ?? '');
  const swap = (i: number, j: number) => {
    const a = heap[i] as T;
    heap[i] = heap[j] as T;
    heap[j] = a;
  };
  for (const item of items) {
    if (item.id <= after) continue;
    following++;
    if (heap.length < top) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0 && larger(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (top > 0 && item.id < (heap[0] as T).id) {
      heap[0] = item;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let big = i;
        if (l < heap.length && larger(l, big)) big = l;
        if (r < heap.length && larger(r, big)) big = r;
        if (big === i) break;
        swap(i, big);
        i = big;
      }
    }
  }
  return { page: heap.sort((a, b) => (a.id < b.id ? -1 : 1)), more: following > top };
}

/** What a serial filter selects: every record, records whose serial contains `needle`, or none. */
export type SerialFilter = { kind: 'all' } | { kind: 'contains'; needle: string } | { kind: 'none' };

/**
 * `$filter=contains(serialNumber,'…')` as Intune evaluates it on both Autopilot collections:
 * - a literal holding `-` answers 400 (msgraph-sdk-powershell #2464: GUID-like virtual machine serials);
 * - a literal holding a space matches nothing (VMware serials `VMware-56 4d …`; the community
 *   WindowsAutopilotIntune module searches on the part before the first space for that reason);
 * - `serialNumber eq '…'` and other filters answer 400 (msgraph-sdk-powershell #1260).
 * Matching is case-insensitive. `''` inside the literal is a quote.
 */
export function parseSerialFilter(req: EmulatorRequest, refuseAll = false): SerialFilter | EmulatorResponse {
  const filter = (req.query.get('$filter') ?? '').trim();
  if (!filter) return { kind: 'all' };
  if (refuseAll) return intuneError(400, 'BadRequest', 'An error has occurred');
  const contains = /^contains\(\s*serialNumber\s*,\s*'((?:[^']|'')*)'\s*\)$/i.exec(filter);
  // Intune says no more than its generic "An error has occurred" in both cases (#2464, #1260).
  if (!contains) return intuneError(400, 'BadRequest', 'An error has occurred');
  const needle = (contains[1] ?? '').replace(/''/g, "'");
  if (needle.includes('-')) return intuneError(400, 'BadRequest', 'An error has occurred');
  if (needle.includes(' ')) return { kind: 'none' };
  return { kind: 'contains', needle: needle.toLowerCase() };
}

export function isResponse(value: object): value is EmulatorResponse {
  return 'status' in value;
}
