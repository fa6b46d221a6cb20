/** Every Graph endpoint the pipeline uses, with the status codes of the reference sheet. */
import type { EmulatorRequest, EmulatorResponse } from './http-types.js';
import { graphError } from './http-types.js';
import type { AutopilotRecord, EmulatedTenant, ImportedRecord } from './world.js';

export interface Route {
  method: string;
  pattern: RegExp;
  /** Counts against Intune's write budget. */
  write: boolean;
  /** Under /deviceManagement: throttled by Intune's limits. */
  intune: boolean;
  handle(
    req: EmulatorRequest,
    match: RegExpMatchArray,
    tenant: EmulatedTenant,
    pageSize: number,
  ): EmulatorResponse;
}

const IMPORTED = '/devicemanagement/importedwindowsautopilotdeviceidentities';
const AUTOPILOT = '/devicemanagement/windowsautopilotdeviceidentities';
const ID = '([^/?]+)';

function text(value: unknown, max = 10_000): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

function importedView(record: ImportedRecord, tenant: EmulatedTenant, now: number) {
  return {
    '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
    id: record.id,
    orderIdentifier: record.groupTag,
    groupTag: record.groupTag,
    serialNumber: record.serialNumber,
    productKey: record.productKey,
    importId: record.id,
    // Graph returns the hash it was given; the pipeline never reads it back.
    hardwareIdentifier: null,
    assignedUserPrincipalName: record.assignedUserPrincipalName,
    state: tenant.importState(record, now),
  };
}

function autopilotView(device: AutopilotRecord, tenant: EmulatedTenant, req: EmulatorRequest) {
  const view: Record<string, unknown> & { id: string } = {
    '@odata.type': '#microsoft.graph.windowsAutopilotDeviceIdentity',
    id: device.id,
    serialNumber: device.serialNumber,
    groupTag: device.groupTag,
    purchaseOrderIdentifier: '',
    manufacturer: device.manufacturer,
    model: device.model,
    productKey: '',
    enrollmentState: 'notContacted',
    lastContactedDateTime: '0001-01-01T00:00:00Z',
    userPrincipalName: device.userPrincipalName,
    addressableUserName: '',
    displayName: '',
    managedDeviceId: '00000000-0000-0000-0000-000000000000',
    azureActiveDirectoryDeviceId: device.entraDeviceId,
  };
  if (req.version === 'beta') {
    const status = tenant.profileStatus(device, req.now);
    view.azureAdDeviceId = device.entraDeviceId;
    view.deploymentProfileAssignmentStatus = status;
    view.deploymentProfileAssignmentDetailedStatus = 'none';
    view.deploymentProfileAssignedDateTime = status.startsWith('assigned')
      ? new Date(device.profileAt ?? 0).toISOString()
      : '0001-01-01T00:00:00Z';
  }
  return view;
}

/**
 * Pages a list with `$skiptoken` and `@odata.nextLink`, like Graph. The token is a cursor (the id of the last
 * item sent, items in id order), not an offset: an item deleted between two pages does not make the next page
 * skip one that is still there.
 */
