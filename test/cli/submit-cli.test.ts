import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../bot/app.js';
import { loadConfig } from '../../services/config/config.js';
import { fastDemoEnv } from '../support/app-env.js';
import { approve, reject } from '../../services/domain/transitions.js';
import { mutateJob } from '../../services/store/mutate.js';
import { silentLogger } from '../support/graph.js';
import { fakeHardwareHash } from '../support/jobs.js';

const KEY = 'cli-test-key-0123456789abcdef';
let app: RunningApp;
let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aa-cli-'));
  const config = loadConfig(fastDemoEnv(dir, { INTAKE_KEYS: `cli:${KEY}` }));
  app = await startApp({ ...config, port: 0 }, silentLogger, { host: '127.0.0.1' });
});
afterEach(async () => {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['cli/bin.mjs', '--server', app.url.replace('localhost', '127.0.0.1'), ...args],
      { env: { ...process.env, AUTOPILOT_INTAKE_KEY: KEY } },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Plays the approver: decides every job awaiting approval as `decide` says, until stopped. */
function approver(decide: (serial: string) => 'approve' | 'reject'): () => void {
  let running = true;
  void (async () => {
    while (running) {
      for (const job of (await app.store.list({ statuses: ['awaiting_approval'], limit: 100 })).items) {
        await mutateJob(app.store, job.id, (j) => {
          const by = { id: 'aad-alice', name: 'Alice' };
          const r =
            decide(j.device.serialNumber) === 'approve'
              ? approve(j, { by, at: new Date(), groupTag: 'Sales', comment: 'INC-7' })
              : reject(j, { by, at: new Date(), reason: 'Not ours' });
          if (!r.ok) throw r.error;
          return r.value;
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return () => (running = false);
}

describe('autopilot-submit CLI against a running service', () => {
  it(
    'submits a CSV, follows the jobs to the end with progress, prints a table and exits 0',
    { timeout: 60_000 },
    async () => {
      const csv = join(dir, 'devices.csv');
      writeFileSync(
        csv,
        [
          'Device Serial Number,Windows Product ID,Hardware Hash',
          `CLI-1,,${fakeHardwareHash()}`,
          `CLI-2,,${fakeHardwareHash()}`,
        ].join('\n'),
      );
      const stop = approver(() => 'approve');
      const { code, output } = await runCli([
        '--csv',
        csv,
        '--manufacturer',
        'HP',
        '--model',
        'EliteBook',
        '--wait',
        '--timeout',
        '50',
      ]);
      stop();
      expect(output).toContain('2 accepted, 0 refused');
      expect(output).toContain('2/2 finished');
      expect(output).toMatch(/SERIAL\s+STATUS\s+OUTCOME/);
      expect(output).toMatch(/CLI-1\s+completed\s+imported/);
      expect(output).toMatch(/CLI-2\s+completed\s+imported/);
      expect(code).toBe(0);
    },
  );

  it(
    'asks for a bulk re-tag with --retag and --tag, follows it to the end and exits 0',
    { timeout: 60_000 },
    async () => {
      const tenant = app.graphAccess.emulator!.tenant;
      for (const serialNumber of ['TAGS-1', 'TAGS-2'])
        tenant.seedRegisteredDevice({ serialNumber, groupTag: 'Standard' });
      const file = join(dir, 'serials.csv');
      writeFileSync(file, 'TAGS-1\nTAGS-2\n');
      const stop = approver(() => 'approve');
      const { code, output } = await runCli(['--retag', file, '--tag', 'Kiosk', '--wait', '--timeout', '50']);
      stop();
      expect(output).toContain('2 accepted, 0 refused');
      expect(output).toMatch(/TAGS-1\s+completed\s+changed/);
      expect(output).toMatch(/TAGS-2\s+completed\s+changed/);
      expect(code).toBe(0);
      expect([...tenant.autopilot.values()].map((d) => d.groupTag)).toEqual(['Kiosk', 'Kiosk']);
      expect((await runCli(['--retag', file])).output).toContain('--tag is required with --retag.');
    },
  );

  it('exits 1 when a row is refused or a job does not complete', { timeout: 60_000 }, async () => {
    const csv = join(dir, 'devices.csv');
    writeFileSync(
      csv,
      [
        'Device Serial Number,Windows Product ID,Hardware Hash',
        `OKAY-1,,${fakeHardwareHash()}`,
        'BAD-1,,%%%',
      ].join('\n'),
    );
    const stop = approver(() => 'reject');
    const { code, output } = await runCli(['--csv', csv, '--wait', '--timeout', '50']);
    stop();
    expect(output).toMatch(/3\s+BAD-1\s+hardwareHash must be base64/);
    expect(output).toMatch(/OKAY-1\s+rejected/);
    expect(code).toBe(1);
  });

  it(
    'waits on a 500-row CSV with one status request at a time, within the key rate limit, to the end',
    { timeout: 180_000 },
    async () => {
      const csv = join(dir, 'five-hundred.csv');
      writeFileSync(
        csv,
        [
          'Device Serial Number,Windows Product ID,Hardware Hash',
          ...Array.from(
            { length: 500 },
            (_, i) => `WAIT-${String(i).padStart(4, '0')},,${fakeHardwareHash(600)}`,
          ),
        ].join('\n'),
      );
      const stop = approver(() => 'approve');
      const { code, output } = await runCli([
        '--csv',
        csv,
        '--manufacturer',
        'Dell',
        '--model',
        'Latitude 7450',
        '--wait',
        '--timeout',
        '150',
      ]);
      stop();
      expect(output).not.toMatch(/answered 429|Error/);
      expect(output.match(/WAIT-\d{4}\s+completed/g)).toHaveLength(500);
      expect(code).toBe(0);
    },
  );

  it('submits one device by flags, and a sample device, without waiting', async () => {
    const one = await runCli([
      '--serial',
      'FLAG-1',
      '--hash',
      fakeHardwareHash(),
      '--manufacturer',
      'Dell',
      '--model',
      'Latitude 7450',
    ]);
    expect(one.output).toMatch(/FLAG-1: submitted as [0-9a-f-]{36} \(awaiting_approval\)/);
    expect(one.code).toBe(0);
    const sample = await runCli(['--sample']);
    expect(sample.output).toMatch(/DEMO-[0-9A-F]{8}: submitted as/);
    expect(sample.code).toBe(0);
  });

  it('explains bad arguments and an unreachable server', async () => {
    const usage = await runCli(['--serial', 'X']);
    expect(usage.code).toBe(2);
    expect(usage.output).toContain('--hash is required with --serial');
    const unreachable = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [
        'cli/bin.mjs',
        '--server',
        'http://127.0.0.1:9',
        '--key',
        KEY,
        '--sample',
      ]);
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (code) => resolve({ code, output }));
    });
    expect(unreachable.code).toBe(2);
    expect(unreachable.output).toContain('Could not talk to http://127.0.0.1:9');
  });
});
