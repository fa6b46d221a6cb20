/** The doctor against the emulator with the real MSAL and Graph client, permissions taken away one by one. */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_GRANTED_PERMISSIONS } from '../../../graph-emulator/permissions.js';
import { formatDoctorReport, runDoctor } from '../../../services/graph/doctor.js';
import type { AutopilotGraph } from '../../../services/graph/autopilot-graph.js';
import { PERMISSION_NEEDS } from '../../../services/graph/permissions.js';
import { emulatorTokens, startGraphFixture, type GraphFixture } from '../../support/graph.js';

let fixture: GraphFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const profileGroupId = randomUUID();
const approverGroupId = randomUUID();
const everything = { profileGroupId, approverGroupIds: [approverGroupId] };

async function doctorWithout(
  withheld: string[],
  settings: { profileGroupId?: string; approverGroupIds: string[] } = everything,
  opaqueTokens = false,
) {
  fixture = await startGraphFixture({
    profileGroupId,
    scenario: {
      timeScale: 0.001,
      grantedPermissions: DEFAULT_GRANTED_PERMISSIONS.filter((p) => !withheld.includes(p)),
      opaqueTokens,
    },
  });
  fixture.emulator.tenant.addUserToGroups(randomUUID(), [approverGroupId]);
  const report = await runDoctor({
    graph: fixture.graph,
    tokens: emulatorTokens(fixture.emulator),
    settings,
  });
  await fixture.stop();
  fixture = undefined;
  return report;
}

const statusOf = (report: Awaited<ReturnType<typeof runDoctor>>) =>
  Object.fromEntries(report.permissions.map((p) => [p.permission, p.status]));

