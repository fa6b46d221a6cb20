/**
 * `npm start` as a newcomer runs it (the demo, through bot/main.ts in its own process): it says where it
 * listens in readable log lines, prints no deprecation warning, listens on loopback only, and stops on SIGTERM
 * with exit code 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm start (the demo)', () => {
  it('refuses to start the demo with a production setting, naming it, and exits 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-main-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      env: {
        ...process.env,
        MODE: 'demo',
        DATA_DIR: dir,
        PORT: String(await freePort()),
        AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/AZURE_TENANT_ID: is a production setting, refused with MODE=demo/);
  }, 60_000);

  it('logs readable lines, prints no deprecation warning, serves on loopback only and exits 0 on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-main-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      // vitest sets MODE=test for Vite; the service reads MODE too.
      env: { ...process.env, MODE: 'demo', DATA_DIR: dir, PORT: String(port), DEMO_PLAYGROUND_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('Autopilot Approvals demo is running') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(stdout).toContain('Autopilot Approvals demo is running');
    // Readable lines, not JSON.
    expect(stdout).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: Autopilot Approvals \(demo\) listening$/m);
    expect(stdout.split('\n').some((line) => line.startsWith('{"level"'))).toBe(false);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    const addresses = (await import('node:os')).networkInterfaces();
    const external = Object.values(addresses)
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (external) await expect(fetch(`http://${external}:${port}/api/health`)).rejects.toThrow();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/DeprecationWarning/);
  }, 90_000);
});
