/** Entra devices, groups and users (v1.0 and beta), with the directory's error codes. */
import { graphError, type EmulatorRequest } from '../http-types.js';
import { PERMISSIONS } from '../permissions.js';
import type { EntraRecord } from '../world.js';
import { BOTH, paged, text, type Route } from './route.js';

const notFound = (id: string) =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

const deviceView = (e: EntraRecord) => ({
  id: e.id,
  deviceId: e.deviceId,
  displayName: e.displayName,
  physicalIds: e.physicalIds,
  accountEnabled: true,
});

/**
 * `/devices?$filter=deviceId eq|in (…)` (at most 15 values: Graph's "Use the $filter query parameter" page on `in`
 * for directory objects) and `/devices(deviceId='…')` (alternate key, device-get in the v1.0 reference).
 */
const devices: Route = {
  method: 'GET',
  pattern: /^\/devices(?:\(deviceid='([^']*)'\))?$/,
  versions: BOTH,
  segment: 'devices',
  permissions: PERMISSIONS.devicesRead,
  write: false,
  intune: false,
  handle(req, m, tenant, pageSize) {
    if (m[1] !== undefined) {
      const found = tenant.entraDevice(m[1], req.now);
      return found ? { status: 200, body: deviceView(found) } : notFound(m[1]);
    }
    const filter = (req.query.get('$filter') ?? '').trim();
    if (!filter) {
      const visible = [...tenant.entra.values()].filter((e) => e.visibleAt <= req.now);
      return paged(req, visible, pageSize, '/devices', deviceView);
    }
    const eq = /^deviceId\s+eq\s+'([^']*)'$/i.exec(filter);
    const inList = /^deviceId\s+in\s+\(([^)]*)\)$/i.exec(filter);
    let ids: string[];
    if (eq) ids = [eq[1] ?? ''];
    else if (inList) ids = (inList[1] ?? '').split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
    else return graphError(400, 'Request_UnsupportedQuery', 'Filter on deviceId with eq or in.');
    if (ids.length > 15)
      return graphError(400, 'Request_UnsupportedQuery', 'Too many values in the in() list (15 at most).');
    const found = [...new Set(ids.map((i) => i.toLowerCase()))]
      .map((id) => tenant.entraDevice(id, req.now))
      .filter((e): e is EntraRecord => e !== undefined);
    return { status: 200, body: { value: found.map(deviceView) } };
  },
};

/** `GET /groups/{id}`: 404 Request_ResourceNotFound for a wrong id (group-get; Microsoft365DSC #4413). */
const group: Route = {
  method: 'GET',
  pattern: /^\/groups\/([^/]+)$/,
  versions: BOTH,
  segment: 'groups',
  permissions: PERMISSIONS.groupRead,
  write: false,
  intune: false,
  handle(_req, m, tenant) {
    const found = tenant.groups.get(m[1] ?? '');
    if (!found) return notFound(m[1] ?? '');
    return {
      status: 200,
      body: {
        id: found.id,
        displayName: found.displayName,
        groupTypes: found.dynamic ? ['DynamicMembership'] : [],
        securityEnabled: true,
        mailEnabled: false,
        membershipRule: found.dynamic ? '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))' : null,
      },
    };
  },
};

/** The directory object an `@odata.id` names, when it points at this Graph endpoint (the cloud's own host). */
function referencedObject(req: EmulatorRequest): string | undefined {
  return referencedId(req, (req.body as Record<string, unknown> | null)?.['@odata.id']);
}

function referencedId(req: EmulatorRequest, value: unknown): string | undefined {
  const ref = text(value, 500);
  const base = req.baseUrl.toLowerCase();
  if (!ref.toLowerCase().startsWith(`${base}/`)) return undefined;
  return /^\/(?:v1\.0|beta)\/directoryObjects\/([^/]+)$/i.exec(ref.slice(base.length))?.[1];
}

/**
 * Add members (group-post-members): 204; 400 when already a member; 404 naming the object that does not exist
 * (the group or the member). Members of a dynamic group cannot be managed: 403 Authorization_RequestDenied (CIPP
 * #468 and Microsoft's support article on 403s when adding to a group).
 */
