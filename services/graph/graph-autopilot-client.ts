/** AutopilotGraph over @microsoft/microsoft-graph-client. Many-item calls go out as `$batch` parts. */
import type { Client } from '@microsoft/microsoft-graph-client';
import type {
  AutopilotDevice,
  AutopilotGraph,
  EntraDevice,
  ImportedIdentity,
  ImportRequest,
  ImportStatus,
  ItemResult,
} from './autopilot-graph.js';
import { partError, sendBatch, type BatchPart, type PartResponse } from './batch.js';
import { graphCall, toGraphRequestError } from './graph-call.js';
import { NoRetryOption } from './middleware.js';

const IMPORTED = '/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const AUTOPILOT = '/deviceManagement/windowsAutopilotDeviceIdentities';
const IMPORT_CHUNK = 500;
const IN_LIST_MAX = 15;

interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

interface RawImported {
  id: string;
  serialNumber?: string;
  state?: {
    deviceImportStatus?: string;
    deviceRegistrationId?: string;
    deviceErrorCode?: number;
    deviceErrorName?: string;
  };
}

interface RawAutopilot {
  id: string;
  serialNumber?: string;
  groupTag?: string;
  azureAdDeviceId?: string;
  azureActiveDirectoryDeviceId?: string;
  userPrincipalName?: string;
  deploymentProfileAssignmentStatus?: string;
}

/** OData string literal: a quote is doubled. */
export const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;

function toImported(raw: RawImported): ImportedIdentity {
  const state = raw.state ?? {};
  return {
    id: raw.id,
    serialNumber: raw.serialNumber ?? '',
    status: (state.deviceImportStatus ?? 'unknown') as ImportStatus,
    errorCode: state.deviceErrorCode ?? 0,
    errorName: state.deviceErrorName ?? '',
    ...(state.deviceRegistrationId ? { autopilotDeviceId: state.deviceRegistrationId } : {}),
  };
}

