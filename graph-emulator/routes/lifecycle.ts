/**
 * The rest of a device's life in Intune: deleting the managed device (the first step of deregistration), and
 * corporate identifiers for Windows Autopilot device preparation (beta only, per msgraph-metadata).
 */
import { randomUUID } from 'node:crypto';
import { intuneError, type EmulatorRequest } from '../http-types.js';
import { PERMISSIONS } from '../permissions.js';
import type { CorporateIdentifierRecord, EmulatedTenant } from '../world.js';
import { BETA, BOTH, ID, paged, type Route } from './route.js';

const IDENTITIES = '/devicemanagement/importeddeviceidentities';

/** `DELETE /deviceManagement/managedDevices/{id}` → 204 (intune-devices-manageddevice-delete). */
const deleteManagedDevice: Route = {
  method: 'DELETE',
  pattern: new RegExp(`^/devicemanagement/manageddevices/${ID}$`),
  versions: BOTH,
  segment: 'managedDevices',
  permissions: PERMISSIONS.managedDeviceDelete,
  write: true,
  intune: true,
  handle(_req, m, tenant) {
    const managed = tenant.managedDevices.get(m[1] ?? '');
    if (!managed)
      return intuneError(404, 'ResourceNotFound', `Resource not found: managedDevice ${m[1] ?? ''}`);
    tenant.managedDevices.delete(managed.id);
    const device = tenant.autopilot.get(managed.autopilotDeviceId);
    if (device) delete device.managedDeviceId;
    return { status: 204 };
  },
};

/** `GET /deviceManagement/managedDevices` (intune-devices-manageddevice-list): the doctor's probe of the permission. */
const listManagedDevices: Route = {
  method: 'GET',
  pattern: /^\/devicemanagement\/manageddevices$/,
  versions: BOTH,
  segment: 'managedDevices',
  permissions: PERMISSIONS.managedDeviceRead,
  write: false,
  intune: true,
  handle(req, _m, tenant, pageSize) {
    const value = [...tenant.managedDevices.values()].map((d) => ({
      '@odata.type': '#microsoft.graph.managedDevice',
      id: d.id,
      serialNumber: tenant.autopilot.get(d.autopilotDeviceId)?.serialNumber ?? '',
    }));
    return paged(req, value, pageSize, '/deviceManagement/managedDevices');
  },
};

/**
 * `Manufacturer,Model,Serial`: exactly three parts, none empty. Dots and commas inside make or model break the
 * identifier (the reference sheet; Intune answers "Invalid Device Identifier parameter found for N import
 * records!", andrew-s-taylor/WindowsAutopilotInfo #21).
 */
function validIdentifier(identifier: string): boolean {
  const parts = identifier.split(',');
  return (
    parts.length === 3 &&
    parts.every((p) => p.trim() !== '') &&
    !parts.slice(0, 2).some((p) => p.includes('.'))
  );
}

function identifiersOf(req: EmulatorRequest): { type: string; identifier: string }[] | undefined {
  const list = (req.body as { importedDeviceIdentities?: unknown } | null)?.importedDeviceIdentities;
  if (!Array.isArray(list)) return undefined;
  return list.map((item: unknown) => {
    const i = (item ?? {}) as Record<string, unknown>;
    return {
      type: typeof i.importedDeviceIdentityType === 'string' ? i.importedDeviceIdentityType : '',
      identifier: typeof i.importedDeviceIdentifier === 'string' ? i.importedDeviceIdentifier : '',
    };
  });
}

const view = (r: CorporateIdentifierRecord) => ({
  '@odata.type': '#microsoft.graph.importedDeviceIdentity',
  id: r.id,
  importedDeviceIdentifier: r.importedDeviceIdentifier,
  importedDeviceIdentityType: r.importedDeviceIdentityType,
  createdDateTime: new Date(r.createdAt).toISOString(),
  lastModifiedDateTime: new Date(r.createdAt).toISOString(),
  enrollmentState: 'notContacted',
  platform: 'windows',
  description: null,
});

