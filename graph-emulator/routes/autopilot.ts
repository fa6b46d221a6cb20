/** windowsAutopilotDeviceIdentities (v1.0 and beta; profile fields beta only) and windowsAutopilotSettings (beta). */
import { graphError, intuneError, type EmulatorRequest } from '../http-types.js';
import { PERMISSIONS } from '../permissions.js';
import type { AutopilotRecord, EmulatedTenant } from '../world.js';
import { BETA, BOTH, ID, isResponse, paged, parseSerialFilter, text, type Route } from './route.js';

const AUTOPILOT = '/devicemanagement/windowsautopilotdeviceidentities';
const SEGMENT = 'windowsAutopilotDeviceIdentities';
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

function autopilotView(device: AutopilotRecord, tenant: EmulatedTenant, req: EmulatorRequest) {
  // Until Autopilot has joined the record to its Entra device, the id reads as the zero GUID: an observation of
  // community scripts (Get-WindowsAutopilotInfo waits for a non-zero azureActiveDirectoryDeviceId), not documented.
  const entraDeviceId = req.now < device.entraLinkedAt ? ZERO_GUID : device.entraDeviceId;
  const view: Record<string, unknown> & { id: string } = {
    '@odata.type': '#microsoft.graph.windowsAutopilotDeviceIdentity',
    id: device.id,
    serialNumber: device.serialNumber,
    groupTag: device.groupTag,
    purchaseOrderIdentifier: '',
    manufacturer: device.manufacturer,
    model: device.model,
    productKey: '',
    enrollmentState: device.managedDeviceId ? 'enrolled' : 'notContacted',
    lastContactedDateTime: '0001-01-01T00:00:00Z',
    userPrincipalName: device.userPrincipalName,
    addressableUserName: '',
    displayName: device.displayName,
    managedDeviceId: device.managedDeviceId ?? ZERO_GUID,
    azureActiveDirectoryDeviceId: entraDeviceId,
  };
  if (req.version === 'beta') {
    const status = tenant.profileStatus(device, req.now);
    view.azureAdDeviceId = entraDeviceId;
    view.deploymentProfileAssignmentStatus = status;
    view.deploymentProfileAssignmentDetailedStatus = 'none';
    view.deploymentProfileAssignedDateTime = status.startsWith('assigned')
      ? new Date(device.profileAt ?? 0).toISOString()
      : '0001-01-01T00:00:00Z';
  }
  return view;
}

const notFound = (id: string) =>
  intuneError(404, 'ResourceNotFound', `Resource not found: windowsAutopilotDeviceIdentity ${id}`);

function visibleDevice(tenant: EmulatedTenant, id: string, now: number): AutopilotRecord | undefined {
  const device = tenant.autopilot.get(id);
  return device && device.visibleAt <= now ? device : undefined;
}

/**
 * `$select` on this collection answers 500 InternalServerError in Intune's envelope: microsoft-graph-docs #14937
 * (2021, v1.0 and beta) and again in 2026 (ugurkocde/DeviceOffboardingManager #65, any property combination).
 */
const selectRegression = (req: EmulatorRequest) =>
  req.query.has('$select')
    ? intuneError(500, 'InternalError', 'An internal server error has occurred')
    : undefined;

const list: Route = {
  method: 'GET',
  pattern: new RegExp(`^${AUTOPILOT}$`),
  versions: BOTH,
  segment: SEGMENT,
  permissions: PERMISSIONS.intuneRead,
  write: false,
  intune: true,
  handle(req, _m, tenant, pageSize) {
    const regression = selectRegression(req);
    if (regression) return regression;
    const filter = parseSerialFilter(req, tenant.scenario.faults.refuseSerialFilters);
    if (isResponse(filter)) return filter;
    const items = tenant
      .visibleAutopilot(req.now)
      .filter((d) =>
        filter.kind === 'all'
          ? true
          : filter.kind === 'none'
            ? false
            : d.serialNumber.toLowerCase().includes(filter.needle),
      );
    return paged(req, items, pageSize, '/deviceManagement/windowsAutopilotDeviceIdentities', (d) =>
      autopilotView(d, tenant, req),
    );
  },
};

