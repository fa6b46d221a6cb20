/**
 * The Graph calls of a device's later life: deregistration in Microsoft's order (the reference sheet,
 * deregistration) as `$batch` parts. A delete counts as done when the thing is gone, whichever way Graph says it.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { DeleteResult, ItemResult } from './autopilot-graph.js';
import { batchByKey, partError, type PartResponse } from './batch.js';

const AUTOPILOT = '/deviceManagement/windowsAutopilotDeviceIdentities';

const okResult = <T>(value: T): ItemResult<T> => ({ ok: true, value });
const isSuccess = (status: number) => status >= 200 && status < 300;
const messageOf = (r: PartResponse) =>
  (r.body as { error?: { message?: string } } | undefined)?.error?.message ?? '';

/** One DELETE per id, as `$batch` parts: `deleted` on success, `gone` when `isGone` reads the answer so. */
function deleteEach(
  client: Client,
  ids: readonly string[],
  path: (encodedId: string) => string,
  what: string,
  isGone: (r: PartResponse) => boolean,
): Promise<Map<string, ItemResult<DeleteResult>>> {
  return batchByKey(
    client,
    ids,
    'v1.0',
    (id) => ({ method: 'DELETE', url: path(encodeURIComponent(id)) }),
    (_id, r) => {
      if (isSuccess(r.status)) return okResult<DeleteResult>('deleted');
      if (isGone(r)) return okResult<DeleteResult>('gone');
      return { ok: false, error: partError(what, r) };
    },
  );
}

/** `DELETE /deviceManagement/managedDevices/{id}`: 204; 404 when Intune has no such device (already deleted). */
export function deleteManagedDevices(
  client: Client,
  ids: readonly string[],
): Promise<Map<string, ItemResult<DeleteResult>>> {
  return deleteEach(
    client,
    ids,
    (id) => `/deviceManagement/managedDevices/${id}`,
    'delete Intune managed device',
    (r) => r.status === 404,
  );
}

/**
 * `DELETE .../windowsAutopilotDeviceIdentities/{id}`: documented 204, answers 200 (microsoft-graph-docs #20410);
 * an id Intune does not know answers 400 "Cannot find device with ztd Id … to delete" (microsoft-graph-docs
 * #7128), which means the record is gone.
 */
export function deleteAutopilotDevices(
  client: Client,
  ids: readonly string[],
): Promise<Map<string, ItemResult<DeleteResult>>> {
  return deleteEach(
    client,
    ids,
    (id) => `${AUTOPILOT}/${id}`,
    'delete Autopilot device',
    (r) => r.status === 404 || (r.status === 400 && /cannot find device/i.test(messageOf(r))),
  );
}

/** `POST .../{id}/unassignUserFromDevice` → 204 (v1.0). */
export function unassignUsers(
  client: Client,
  ids: readonly string[],
): Promise<Map<string, ItemResult<void>>> {
  return batchByKey(
    client,
    ids,
    'v1.0',
    (id) => ({
      method: 'POST',
      url: `${AUTOPILOT}/${encodeURIComponent(id)}/unassignUserFromDevice`,
      body: {},
    }),
    (_id, r) =>
      isSuccess(r.status) ? okResult(undefined) : { ok: false, error: partError('unassign user', r) },
  );
}
