/**
 * What the service checks of Graph before and while it serves: the configured groups at start (naming the
 * setting), the doctor's checks at /api/health?deep=1 and in `npm run doctor`, and a rehearsal against a
 * standalone emulator found from its URL alone (GRAPH_EMULATOR_URL).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../bot/app.js';
import { startDemo, type RunningDemo } from '../../bot/demo.js';
import { DEMO_SCENARIO, seedDemoWorld } from '../../graph-emulator/demo-world.js';
import { DEFAULT_GRANTED_PERMISSIONS } from '../../graph-emulator/permissions.js';
import { startGraphEmulator, type RunningGraphEmulator } from '../../graph-emulator/server.js';
import { loadConfig } from '../../services/config/config.js';
import { ConfigError } from '../../services/config/config-error.js';
import { fastDemoEnv } from '../support/app-env.js';
import { silentLogger } from '../support/graph.js';

let app: RunningApp | undefined;
let demo: RunningDemo | undefined;
let standalone: RunningGraphEmulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  await demo?.stop();
  await standalone?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = demo = standalone = dir = undefined;
});

function demoConfig(extra: Record<string, string> = {}) {
  dir = mkdtempSync(join(tmpdir(), 'aa-graph-setup-'));
  return { ...loadConfig(fastDemoEnv(dir, { DEMO_PLAYGROUND_PORT: '0', ...extra })), port: 0 };
}

async function startStandalone(
  grantedPermissions = [...DEFAULT_GRANTED_PERMISSIONS],
  profileGroupId?: string,
) {
  standalone = await startGraphEmulator({
    scenario: { ...DEMO_SCENARIO, timeScale: 0.002, grantedPermissions },
    ...(profileGroupId ? { profileGroupId } : {}),
  });
  seedDemoWorld(standalone.tenant);
  return standalone;
}

describe('configured groups at start', () => {
  it('fails fast naming PROFILE_GROUP_ID when the group does not exist, or is dynamic, and APPROVER_GROUP_IDS likewise', async () => {
    const emulator = await startStandalone();
    const dynamic = emulator.tenant.addGroup(randomUUID(), { dynamic: true });
    const missing = randomUUID();
    const failure = await startApp(
      demoConfig({
        GRAPH_EMULATOR_URL: emulator.graphUrl,
        PROFILE_GROUP_ID: missing,
        APPROVER_GROUP_IDS: randomUUID(),
      }),
      silentLogger,
      { host: '127.0.0.1' },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems.map((p) => p.key)).toEqual([
      'PROFILE_GROUP_ID',
      'APPROVER_GROUP_IDS',
    ]);
    expect((failure as Error).message).toContain(`${missing} does not exist`);
    const dynamicFailure = await startApp(
      demoConfig({ GRAPH_EMULATOR_URL: emulator.graphUrl, PROFILE_GROUP_ID: dynamic.id }),
      silentLogger,
      {
        host: '127.0.0.1',
      },
    ).catch((e: unknown) => e);
    expect((dynamicFailure as Error).message).toMatch(/PROFILE_GROUP_ID: is a dynamic group/);
  });
});

describe('a rehearsal against a standalone emulator', () => {
  it('runs the demo against GRAPH_EMULATOR_URL, learning the authority, certificate and test app from it', async () => {
    const profileGroupId = randomUUID();
    const emulator = await startStandalone(undefined, profileGroupId);
    demo = await startDemo(
      demoConfig({ GRAPH_EMULATOR_URL: `${emulator.graphUrl}/v1.0`, PROFILE_GROUP_ID: profileGroupId }),
      silentLogger,
      {
        host: '127.0.0.1',
      },
    );
    expect(demo.app.graphAccess.emulator).toBeUndefined();
    // The demo's samples were checked against the standalone emulator: its seeded device is flagged as registered.
    const jobs = (await demo.app.store.list({ limit: 10 })).items;
    expect(jobs.find((j) => j.device.serialNumber === 'DEMO-REG1')?.flags).toContain('already_registered');
    expect(emulator.log.entries.some((e) => /windowsautopilotdeviceidentities/i.test(e.path))).toBe(true);
    const health = await fetch(`${demo.app.url.replace('localhost', '127.0.0.1')}/api/health?deep=1`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      graph: { ok: true, token: 'ok', groups: [{ setting: 'PROFILE_GROUP_ID', status: 'ok' }] },
    });
  });

  it('answers /api/health?deep=1 with 503 and the missing permission', async () => {
    const emulator = await startStandalone(
      DEFAULT_GRANTED_PERMISSIONS.filter((p) => p !== 'DeviceManagementServiceConfig.ReadWrite.All'),
    );
    app = await startApp(demoConfig({ GRAPH_EMULATOR_URL: emulator.graphUrl }), silentLogger, {
      host: '127.0.0.1',
    });
    const url = `${app.url.replace('localhost', '127.0.0.1')}/api/health`;
    expect((await fetch(url)).status).toBe(200);
    const deep = await fetch(`${url}?deep=1`);
    expect(deep.status).toBe(503);
    const body = (await deep.json()) as {
      status: string;
      graph: { permissions: { permission: string; status: string }[] };
    };
    expect(body.status).toBe('degraded');
    // Statuses only: no group ids, no error texts (they name the app and the tenant).
    expect(JSON.stringify(body)).not.toMatch(/AADSTS|a11e0000|Application is not authorized/);
    expect(body.graph.permissions).toContainEqual(
      expect.objectContaining({
        permission: 'DeviceManagementServiceConfig.ReadWrite.All',
        status: 'missing',
      }),
    );
  });
});

describe('npm run doctor', () => {
  it('prints the permission table and exits 1 when one is missing', async () => {
    const emulator = await startStandalone(DEFAULT_GRANTED_PERMISSIONS.filter((p) => p !== 'User.Read.All'));
    const group = randomUUID();
    emulator.tenant.addUserToGroups(randomUUID(), [group]);
    dir = mkdtempSync(join(tmpdir(), 'aa-doctor-'));
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bot/doctor.ts'], {
        env: {
          ...process.env,
          ...fastDemoEnv(dir ?? ''),
          // vitest sets MODE=test for Vite; the service reads MODE too.
          MODE: 'demo',
          GRAPH_EMULATOR_URL: emulator.graphUrl,
          APPROVER_GROUP_IDS: group,
        },
        cwd: process.cwd(),
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('exit', (exitCode) => resolve({ code: exitCode, output: text }));
    });
    expect(output).toMatch(/DeviceManagementServiceConfig\.ReadWrite\.All\s+import, read.*\s+OK/);
    expect(output).toMatch(/User\.Read\.All\s+.*MISSING \(.*grant User\.Read\.All/);
    expect(output).toContain(`APPROVER_GROUP_IDS ${group}: OK`);
    expect(code).toBe(1);
  });
});
