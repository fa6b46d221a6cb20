/** The emulator answers as real Graph does, quirks included (each behaviour's source is beside it in the emulator). */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchEmulatorConnection } from '../../graph-emulator/connection.js';
import type { GraphEmulatorOptions, RunningGraphEmulator } from '../../graph-emulator/server.js';
import { tokenRoles } from '../../services/graph/doctor.js';
import { intuneMessage, startEmulatorWithCaller, upload } from '../support/emulator-call.js';
import { emulatorTokens } from '../support/graph.js';

let emulator: RunningGraphEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const instant = { import: 0, autopilotDevice: 0, entraDevice: 0, profile: 0 };
const IMPORTED = '/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const AUTOPILOT = '/deviceManagement/windowsAutopilotDeviceIdentities';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(options: GraphEmulatorOptions = {}) {
  const started = await startEmulatorWithCaller(options);
  emulator = started.emulator;
  return started;
}

describe('Graph emulator: API versions', () => {
  it('answers a beta-only route on v1.0 with 400 naming the segment, and 405 inside $batch', async () => {
    const { call } = await start();
    const direct = await call('POST', '/v1.0/deviceManagement/windowsAutopilotSettings/sync', {});
    expect(direct.status).toBe(400);
    expect(direct.body.error).toMatchObject({
      code: 'BadRequest',
      message: "Resource not found for the segment 'windowsAutopilotSettings'.",
    });
    const batch = await call('POST', '/v1.0/$batch', {
      requests: [
        { id: '1', method: 'GET', url: '/deviceManagement/windowsAutopilotSettings' },
        { id: '2', method: 'GET', url: '/deviceManagement/windowsAutopilotDeviceIdentities' },
      ],
    });
    // Answers come in an order of Graph's own choosing (JSON batching page): matched by id, never by position.
    expect(batch.body.responses.map((r: { id: string }) => r.id)).toEqual(['2', '1']);
    expect(batch.body.responses[1]).toMatchObject({
      id: '1',
      status: 405,
      body: { error: { code: 'Request_BadRequest' } },
    });
    expect((await call('GET', '/beta/deviceManagement/windowsAutopilotSettings')).status).toBe(200);
  });

  it('answers an unknown path with 400 naming the first unknown segment, never 404', async () => {
    const { call } = await start();
    const unknown = await call('GET', '/v1.0/deviceManagement/autopilotThings');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe("Resource not found for the segment 'autopilotThings'.");
    expect((await call('GET', '/v2.0/devices')).status).toBe(400);
  });

  it('refuses the profile $expand on v1.0 and gives the beta-only fields on beta only', async () => {
    const { call, emulator } = await start();
    const device = emulator.tenant.seedRegisteredDevice({ serialNumber: 'VERS1' });
    const v1 = await call('GET', `/v1.0${AUTOPILOT}/${device.id}?$expand=deploymentProfile`);
    expect(v1.status).toBe(400);
    const beta = await call('GET', `/beta${AUTOPILOT}/${device.id}?$expand=deploymentProfile`);
    expect(beta.body).toMatchObject({
      deploymentProfileAssignmentStatus: 'assignedInSync',
      azureAdDeviceId: device.entraDeviceId,
    });
    expect((await call('GET', `/v1.0${AUTOPILOT}/${device.id}`)).body.azureAdDeviceId).toBeUndefined();
  });
});