describe('doctor', () => {
  it('finds everything in place with the permissions the configuration needs', async () => {
    const report = await doctorWithout([]);
    expect(report.ok).toBe(true);
    expect(report.permissions.map((p) => p.permission)).toEqual(PERMISSION_NEEDS.map((p) => p.name));
    expect(formatDoctorReport(report)).toMatch(
      /User\.Read\.All\s+check an approver's group membership.*\s+OK/,
    );
  });

  // A broader permission still granted covers a narrower one taken away: the doctor says so rather than guess.
  const coveredBy: Record<string, string> = {
    'Device.Read.All': 'Device.ReadWrite.All',
    'GroupMember.Read.All': 'GroupMember.ReadWrite.All',
  };
  it.each(PERMISSION_NEEDS.map((p) => p.name))(
    'names %s as missing when taken away, unless a broader one still covers it',
    async (permission) => {
      const report = await doctorWithout([permission]);
      const status = statusOf(report);
      for (const need of PERMISSION_NEEDS) {
        const expected = need.name === permission && !coveredBy[permission] ? 'missing' : 'ok';
        expect(`${need.name}: ${status[need.name]}`).toBe(`${need.name}: ${expected}`);
      }
      expect(report.ok).toBe(permission in coveredBy);
      if (!coveredBy[permission]) expect(formatDoctorReport(report)).toContain(`MISSING (`);
    },
  );

  it('names a narrower permission once nothing broader covers it', async () => {
    const withoutGroups = await doctorWithout(['GroupMember.Read.All', 'GroupMember.ReadWrite.All'], {
      approverGroupIds: [approverGroupId],
    });
    expect(statusOf(withoutGroups)['GroupMember.Read.All']).toBe('missing');
    const withoutDevices = await doctorWithout(['Device.Read.All', 'Device.ReadWrite.All'], {
      approverGroupIds: [],
    });
    expect(statusOf(withoutDevices)).toEqual({
      'DeviceManagementServiceConfig.ReadWrite.All': 'ok',
      'DeviceManagementManagedDevices.ReadWrite.All': 'ok',
      'Device.Read.All': 'missing',
    });
  });

  it('checks the configured groups: a wrong id and a dynamic profile group are problems', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 0.001 } });
    const dynamic = fixture.emulator.tenant.addGroup(randomUUID(), {
      dynamic: true,
      displayName: 'Kiosks (dynamic)',
    });
    const wrong = randomUUID();
    const report = await runDoctor({
      graph: fixture.graph,
      tokens: emulatorTokens(fixture.emulator),
      settings: { profileGroupId: dynamic.id, approverGroupIds: [wrong] },
    });
    expect(report.ok).toBe(false);
    expect(report.groups).toMatchObject([
      { setting: 'PROFILE_GROUP_ID', problem: expect.stringContaining('dynamic group ("Kiosks (dynamic)")') },
      { setting: 'APPROVER_GROUP_IDS', groupId: wrong, problem: expect.stringContaining('does not exist') },
    ]);
  });

  it('does not call a write permission granted when the token shows no roles and only a read was possible', async () => {
    const graph = {
      probe: () => Promise.resolve({ status: 200, code: 'OK' }),
      getGroups: (ids: readonly string[]) =>
        Promise.resolve(
          new Map(
            ids.map((id) => [id, { ok: true as const, value: { id, displayName: 'g', dynamic: false } }]),
          ),
        ),
    } as unknown as AutopilotGraph;
    const report = await runDoctor({
      graph,
      tokens: { getToken: () => Promise.resolve('opaque-token') },
      settings: everything,
    });
    expect(statusOf(report)).toEqual({
      'DeviceManagementServiceConfig.ReadWrite.All': 'unverified',
      'DeviceManagementManagedDevices.ReadWrite.All': 'unverified',
      'Device.Read.All': 'ok',
      'GroupMember.ReadWrite.All': 'unverified',
      'Device.ReadWrite.All': 'unverified',
      'GroupMember.Read.All': 'ok',
      'User.Read.All': 'ok',
    });
    expect(formatDoctorReport(report)).toContain('UNVERIFIED (a read works; the token lists no roles');
  });

  // Graph's tokens are opaque to clients: with no roles to read, each read permission rests on its probe alone.
  it.each(['Device.Read.All', 'User.Read.All'])(
    'finds %s missing from its probe alone when the token cannot be read',
    async (permission) => {
      const broader = coveredBy[permission];
      const report = await doctorWithout(broader ? [permission, broader] : [permission], everything, true);
      const status = statusOf(report);
      expect(status[permission]).toBe('missing');
      expect(report.permissions.find((p) => p.permission === permission)?.detail).toContain(
        'Graph answered 403',
      );
      expect(status['DeviceManagementServiceConfig.ReadWrite.All']).toBe('unverified');
      expect(report.ok).toBe(false);
    },
  );

  it('never counts a refused check read as a permission that works', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 0.001, opaqueTokens: true } });
    const graph = fixture.graph;
    // A probe path the API version does not have: real Graph answers 400 'Resource not found for the segment'.
    const slipped = new Proxy(graph, {
      get: (target, key) =>
        key === 'probe'
          ? (_version: 'v1.0' | 'beta', path: string) => target.probe('v1.0', `/noSuchSegment${path}`)
          : (Reflect.get(target, key) as unknown),
    });
    const report = await runDoctor({
      graph: slipped,
      tokens: emulatorTokens(fixture.emulator),
      settings: { approverGroupIds: [] },
    });
    expect(report.ok).toBe(false);
    expect(report.permissions.every((p) => p.status === 'failed')).toBe(true);
    expect(report.permissions[0]?.detail).toContain('the check read got 400');
  });

  it('says why when no token can be had', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 0.001 } });
    const report = await runDoctor({
      graph: fixture.graph,
      tokens: emulatorTokens(fixture.emulator, 'wrong-secret'),
      settings: everything,
    });
    expect(report).toMatchObject({ ok: false, tokenProblem: expect.stringContaining('AADSTS7000215') });
    expect(formatDoctorReport(report)).toMatch(/^Token: FAILED/);
  });
});