function paged<T extends { id: string }>(
  req: EmulatorRequest,
  items: T[],
  pageSize: number,
  path: string,
): EmulatorResponse {
  const top = Math.min(Number(req.query.get('$top') ?? pageSize) || pageSize, pageSize);
  const after = req.query.get('$skiptoken') ?? '';
  const remaining = [...items].sort((a, b) => a.id.localeCompare(b.id)).filter((item) => item.id > after);
  const page = remaining.slice(0, top);
  const body: Record<string, unknown> = { value: page };
  const last = page.at(-1);
  if (remaining.length > top && last) {
    const next = new URLSearchParams(req.query);
    next.set('$skiptoken', last.id);
    body['@odata.nextLink'] = `${req.baseUrl}/${req.version}${path}?${next.toString()}`;
  }
  return { status: 200, body };
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

function validImport(input: ReturnType<typeof parseImportBody>): boolean {
  return input.serialNumber !== '' || input.productKey !== '';
}

export const ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: new RegExp(`^${IMPORTED}/import$`),
    write: true,
    intune: true,
    handle(req, _m, tenant) {
      const list = (req.body as { importedWindowsAutopilotDeviceIdentities?: unknown } | null)
        ?.importedWindowsAutopilotDeviceIdentities;
      if (!Array.isArray(list) || list.length === 0 || list.length > 500) {
        return graphError(
          400,
          'BadRequest',
          'importedWindowsAutopilotDeviceIdentities must hold 1 to 500 devices.',
        );
      }
      const inputs = list.map(parseImportBody);
      if (!inputs.every(validImport))
        return graphError(400, 'BadRequest', 'Each device needs a serial number or product key.');
      const seen = new Set<string>();
      const value = inputs.map((input) => {
        const duplicate = seen.has(input.hardwareIdentifier);
        seen.add(input.hardwareIdentifier);
        return importedView(tenant.importIdentity(input, req.now, duplicate), tenant, req.now);
      });
      return { status: 200, body: { value } };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${IMPORTED}$`),
    write: true,
    intune: true,
    handle(req, _m, tenant) {
      const input = parseImportBody(req.body);
      if (!validImport(input))
        return graphError(400, 'BadRequest', 'A serial number or product key is required.');
      return {
        status: 201,
        body: importedView(tenant.importIdentity(input, req.now, false), tenant, req.now),
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${IMPORTED}$`),
    write: false,
    intune: true,
    handle(req, _m, tenant, pageSize) {
      const items = [...tenant.imported.values()].map((r) => importedView(r, tenant, req.now));
      return paged(req, items, pageSize, '/deviceManagement/importedWindowsAutopilotDeviceIdentities');
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${IMPORTED}/${ID}$`),
    write: false,
    intune: true,
    handle(req, m, tenant) {
      const record = tenant.imported.get(m[1] ?? '');
      return record
        ? { status: 200, body: importedView(record, tenant, req.now) }
        : graphError(404, 'ResourceNotFound', 'Not found.');
    },
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${IMPORTED}/${ID}$`),
    write: true,
    intune: true,
    handle(_req, m, tenant) {
      return tenant.imported.delete(m[1] ?? '')
        ? { status: 204 }
        : graphError(404, 'ResourceNotFound', 'Not found.');
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${AUTOPILOT}$`),
    write: false,
    intune: true,
    handle(req, _m, tenant, pageSize) {
      const filter = req.query.get('$filter') ?? '';
      const contains = /^contains\(\s*serialNumber\s*,\s*'((?:[^']|'')*)'\s*\)$/i.exec(filter.trim());
      if (filter && !contains)
        return graphError(400, 'BadRequest', `Unsupported filter: ${filter.slice(0, 100)}`);
      const needle = contains?.[1]?.replace(/''/g, "'").toLowerCase();
      const items = tenant
        .visibleAutopilot(req.now)
        .filter((d) => needle === undefined || d.serialNumber.toLowerCase().includes(needle))
        .map((d) => autopilotView(d, tenant, req));
      return paged(req, items, pageSize, '/deviceManagement/windowsAutopilotDeviceIdentities');
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${AUTOPILOT}/${ID}$`),
    write: false,
    intune: true,
    handle(req, m, tenant) {
      const device = tenant.autopilot.get(m[1] ?? '');
      if (!device || device.visibleAt > req.now) return graphError(404, 'ResourceNotFound', 'Not found.');
      const view = autopilotView(device, tenant, req);
      if (req.version === 'beta' && /deploymentProfile/i.test(req.query.get('$expand') ?? '')) {
        const assigned = tenant.profileStatus(device, req.now).startsWith('assigned');
        view.deploymentProfile = assigned ? { id: 'profile-1', displayName: 'Autopilot profile' } : null;
        view.intendedDeploymentProfile =
          device.profileAt !== undefined ? { id: 'profile-1', displayName: 'Autopilot profile' } : null;
      }
      return { status: 200, body: view };
    },
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${AUTOPILOT}/${ID}$`),
    write: true,
    intune: true,
    handle(_req, m, tenant) {
      return tenant.autopilot.delete(m[1] ?? '')
        ? { status: 204 }
        : graphError(404, 'ResourceNotFound', 'Not found.');
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${AUTOPILOT}/${ID}/assignusertodevice$`),
    write: true,
    intune: true,
    handle(req, m, tenant) {
      const device = tenant.autopilot.get(m[1] ?? '');
      const upn = text((req.body as Record<string, unknown> | null)?.userPrincipalName, 200);
      if (!device || device.visibleAt > req.now) return graphError(404, 'ResourceNotFound', 'Not found.');
      if (!upn.includes('@')) return graphError(400, 'BadRequest', 'userPrincipalName is required.');
      device.userPrincipalName = upn;
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${AUTOPILOT}/${ID}/updatedeviceproperties$`),
    write: true,
    intune: true,
    handle(req, m, tenant) {
      const device = tenant.autopilot.get(m[1] ?? '');
      if (!device || device.visibleAt > req.now) return graphError(404, 'ResourceNotFound', 'Not found.');
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.groupTag === 'string') device.groupTag = body.groupTag;
      if (typeof body.userPrincipalName === 'string') device.userPrincipalName = body.userPrincipalName;
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: /^\/devicemanagement\/windowsautopilotsettings\/sync$/,
    write: true,
    intune: true,
    handle(req, _m, tenant) {
      if (req.version !== 'beta')
        return graphError(400, 'BadRequest', 'Resource not found for the segment sync (beta only).');
      const result = tenant.requestSync(req.now);
      if (result === 'running') return graphError(409, 'Conflict', 'A sync is already in progress.');
      if (result === 'too_soon') {
        const wait = ((tenant.sync.lastAt ?? 0) + tenant.scaled(10 * 60_000) - req.now) / 1000;
        return graphError(429, 'TooManyRequests', 'Sync was requested within the last 10 minutes.', {
          'Retry-After': String(Math.max(1, Math.ceil(wait))),
        });
      }
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: /^\/devicemanagement\/windowsautopilotsettings$/,
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
  },
  {
    method: 'GET',
    pattern: /^\/devices(?:\(deviceid='([^']*)'\))?$/,
    write: false,
    intune: false,
    handle(req, m, tenant) {
      const view = (e: { id: string; deviceId: string; displayName: string; physicalIds: string[] }) => ({
        id: e.id,
        deviceId: e.deviceId,
        displayName: e.displayName,
        physicalIds: e.physicalIds,
        accountEnabled: true,
      });
      const visible = [...tenant.entra.values()].filter((e) => e.visibleAt <= req.now);
      if (m[1] !== undefined) {
        const found = visible.find((e) => e.deviceId.toLowerCase() === m[1]);
        return found
          ? { status: 200, body: view(found) }
          : graphError(404, 'Request_ResourceNotFound', 'Not found.');
      }
      const filter = (req.query.get('$filter') ?? '').trim();
      const eq = /^deviceId\s+eq\s+'([^']*)'$/i.exec(filter);
      const inList = /^deviceId\s+in\s+\(([^)]*)\)$/i.exec(filter);
      let ids: string[];
      if (eq) ids = [eq[1] ?? ''];
      else if (inList) ids = (inList[1] ?? '').split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
      else return graphError(400, 'Request_UnsupportedQuery', 'Filter on deviceId with eq or in.');
      if (ids.length > 15)
        return graphError(400, 'Request_UnsupportedQuery', 'Too many values in the in() list (15 at most).');
      const wanted = new Set(ids.map((i) => i.toLowerCase()));
      return {
        status: 200,
        body: { value: visible.filter((e) => wanted.has(e.deviceId.toLowerCase())).map(view) },
      };
    },
  },
  {
    method: 'POST',
    pattern: /^\/groups\/([^/]+)\/members\/\$ref$/,
    write: true,
    intune: false,
    handle(req, m, tenant) {
      const ref = text((req.body as Record<string, unknown> | null)?.['@odata.id'], 500);
      const objectId = /directoryObjects\/([^/]+)$/i.exec(ref)?.[1];
      if (!objectId)
        return graphError(400, 'Request_BadRequest', 'The @odata.id of a directory object is required.');
      const result = tenant.addMember(m[1] ?? '', objectId, req.now);
      if (result === 'no_group')
        return graphError(404, 'Request_ResourceNotFound', `Resource '${m[1] ?? ''}' does not exist.`);
      if (result === 'no_object')
        return graphError(404, 'Request_ResourceNotFound', `Resource '${objectId}' does not exist.`);
      if (result === 'already_member') {
        return graphError(
          400,
          'Request_BadRequest',
          "One or more added object references already exist for the following modified properties: 'members'.",
        );
      }
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: /^\/users\/([^/]+)\/checkmembergroups$/,
    write: false,
    intune: false,
    handle(req, m, tenant) {
      const groupIds = (req.body as { groupIds?: unknown } | null)?.groupIds;
      if (!Array.isArray(groupIds) || groupIds.length === 0 || groupIds.length > 20) {
        return graphError(400, 'Request_BadRequest', 'groupIds must hold 1 to 20 ids.');
      }
      const member = tenant.userGroups.get(m[1] ?? '');
      if (!member)
        return graphError(404, 'Request_ResourceNotFound', `Resource '${m[1] ?? ''}' does not exist.`);
      return {
        status: 200,
        body: { value: groupIds.filter((g): g is string => typeof g === 'string' && member.includes(g)) },
      };
    },
  },
];

export function findRoute(
  method: string,
  path: string,
): { route: Route; match: RegExpMatchArray } | undefined {
  const lower = path.toLowerCase();
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = lower.match(route.pattern);
    if (match) return { route, match };
  }
  return undefined;
}
