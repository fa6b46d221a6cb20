/** importedWindowsAutopilotDeviceIdentities: the upload records (v1.0 and beta). */
import { intuneError, type EmulatorResponse } from '../http-types.js';
import { PERMISSIONS } from '../permissions.js';
import type { EmulatedTenant, ImportedRecord } from '../world.js';
import { BOTH, ID, isResponse, paged, parseSerialFilter, text, type Route } from './route.js';

const IMPORTED = '/devicemanagement/importedwindowsautopilotdeviceidentities';
const SEGMENT = 'importedWindowsAutopilotDeviceIdentities';

function importedView(record: ImportedRecord, tenant: EmulatedTenant, now: number) {
  return {
    '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
    id: record.id,
    groupTag: record.groupTag,
    serialNumber: record.serialNumber,
    productKey: record.productKey,
    importId: record.id,
    // Graph returns the hash it was given: the resource's GET example in the Graph reference
    // (intune-enrollment-importedwindowsautopilotdeviceidentity-get) carries hardwareIdentifier, and the community
    // scripts' verbose logs show it echoed (andrew-s-taylor/WindowsAutopilotInfo #29). The service compares its
    // fingerprint and never logs it.
    hardwareIdentifier: record.hardwareIdentifier,
    assignedUserPrincipalName: record.assignedUserPrincipalName,
    state: tenant.importState(record, now),
  };
}

function parseImportBody(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>;
  return {
    serialNumber: text(b.serialNumber, 200),
    hardwareIdentifier: text(b.hardwareIdentifier, 20_000),
    groupTag: text(b.groupTag, 200),
    productKey: text(b.productKey, 200),
    assignedUserPrincipalName: text(b.assignedUserPrincipalName, 200),
  };
}

const validImport = (input: ReturnType<typeof parseImportBody>) =>
  input.serialNumber !== '' || input.productKey !== '';

const importAction: Route = {
  method: 'POST',
  pattern: new RegExp(`^${IMPORTED}/import$`),
  versions: BOTH,
  segment: 'import',
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(req, _m, tenant): EmulatorResponse {
    const list = (req.body as { importedWindowsAutopilotDeviceIdentities?: unknown } | null)
      ?.importedWindowsAutopilotDeviceIdentities;
    // The portal's CSV import takes 500 rows a file; the action documents no maximum. The emulator keeps 500.
    const max = tenant.scenario.importActionMaxDevices ?? 500;
    if (!Array.isArray(list) || list.length === 0 || list.length > max)
      return intuneError(
        400,
        'BadRequest',
        `importedWindowsAutopilotDeviceIdentities must hold 1 to ${max} devices.`,
      );
    const inputs = list.map(parseImportBody);
    if (!inputs.every(validImport))
      return intuneError(400, 'BadRequest', 'Each device needs a serial number or product key.');
    const seen = new Set<string>();
    const value = inputs.map((input) => {
      const duplicate = seen.has(input.hardwareIdentifier);
      seen.add(input.hardwareIdentifier);
      return importedView(tenant.importIdentity(input, req.now, duplicate), tenant, req.now);
    });
    return { status: 200, body: { value } };
  },
};

const create: Route = {
  method: 'POST',
  pattern: new RegExp(`^${IMPORTED}$`),
  versions: BOTH,
  segment: SEGMENT,
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(req, _m, tenant) {
    const input = parseImportBody(req.body);
    if (!validImport(input))
      return intuneError(400, 'BadRequest', 'A serial number or product key is required.');
    return { status: 201, body: importedView(tenant.importIdentity(input, req.now, false), tenant, req.now) };
  },
};

/** The list; `contains(serialNumber,…)` works here too (the community module's Get-AutopilotImportedDevice). */
const list: Route = {
  method: 'GET',
  pattern: new RegExp(`^${IMPORTED}$`),
  versions: BOTH,
  segment: SEGMENT,
  permissions: PERMISSIONS.intuneRead,
  write: false,
  intune: true,
  handle(req, _m, tenant, pageSize) {
    const filter = parseSerialFilter(req, tenant.scenario.faults.refuseSerialFilters);
    if (isResponse(filter)) return filter;
    const records =
      filter.kind === 'all'
        ? [...tenant.imported.values()]
        : filter.kind === 'none'
          ? []
          : tenant.importedContaining(filter.needle);
    return paged(req, records, pageSize, '/deviceManagement/importedWindowsAutopilotDeviceIdentities', (r) =>
      importedView(r, tenant, req.now),
    );
  },
};

const get: Route = {
  method: 'GET',
  pattern: new RegExp(`^${IMPORTED}/${ID}$`),
  versions: BOTH,
  segment: SEGMENT,
  permissions: PERMISSIONS.intuneRead,
  write: false,
  intune: true,
  handle(req, m, tenant) {
    const record = tenant.imported.get(m[1] ?? '');
    return record
      ? { status: 200, body: importedView(record, tenant, req.now) }
      : intuneError(
          404,
          'ResourceNotFound',
          `Resource not found: importedWindowsAutopilotDeviceIdentity ${m[1] ?? ''}`,
        );
  },
};

/** Documented 204; real Graph answers 200 OK, also for an id that does not exist (microsoft-graph-docs #7129, #20410). */
const remove: Route = {
  method: 'DELETE',
  pattern: new RegExp(`^${IMPORTED}/${ID}$`),
  versions: BOTH,
  segment: SEGMENT,
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(_req, m, tenant) {
    tenant.imported.delete(m[1] ?? '');
    return { status: 200 };
  },
};

export const IMPORTED_ROUTES: Route[] = [importAction, create, list, get, remove];