const get: Route = {
  method: 'GET',
  pattern: new RegExp(`^${AUTOPILOT}/${ID}$`),
  versions: BOTH,
  segment: SEGMENT,
  permissions: PERMISSIONS.intuneRead,
  write: false,
  intune: true,
  handle(req, m, tenant) {
    const regression = selectRegression(req);
    if (regression) return regression;
    const device = visibleDevice(tenant, m[1] ?? '', req.now);
    if (!device) return notFound(m[1] ?? '');
    const view = autopilotView(device, tenant, req);
    if (/deploymentProfile/i.test(req.query.get('$expand') ?? '')) {
      // The profile navigations exist in beta only (windowsAutopilotDeploymentProfile is a beta-only entity in
      // Microsoft's Graph reference and metadata); v1.0 refuses the $expand.
      if (req.version !== 'beta')
        return graphError(
          400,
          'BadRequest',
          "Could not find a property named 'deploymentProfile' on type 'microsoft.graph.windowsAutopilotDeviceIdentity'.",
        );
      const assigned = tenant.profileStatus(device, req.now).startsWith('assigned');
      const profile = { id: 'profile-1', displayName: 'Autopilot profile' };
      view.deploymentProfile = assigned ? profile : null;
      view.intendedDeploymentProfile = device.profileAt !== undefined ? profile : null;
    }
    return { status: 200, body: view };
  },
};

/**
 * Deregistration. Documented 204; answers 200 (microsoft-graph-docs #20410). An unknown id answers 400 "Cannot
 * find device with ztd Id … to delete" (microsoft-graph-docs #7128), not 404. The record goes after a delay (see
 * EmulatedTenant.deleteAutopilot). What Intune answers to deleting the record of a device still enrolled is not
 * documented (Microsoft's steps delete the Intune device first); the emulator accepts it, and tests read the
 * order of calls from the request log.
 */
const remove: Route = {
  method: 'DELETE',
  pattern: new RegExp(`^${AUTOPILOT}/${ID}$`),
  versions: BOTH,
  segment: SEGMENT,
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(req, m, tenant) {
    const id = m[1] ?? '';
    const device = tenant.autopilot.get(id);
    if (!device)
      return intuneError(
        400,
        'BadRequest',
        `Cannot find device with ztd Id ${id} and accountId ${tenant.accountId} to delete`,
      );
    tenant.deleteAutopilot(device, req.now);
    return { status: 200 };
  },
};

/** Documented 204, but reported to fail with 400 ResourceNotFound (okieselbach/Intune #23, microsoft-graph-docs #11620). */
const assignUser: Route = {
  method: 'POST',
  pattern: new RegExp(`^${AUTOPILOT}/${ID}/assignusertodevice$`),
  versions: BOTH,
  segment: 'assignUserToDevice',
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(req, m, tenant) {
    const device = visibleDevice(tenant, m[1] ?? '', req.now);
    const upn = text((req.body as Record<string, unknown> | null)?.userPrincipalName, 200);
    if (!device) return notFound(m[1] ?? '');
    if (tenant.scenario.faults.assignUserToDeviceFails)
      return intuneError(400, 'ResourceNotFound', 'The requested resource was not found');
    if (!upn.includes('@')) return intuneError(400, 'BadRequest', 'userPrincipalName is required.');
    device.userPrincipalName = upn;
    return { status: 204 };
  },
};

const unassignUser: Route = {
  method: 'POST',
  pattern: new RegExp(`^${AUTOPILOT}/${ID}/unassignuserfromdevice$`),
  versions: BOTH,
  segment: 'unassignUserFromDevice',
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(req, m, tenant) {
    const device = visibleDevice(tenant, m[1] ?? '', req.now);
    if (!device) return notFound(m[1] ?? '');
    device.userPrincipalName = '';
    return { status: 204 };
  },
};

/**
 * A device name Intune takes (the reference sheet's Autopilot naming rules): at most 15 characters, letters,
 * digits and hyphens, not digits only; the portal's template macros %SERIAL% and %RAND:x% are allowed.
 */
