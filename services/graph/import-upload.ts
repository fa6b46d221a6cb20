/**
 * The upload itself. Chunks of 500 go out with the import action (the portal's CSV limit; the action documents
 * none). A chunk Intune refuses with 400 is sent again device by device with single creates, as the community
 * tools send them: a 4xx is a refusal of the request, not a partial apply, and one device alone shows which one
 * Intune refuses. When the first single is refused just as the chunk was, the refusal is the chunk's, not a
 * device's, and the rest are not sent. No upload is ever retried by the HTTP layer: a timed-out or 504 upload
 * may have been applied, and only a look-up can tell (the import step makes it).
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { ImportedIdentity, ImportRequest, ItemResult } from './autopilot-graph.js';
import { toGraphRequestError } from './graph-call.js';
import type { GraphRequestError } from './graph-errors.js';
import { toImported, type RawImported } from './graph-mappers.js';
import { NoRetryOption } from './middleware.js';
import type { Page } from './paging.js';

const IMPORTED = '/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const IMPORT_CHUNK = 500;

type Upload = ItemResult<RawImported[]>;

const identity = (d: ImportRequest) => ({
  '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
  serialNumber: d.serialNumber,
  hardwareIdentifier: d.hardwareHash,
  groupTag: d.groupTag ?? '',
  productKey: d.productKey ?? '',
  assignedUserPrincipalName: d.assignedUser ?? '',
});

// One `what` for both, so that a single create refused like its chunk reads the same.
async function post(client: Client, path: string, body: object, many: boolean): Promise<Upload> {
  try {
    const reply = (await client
      .api(path)
      .middlewareOptions([new NoRetryOption()])
      .post(body)) as Page<RawImported> & RawImported;
    return { ok: true, value: many ? (reply.value ?? []) : [reply] };
  } catch (error) {
    return { ok: false, error: toGraphRequestError('upload devices', error) };
  }
}

const importAction = (client: Client, chunk: readonly ImportRequest[]) =>
  post(client, `${IMPORTED}/import`, { importedWindowsAutopilotDeviceIdentities: chunk.map(identity) }, true);
const singleCreate = (client: Client, device: ImportRequest) =>
  post(client, IMPORTED, identity(device), false);

function keep(
  results: Map<string, ItemResult<ImportedIdentity>>,
  chunk: readonly ImportRequest[],
  reply: Upload,
) {
  if (!reply.ok) for (const device of chunk) results.set(device.serialNumber, reply);
  else
    for (const raw of reply.value) results.set(raw.serialNumber ?? '', { ok: true, value: toImported(raw) });
}

const sameRefusal = (a: GraphRequestError, b: GraphRequestError) =>
  a.status === b.status && a.message === b.message;

async function oneByOne(
  client: Client,
  chunk: readonly ImportRequest[],
  refusal: GraphRequestError,
  results: Map<string, ItemResult<ImportedIdentity>>,
): Promise<void> {
  for (const [i, device] of chunk.entries()) {
    const reply = await singleCreate(client, device);
    if (i === 0 && !reply.ok && sameRefusal(reply.error, refusal)) {
      keep(results, chunk, { ok: false, error: refusal });
      return;
    }
    keep(results, [device], reply);
  }
}

export async function uploadDevices(
  client: Client,
  devices: readonly ImportRequest[],
): Promise<Map<string, ItemResult<ImportedIdentity>>> {
  const results = new Map<string, ItemResult<ImportedIdentity>>();
  for (let start = 0; start < devices.length; start += IMPORT_CHUNK) {
    const chunk = devices.slice(start, start + IMPORT_CHUNK);
    const reply = await importAction(client, chunk);
    if (!reply.ok && reply.error.status === 400 && chunk.length > 1)
      await oneByOne(client, chunk, reply.error, results);
    else keep(results, chunk, reply);
  }
  return results;
}
