import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeHardwareHash } from '../../support/jobs.js';
import { startGraphFixture, type GraphFixture } from '../../support/graph.js';

let fixture: GraphFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const fast = { timeScale: 0.001 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const serial = () => `SN${randomUUID().slice(0, 8).toUpperCase()}`;

function value<T>(result: { ok: true; value: T } | { ok: false; error: Error } | undefined): T {
  if (!result) throw new Error('no result');
  if (!result.ok) throw result.error;
  return result.value;
}

describe('GraphAutopilotClient against the emulator', () => {
  it('finds a serial exactly among contains() matches, and stops paging at the first exact match', async () => {
    fixture = await startGraphFixture({ scenario: { ...fast, pageSize: 1 } });
    const { tenant } = fixture.emulator;
    for (const s of ['ABC10', 'ABC100', 'XABC1', 'ABC1', 'ABC1000'])
      tenant.seedRegisteredDevice({ serialNumber: s, groupTag: s === 'ABC1' ? 'Lab' : '' });
    const found = await fixture.graph.findAutopilotDevicesBySerial(['ABC1', 'NONE']);
    expect(value(found.get('ABC1'))).toMatchObject([{ serialNumber: 'ABC1', groupTag: 'Lab' }]);
    expect(value(found.get('NONE'))).toEqual([]);
    // Pages are in id order: the exact match is found on one of the five pages and paging stops there.
    const ids = [...tenant.autopilot.values()].map((d) => d.id).sort();
    const position = ids.indexOf(
      [...tenant.autopilot.values()].find((d) => d.serialNumber === 'ABC1')?.id ?? '',
    );
    const autopilotReads = fixture.emulator.log
      .graphRequests()
      .filter((r) => r.path.toLowerCase().startsWith('/devicemanagement/windowsautopilot'));
    expect(autopilotReads).toHaveLength(2 + position);
  });

  it("finds serials with hyphens and spaces by their longest run, as Intune refuses '-' and matches no space", async () => {
    fixture = await startGraphFixture({ scenario: fast });
    const { tenant } = fixture.emulator;
    const vm = 'ec2a1bbf-7e9f-45f0-f404-bec2e9da6f35';
    const vmware = 'VMware-56 4d 2b 6a 1f 3c 9e 7d-4a 1f 8b 2c 5e 6d 0a 9b';
    for (const s of [vm, vmware, 'VMware-56 4d 00 00 00 00 00 00-00 00 00 00 00 00 00 00'])
      tenant.seedRegisteredDevice({ serialNumber: s });
    const found = await fixture.graph.findAutopilotDevicesBySerial([vm, vmware]);
    expect(value(found.get(vm)).map((d) => d.serialNumber)).toEqual([vm]);
    expect(value(found.get(vmware)).map((d) => d.serialNumber)).toEqual([vmware]);
    expect(fixture.emulator.log.entries.filter((e) => e.status === 400)).toEqual([]);
  });

  it('falls back to paging the whole list when Intune refuses the serial filter after all', async () => {
    fixture = await startGraphFixture({
      scenario: {
        ...fast,
        pageSize: 2,
        faults: { serviceUnavailableRate: 0, dropConnectionRate: 0, refuseSerialFilters: true },
      },
    });
    for (const s of ['FALL0001', 'FALL0002', 'FALL0003'])
      fixture.emulator.tenant.seedRegisteredDevice({ serialNumber: s });
    await fixture.graph.importDevices([
      { serialNumber: 'FALL0004', hardwareHash: fakeHardwareHash(), groupTag: null },
    ]);
    expect(
      value((await fixture.graph.findAutopilotDevicesBySerial(['FALL0002'])).get('FALL0002')),
    ).toHaveLength(1);
    expect(
      value((await fixture.graph.findImportedIdentitiesBySerial(['FALL0004'])).get('FALL0004')),
    ).toMatchObject([{ serialNumber: 'FALL0004' }]);
    expect(fixture.emulator.log.entries.filter((e) => e.status === 400)).toHaveLength(2);
  });

  it('escapes a quote in a serial so the filter stays valid', async () => {
    fixture = await startGraphFixture({ scenario: fast });
    fixture.emulator.tenant.seedRegisteredDevice({ serialNumber: "O'BRIEN-1" });
    expect(
      value((await fixture.graph.findAutopilotDevicesBySerial(["O'BRIEN-1"])).get("O'BRIEN-1")),
    ).toHaveLength(1);
  });

  it('imports, reports progress, completes, and cleans up the upload record', async () => {
    fixture = await startGraphFixture({
      scenario: { ...fast, delays: { import: 50_000, autopilotDevice: 0, entraDevice: 0, profile: 0 } },
    });
    const s = serial();
    const uploaded = await fixture.graph.importDevices([
      { serialNumber: s, hardwareHash: fakeHardwareHash(), groupTag: 'Sales' },
    ]);
    const record = value(uploaded.get(s));
    expect(record.status).toBe('unknown');
    await sleep(80);
    const done = value((await fixture.graph.getImportedIdentities([record?.id ?? ''])).get(record?.id ?? ''));
    expect(value((await fixture.graph.findImportedIdentitiesBySerial([s])).get(s))).toMatchObject([
      { id: record?.id },
    ]);
    expect(done).toMatchObject({ status: 'complete', errorCode: 0, errorName: 'None' });
    expect(done?.autopilotDeviceId).toBeTruthy();
    const deleted = await fixture.graph.deleteImportedIdentities([record?.id ?? '', record?.id ?? '']);
    // Graph answers 200 to both deletes, the second for a record that is gone: both count as deleted.
    expect([...deleted.values()].every((r) => r.ok)).toBe(true);
    expect(fixture.emulator.log.entries.filter((e) => e.method === 'DELETE').map((e) => e.status)).toEqual([
      200, 200,
    ]);
    expect(
      value((await fixture.graph.getImportedIdentities([record?.id ?? ''])).get(record?.id ?? '')),
    ).toBeNull();
    const device = value(
      (await fixture.graph.getAutopilotDevices([done?.autopilotDeviceId ?? ''])).get(
        done?.autopilotDeviceId ?? '',
      ),
    );
    expect(device).toMatchObject({ serialNumber: s, groupTag: 'Sales' });
  });

  it('resolves Entra devices in groups of 15, adds them to a group once, and assigns a user', async () => {
    const groupId = randomUUID();
    fixture = await startGraphFixture({ scenario: fast, profileGroupId: groupId });
    const devices = Array.from({ length: 17 }, () =>
      fixture!.emulator.tenant.seedRegisteredDevice({ serialNumber: serial() }),
    );
    const entra = await fixture.graph.findEntraDevices([
      ...devices.map((d) => d.entraDeviceId),
      randomUUID(),
    ]);
    const objectIds = devices.map((d) => value(entra.get(d.entraDeviceId))?.objectId ?? '');
    expect(objectIds.every((id) => id.length > 0)).toBe(true);
    expect([...entra.values()].filter((r) => r.ok && r.value === null)).toHaveLength(1);
    const first = await fixture.graph.addGroupMembers(groupId, objectIds.slice(0, 2));
    expect([...first.values()].map(value)).toEqual(['added', 'added']);
    const again = await fixture.graph.addGroupMembers(groupId, objectIds.slice(0, 1));
    expect(value(again.get(objectIds[0] ?? ''))).toBe('already_member');
    const missing = await fixture.graph.addGroupMembers(groupId, [randomUUID()]);
    const failure = [...missing.values()][0];
    expect(failure?.ok === false && failure.error.status).toBe(404);
    const assigned = await fixture.graph.updateDeviceProperties([
      { autopilotDeviceId: devices[0]?.id ?? '', userPrincipalName: 'ada@contoso.example' },
    ]);
    expect([...assigned.values()][0]?.ok).toBe(true);
    expect(devices[0]?.userPrincipalName).toBe('ada@contoso.example');
    const groups = await fixture.graph.getGroups([groupId, randomUUID()]);
    expect([...groups.values()].map(value)).toEqual([
      { id: groupId, displayName: 'Autopilot profile devices', dynamic: false },
      null,
    ]);
  });

  it('sends a chunk Intune refuses with 400 again device by device, and keeps each device its own answer', async () => {
    fixture = await startGraphFixture({ scenario: { ...fast, importActionMaxDevices: 2 } });
    const device = (serialNumber: string) => ({
      serialNumber,
      hardwareHash: fakeHardwareHash(),
      groupTag: null,
    });
    const uploaded = await fixture.graph.importDevices([
      device('ONE00001'),
      device('TWO00002'),
      device('THREE003'),
    ]);
    expect(['ONE00001', 'TWO00002', 'THREE003'].map((s) => value(uploaded.get(s)).serialNumber)).toEqual([
      'ONE00001',
      'TWO00002',
      'THREE003',
    ]);
    // One refused import of three, then three single creates; no device was uploaded twice.
    const uploads = fixture.emulator.log.entries
      .filter(
        (e) => e.method === 'POST' && /importedwindowsautopilotdeviceidentities(\/import)?$/i.test(e.path),
      )
      .map((e) => `${e.path.endsWith('/import') ? 'import' : 'create'} ${e.status}`);
    expect(uploads).toEqual(['import 400', 'create 201', 'create 201', 'create 201']);
    expect(fixture.emulator.tenant.imported.size).toBe(3);
    // A device Intune refuses on its own fails alone.
    const mixed = await fixture.graph.importDevices([device('GOOD0001'), { ...device(''), productKey: '' }]);
    expect(value(mixed.get('GOOD0001')).serialNumber).toBe('GOOD0001');
    expect(mixed.get('')).toMatchObject({ ok: false, error: { status: 400 } });
  });

  it('reports sync as started, running (409) and too soon (429) without waiting it out', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 1, syncDurationMs: 200 } });
    expect(await fixture.graph.requestSync()).toBe('started');
    expect(await fixture.graph.requestSync()).toBe('running');
    await sleep(250);
    expect(await fixture.graph.requestSync()).toBe('too_soon');
  });

  it('checks group membership for approvers', async () => {
    fixture = await startGraphFixture({ scenario: fast });
    fixture.emulator.tenant.addUserToGroups('user-1', ['g-helpdesk', 'g-other']);
    expect(await fixture.graph.checkMemberGroups('user-1', ['g-helpdesk', 'g-admins'])).toEqual([
      'g-helpdesk',
    ]);
  });

  it('honours 429 Retry-After for whole requests and for $batch parts until every part succeeds', async () => {
    // The server allows 10 requests per (scaled) 20 s window; the client budget is deliberately too loose.
    fixture = await startGraphFixture(
      { scenario: { timeScale: 0.02, throttling: { enabled: true, writesPer20s: 5, requestsPer20s: 10 } } },
      { requestsPer20s: 1000, writesPer20s: 1000 },
    );
    const serials = Array.from({ length: 30 }, (_, i) => `THR-${i}`);
    for (const s of serials) fixture.emulator.tenant.seedRegisteredDevice({ serialNumber: s });
    const found = await fixture.graph.findAutopilotDevicesBySerial(serials);
    expect(serials.every((s) => value(found.get(s)).length === 1)).toBe(true);
    const throttled = fixture.emulator.log.entries.filter((e) => e.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    // Every part was eventually answered 200, once each.
    const ok = fixture.emulator.log.entries.filter((e) => e.batchPart && e.status === 200);
    expect(ok).toHaveLength(30);
  });

  it('stays under its own budget so that a well-configured client is never throttled', async () => {
    fixture = await startGraphFixture(
      { scenario: { timeScale: 0.02, throttling: { enabled: true, writesPer20s: 10, requestsPer20s: 30 } } },
      { requestsPer20s: 25, writesPer20s: 9 },
    );
    // Fewer than 50, so that they are looked up one by one (more would be read from one listing).
    const serials = Array.from({ length: 49 }, (_, i) => `BUD-${i}`);
    const started = Date.now();
    await fixture.graph.findAutopilotDevicesBySerial(serials);
    expect(fixture.emulator.log.throttled()).toBe(0);
    expect(fixture.emulator.log.graphRequests()).toHaveLength(49);
    // Batches of 20, 20 and 9 parts under a budget of 25 per 400 ms window: the client had to wait for two windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
  });

  it('retries 503s and dropped connections with backoff', async () => {
    let n = 0;
    // Deterministic faults: the 1st request is dropped, the 2nd gets 503, the rest pass.
    const sequence = [0, 1, 0.0, 1, 1, 1];
    fixture = await startGraphFixture({
      scenario: { ...fast, faults: { dropConnectionRate: 0.5, serviceUnavailableRate: 0.5 } },
      random: () => sequence[n++] ?? 1,
    });
    fixture.emulator.tenant.addUserToGroups('user-1', ['g-1']);
    expect(await fixture.graph.checkMemberGroups('user-1', ['g-1'])).toEqual(['g-1']);
    expect(fixture.emulator.log.entries.map((e) => e.status)).toEqual([200]);
  });
});