function validDeviceName(name: string): boolean {
  const expanded = name
    .replace(/%SERIAL%/g, 'S')
    .replace(/%RAND:(\d+)%/g, (_m, n: string) => '1'.repeat(Number(n)));
  return expanded.length <= 15 && /^[A-Za-z0-9-]+$/.test(expanded) && !/^\d+$/.test(expanded);
}

/**
 * What the community module uses to set user, tag and name. Intermittent 412 ConditionNotMet, Intune's envelope
 * inside `error.message`, is reported on a small share of calls (microsoft-graph-docs #17791, "PreconditionFailed -
 * UpdateDeviceProperties"). Device-name rules: Windows Autopilot deployment profile docs ("Apply device name
 * template": 15 characters, letters, digits and hyphens, not digits only; %SERIAL% and %RAND:x%).
 */
const updateProperties: Route = {
  method: 'POST',
  pattern: new RegExp(`^${AUTOPILOT}/${ID}/updatedeviceproperties$`),
  versions: BOTH,
  segment: 'updateDeviceProperties',
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(req, m, tenant) {
    const device = visibleDevice(tenant, m[1] ?? '', req.now);
    if (!device) return notFound(m[1] ?? '');
    if (tenant.roll(tenant.scenario.faults.updateConditionNotMetRate))
      return intuneError(412, 'ConditionNotMet', 'The device is being updated; try again later.');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.displayName === 'string' && body.displayName !== '' && !validDeviceName(body.displayName))
      return intuneError(400, 'BadRequest', `Invalid device name ${body.displayName.slice(0, 40)}`);
    if (typeof body.groupTag === 'string') device.groupTag = body.groupTag;
    if (typeof body.displayName === 'string') device.displayName = body.displayName;
    if (typeof body.userPrincipalName === 'string') device.userPrincipalName = body.userPrincipalName;
    return { status: 204 };
  },
};

/**
 * Sync (beta only, windowsAutopilotSettings-sync in the beta reference): 409 while one runs, 429 within 10 minutes of
 * the last. The 10-minute rule is the Intune portal's ("a sync can be requested once every 10 minutes", Autopilot
 * device enrollment docs); 429s to scripts that sync too often are reported in andrew-s-taylor/WindowsAutopilotInfo
 * #29. The 409 is an observation (a sync already running), modelled so that the product never relies on one.
 */
const sync: Route = {
  method: 'POST',
  pattern: /^\/devicemanagement\/windowsautopilotsettings\/sync$/,
  versions: BETA,
  segment: 'windowsAutopilotSettings',
  permissions: PERMISSIONS.intuneWrite,
  write: true,
  intune: true,
  handle(req, _m, tenant) {
    const result = tenant.requestSync(req.now);
    if (result === 'running') return intuneError(409, 'Conflict', 'A sync is already in progress.');
    if (result === 'too_soon') {
      const wait = ((tenant.sync.lastAt ?? 0) + tenant.scaled(10 * 60_000) - req.now) / 1000;
      return intuneError(429, 'TooManyRequests', 'Sync was requested within the last 10 minutes.', {
        'Retry-After': String(Math.max(1, Math.ceil(wait))),
      });
    }
    return { status: 204 };
  },
};

const settings: Route = {
  method: 'GET',
  pattern: /^\/devicemanagement\/windowsautopilotsettings$/,
  versions: BETA,
  segment: 'windowsAutopilotSettings',
  permissions: PERMISSIONS.intuneRead,
  write: false,
  intune: true,
  handle(req, _m, tenant) {
    const running = tenant.sync.runningUntil !== undefined && req.now < tenant.sync.runningUntil;
    return {
      status: 200,
      body: {
        id: 'settings',
        lastSyncDateTime: new Date(tenant.sync.lastAt ?? 0).toISOString(),
        syncStatus: tenant.sync.lastAt === undefined ? 'unknown' : running ? 'inProgress' : 'completed',
      },
    };
  },
};

export const AUTOPILOT_ROUTES: Route[] = [
  list,
  get,
  remove,
  assignUser,
  unassignUser,
  updateProperties,
  sync,
  settings,
];
