/** Graph's paged lists: `@odata.nextLink` followed through the SDK until the pages end or enough is found. */
import type { Client } from '@microsoft/microsoft-graph-client';
import { graphCall } from './graph-call.js';

export interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

/** `@odata.nextLink` is absolute; the SDK wants a path and a version (and knows only https:// links). */
function splitNextLink(link: string): { version: string; path: string } {
  const url = new URL(link);
  const match = /^\/(v1\.0|beta)(\/.*)$/i.exec(url.pathname);
  if (!match) throw new Error(`Unexpected @odata.nextLink path: ${url.pathname}`);
  return { version: match[1] ?? 'v1.0', path: `${match[2] ?? ''}${url.search}` };
}

/** The items of every page from `first` on that `keep` accepts, stopping early once `enough` says so. */
export async function pagesUntil<T>(
  client: Client,
  first: Page<T>,
  what: string,
  keep: (item: T) => boolean,
  enough: (kept: T[]) => boolean,
): Promise<T[]> {
  const kept = (first.value ?? []).filter(keep);
  let next = first['@odata.nextLink'];
  while (next && !enough(kept)) {
    const page = await nextPage<T>(client, next, what);
    kept.push(...(page.value ?? []).filter(keep));
    next = page['@odata.nextLink'];
  }
  return kept;
}

/** The page an `@odata.nextLink` points at. */
export function nextPage<T>(client: Client, nextLink: string, what: string): Promise<Page<T>> {
  const link = splitNextLink(nextLink);
  return graphCall(what, () => client.api(link.path).version(link.version).get() as Promise<Page<T>>);
}
