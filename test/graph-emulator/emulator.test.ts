import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphEmulatorOptions, RunningGraphEmulator } from '../../graph-emulator/server.js';
import { startEmulatorWithCaller, upload } from '../support/emulator-call.js';
import { fakeHardwareHash } from '../support/jobs.js';

let emulator: RunningGraphEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const instant = { import: 0, autopilotDevice: 0, entraDevice: 0, profile: 0 };

async function start(options: GraphEmulatorOptions = {}) {
  const started = await startEmulatorWithCaller(options);
  emulator = started.emulator;
  return started;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('Graph emulator', () => {
  it('refuses requests without a valid token', async () => {
    const { emulator } = await start();
    const response = await fetch(
      `${emulator.graphUrl}/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities`,
    );
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'InvalidAuthenticationToken',
    );
  });

  it('matches paths case-insensitively under v1.0 and beta, and only beta has profile fields and sync', async () => {
    const { call, emulator } = await start();
    emulator.tenant.seedRegisteredDevice({ serialNumber: 'CASE-1' });
    const v1 = await call(
      'GET',
      "/v1.0/DEVICEMANAGEMENT/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'CASE')",
    );
    const beta = await call(
      'GET',
      "/beta/deviceManagement/WindowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'CASE')",
    );
    expect(v1.body.value[0].deploymentProfileAssignmentStatus).toBeUndefined();
    expect(beta.body.value[0].deploymentProfileAssignmentStatus).toBe('assignedInSync');
    expect((await call('POST', '/v1.0/deviceManagement/windowsAutopilotSettings/sync', {})).status).toBe(400);
    expect((await call('POST', '/beta/deviceManagement/windowsAutopilotSettings/sync', {})).status).toBe(204);
  });

  it('walks an import through unknown → complete and creates the Autopilot and Entra devices in turn', async () => {
    // Stages 300 ms apart (scaled), each checked as soon as the one before is done: a slow machine is no problem.
    const { call } = await start({
      scenario: {
        timeScale: 0.005,
        delays: { import: 60_000, autopilotDevice: 60_000, entraDevice: 120_000, profile: 120_000 },
      },
    });
    const imported = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';
    const created = await call('POST', imported, upload('FLOW-1'));
    expect(created.status).toBe(201);
    expect(created.body.state).toMatchObject({ deviceImportStatus: 'unknown', deviceErrorCode: 0 });
    const done = await until(async () => {
      const r = await call('GET', `${imported}/${created.body.id as string}`);
      return r.body.state.deviceImportStatus === 'complete' ? r : undefined;
    });
    expect(done.body.state).toMatchObject({ deviceErrorName: 'None' });
    const autopilot = `/beta/deviceManagement/windowsAutopilotDeviceIdentities/${done.body.state.deviceRegistrationId as string}`;
    expect((await call('GET', autopilot)).status).toBe(404);
    const device = await until(async () => {
      const r = await call('GET', `${autopilot}?$expand=deploymentProfile,intendedDeploymentProfile`);
      return r.status === 200 ? r : undefined;
    });
    expect(device.body).toMatchObject({
      serialNumber: 'FLOW-1',
      deploymentProfileAssignmentStatus: 'notAssigned',
    });
    // Until Autopilot has linked the Entra device, its id reads as the zero GUID.
    expect(device.body.azureAdDeviceId).toBe('00000000-0000-0000-0000-000000000000');
    const entraId = await until(async () => {
      const id = (await call('GET', autopilot)).body.azureAdDeviceId as string;
      return /^0{8}-/.test(id) ? undefined : id;
    });
    const entra = `/v1.0/devices?$filter=deviceId eq '${entraId}'`;
    expect((await call('GET', entra)).body.value).toEqual([]);
    await until(async () => ((await call('GET', entra)).body.value.length === 1 ? true : undefined));
    await until(async () =>
      (await call('GET', autopilot)).body.deploymentProfileAssignmentStatus === 'assignedInSync'
        ? true
        : undefined,
    );
  });

  it('injects import errors by serial, and reports 806 for a serial already registered', async () => {
    const { call, emulator } = await start({
      scenario: {
        timeScale: 0.001,
        delays: instant,
        importErrors: [
          { error: 'ZtdDeviceAssignedToOtherTenant', serialNumber: 'ERR-808' },
          { error: 'StorageError', serialNumber: 'ERR-STORAGE', times: 1 },
        ],
        profileFailures: ['ERR-PROFILE'],
      },
    });
    emulator.tenant.seedRegisteredDevice({ serialNumber: 'ERR-806' });
    const hash = fakeHardwareHash();
    const result = await call(
      'POST',
      '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import',
      {
        importedWindowsAutopilotDeviceIdentities: [
          upload('ERR-808'),
          upload('ERR-806'),
          upload('ERR-STORAGE'),
          upload('DUP-A', hash),
          upload('DUP-B', hash),
          upload('BAD', 'not base64!'),
          upload('ERR-PROFILE'),
        ],
      },
    );
    expect(result.status).toBe(200);
    await sleep(5);
    const list = await call('GET', '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities');
    const state = (serial: string) =>
      (list.body.value as { serialNumber: string; state: Record<string, unknown> }[]).find(
        (r) => r.serialNumber === serial,
      )?.state;
    expect(state('ERR-808')).toMatchObject({
      deviceImportStatus: 'error',
      deviceErrorCode: 808,
      deviceErrorName: 'ZtdDeviceAssignedToOtherTenant',
    });
    expect(state('ERR-806')).toMatchObject({
      deviceErrorCode: 806,
      deviceErrorName: 'ZtdDeviceAlreadyAssigned',
    });
    expect(state('ERR-STORAGE')).toMatchObject({
      deviceImportStatus: 'error',
      deviceErrorName: 'StorageError',
    });
    expect(state('DUP-A')).toMatchObject({ deviceImportStatus: 'complete' });
    expect(state('DUP-B')).toMatchObject({ deviceErrorName: 'ZtdDeviceDuplicated' });
    expect(state('BAD')).toMatchObject({ deviceErrorCode: 802 });
    const retried = await call(
      'POST',
      '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities',
      upload('ERR-STORAGE'),
    );
    await sleep(5);
    expect(
      (
        await call(
          'GET',
          `/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${retried.body.id as string}`,
        )
      ).body.state.deviceImportStatus,
    ).toBe('complete');
    const profileId = (
      await call(
        'GET',
        "/beta/deviceManagement/windowsAutopilotDeviceIdentities?$filter=contains(serialNumber,'PROFILE')",
      )
    ).body.value[0];
    expect(profileId.deploymentProfileAssignmentStatus).toBe('failed');
    expect(emulator.log.uploadsBySerial().get('ERR-STORAGE')).toBe(2);
  });

  it('answers 429 with a fractional Retry-After once the per-app write budget is spent', async () => {
    const { call } = await start({
      scenario: { timeScale: 1, throttling: { enabled: true, writesPer20s: 2, requestsPer20s: 100 } },
    });
    for (let i = 0; i < 2; i++)
      expect(
        (
          await call(
            'DELETE',
            `/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${randomUUID()}`,
          )
        ).status,
      ).toBe(200);
    const throttled = await call(
      'DELETE',
      `/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${randomUUID()}`,
    );
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('TooManyRequests');
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+\.\d{3}$/);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(19);
    // Reads are still allowed: only the write budget is spent.
    expect(
      (await call('GET', '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities')).status,
    ).toBe(200);
  });

  it('enforces the $batch rules: at most 20 parts, unique ids, relative urls, Content-Type with a body', async () => {
    const { call } = await start();
    const get = (id: string) => ({
      id,
      method: 'GET',
      url: '/deviceManagement/importedWindowsAutopilotDeviceIdentities',
    });
    expect(
      (await call('POST', '/v1.0/$batch', { requests: Array.from({ length: 21 }, (_, i) => get(String(i))) }))
        .status,
    ).toBe(400);
    expect((await call('POST', '/v1.0/$batch', { requests: [get('1'), get('1')] })).status).toBe(400);
    const mixed = await call('POST', '/v1.0/$batch', {
      requests: [
        get('a'),
        { id: 'b', method: 'POST', url: '/users/x/checkMemberGroups', body: { groupIds: ['g'] } },
        { id: 'c', method: 'GET', url: '/v1.0/devices' },
      ],
    });
    expect(mixed.status).toBe(200);
    const byId = Object.fromEntries(
      (mixed.body.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]),
    );
    expect(byId).toEqual({ a: 200, b: 400, c: 400 });
  });

  it('refuses a group member that does not exist yet (404) and an unknown group (404)', async () => {
    const groupId = randomUUID();
    const { call, emulator } = await start({ profileGroupId: groupId });
    const ref = { '@odata.id': `${emulator.graphUrl}/v1.0/directoryObjects/${randomUUID()}` };
    expect((await call('POST', `/v1.0/groups/${groupId}/members/$ref`, ref)).status).toBe(404);
    expect((await call('POST', `/v1.0/groups/${randomUUID()}/members/$ref`, ref)).status).toBe(404);
  });
});

