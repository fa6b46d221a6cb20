/**
 * Exact serial matches in an Intune collection: one `$batch` part per serial with contains() on the serial's
 * searchable run (serial-search.ts), compared exactly on this side. When Intune refuses the filter anyway (400),
 * the collection is paged without one.
 */
import { serialKey } from '../domain/serial-key.js';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { ItemResult } from './autopilot-graph.js';
import { batchByKey, partError } from './batch.js';
import { graphCall, toGraphRequestError } from './graph-call.js';
import { pagesUntil, type Page } from './paging.js';
import { serialFilter } from './serial-search.js';

export interface SerialSearch<R> {
  collection: string;
  version: 'v1.0' | 'beta';
  what: string;
  /** Stop paging at the first exact match (a serial is one Autopilot device; uploads can be several). */
  stopAtFirst: boolean;
  serialOf(raw: R): string | null | undefined;
}

export function findBySerial<R>(
  client: Client,
  serials: readonly string[],
  search: SerialSearch<R>,
): Promise<Map<string, ItemResult<R[]>>> {
  return batchByKey(
    client,
    serials,
    search.version,
    (serial) => ({
      method: 'GET',
      url: `${search.collection}?$filter=${encodeURIComponent(serialFilter(serial))}`,
    }),
    async (serial, response): Promise<ItemResult<R[]>> => {
      // The same device whatever the case or spacing Graph and the submitter used (see serial-key.ts).
      const exact = (raw: R) => serialKey(search.serialOf(raw) ?? '') === serialKey(serial);
      const enough = (kept: R[]) => search.stopAtFirst && kept.length > 0;
      try {
        if (response.status === 200)
          return {
            ok: true,
            value: await pagesUntil(client, response.body as Page<R>, search.what, exact, enough),
          };
        if (response.status !== 400) return { ok: false, error: partError(search.what, response) };
        const first = await graphCall(
          search.what,
          () => client.api(search.collection).version(search.version).get() as Promise<Page<R>>,
        );
        return { ok: true, value: await pagesUntil(client, first, search.what, exact, enough) };
      } catch (error) {
        return { ok: false, error: toGraphRequestError(search.what, error) };
      }
    },
  );
}
