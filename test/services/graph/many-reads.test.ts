/**
 * Reading many devices costs the fewer requests of the two ways Graph offers: one `$batch` part per device, or one
 * paged listing of the tenant's collection (collection-reads.ts), except upload records, always read by id; and adding many devices to a group goes 20 at a
 * time with `members@odata.bind`, falling back to single adds when Graph refuses the whole request.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ListingCosts } from '../../../services/graph/collection-reads.js';
import type { LoggedRequest } from '../../../graph-emulator/request-log.js';
import { startGraphFixture, type GraphFixture } from '../../support/graph.js';
import { fakeHardwareHash } from '../../support/jobs.js';

let fixture: GraphFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const shapes = (entries: readonly LoggedRequest[]) =>
  entries.map((e) => `${e.method} ${e.path.split('?')[0]?.replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '{id}')}`);
const count = (list: string[], shape: string) => list.filter((s) => s === shape).length;

describe('choosing between a listing and one read per item', () => {
  it('tries a listing of up to half as many pages as items, then lists only while that is cheaper', () => {
    const costs = new ListingCosts();
    expect(costs.budgetFor('c', 10)).toBe(0);
    expect(costs.budgetFor('c', 100)).toBe(50);
    costs.learn('c', 3, true);
    expect(costs.budgetFor('c', 60)).toBe(59);
    costs.learn('c', 80, true);
    expect(costs.budgetFor('c', 60)).toBe(0);
    costs.learn('c', 50, false);
    expect(costs.budgetFor('c', 80)).toBe(0);
    expect(costs.budgetFor('c', 400)).toBe(200);
  });
});

describe('many reads and group adds over Graph', () => {
  it('reads 120 Autopilot devices from a two-page listing, with null for one the tenant does not have', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 0.001 } });
    const { tenant, log } = fixture.emulator;
    const records = Array.from({ length: 150 }, (_, i) =>
      tenant.seedRegisteredDevice({ serialNumber: `LIST-${String(i).padStart(3, '0')}`, groupTag: `T${i}` }),
    );
    const wanted = [...records.slice(0, 119).map((r) => r.id), randomUUID()];
    const before = log.entries.length;
    const read = await fixture.graph.getAutopilotDevices(wanted);
    const sent = shapes(log.entries.slice(before));
    // The emulator pages at 100: two listing requests instead of 120 reads.
    expect(count(sent, 'GET /deviceManagement/windowsAutopilotDeviceIdentities')).toBe(2);
    expect(count(sent, 'GET /deviceManagement/windowsAutopilotDeviceIdentities/{id}')).toBe(0);
    expect(read.get(records[7]?.id ?? '')).toMatchObject({
      ok: true,
      value: { serialNumber: 'LIST-007', groupTag: 'T7' },
    });
    expect(read.get(wanted[119] ?? '')).toEqual({ ok: true, value: null });

    const bySerial = await fixture.graph.findAutopilotDevicesBySerial(
      Array.from({ length: 60 }, (_, i) => `list-${String(i).padStart(3, '0')}`),
    );
    expect(bySerial.get('list-042')).toMatchObject({ ok: true, value: [{ id: records[42]?.id }] });
  });

  it('reads item by item when the listing would cost more, and remembers it', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 0.001, pageSize: 2 } });
    const { tenant, log } = fixture.emulator;
    const records = Array.from({ length: 300 }, (_, i) =>
      tenant.seedRegisteredDevice({ serialNumber: `MANY-${String(i).padStart(3, '0')}` }),
    );
    const wanted = records.slice(0, 60).map((r) => r.id);
    let before = log.entries.length;
    const first = await fixture.graph.getAutopilotDevices(wanted);
    let sent = shapes(log.entries.slice(before));
    // 150 pages of 2 is more than half of 60: the listing is given up after 30 pages, the 60 are read one by one.
    expect(count(sent, 'GET /deviceManagement/windowsAutopilotDeviceIdentities')).toBe(30);
    expect(count(sent, 'GET /deviceManagement/windowsAutopilotDeviceIdentities/{id}')).toBe(60);
    expect([...first.values()].every((r) => r.ok && r.value !== null)).toBe(true);

    before = log.entries.length;
    await fixture.graph.getAutopilotDevices(wanted);
    sent = shapes(log.entries.slice(before));
    expect(count(sent, 'GET /deviceManagement/windowsAutopilotDeviceIdentities')).toBe(0);
    expect(count(sent, 'GET /deviceManagement/windowsAutopilotDeviceIdentities/{id}')).toBe(60);
  });

  it('reads upload records by id however many are wanted, never from a listing of the collection', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 0.001 } });
    const { tenant, log } = fixture.emulator;
    const records = Array.from({ length: 150 }, (_, i) =>
      tenant.importIdentity(
        {
          serialNumber: `UP-${String(i).padStart(3, '0')}`,
          hardwareIdentifier: fakeHardwareHash(),
          groupTag: '',
          productKey: '',
          assignedUserPrincipalName: '',
        },
        Date.now(),
        false,
      ),
    );
    const wanted = [...records.slice(0, 119).map((r) => r.id), randomUUID()];
    const before = log.entries.length;
    const read = await fixture.graph.getImportedIdentities(wanted);
    const sent = shapes(log.entries.slice(before));
    // A listing would be two pages; each record's clean-up waits for this read, and each page carries every hash.
    expect(count(sent, 'GET /deviceManagement/importedWindowsAutopilotDeviceIdentities')).toBe(0);
    expect(count(sent, 'GET /deviceManagement/importedWindowsAutopilotDeviceIdentities/{id}')).toBe(120);
    expect(count(sent, 'POST /$batch')).toBe(6);
    expect(read.get(records[7]?.id ?? '')).toMatchObject({ ok: true, value: { serialNumber: 'UP-007' } });
    expect(read.get(wanted[119] ?? '')).toEqual({ ok: true, value: null });
  });

  it('a caller who asks while a listing is under way gets the next listing, shared with others who asked then', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 0.001 } });
    const { tenant, log } = fixture.emulator;
    const records = Array.from({ length: 150 }, (_, i) =>
      tenant.seedRegisteredDevice({ serialNumber: `LATE-${String(i).padStart(3, '0')}` }),
    );
    const ids = records.slice(0, 60).map((r) => r.id);
    const before = log.entries.length;
    const first = fixture.graph.getAutopilotDevices(ids);
    // The first listing is under way (its first page answered) when a device is made and two more callers ask.
    while (!log.entries.slice(before).some((e) => e.method === 'GET'))
      await new Promise((r) => setTimeout(r, 1));
    const made = tenant.seedRegisteredDevice({ serialNumber: 'LATE-NEW' });
    const late = await Promise.all([
      fixture.graph.getAutopilotDevices([...ids.slice(1), made.id]),
      fixture.graph.getAutopilotDevices([made.id, ...ids.slice(2)]),
    ]);
    await first;
    for (const read of late)
      expect(read.get(made.id)).toMatchObject({ ok: true, value: { serialNumber: 'LATE-NEW' } });
    const sent = shapes(log.entries.slice(before));
    // Two listings of two pages each: the first caller's, and one for both late callers; nothing read one by one.
    expect(count(sent, 'GET /deviceManagement/windowsAutopilotDeviceIdentities')).toBe(4);
    expect(count(sent, 'GET /deviceManagement/windowsAutopilotDeviceIdentities/{id}')).toBe(0);
  });

  it('adds 45 devices to a group in three requests, and one already there does not fail its 19 neighbours', async () => {
    const groupId = randomUUID();
    fixture = await startGraphFixture({ profileGroupId: groupId, scenario: { timeScale: 0.001 } });
    const { tenant, log } = fixture.emulator;
    const objectIds = Array.from({ length: 45 }, (_, i) => {
      const record = tenant.seedRegisteredDevice({ serialNumber: `GRP-${i}` });
      return [...tenant.entra.values()].find((e) => e.deviceId === record.entraDeviceId)?.id ?? '';
    });
    let before = log.entries.length;
    const added = await fixture.graph.addGroupMembers(groupId, objectIds);
    let sent = shapes(log.entries.slice(before));
    expect(count(sent, 'PATCH /groups/{id}')).toBe(3);
    expect(count(sent, 'POST /groups/{id}/members/$ref')).toBe(0);
    expect([...added.values()].every((r) => r.ok && r.value === 'added')).toBe(true);
    expect(tenant.groups.get(groupId)?.members.size).toBe(45);

    // Again, with five new devices among 20 already in: Graph refuses the whole PATCH, so each is added alone.
    const more = Array.from({ length: 5 }, (_, i) => {
      const record = tenant.seedRegisteredDevice({ serialNumber: `GRP-NEW-${i}` });
      return [...tenant.entra.values()].find((e) => e.deviceId === record.entraDeviceId)?.id ?? '';
    });
    before = log.entries.length;
    const again = await fixture.graph.addGroupMembers(groupId, [...objectIds.slice(0, 15), ...more]);
    sent = shapes(log.entries.slice(before));
    expect(log.entries.slice(before).find((e) => e.method === 'PATCH')?.status).toBe(400);
    expect(count(sent, 'POST /groups/{id}/members/$ref')).toBe(20);
    expect(more.map((id) => again.get(id))).toEqual(more.map(() => ({ ok: true, value: 'added' })));
    expect(again.get(objectIds[0] ?? '')).toEqual({ ok: true, value: 'already_member' });
    expect(tenant.groups.get(groupId)?.members.size).toBe(50);
  });
});
