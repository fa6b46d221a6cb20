/**
 * The doctor: with the configuration's own credentials, gets a token, then for each Graph permission the
 * configuration needs makes one harmless read and reads the token's `roles` claim (Entra puts the granted
 * application permissions there), and checks the configured groups. Used by `npm run doctor` and by
 * `GET /api/health?deep=1`.
 */
import { describeError } from '../errors.js';
import type { AutopilotGraph } from './autopilot-graph.js';
import { checkGroups, type GroupCheck, type GroupSettings } from './group-checks.js';
import { neededPermissions, type PermissionNeed } from './permissions.js';
import type { TokenProvider } from './token-provider.js';

export interface PermissionCheck {
  permission: string;
  neededFor: string;
  /**
   * `unverified`: a read works, but the token lists no roles to show the write permission is granted.
   * `failed`: the check read got an answer that shows nothing about the permission (Graph refused the request).
   */
  status: 'ok' | 'missing' | 'unverified' | 'failed';
  detail: string;
}

export interface DoctorReport {
  ok: boolean;
  /** Why no token could be had (then nothing else was checked). */
  tokenProblem?: string;
  permissions: PermissionCheck[];
  groups: GroupCheck[];
}

type Probe = { version: 'v1.0' | 'beta'; path: string };

/** One read per permission that only that permission (or a broader one) allows. */
function probeFor(need: PermissionNeed, settings: GroupSettings): Probe {
  switch (need.name) {
    case 'Device.Read.All':
    case 'Device.ReadWrite.All':
      return { version: 'v1.0', path: '/devices?$top=1&$select=id' };
    case 'GroupMember.ReadWrite.All':
      return {
        version: 'v1.0',
        path: `/groups/${encodeURIComponent(settings.profileGroupId ?? '')}?$select=id`,
      };
    case 'GroupMember.Read.All':
      return {
        version: 'v1.0',
        path: `/groups/${encodeURIComponent(settings.approverGroupIds[0] ?? '')}?$select=id`,
      };
    case 'DeviceManagementManagedDevices.ReadWrite.All':
      return { version: 'v1.0', path: '/deviceManagement/managedDevices?$top=1&$select=id' };
    case 'User.Read.All':
      return { version: 'v1.0', path: '/users?$top=1&$select=id' };
    default:
      return { version: 'v1.0', path: '/deviceManagement/importedWindowsAutopilotDeviceIdentities?$top=1' };
  }
}

/** The `roles` claim of an app-only access token, or undefined when the token is not a readable JWT. */
export function tokenRoles(token: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return undefined;
  }
}

function verdict(need: PermissionNeed, status: number, roles: string[] | undefined): PermissionCheck {
  const row = { permission: need.name, neededFor: need.neededFor };
  if (status === 403)
    return { ...row, status: 'missing', detail: `Graph answered 403: grant ${need.name} and admin consent` };
  if (status === 0 || status >= 500 || status === 401 || status === 429)
    return { ...row, status: 'failed', detail: `the check read got ${status || 'no answer'}; try again` };
  // Only a read that worked shows anything: a 400 or 404 means the check itself was refused (a version slip).
  if (status < 200 || status > 299)
    return { ...row, status: 'failed', detail: `the check read got ${status}; report it as a bug` };
  if (roles && ![need.name, ...need.includedIn].some((r) => roles.includes(r)))
    return {
      ...row,
      status: 'missing',
      detail: `not in the token's roles: grant ${need.name} and admin consent`,
    };
  if (roles) return { ...row, status: 'ok', detail: 'granted, and a read works' };
  // Without roles a read proves only a read permission: a write permission cannot be told from it.
  return need.name.includes('ReadWrite')
    ? {
        ...row,
        status: 'unverified',
        detail: 'a read works; the token lists no roles, so the write permission is not shown',
      }
    : { ...row, status: 'ok', detail: 'a read works' };
}

export async function runDoctor(deps: {
  graph: AutopilotGraph;
  tokens: TokenProvider;
  settings: GroupSettings;
}): Promise<DoctorReport> {
  let token: string;
  try {
    token = await deps.tokens.getToken();
  } catch (error) {
    return { ok: false, tokenProblem: describeError(error).message, permissions: [], groups: [] };
  }
  const roles = tokenRoles(token);
  const permissions: PermissionCheck[] = [];
  for (const need of neededPermissions(deps.settings)) {
    const probe = probeFor(need, deps.settings);
    const { status } = await deps.graph.probe(probe.version, probe.path);
    // A group that does not exist answers 404 to a permitted read: the group check reports that.
    const groupRead = probe.path.startsWith('/groups/');
    permissions.push(verdict(need, groupRead && status === 404 ? 200 : status, roles));
  }
  const groups = await checkGroups(deps.graph, deps.settings);
  const ok =
    permissions.every((p) => p.status === 'ok' || p.status === 'unverified') &&
    groups.every((g) => !g.problem);
  return { ok, permissions, groups };
}

/** The report as the table `npm run doctor` prints. */
export function formatDoctorReport(report: DoctorReport): string {
  if (report.tokenProblem) return `Token: FAILED\n  ${report.tokenProblem}\n`;
  const rows = [
    ['permission', 'needed for', 'status'],
    ...report.permissions.map((p) => [
      p.permission,
      p.neededFor,
      p.status === 'ok' ? 'OK' : `${p.status.toUpperCase()} (${p.detail})`,
    ]),
  ];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ');
  const groups = report.groups.map(
    (g) =>
      `${g.setting} ${g.groupId}: ${g.problem ? `PROBLEM: ${g.problem}` : `OK ("${g.displayName ?? ''}")`}`,
  );
  return [
    'Token: OK',
    '',
    line(rows[0] ?? []),
    ...rows.slice(1).map(line),
    ...(groups.length ? ['', ...groups] : []),
    '',
    report.ok ? 'Everything the configuration needs is in place.' : 'Some checks failed: see above.',
    '',
  ].join('\n');
}