describe('Graph emulator, more', () => {
  it('updates device properties and injects errors by rate', async () => {
    let n = 0;
    const { call, emulator } = await start({
      scenario: { timeScale: 0.001, delays: instant, importErrors: [{ error: 'StorageError', rate: 0.5 }] },
      random: () => [0.1, 0.9][n++ % 2] ?? 1,
    });
    const device = emulator.tenant.seedRegisteredDevice({ serialNumber: 'PROP-1' });
    expect(
      (
        await call(
          'POST',
          `/v1.0/deviceManagement/windowsAutopilotDeviceIdentities/${device.id}/updateDeviceProperties`,
          { groupTag: 'Lab', displayName: 'x' },
        )
      ).status,
    ).toBe(204);
    expect(device.groupTag).toBe('Lab');
    const result = await call(
      'POST',
      '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import',
      {
        importedWindowsAutopilotDeviceIdentities: [upload('RATE-1'), upload('RATE-2')],
      },
    );
    await sleep(5);
    const names = await Promise.all(
      (result.body.value as { id: string }[]).map(
        async (r) =>
          (await call('GET', `/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/${r.id}`)).body
            .state.deviceErrorName,
      ),
    );
    expect(names).toEqual(['StorageError', 'None']);
  });

  it('pages with a cursor: records deleted between two pages do not make the next page skip any', async () => {
    const { call } = await start({ scenario: { pageSize: 10 } });
    const imported = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';
    await call('POST', `${imported}/import`, {
      importedWindowsAutopilotDeviceIdentities: Array.from({ length: 25 }, (_, i) => upload(`PAGE-${i}`)),
    });
    const first = await call('GET', imported);
    const firstIds: string[] = first.body.value.map((r: { id: string }) => r.id);
    expect(firstIds).toHaveLength(10);
    for (const id of firstIds.slice(0, 5))
      expect((await call('DELETE', `${imported}/${id}`)).status).toBe(200);
    const seen = [...firstIds];
    for (let next: string | undefined = first.body['@odata.nextLink']; next;) {
      const page = await call('GET', new URL(next).pathname + new URL(next).search);
      seen.push(...page.body.value.map((r: { id: string }) => r.id));
      next = page.body['@odata.nextLink'];
    }
    expect(new Set(seen).size).toBe(25);
  });
});
