/**
 * The emulated tenant finds an Autopilot device by serial (an import's 806 check) and by Entra device id (a group
 * add starting the profile, a sync bringing the Entra object forward) through its own indexes, kept as records come
 * and go.
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../graph-emulator/scenario.js';
import { EmulatedTenant } from '../../graph-emulator/world.js';
import { fakeHardwareHash } from '../support/jobs.js';

const upload = (serialNumber: string) => ({
  serialNumber,
  hardwareIdentifier: fakeHardwareHash(),
  groupTag: '',
  productKey: '',
  assignedUserPrincipalName: '',
});

describe('EmulatedTenant indexes', () => {
  it('refuses a serial with 806 while an Autopilot record has it, and takes it again once that record is gone', () => {
    const tenant = new EmulatedTenant(defaultScenario({ timeScale: 0.001 }));
    const first = tenant.importIdentity(upload('IDX-1'), 0, false);
    expect(first.error).toBeUndefined();
    expect(tenant.importIdentity(upload('IDX-1'), 1, false).error).toEqual({
      code: 806,
      name: 'ZtdDeviceAlreadyAssigned',
    });
    const device = tenant.autopilot.get(first.autopilotDeviceId ?? '');
    if (!device) throw new Error('no Autopilot record');
    tenant.deleteAutopilot(device, 2);
    expect(tenant.importIdentity(upload('IDX-1'), 3, false).error?.code).toBe(806);
    tenant.settle(Number.MAX_SAFE_INTEGER);
    expect(tenant.autopilot.has(device.id)).toBe(false);
    expect(tenant.importIdentity(upload('IDX-1'), Number.MAX_SAFE_INTEGER, false).error).toBeUndefined();
  });

  it('starts the profile of the device whose Entra object joins the profile group', () => {
    const tenant = new EmulatedTenant(defaultScenario({ timeScale: 0.001 }), 'profile-group');
    const records = ['IDX-A', 'IDX-B'].map((serial) => tenant.importIdentity(upload(serial), 0, false));
    const [a, b] = records.map((r) => tenant.autopilot.get(r.autopilotDeviceId ?? ''));
    const entraOf = (deviceId: string) => [...tenant.entra.values()].find((e) => e.deviceId === deviceId);
    const later = Number.MAX_SAFE_INTEGER - 1;
    expect(tenant.addMember('profile-group', entraOf(b?.entraDeviceId ?? '')?.id ?? '', later)).toBe('added');
    expect(b?.profileAt).toBeDefined();
    expect(a?.profileAt).toBeUndefined();
  });

  it('brings the Autopilot record and its Entra object forward alike when a sync is asked for', () => {
    const tenant = new EmulatedTenant(defaultScenario({ timeScale: 0.001 }));
    const record = tenant.importIdentity(upload('IDX-SYNC'), 0, false);
    const device = tenant.autopilot.get(record.autopilotDeviceId ?? '');
    const entra = [...tenant.entra.values()].find((e) => e.deviceId === device?.entraDeviceId);
    if (!device || !entra) throw new Error('no Autopilot or Entra record');
    const before = { device: device.visibleAt, entra: entra.visibleAt };
    expect(tenant.requestSync(0)).toBe('started');
    const shift = before.device - device.visibleAt;
    expect(shift).toBeGreaterThan(0);
    expect(before.entra - entra.visibleAt).toBe(shift);
  });
});