describe('Graph emulator: deletes and look-ups', () => {
  it('answers deletes with 200, an unknown upload record too, and an unknown Autopilot device with 400', async () => {
    const { call, emulator } = await start({
      scenario: { timeScale: 1, delays: { ...instant, deregistration: 3_000 } },
    });
    expect((await call('DELETE', `/v1.0${IMPORTED}/${randomUUID()}`)).status).toBe(200);
    const device = emulator.tenant.seedRegisteredDevice({ serialNumber: 'DEL1' });
    expect((await call('DELETE', `/v1.0${AUTOPILOT}/${device.id}`)).status).toBe(200);
    // Deletion takes a while (memdocs "Deregister a device"): the record still shows, and a second DELETE is taken.
    expect((await call('GET', `/beta${AUTOPILOT}/${device.id}`)).status).toBe(200);
    expect((await call('DELETE', `/v1.0${AUTOPILOT}/${device.id}`)).status).toBe(200);
    await sleep(3_100);
    expect((await call('GET', `/beta${AUTOPILOT}/${device.id}`)).status).toBe(404);
    const unknown = await call('DELETE', `/v1.0${AUTOPILOT}/${device.id}`);
    expect(unknown.status).toBe(400);
    expect(intuneMessage(unknown.body).Message).toMatch(
      new RegExp(`^Cannot find device with ztd Id ${device.id} and accountId .+ to delete`),
    );
    expect(emulator.tenant.deletesBySerial.get('DEL1')).toBe(2);
  });

  it("refuses '-' in a contains() literal with 400, matches nothing with a space, on both collections", async () => {
    const { call, emulator } = await start({ scenario: { delays: instant } });
    emulator.tenant.seedRegisteredDevice({ serialNumber: 'VMware-56 4d 9a' });
    await call('POST', `/v1.0${IMPORTED}`, upload('ec2a1bbf-7e9f-45f0'));
    for (const path of [`/beta${AUTOPILOT}`, `/v1.0${IMPORTED}`]) {
      const hyphen = await call(
        'GET',
        `${path}?$filter=${encodeURIComponent("contains(serialNumber,'ec2a1bbf-7e9f')")}`,
      );
      expect(hyphen.status).toBe(400);
      expect(intuneMessage(hyphen.body)).toMatchObject({
        _version: 3,
        Message: expect.stringMatching(/^An error has occurred/),
      });
      const space = await call(
        'GET',
        `${path}?$filter=${encodeURIComponent("contains(serialNumber,'56 4d')")}`,
      );
      expect(space.body.value).toEqual([]);
    }
    const part = await call(
      'GET',
      `/beta${AUTOPILOT}?$filter=${encodeURIComponent("contains(serialNumber,'vmware')")}`,
    );
    expect(part.body.value.map((d: { serialNumber: string }) => d.serialNumber)).toEqual(['VMware-56 4d 9a']);
    const eq = await call('GET', `/beta${AUTOPILOT}?$filter=${encodeURIComponent("serialNumber eq 'DEL1'")}`);
    expect(eq.status).toBe(400);
  });

  it("answers $select on Autopilot devices with 500 (the 2026 regression) and a missing record in Intune's envelope", async () => {
    const { call } = await start();
    expect((await call('GET', `/beta${AUTOPILOT}?$select=id,serialNumber`)).status).toBe(500);
    const missing = await call('GET', `/v1.0${IMPORTED}/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ResourceNotFound');
    expect(intuneMessage(missing.body)._version).toBe(3);
  });

  it('shows the zero GUID as the Entra device id until Autopilot has linked the device', async () => {
    const { call } = await start({
      scenario: { timeScale: 1, delays: { import: 0, autopilotDevice: 0, entraDevice: 300, profile: 0 } },
    });
    await call('POST', `/v1.0${IMPORTED}`, upload('LINK1234'));
    await sleep(20);
    const early = await call(
      'GET',
      `/beta${AUTOPILOT}?$filter=${encodeURIComponent("contains(serialNumber,'LINK1234')")}`,
    );
    expect(early.body.value[0]).toMatchObject({
      azureActiveDirectoryDeviceId: '00000000-0000-0000-0000-000000000000',
    });
    await sleep(180);
    const late = await call(
      'GET',
      `/beta${AUTOPILOT}?$filter=${encodeURIComponent("contains(serialNumber,'LINK1234')")}`,
    );
    expect(late.body.value[0].azureActiveDirectoryDeviceId).not.toMatch(/^0{8}-/);
  });
});

describe('Graph emulator: permissions and tokens', () => {
  it('issues JWT-shaped tokens carrying the granted roles, and answers a call without its permission 403', async () => {
    const { call, token, emulator } = await start();
    expect(tokenRoles(token)).toContain('DeviceManagementServiceConfig.ReadWrite.All');
    emulator.scenario.grantedPermissions = ['Device.Read.All'];
    const limited = await emulatorTokens(emulator).getToken();
    expect(tokenRoles(limited)).toEqual(['Device.Read.All']);
    const asLimited = (method: string, path: string, body?: unknown) =>
      fetch(`${emulator.graphUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${limited}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
    const intune = await asLimited('GET', `/v1.0${IMPORTED}`);
    expect(intune.status).toBe(403);
    expect(intune.body.error.code).toBe('Forbidden');
    expect(intuneMessage(intune.body).Message).toContain(
      'DeviceManagementServiceConfig.Read.All, DeviceManagementServiceConfig.ReadWrite.All',
    );
    const directory = await asLimited('POST', '/v1.0/users/u1/checkMemberGroups', { groupIds: ['g'] });
    expect(directory.body.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect((await asLimited('GET', '/v1.0/devices?$top=1')).status).toBe(200);
    // The earlier token keeps the roles it was issued with.
    expect((await call('GET', `/v1.0${IMPORTED}`)).status).toBe(200);
  });

  it('refuses a token for another resource than its own Graph endpoint (AADSTS500011)', async () => {
    const { emulator } = await start();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'a11e0000-0000-4000-8000-000000000001',
      client_secret: 'emulator-secret',
      scope: 'https://graph.microsoft.com/.default',
    });
    const answer = emulator.identity.token(emulator.tenantId, form, 'x', Date.now());
    expect(answer.status).toBe(400);
    expect((answer.body as { error_description: string }).error_description).toMatch(/^AADSTS500011/);
  });

  it('describes how to connect to it at /emulator/connection, for a rehearsal', async () => {
    const { emulator } = await start();
    const connection = await fetchEmulatorConnection(`${emulator.graphUrl}/v1.0`);
    expect(connection).toMatchObject({
      graphUrl: emulator.graphUrl,
      authorityHost: emulator.authorityHost,
      tenantId: emulator.tenantId,
    });
    await expect(fetchEmulatorConnection('http://127.0.0.1:1')).rejects.toThrow(
      /GRAPH_EMULATOR_URL: no Graph emulator answers/,
    );
  });
});

describe('Graph emulator: faults and quirks', () => {
  it('applies an import and then answers 504, or drops the connection, when the scenario says so', async () => {
    const { call, emulator } = await start({
      scenario: {
        faults: {
          serviceUnavailableRate: 0,
          dropConnectionRate: 0,
          afterImport: { kind: 'gateway_timeout', serials: ['LOST5040'] },
        },
      },
    });
    const lost = await call('POST', `/v1.0${IMPORTED}/import`, {
      importedWindowsAutopilotDeviceIdentities: [upload('LOST5040')],
    });
    expect(lost.status).toBe(504);
    expect([...emulator.tenant.imported.values()].map((r) => r.serialNumber)).toEqual(['LOST5040']);
    expect(emulator.log.uploadsBySerial().get('LOST5040')).toBe(1);
    emulator.scenario.faults.afterImport = { kind: 'drop', serials: ['DROP5040'] };
    await expect(
      call('POST', `/v1.0${IMPORTED}/import`, {
        importedWindowsAutopilotDeviceIdentities: [upload('DROP5040')],
      }),
    ).rejects.toThrow();
    expect(emulator.tenant.uploadsBySerial.get('DROP5040')).toBe(1);
  });

  it('answers both spellings of 808 with code 808', async () => {
    const { call } = await start({
      scenario: {
        delays: instant,
        importErrors: [
          { error: 'ZtdDeviceAssignedToOtherTenant', serialNumber: 'OTHER808' },
          { error: 'ZtdDeviceAssignedToAnotherTenant', serialNumber: 'ANOTHER808' },
        ],
      },
    });
    const reply = await call('POST', `/v1.0${IMPORTED}/import`, {
      importedWindowsAutopilotDeviceIdentities: [upload('OTHER808'), upload('ANOTHER808')],
    });
    await sleep(5);
    const states = await Promise.all(
      (reply.body.value as { id: string }[]).map(
        async (r) => (await call('GET', `/v1.0${IMPORTED}/${r.id}`)).body.state,
      ),
    );
    expect(states.map((s) => [s.deviceErrorCode, s.deviceErrorName])).toEqual([
      [808, 'ZtdDeviceAssignedToOtherTenant'],
      [808, 'ZtdDeviceAssignedToAnotherTenant'],
    ]);
  });

  it('gives 429s without Retry-After as often as the scenario says', async () => {
    const { call } = await start({
      scenario: {
        timeScale: 1,
        throttling: { enabled: true, writesPer20s: 1, requestsPer20s: 100, retryAfterOmittedRate: 1 },
      },
    });
    await call('DELETE', `/v1.0${IMPORTED}/${randomUUID()}`);
    const throttled = await call('DELETE', `/v1.0${IMPORTED}/${randomUUID()}`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBeNull();
  });

  it('answers assignUserToDevice 400 ResourceNotFound and updateDeviceProperties 412 now and then', async () => {
    let n = 0;
    const { call, emulator } = await start({
      scenario: {
        faults: {
          serviceUnavailableRate: 0,
          dropConnectionRate: 0,
          assignUserToDeviceFails: true,
          updateConditionNotMetRate: 0.5,
        },
      },
      random: () => [0.1, 0.9][n++ % 2] ?? 1,
    });
    const device = emulator.tenant.seedRegisteredDevice({ serialNumber: 'USER1234' });
    const assign = await call('POST', `/v1.0${AUTOPILOT}/${device.id}/assignUserToDevice`, {
      userPrincipalName: 'ada@contoso.example',
      addressableUserName: '',
    });
    expect(assign.status).toBe(400);
    expect(assign.body.error.code).toBe('ResourceNotFound');
    const update = `/v1.0${AUTOPILOT}/${device.id}/updateDeviceProperties`;
    const first = await call('POST', update, { userPrincipalName: 'ada@contoso.example' });
    expect(first.status).toBe(412);
    expect(first.body.error.code).toBe('ConditionNotMet');
    expect(
      (await call('POST', update, { userPrincipalName: 'ada@contoso.example', displayName: 'KIOSK-01' }))
        .status,
    ).toBe(204);
    expect(device).toMatchObject({ userPrincipalName: 'ada@contoso.example', displayName: 'KIOSK-01' });
    expect((await call('POST', `/v1.0${AUTOPILOT}/${device.id}/unassignUserFromDevice`, {})).status).toBe(
      204,
    );
    expect(device.userPrincipalName).toBe('');
  });

  it('reads groups, refuses adds to a dynamic group (403) and @odata.id references to another cloud (400)', async () => {
    const { call, emulator } = await start();
    const assigned = emulator.tenant.addGroup(randomUUID(), { displayName: 'Autopilot devices' });
    const dynamic = emulator.tenant.addGroup(randomUUID(), { dynamic: true });
    const device = emulator.tenant.seedRegisteredDevice({ serialNumber: 'GRP12345' });
    const objectId =
      [...emulator.tenant.entra.values()].find((e) => e.deviceId === device.entraDeviceId)?.id ?? '';
    expect((await call('GET', `/v1.0/groups/${assigned.id}?$select=id,groupTypes`)).body).toMatchObject({
      groupTypes: [],
    });
    expect((await call('GET', `/v1.0/groups/${dynamic.id}`)).body.groupTypes).toEqual(['DynamicMembership']);
    const missing = await call('GET', `/v1.0/groups/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    const ref = (host: string) => ({ '@odata.id': `${host}/v1.0/directoryObjects/${objectId}` });
    expect(
      (await call('POST', `/v1.0/groups/${dynamic.id}/members/$ref`, ref(emulator.graphUrl))).status,
    ).toBe(403);
    expect(
      (await call('POST', `/v1.0/groups/${assigned.id}/members/$ref`, ref('https://graph.microsoft.us')))
        .status,
    ).toBe(400);
    expect(
      (await call('POST', `/v1.0/groups/${assigned.id}/members/$ref`, ref(emulator.graphUrl))).status,
    ).toBe(204);
  });
});

describe("Graph emulator: the rest of a device's life", () => {
  it('deletes the managed device of an enrolled device (204), with its own permission', async () => {
    const { call, emulator } = await start();
    const device = emulator.tenant.seedRegisteredDevice({ serialNumber: 'ENRL0001' });
    const managedId = emulator.tenant.enroll(device.id);
    const enrolled = await call('GET', `/beta${AUTOPILOT}/${device.id}`);
    expect(enrolled.body).toMatchObject({ enrollmentState: 'enrolled', managedDeviceId: managedId });
    expect((await call('DELETE', `/v1.0/deviceManagement/managedDevices/${managedId}`)).status).toBe(204);
    expect((await call('DELETE', `/v1.0/deviceManagement/managedDevices/${managedId}`)).status).toBe(404);
    expect((await call('GET', `/beta${AUTOPILOT}/${device.id}`)).body.managedDeviceId).toMatch(/^0{8}-/);
    emulator.scenario.grantedPermissions = ['DeviceManagementServiceConfig.ReadWrite.All'];
    const limited = await emulatorTokens(emulator).getToken();
    const other = emulator.tenant.enroll(device.id);
    const refused = await fetch(`${emulator.graphUrl}/v1.0/deviceManagement/managedDevices/${other}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${limited}` },
    });
    expect(refused.status).toBe(403);
  });

  it('takes a device name of at most 15 letters, digits and hyphens, not digits only', async () => {
    const { call, emulator } = await start();
    const device = emulator.tenant.seedRegisteredDevice({ serialNumber: 'NAME0001' });
    const rename = (displayName: string) =>
      call('POST', `/v1.0${AUTOPILOT}/${device.id}/updateDeviceProperties`, { displayName });
    for (const bad of ['A'.repeat(16), 'KIOSK_01', '12345', 'KIOSK 01'])
      expect([bad, (await rename(bad)).status]).toEqual([bad, 400]);
    for (const good of ['KIOSK-01', 'CT-%SERIAL%', 'LAB-%RAND:5%'])
      expect([good, (await rename(good)).status]).toEqual([good, 204]);
  });

  it('imports corporate identifiers on beta only, finds them, and refuses a dot or comma in make or model', async () => {
    const { call } = await start();
    const ids = (...identifiers: string[]) => ({
      overwriteImportedDeviceIdentities: false,
      importedDeviceIdentities: identifiers.map((importedDeviceIdentifier) => ({
        importedDeviceIdentityType: 'manufacturerModelSerial',
        importedDeviceIdentifier,
      })),
    });
    const path = '/deviceManagement/importedDeviceIdentities';
    expect(
      (await call('POST', `/v1.0${path}/importDeviceIdentityList`, ids('Contoso,Laptop 7,ABC123'))).status,
    ).toBe(400);
    const imported = await call(
      'POST',
      `/beta${path}/importDeviceIdentityList`,
      ids('Contoso,Laptop 7,ABC123'),
    );
    expect(imported.body.value).toMatchObject([{ importedDeviceIdentifier: 'Contoso,Laptop 7,ABC123' }]);
    const again = await call('POST', `/beta${path}/importDeviceIdentityList`, ids('Contoso,Laptop 7,ABC123'));
    expect(again.body.value[0].id).toBe(imported.body.value[0].id);
    const found = await call(
      'POST',
      `/beta${path}/searchExistingIdentities`,
      ids('contoso,laptop 7,abc123', 'Contoso,Laptop 7,NOPE99'),
    );
    expect(found.body.value).toHaveLength(1);
    for (const bad of ['Contoso Inc.,Laptop 7,ABC124', 'Contoso,Laptop, 7,ABC125']) {
      const refused = await call('POST', `/beta${path}/importDeviceIdentityList`, ids(bad));
      expect(refused.status).toBe(400);
      expect(intuneMessage(refused.body).Message).toMatch(
        /^Invalid Device Identifier parameter found for 1 import records!/,
      );
    }
    expect((await call('DELETE', `/beta${path}/${imported.body.value[0].id as string}`)).status).toBe(204);
    expect((await call('GET', `/beta${path}`)).body.value).toEqual([]);
  });
});
