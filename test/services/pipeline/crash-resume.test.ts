/**
 * kill -9 at every step boundary and inside steps: the worker runs as a child process; after each crash a new
 * one resumes from the store. The job completes and the emulator saw exactly one upload per device.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRATION_STEPS } from '../../../services/domain/job.js';
import { DEMO_APP } from '../../../graph-emulator/server.js';
import type { LoggedRequest } from '../../../graph-emulator/request-log.js';
import {
  deviceInput,
  startPipelineFixture,
  testSettings,
  type PipelineFixture,
} from '../../support/pipeline.js';

let fixture: PipelineFixture | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await fixture?.stop();
  fixture = undefined;
});

type CrashPoint = { self: string } | { request: (entry: LoggedRequest) => boolean; label: string };

function runWorker(fx: PipelineFixture, profileGroupId: string, crashAt?: string): ChildProcess {
  const config = {
    dbPath: fx.dbPath,
    graphUrl: fx.emulator.graphUrl,
    authorityHost: fx.emulator.authorityHost,
    tenantId: fx.emulator.tenantId,
    clientId: DEMO_APP.clientId,
    secret: DEMO_APP.secret,
    caCertificate: fx.emulator.caCertificate,
    settings: testSettings({ leaseMs: 300, profileGroupId }),
    owner: `worker-${randomUUID().slice(0, 6)}`,
    ...(crashAt ? { crashAt } : {}),
  };
  return spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const exited = (proc: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((resolve) =>
    proc.once('exit', (code, signal) => resolve(signal ?? code)),
  );

describe('crash and resume', () => {
  it(
    'completes every job with one upload per device although the worker is killed at every step',
    { timeout: 120_000 },
    async () => {
      const groupId = randomUUID();
      // Faults of real Graph on top: CRASH-2's first upload is applied and its answer lost.
      fixture = await startPipelineFixture({
        emulator: {
          profileGroupId: groupId,
          scenario: {
            faults: {
              serviceUnavailableRate: 0,
              dropConnectionRate: 0,
              afterImport: { kind: 'drop', serials: ['CRASH-2'], times: 1 },
            },
          },
        },
      });
      const jobs = await fixture.approvedJobs(
        ['CRASH-1', 'CRASH-2', 'CRASH-3'].map((s) => deviceInput(s, { assignedUser: 'ada@contoso.example' })),
        'Sales',
        { named: true },
      );
      // CRASH-3's record loses the user set at import (someone changed it), so assign-user has to call Graph.
      const { tenant } = fixture.emulator;
      fixture.emulator.log.subscribe((entry) => {
        if (!entry.uploads?.includes('CRASH-3')) return;
        for (const device of tenant.autopilot.values())
          if (device.serialNumber === 'CRASH-3') device.userPrincipalName = '';
      });
      const writes = (pattern: RegExp, label: string): CrashPoint => ({
        label,
        request: (e) => e.method !== 'GET' && pattern.test(e.path),
      });
      const points: CrashPoint[] = [];
      for (const step of REGISTRATION_STEPS) {
        points.push({ self: `${step}:running` });
        if (step === 'import')
          points.push(
            writes(/importedwindowsautopilotdeviceidentities\/import$/i, 'inside import, after the upload'),
          );
        if (step === 'cleanup-import')
          points.push(writes(/importedwindowsautopilotdeviceidentities\/[^/]+$/i, 'inside cleanup'));
        if (step === 'add-to-group') points.push(writes(/members\/\$ref$/i, 'inside add-to-group'));
        // Both steps call updateDeviceProperties: the first kill lands in set-device-name, the next in assign-user.
        if (step === 'set-device-name')
          points.push(writes(/updatedeviceproperties$/i, 'inside set-device-name'));
        if (step === 'assign-user') points.push(writes(/updatedeviceproperties$/i, 'inside assign-user'));
        if (step !== 'await-profile') points.push({ self: `${step}:succeeded` });
      }

      const crashes: string[] = [];
      for (const point of points) {
        const proc = (child = runWorker(fixture, groupId, 'self' in point ? point.self : undefined));
        let unsubscribe = () => undefined as void;
        if ('request' in point) {
          unsubscribe = fixture.emulator.log.subscribe((entry) => {
            if (point.request(entry)) proc.kill('SIGKILL');
          });
        }
        const ended = await Promise.race([
          exited(proc),
          fixture
            .waitForTerminal(
              jobs.map((j) => j.id),
              30_000,
            )
            .then(() => 'finished' as const),
        ]);
        unsubscribe();
        if (ended === 'finished') break;
        expect(ended).toBe('SIGKILL');
        crashes.push('self' in point ? point.self : point.label);
      }
      child = runWorker(fixture, groupId);
      const done = await fixture.waitForTerminal(
        jobs.map((j) => j.id),
        60_000,
      );
      child.kill('SIGTERM');
      await exited(child);

      expect(crashes.length).toBeGreaterThanOrEqual(15);
      expect(done.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
      const uploads = fixture.emulator.log.uploadsBySerial();
      expect(['CRASH-1', 'CRASH-2', 'CRASH-3'].map((s) => uploads.get(s))).toEqual([1, 1, 1]);
      expect(fixture.emulator.tenant.groups.get(groupId)?.members.size).toBe(3);
      expect(fixture.emulator.tenant.imported.size).toBe(0);
      expect([...fixture.emulator.tenant.autopilot.values()].map((d) => d.displayName).sort()).toEqual([
        'PC-CRASH-1',
        'PC-CRASH-2',
        'PC-CRASH-3',
      ]);
      expect([...tenant.autopilot.values()].map((d) => d.userPrincipalName)).toEqual(
        Array(3).fill('ada@contoso.example'),
      );
      expect(crashes).toContain('inside assign-user');
    },
  );
});
