/** AutopilotGraph over @microsoft/microsoft-graph-client. Many-item calls go out as `$batch` parts. */
import type { Client } from '@microsoft/microsoft-graph-client';
import type {
  AutopilotDevice,
  AutopilotGraph,
  DeleteResult,
  DevicePropertiesUpdate,
  EntraDevice,
  GroupInfo,
  ImportedIdentity,
  ImportRequest,
  ItemResult,
} from './autopilot-graph.js';
import { batchByKey, chunks, partError } from './batch.js';
import { graphCall, toGraphRequestError } from './graph-call.js';
import {
  toAutopilot,
  toGroup,
  toImported,
  type RawAutopilot,
  type RawEntraDevice,
  type RawGroup,
  type RawImported,
} from './graph-mappers.js';
import {
  importCorporateIdentifiers,
  searchCorporateIdentifiers,
  type ImportedIdentifier,
} from './corporate-identifiers.js';
import { deleteAutopilotDevices, deleteManagedDevices, unassignUsers } from './lifecycle-calls.js';
import { NoRetryOption } from './middleware.js';
import type { Page } from './paging.js';
import { uploadDevices } from './import-upload.js';
import { findBySerial } from './serial-lookup.js';
import { addGroupMembers } from './group-members.js';
import { ListingCosts, readMany, type Listing } from './collection-reads.js';
import { serialKey } from '../domain/serial-key.js';
import { odataString } from './serial-search.js';

const IMPORTED = '/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const AUTOPILOT = '/deviceManagement/windowsAutopilotDeviceIdentities';
const IN_LIST_MAX = 15;
/** The Autopilot devices as listed, from beta, where the profile status is. */
const AUTOPILOT_LISTING: Listing<RawAutopilot, AutopilotDevice> = {
  collection: AUTOPILOT,
  version: 'beta',
  what: 'list Autopilot devices',
  map: toAutopilot,
};
const BY_ID = { keyOf: (raw: { id: string }) => raw.id, keyFor: (id: string) => id };

const okResult = <T>(value: T): ItemResult<T> => ({ ok: true, value });
const isSuccess = (status: number) => status >= 200 && status < 300;

export class GraphAutopilotClient implements AutopilotGraph {
  constructor(
    private readonly client: Client,
    /** Graph's base URL: `@odata.id` references name this host, as each national cloud wants its own. */
    private readonly baseUrl: string,
    private readonly costs = new ListingCosts(),
  ) {}

  findAutopilotDevicesBySerial(
    serials: readonly string[],
  ): Promise<Map<string, ItemResult<AutopilotDevice[]>>> {
    return readMany<RawAutopilot, AutopilotDevice, AutopilotDevice[]>(
      this.client,
      this.costs,
      AUTOPILOT_LISTING,
      serials,
      { keyOf: (device) => serialKey(device.serialNumber), keyFor: serialKey },
      (devices) => devices,
      async (each) => {
        const found = await findBySerial<RawAutopilot>(this.client, each, {
          collection: AUTOPILOT,
          version: 'beta',
          what: 'find Autopilot devices by serial',
          stopAtFirst: true,
          serialOf: (raw) => raw.serialNumber,
        });
        return mapValues(found, (raws) => raws.map(toAutopilot));
      },
    );
  }

  async findImportedIdentitiesBySerial(
    serials: readonly string[],
  ): Promise<Map<string, ItemResult<ImportedIdentity[]>>> {
    const found = await findBySerial<RawImported>(this.client, serials, {
      collection: IMPORTED,
      version: 'v1.0',
      what: 'find upload records by serial',
      stopAtFirst: false,
      serialOf: (raw) => raw.serialNumber,
    });
    return mapValues(found, (raws) => raws.map(toImported));
  }

  /**
   * Upload records by id, never from a listing of the collection. Each device's clean-up waits for this read (a
   * record is deleted only once its import is confirmed), and a listing's pages come one after another, each
   * with every record's 4 KB hash, the tenant's other records too: at 10,000 devices, each listing moved 40 MB
   * and took seconds while the write budget stood idle. One read per device costs a request each (20 to a
   * `$batch`), which Intune's read budget (1,000 per 20 s) has room for beside the deletes (100 per 20 s).
   */
  getImportedIdentities(ids: readonly string[]): Promise<Map<string, ItemResult<ImportedIdentity | null>>> {
    return this.getEach<RawImported, ImportedIdentity>(
      ids,
      'v1.0',
      (id) => `${IMPORTED}/${id}`,
      toImported,
      'get upload record',
    );
  }

  importDevices(devices: readonly ImportRequest[]): Promise<Map<string, ItemResult<ImportedIdentity>>> {
    return uploadDevices(this.client, devices);
  }

  deleteImportedIdentities(ids: readonly string[]): Promise<Map<string, ItemResult<void>>> {
    return batchByKey(
      this.client,
      ids,
      'v1.0',
      (id) => ({ method: 'DELETE', url: `${IMPORTED}/${encodeURIComponent(id)}` }),
      // Documented 204; Graph answers 200, also for an unknown id (microsoft-graph-docs #7129, #20410).
      (_id, r) =>
        isSuccess(r.status) || r.status === 404
          ? okResult(undefined)
          : { ok: false, error: partError('delete upload record', r) },
    );
  }

