/**
 * Reading many items of one Intune collection: one request per item (`$batch` parts, each counted by Intune's
 * throttle), or one paged listing of the whole collection, which costs as many requests as it has pages. Graph
 * documents no page size or `$count` for the Autopilot collections (community reports say 1,000 per page), so the
 * number of pages is learnt: the first time, the listing is tried and given up after half as many pages as there
 * are items (the items are then read one by one; at worst a read costs 1.5 times the one-by-one cost, once); after
 * that, the listing is used only while its last known length is below the number of items wanted.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { ItemResult } from './autopilot-graph.js';
import { graphCall } from './graph-call.js';
import { nextPage, type Page } from './paging.js';

/** Below this many items, reading them one by one is used without asking (one `$batch` call reads 20). */
export const LISTING_MIN_ITEMS = 50;

/** What the last listing of each collection cost, in pages; decides between a listing and one-by-one reads. */
export class ListingCosts {
  /** Pages of the last listing, and whether it was complete (else the collection has more pages than that). */
  private readonly known = new Map<string, { pages: number; complete: boolean }>();

  /** The most pages a listing for `items` items may read, or 0 when reading them one by one is cheaper. */
  budgetFor(collection: string, items: number): number {
    if (items < LISTING_MIN_ITEMS) return 0;
    const known = this.known.get(collection);
    const trial = Math.floor(items / 2);
    if (!known) return trial;
    if (known.complete) return known.pages < items ? items - 1 : 0;
    return known.pages < trial ? trial : 0;
  }

  learn(collection: string, pages: number, complete: boolean): void {
    this.known.set(collection, { pages, complete });
  }

  private readonly inFlight = new Map<string, Promise<unknown[] | undefined>>();

  /**
   * One listing of a collection at a time: callers who need it while it is under way share it (groups of jobs
   * polling together), instead of each paging through the whole collection.
   */
  shared<R>(
    collection: string,
    list: () => Promise<R[] | undefined>,
  ): { items: Promise<R[] | undefined>; joined: boolean } {
    const running = this.inFlight.get(collection);
    if (running) return { items: running as Promise<R[] | undefined>, joined: true };
    const started = list().finally(() => this.inFlight.delete(collection));
    this.inFlight.set(collection, started);
    return { items: started, joined: false };
  }
}

/** A collection as listed, with how each listed item is mapped (as its page arrives). */
export interface Listing<R, M> {
  collection: string;
  version: 'v1.0' | 'beta';
  what: string;
  /**
   * Turns a raw item into what the service keeps of it. A listing of a tenant's 10,000 upload records holds
   * 10,000 hardware hashes and properties nobody reads; mapped page by page, only what the service uses is kept
   * while the listing goes on. Every caller of one collection shares its listing, so they share this too.
   */
  map: (raw: R) => M;
}

/**
 * Every item of a collection, mapped, following `@odata.nextLink`, unless it has more than `maxPages` pages:
 * then undefined (the caller reads its items one by one). Tells `costs` how many pages it read.
 */
export async function listCollection<R, M>(
  client: Client,
  costs: ListingCosts,
  request: Listing<R, M> & { maxPages: number },
): Promise<M[] | undefined> {
  let page = await graphCall(
    request.what,
    () => client.api(request.collection).version(request.version).get() as Promise<Page<R>>,
  );
  const items = (page.value ?? []).map(request.map);
  let pages = 1;
  for (let next = page['@odata.nextLink']; next; next = page['@odata.nextLink']) {
    if (pages >= request.maxPages) {
      costs.learn(request.collection, pages, false);
      return undefined;
    }
    page = await nextPage<R>(client, next, request.what);
    for (const raw of page.value ?? []) items.push(request.map(raw));
    pages++;
  }
  costs.learn(request.collection, pages, true);
  return items;
}

/**
 * The items of a collection whose key (`keyOf`) is one of `keys`, grouped by key, from one listing when that
 * costs fewer requests than reading them one by one; undefined when it does not, or when the listing failed
 * (the caller then reads them one by one, which reports each item's own failure). `unsure` holds the keys the
 * listing did not have when this caller joined a listing already under way: it began before the caller asked, so
 * an item made since then may be missing from it, and only a read of its own can say that it is not there.
 */
export async function fromListing<R, M>(
  client: Client,
  costs: ListingCosts,
  request: Listing<R, M>,
  keys: readonly string[],
  keyOf: (item: M) => string,
): Promise<{ found: Map<string, M[]>; unsure: string[] } | undefined> {
  const maxPages = costs.budgetFor(request.collection, new Set(keys).size);
  if (maxPages === 0) return undefined;
  const listing = costs.shared(request.collection, () =>
    listCollection<R, M>(client, costs, { ...request, maxPages }),
  );
  let items: M[] | undefined;
  try {
    items = await listing.items;
  } catch {
    return undefined;
  }
  if (!items) return undefined;
  const found = new Map(keys.map((key) => [key, [] as M[]]));
  for (const item of items) found.get(keyOf(item))?.push(item);
  const unsure = listing.joined ? keys.filter((key) => found.get(key)?.length === 0) : [];
  return { found, unsure };
}

/**
 * Items by key, read the cheaper way: from one listing (the keys it cannot vouch for read again one by one), or
 * one by one with `readEach`. `keyFor` normalises a wanted key as `keyOf` does a listed item's; `fromItems` turns
 * the listed (mapped) items of one key into its result.
 */
export async function readMany<R, M, T>(
  client: Client,
  costs: ListingCosts,
  request: Listing<R, M>,
  keys: readonly string[],
  match: { keyOf: (item: M) => string; keyFor: (key: string) => string },
  fromItems: (items: M[]) => T,
  readEach: (keys: string[]) => Promise<Map<string, ItemResult<T>>>,
): Promise<Map<string, ItemResult<T>>> {
  const listed = await fromListing(client, costs, request, keys.map(match.keyFor), match.keyOf);
  if (!listed) return readEach([...keys]);
  const results = new Map<string, ItemResult<T>>(
    keys.map((key) => [key, { ok: true, value: fromItems(listed.found.get(match.keyFor(key)) ?? []) }]),
  );
  const unsure = new Set(listed.unsure);
  const recheck = keys.filter((key) => unsure.has(match.keyFor(key)));
  if (recheck.length) for (const [key, result] of await readEach(recheck)) results.set(key, result);
  return results;
}