function findIdentifier(tenant: EmulatedTenant, identifier: string): CorporateIdentifierRecord | undefined {
  const wanted = identifier.toLowerCase();
  return [...tenant.corporateIdentifiers.values()].find(
    (r) => r.importedDeviceIdentifier.toLowerCase() === wanted,
  );
}

const invalid = (count: number) =>
  intuneError(400, 'BadRequest', `Invalid Device Identifier parameter found for ${count} import records!`);

const importList: Route = {
  method: 'POST',
  pattern: new RegExp(`^${IDENTITIES}/importdeviceidentitylist$`),
  versions: BETA,
  segment: 'importedDeviceIdentities',
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(req, _m, tenant) {
    const items = identifiersOf(req);
    if (!items?.length) return intuneError(400, 'BadRequest', 'importedDeviceIdentities is required.');
    const bad = items.filter((i) => i.type !== 'manufacturerModelSerial' || !validIdentifier(i.identifier));
    if (bad.length) return invalid(bad.length);
    const overwrite =
      (req.body as { overwriteImportedDeviceIdentities?: unknown }).overwriteImportedDeviceIdentities ===
      true;
    // importedDeviceIdentityResult: the identity with a Boolean `status` (beta reference,
    // importedDeviceIdentity-importDeviceIdentityList). What Intune says of an identifier it has already, without
    // overwrite, is not documented: the emulator answers it as taken, unchanged.
    const result = (r: CorporateIdentifierRecord) => ({
      ...view(r),
      '@odata.type': '#microsoft.graph.importedDeviceIdentityResult',
      status: true,
    });
    const value = items.map((i) => {
      const existing = findIdentifier(tenant, i.identifier);
      if (existing && !overwrite) return result(existing);
      const record = {
        id: existing?.id ?? randomUUID(),
        importedDeviceIdentifier: i.identifier,
        importedDeviceIdentityType: i.type,
        createdAt: req.now,
      };
      tenant.corporateIdentifiers.set(record.id, record);
      return result(record);
    });
    return { status: 200, body: { value } };
  },
};

const search: Route = {
  method: 'POST',
  pattern: new RegExp(`^${IDENTITIES}/searchexistingidentities$`),
  versions: BETA,
  segment: 'importedDeviceIdentities',
  permissions: PERMISSIONS.intuneRead,
  write: false,
  intune: true,
  handle(req, _m, tenant) {
    const items = identifiersOf(req);
    if (!items?.length) return intuneError(400, 'BadRequest', 'importedDeviceIdentities is required.');
    const bad = items.filter((i) => !validIdentifier(i.identifier));
    if (bad.length) return invalid(bad.length);
    const found = items.map((i) => findIdentifier(tenant, i.identifier)).filter((r) => r !== undefined);
    return { status: 200, body: { value: found.map(view) } };
  },
};

const list: Route = {
  method: 'GET',
  pattern: new RegExp(`^${IDENTITIES}$`),
  versions: BETA,
  segment: 'importedDeviceIdentities',
  permissions: PERMISSIONS.intuneRead,
  write: false,
  intune: true,
  handle(req, _m, tenant, pageSize) {
    return paged(
      req,
      [...tenant.corporateIdentifiers.values()].map(view),
      pageSize,
      '/deviceManagement/importedDeviceIdentities',
    );
  },
};

const remove: Route = {
  method: 'DELETE',
  pattern: new RegExp(`^${IDENTITIES}/${ID}$`),
  versions: BETA,
  segment: 'importedDeviceIdentities',
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(_req, m, tenant) {
    return tenant.corporateIdentifiers.delete(m[1] ?? '')
      ? { status: 204 }
      : intuneError(404, 'ResourceNotFound', `Resource not found: importedDeviceIdentity ${m[1] ?? ''}`);
  },
};

export const LIFECYCLE_ROUTES: Route[] = [
  listManagedDevices,
  deleteManagedDevice,
  importList,
  search,
  list,
  remove,
];
