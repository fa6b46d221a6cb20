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

  /** The listing under way for each collection, and the one queued behind it for those who asked meanwhile. */
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly queued = new Map<string, Promise<unknown>>();

  /**
   * One listing of a collection at a time, shared by the callers who need it (groups of jobs polling together)
   * instead of each paging through the whole collection. A caller never gets a listing that began before it
   * asked: that one may miss an item made just before the caller asked (an upload its own import created), so
   * whoever asks while a listing is under way waits for the next, which starts when that one ends and serves
   * everyone who asked in between.
   */
  shared<R>(collection: string, list: () => Promise<R[] | undefined>): Promise<R[] | undefined> {
    const queued = this.queued.get(collection);
    if (queued) return queued as Promise<R[] | undefined>;
    const running = this.running.get(collection);
    if (!running) return this.begin(collection, list);
    const next = running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.queued.delete(collection);
        return this.begin(collection, list);
      });
    this.queued.set(collection, next);
    return next;
  }

  private begin<R>(collection: string, list: () => Promise<R[] | undefined>): Promise<R[] | undefined> {
    const started = list().finally(() => {
      if (this.running.get(collection) === started) this.running.delete(collection);
    });
    this.running.set(collection, started);
    return started;
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
 * (the caller then reads them one by one, which reports each item's own failure). The listing began after this
 * call (ListingCosts.shared), so what it lacks was not there when the caller asked.
 */
export async function fromListing<R, M>(
  client: Client,
  costs: ListingCosts,
  request: Listing<R, M>,
  keys: readonly string[],
  keyOf: (item: M) => string,
): Promise<Map<string, M[]> | undefined> {
  const maxPages = costs.budgetFor(request.collection, new Set(keys).size);
  if (maxPages === 0) return undefined;
  let items: M[] | undefined;
  try {
    items = await costs.shared(request.collection, () =>
      listCollection<R, M>(client, costs, { ...request, maxPages }),
    );
  } catch {
    return undefined;
  }
  if (!items) return undefined;
  const found = new Map(keys.map((key) => [key, [] as M[]]));
  for (const item of items) found.get(keyOf(item))?.push(item);
  return found;
}

/**
 * Items by key, read the cheaper way: from one listing, or one by one with `readEach`. `keyFor` normalises a
 * wanted key as `keyOf` does a listed item's; `fromItems` turns the listed (mapped) items of one key into its
 * result.
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
  return new Map(
    keys.map((key) => [key, { ok: true, value: fromItems(listed.get(match.keyFor(key)) ?? []) }]),
  );
}