function toAutopilot(raw: RawAutopilot): AutopilotDevice {
  return {
    id: raw.id,
    serialNumber: raw.serialNumber ?? '',
    groupTag: raw.groupTag ?? '',
    entraDeviceId: raw.azureAdDeviceId ?? raw.azureActiveDirectoryDeviceId ?? '',
    userPrincipalName: raw.userPrincipalName ?? '',
    profileStatus: raw.deploymentProfileAssignmentStatus ?? 'unknown',
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `@odata.nextLink` is absolute; the SDK wants a path and a version (and knows only https:// links). */
function splitNextLink(link: string): { version: string; path: string } {
  const url = new URL(link);
  const match = /^\/(v1\.0|beta)(\/.*)$/i.exec(url.pathname);
  if (!match) throw new Error(`Unexpected @odata.nextLink path: ${url.pathname}`);
  return { version: match[1] ?? 'v1.0', path: `${match[2] ?? ''}${url.search}` };
}

const okResult = <T>(value: T): ItemResult<T> => ({ ok: true, value });

export class GraphAutopilotClient implements AutopilotGraph {
  constructor(private readonly client: Client) {}

  private async allPages<T>(first: Page<T>, what: string): Promise<T[]> {
    const items = [...(first.value ?? [])];
    let next = first['@odata.nextLink'];
    while (next) {
      const link = splitNextLink(next);
      const page = await graphCall(
        what,
        () => this.client.api(link.path).version(link.version).get() as Promise<Page<T>>,
      );
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'];
    }
    return items;
  }

  private async batchByKey<K, T>(
    keys: readonly K[],
    version: 'v1.0' | 'beta',
    toPart: (key: K) => BatchPart,
    interpret: (key: K, response: PartResponse) => Promise<ItemResult<T>> | ItemResult<T>,
  ): Promise<Map<K, ItemResult<T>>> {
    const responses = keys.length ? await sendBatch(this.client, version, keys.map(toPart)) : [];
    const results = new Map<K, ItemResult<T>>();
    for (const [i, key] of keys.entries())
      results.set(key, await interpret(key, responses[i] as PartResponse));
    return results;
  }

  findAutopilotDevicesBySerial(
    serials: readonly string[],
  ): Promise<Map<string, ItemResult<AutopilotDevice[]>>> {
    return this.batchByKey(
      serials,
      'beta',
      (serial) => ({
        method: 'GET',
        url: `${AUTOPILOT}?$filter=${encodeURIComponent(`contains(serialNumber,${odataString(serial)})`)}`,
      }),
      async (serial, response) => {
        if (response.status !== 200) return { ok: false, error: partError(`find ${AUTOPILOT}`, response) };
        try {
          const all = await this.allPages(response.body as Page<RawAutopilot>, 'list Autopilot devices');
          // contains() also matches longer serials: keep exact matches only.
          return okResult(all.filter((d) => d.serialNumber === serial).map(toAutopilot));
        } catch (error) {
          return { ok: false, error: toGraphRequestError('list Autopilot devices', error) };
        }
      },
    );
  }

  async listImportedIdentities(): Promise<ImportedIdentity[]> {
    const first = await graphCall(
      'list imported identities',
      () => this.client.api(IMPORTED).get() as Promise<Page<RawImported>>,
    );
    return (await this.allPages(first, 'list imported identities')).map(toImported);
  }

  async importDevices(devices: readonly ImportRequest[]): Promise<Map<string, ImportedIdentity>> {
    const results = new Map<string, ImportedIdentity>();
    for (const chunk of chunks(devices, IMPORT_CHUNK)) {
      const body = {
        importedWindowsAutopilotDeviceIdentities: chunk.map((d) => ({
          '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
          serialNumber: d.serialNumber,
          hardwareIdentifier: d.hardwareHash,
          groupTag: d.groupTag ?? '',
          productKey: d.productKey ?? '',
          assignedUserPrincipalName: d.assignedUser ?? '',
        })),
      };
      const reply = await graphCall(
        'import devices',
        () => this.client.api(`${IMPORTED}/import`).post(body) as Promise<Page<RawImported>>,
      );
      for (const raw of reply.value ?? []) results.set(raw.serialNumber ?? '', toImported(raw));
    }
    return results;
  }

  deleteImportedIdentities(ids: readonly string[]): Promise<Map<string, ItemResult<void>>> {
    return this.batchByKey(
      ids,
      'v1.0',
      (id) => ({ method: 'DELETE', url: `${IMPORTED}/${encodeURIComponent(id)}` }),
      (_id, r) =>
        r.status === 204 || r.status === 404
          ? okResult(undefined)
          : { ok: false, error: partError('delete imported identity', r) },
    );
  }

  getAutopilotDevices(ids: readonly string[]): Promise<Map<string, ItemResult<AutopilotDevice | null>>> {
    return this.batchByKey(
      ids,
      'beta',
      (id) => ({ method: 'GET', url: `${AUTOPILOT}/${encodeURIComponent(id)}` }),
      (_id, r) => {
        if (r.status === 200) return okResult(toAutopilot(r.body as RawAutopilot));
        if (r.status === 404) return okResult(null);
        return { ok: false, error: partError('get Autopilot device', r) };
      },
    );
  }

  async findEntraDevices(deviceIds: readonly string[]): Promise<Map<string, ItemResult<EntraDevice | null>>> {
    const groups = chunks(deviceIds, IN_LIST_MAX);
    const perGroup = await this.batchByKey(
      groups,
      'v1.0',
      (group) => ({
        method: 'GET',
        url: `/devices?$filter=${encodeURIComponent(`deviceId in (${group.map(odataString).join(',')})`)}&$select=id,deviceId`,
      }),
      (_g, r) =>
        r.status === 200
          ? okResult((r.body as Page<{ id: string; deviceId: string }>).value ?? [])
          : { ok: false, error: partError('find Entra devices', r) },
    );
    const results = new Map<string, ItemResult<EntraDevice | null>>();
    for (const [group, result] of perGroup) {
      for (const deviceId of group) {
        if (!result.ok) {
          results.set(deviceId, result);
          continue;
        }
        const found = result.value.find((d) => d.deviceId.toLowerCase() === deviceId.toLowerCase());
        results.set(deviceId, okResult(found ? { objectId: found.id, deviceId: found.deviceId } : null));
      }
    }
    return results;
  }

  addGroupMembers(
    groupId: string,
    objectIds: readonly string[],
  ): Promise<Map<string, ItemResult<'added' | 'already_member'>>> {
    return this.batchByKey(
      objectIds,
      'v1.0',
      (objectId) => ({
        method: 'POST',
        url: `/groups/${encodeURIComponent(groupId)}/members/$ref`,
        body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${objectId}` },
      }),
      (_id, r) => {
        if (r.status === 204) return okResult('added' as const);
        // Graph answers 400 when the object is already a member: the goal is reached, so it is a success.
        const message = (r.body as { error?: { message?: string } } | undefined)?.error?.message ?? '';
        if (r.status === 400 && /already exist/i.test(message)) return okResult('already_member' as const);
        return { ok: false, error: partError('add group member', r) };
      },
    );
  }

  async assignUsers(
    assignments: readonly { autopilotDeviceId: string; userPrincipalName: string }[],
  ): Promise<Map<string, ItemResult<void>>> {
    return this.batchByKey(
      assignments,
      'v1.0',
      (a) => ({
        method: 'POST',
        url: `${AUTOPILOT}/${encodeURIComponent(a.autopilotDeviceId)}/assignUserToDevice`,
        body: { userPrincipalName: a.userPrincipalName, addressableUserName: '' },
      }),
      (_a, r) =>
        r.status === 204 || r.status === 200
          ? okResult(undefined)
          : { ok: false, error: partError('assign user', r) },
    ).then((byAssignment) => new Map([...byAssignment].map(([a, result]) => [a.autopilotDeviceId, result])));
  }

  async requestSync(): Promise<'started' | 'running' | 'too_soon'> {
    try {
      await this.client
        .api('/deviceManagement/windowsAutopilotSettings/sync')
        .version('beta')
        .middlewareOptions([new NoRetryOption()])
        .post({});
      return 'started';
    } catch (error) {
      const failure = toGraphRequestError('sync', error);
      if (failure.status === 409) return 'running';
      if (failure.status === 429) return 'too_soon';
      throw failure;
    }
  }

  async checkMemberGroups(userObjectId: string, groupIds: readonly string[]): Promise<string[]> {
    const matches: string[] = [];
    for (const chunk of chunks(groupIds, 20)) {
      const reply = await graphCall(
        'check member groups',
        () =>
          this.client
            .api(`/users/${encodeURIComponent(userObjectId)}/checkMemberGroups`)
            .post({ groupIds: chunk }) as Promise<{ value?: string[] }>,
      );
      matches.push(...(reply.value ?? []));
    }
    return matches;
  }
}
