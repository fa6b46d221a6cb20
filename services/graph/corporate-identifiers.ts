/**
 * Corporate identifiers for Windows Autopilot device preparation (beta only, importedDeviceIdentity in
 * msgraph-metadata and the Intune beta reference). Both actions take a list: one call covers every device in
 * hand. `importDeviceIdentityList` answers importedDeviceIdentityResult items with a Boolean `status`;
 * `searchExistingIdentities` answers the importedDeviceIdentity items that exist.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { ItemResult } from './autopilot-graph.js';
import { graphCall, toGraphRequestError } from './graph-call.js';
import { NoRetryOption } from './middleware.js';
import { chunks } from './batch.js';

const IDENTITIES = '/deviceManagement/importedDeviceIdentities';
const TYPE = 'manufacturerModelSerial';
/** Identifiers per call: Microsoft documents no maximum; the portal takes 5,000 per file. Kept modest. */
const PER_CALL = 100;

interface RawIdentity {
  id?: string;
  importedDeviceIdentifier?: string;
  status?: boolean;
}

export interface ImportedIdentifier {
  id: string;
  /** importDeviceIdentityList's verdict for the item. */
  accepted: boolean;
}

const bodyOf = (identifiers: readonly string[]) =>
  identifiers.map((importedDeviceIdentifier) => ({
    importedDeviceIdentityType: TYPE,
    importedDeviceIdentifier,
  }));

/** Each call's failure is every one of its identifiers' failure. */
async function perIdentifier<T>(
  what: string,
  identifiers: readonly string[],
  call: (chunk: string[]) => Promise<RawIdentity[]>,
  pick: (identifier: string, found: RawIdentity | undefined) => T,
): Promise<Map<string, ItemResult<T>>> {
  const results = new Map<string, ItemResult<T>>();
  for (const chunk of chunks(identifiers, PER_CALL)) {
    try {
      const answered = await call(chunk);
      const byKey = new Map(answered.map((r) => [(r.importedDeviceIdentifier ?? '').toLowerCase(), r]));
      for (const identifier of chunk)
        results.set(identifier, { ok: true, value: pick(identifier, byKey.get(identifier.toLowerCase())) });
    } catch (error) {
      const failure = toGraphRequestError(what, error);
      // Intune refuses the whole list for one bad identifier ("Invalid Device Identifier parameter found for N
      // import records!"): ask again one by one, so that only the bad ones fail.
      if (failure.status === 400 && chunk.length > 1) {
        for (const identifier of chunk) {
          const single = await perIdentifier(what, [identifier], call, pick);
          for (const [key, result] of single) results.set(key, result);
        }
        continue;
      }
      for (const identifier of chunk) results.set(identifier, { ok: false, error: failure });
    }
  }
  return results;
}

/** The id of each identifier Intune has already, or null. */
export function searchCorporateIdentifiers(
  client: Client,
  identifiers: readonly string[],
): Promise<Map<string, ItemResult<string | null>>> {
  return perIdentifier(
    'search corporate identifiers',
    identifiers,
    async (chunk) =>
      (
        await graphCall(
          'search corporate identifiers',
          () =>
            client
              .api(`${IDENTITIES}/searchExistingIdentities`)
              .version('beta')
              .post({ importedDeviceIdentities: bodyOf(chunk) }) as Promise<{ value?: RawIdentity[] }>,
        )
      ).value ?? [],
    (_identifier, found) => found?.id ?? null,
  );
}

/**
 * Imports identifiers, never overwriting ones Intune has. Not retried by the HTTP layer: like the hash import, an
 * answer lost after Intune applied it is found by the next search instead.
 */
export function importCorporateIdentifiers(
  client: Client,
  identifiers: readonly string[],
): Promise<Map<string, ItemResult<ImportedIdentifier | null>>> {
  return perIdentifier(
    'import corporate identifiers',
    identifiers,
    async (chunk) =>
      (
        await graphCall(
          'import corporate identifiers',
          () =>
            client
              .api(`${IDENTITIES}/importDeviceIdentityList`)
              .version('beta')
              .middlewareOptions([new NoRetryOption()])
              .post({
                overwriteImportedDeviceIdentities: false,
                importedDeviceIdentities: bodyOf(chunk),
              }) as Promise<{
              value?: RawIdentity[];
            }>,
        )
      ).value ?? [],
    (_identifier, found) => (found?.id ? { id: found.id, accepted: found.status !== false } : null),
  );
}