const addMember: Route = {
  method: 'POST',
  pattern: /^\/groups\/([^/]+)\/members\/\$ref$/,
  versions: BOTH,
  segment: 'members',
  permissions: PERMISSIONS.groupAddDevice,
  write: true,
  intune: false,
  handle(req, m, tenant) {
    const objectId = referencedObject(req);
    if (!objectId)
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid object identifier in @odata.id; expected ${req.baseUrl}/v1.0/directoryObjects/{id}.`,
      );
    const result = tenant.addMember(m[1] ?? '', objectId, req.now);
    if (result === 'no_group') return notFound(m[1] ?? '');
    if (result === 'no_object') return notFound(objectId);
    if (result === 'dynamic_group')
      return graphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    if (result === 'already_member')
      return graphError(
        400,
        'Request_BadRequest',
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    return { status: 204 };
  },
};

/**
 * Add several members at once (group-post-members, "Example 2"): `PATCH /groups/{id}` with `members@odata.bind`,
 * at most 20 references; 204. All or nothing: "If an error condition exists in the request body, no members are
 * added". An existing member answers the same 400 as the single add (Azure/azure-cli #16905); a member that does not
 * exist answers 404 here (the status is not documented for this form; the single add's is used).
 */
const addMembers: Route = {
  method: 'PATCH',
  pattern: /^\/groups\/([^/]+)$/,
  versions: BOTH,
  segment: 'groups',
  permissions: PERMISSIONS.groupAddDevice,
  write: true,
  intune: false,
  handle(req, m, tenant) {
    const groupId = m[1] ?? '';
    const body = (req.body ?? {}) as Record<string, unknown>;
    const refs = body['members@odata.bind'];
    if (!Array.isArray(refs) || Object.keys(body).length !== 1)
      return graphError(400, 'Request_BadRequest', 'The emulator models only members@odata.bind on a group.');
    if (refs.length > 20)
      return graphError(400, 'Request_BadRequest', 'At most 20 members can be added in one request.');
    const objectIds = refs.map((ref) => referencedId(req, ref));
    const invalid = objectIds.findIndex((id) => !id);
    if (invalid >= 0)
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid object identifier '${text(refs[invalid], 500)}'.`,
      );
    const group = tenant.groups.get(groupId);
    if (!group) return notFound(groupId);
    if (group.dynamic)
      return graphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    for (const objectId of objectIds as string[]) {
      const entra = tenant.entra.get(objectId);
      if (!entra || entra.visibleAt > req.now) return notFound(objectId);
      if (group.members.has(objectId))
        return graphError(
          400,
          'Request_BadRequest',
          "One or more added object references already exist for the following modified properties: 'members'.",
        );
    }
    for (const objectId of objectIds as string[]) tenant.addMember(groupId, objectId, req.now);
    return { status: 204 };
  },
};

/** checkMemberGroups (directoryobject-checkmembergroups, v1.0 reference): at most 20 group ids, transitive. */
const checkMemberGroups: Route = {
  method: 'POST',
  pattern: /^\/users\/([^/]+)\/checkmembergroups$/,
  versions: BOTH,
  segment: 'checkMemberGroups',
  permissions: PERMISSIONS.userCheckMemberGroups,
  write: false,
  intune: false,
  handle(req, m, tenant) {
    const groupIds = (req.body as { groupIds?: unknown } | null)?.groupIds;
    if (!Array.isArray(groupIds) || groupIds.length === 0 || groupIds.length > 20)
      return graphError(400, 'Request_BadRequest', 'groupIds must hold 1 to 20 ids.');
    const member = tenant.userGroups.get(m[1] ?? '');
    if (!member) return notFound(m[1] ?? '');
    return {
      status: 200,
      body: { value: groupIds.filter((g): g is string => typeof g === 'string' && member.includes(g)) },
    };
  },
};

/** `GET /users`: the users the tenant knows (those with group memberships), ids only. */
const users: Route = {
  method: 'GET',
  pattern: /^\/users$/,
  versions: BOTH,
  segment: 'users',
  permissions: PERMISSIONS.usersRead,
  write: false,
  intune: false,
  handle(req, _m, tenant, pageSize) {
    return paged(
      req,
      [...tenant.userGroups.keys()].map((id) => ({ id })),
      pageSize,
      '/users',
    );
  },
};

export const DIRECTORY_ROUTES: Route[] = [devices, group, addMember, addMembers, checkMemberGroups, users];