  getAutopilotDevices(ids: readonly string[]): Promise<Map<string, ItemResult<AutopilotDevice | null>>> {
    return readMany<RawAutopilot, AutopilotDevice, AutopilotDevice | null>(
      this.client,
      this.costs,
      AUTOPILOT_LISTING,
      ids,
      BY_ID,
      (devices) => devices[0] ?? null,
      (each) =>
        this.getEach<RawAutopilot, AutopilotDevice>(
          each,
          'beta',
          (id) => `${AUTOPILOT}/${id}`,
          toAutopilot,
          'get Autopilot device',
        ),
    );
  }

  async findEntraDevices(deviceIds: readonly string[]): Promise<Map<string, ItemResult<EntraDevice | null>>> {
    const groups = chunks(deviceIds, IN_LIST_MAX);
    const perGroup = await batchByKey(
      this.client,
      groups,
      'v1.0',
      (group) => ({
        method: 'GET',
        url: `/devices?$filter=${encodeURIComponent(`deviceId in (${group.map(odataString).join(',')})`)}&$select=id,deviceId`,
      }),
      (_g, r) =>
        r.status === 200
          ? okResult((r.body as Page<RawEntraDevice>).value ?? [])
          : { ok: false, error: partError('find Entra devices', r) },
    );
    const results = new Map<string, ItemResult<EntraDevice | null>>();
    for (const [group, result] of perGroup) {
      for (const deviceId of group) {
        if (!result.ok) {
          results.set(deviceId, result);
          continue;
        }
        const found = result.value.find((d) => d.deviceId?.toLowerCase() === deviceId.toLowerCase());
        results.set(
          deviceId,
          okResult(found ? { objectId: found.id, deviceId: found.deviceId ?? deviceId } : null),
        );
      }
    }
    return results;
  }

  getGroups(ids: readonly string[]): Promise<Map<string, ItemResult<GroupInfo | null>>> {
    return this.getEach<RawGroup, GroupInfo>(
      ids,
      'v1.0',
      (id) => `/groups/${id}?$select=id,displayName,groupTypes`,
      toGroup,
      'get group',
    );
  }

  /** One GET per id, as `$batch` parts: the entity, `null` for a 404 (there is no such one), or the failure. */
  private getEach<R, T>(
    ids: readonly string[],
    version: 'v1.0' | 'beta',
    path: (encodedId: string) => string,
    map: (raw: R) => T,
    what: string,
  ): Promise<Map<string, ItemResult<T | null>>> {
    return batchByKey(
      this.client,
      ids,
      version,
      (id) => ({ method: 'GET', url: path(encodeURIComponent(id)) }),
      (_id, r): ItemResult<T | null> => {
        if (r.status === 200) return okResult(map(r.body as R));
        if (r.status === 404) return okResult(null);
        return { ok: false, error: partError(what, r) };
      },
    );
  }

  addGroupMembers(
    groupId: string,
    objectIds: readonly string[],
  ): Promise<Map<string, ItemResult<'added' | 'already_member'>>> {
    return addGroupMembers(this.client, this.baseUrl, groupId, objectIds);
  }

  async updateDeviceProperties(
    updates: readonly DevicePropertiesUpdate[],
  ): Promise<Map<string, ItemResult<void>>> {
    const results = await batchByKey(
      this.client,
      updates,
      'v1.0',
      ({ autopilotDeviceId, ...properties }) => ({
        method: 'POST',
        url: `${AUTOPILOT}/${encodeURIComponent(autopilotDeviceId)}/updateDeviceProperties`,
        body: properties.userPrincipalName
          ? { ...properties, addressableUserName: properties.userPrincipalName }
          : properties,
      }),
      (_u, r) =>
        isSuccess(r.status)
          ? okResult(undefined)
          : { ok: false, error: partError('update device properties', r) },
    );
    return new Map([...results].map(([update, result]) => [update.autopilotDeviceId, result]));
  }

  deleteManagedDevices(ids: readonly string[]): Promise<Map<string, ItemResult<DeleteResult>>> {
    return deleteManagedDevices(this.client, ids);
  }

  unassignUsers(autopilotDeviceIds: readonly string[]): Promise<Map<string, ItemResult<void>>> {
    return unassignUsers(this.client, autopilotDeviceIds);
  }

  deleteAutopilotDevices(ids: readonly string[]): Promise<Map<string, ItemResult<DeleteResult>>> {
    return deleteAutopilotDevices(this.client, ids);
  }

  searchCorporateIdentifiers(
    identifiers: readonly string[],
  ): Promise<Map<string, ItemResult<string | null>>> {
    return searchCorporateIdentifiers(this.client, identifiers);
  }

  importCorporateIdentifiers(
    identifiers: readonly string[],
  ): Promise<Map<string, ItemResult<ImportedIdentifier | null>>> {
    return importCorporateIdentifiers(this.client, identifiers);
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

  async probe(version: 'v1.0' | 'beta', path: string): Promise<{ status: number; code: string }> {
    try {
      await this.client.api(path).version(version).middlewareOptions([new NoRetryOption()]).get();
      return { status: 200, code: 'OK' };
    } catch (error) {
      const failure = toGraphRequestError(`probe ${path}`, error);
      return { status: failure.status, code: failure.graphCode };
    }
  }
}

function mapValues<K, A, B>(results: Map<K, ItemResult<A>>, map: (value: A) => B): Map<K, ItemResult<B>> {
  return new Map(
    [...results].map(([key, result]) => [key, result.ok ? okResult(map(result.value)) : result]),
  );
}
