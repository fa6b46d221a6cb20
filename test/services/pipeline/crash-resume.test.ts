/**
 * kill -9 at every step boundary and inside steps: the worker runs as a child process; after each crash a new
 * one resumes from the store. The job completes and the emulator saw exactly one upload per device.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRATION_STEPS } from '../../../services/domain/job.js';
import { deviceInput, startPipelineFixture, type PipelineFixture } from '../../support/pipeline.js';
import {
  afterRead,
  crashThrough,
  exited,
  insideWrite,
  runWorker,
  type CrashPoint,
} from '../../support/crash-worker.js';

let fixture: PipelineFixture | undefined;
const running: { child?: ChildProcess } = {};
afterEach(async () => {
  running.child?.kill('SIGKILL');
  await fixture?.stop();
  fixture = undefined;
});

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
      const points: CrashPoint[] = [];
      for (const step of REGISTRATION_STEPS) {
        // check-registration only reads: it is started in the write of its outcome, so the kill lands after the read.
        points.push(
          step === 'check-registration'
            ? afterRead(/windowsautopilotdeviceidentities/i, 'check-registration, after the read')
            : { self: `${step}:running` },
        );
        if (step === 'import')
          points.push(
            insideWrite(
              /importedwindowsautopilotdeviceidentities\/import$/i,
              'inside import, after the upload',
            ),
          );
        if (step === 'cleanup-import')
          points.push(insideWrite(/importedwindowsautopilotdeviceidentities\/[^/]+$/i, 'inside cleanup'));
        if (step === 'add-to-group')
          points.push(insideWrite(/\/groups\/[^/]+(\/members\/\$ref)?$/i, 'inside add-to-group'));
        // Both steps call updateDeviceProperties: the first kill lands in set-device-name, the next in assign-user.
        if (step === 'set-device-name')
          points.push(insideWrite(/updatedeviceproperties$/i, 'inside set-device-name'));
        if (step === 'assign-user')
          points.push(insideWrite(/updatedeviceproperties$/i, 'inside assign-user'));
      }
      // A step's end is written together with the next step's start (one write), so each boundary between two
      // steps is the next step's ":running" point above.

      const crashes = await crashThrough(
        fixture,
        points,
        jobs.map((j) => j.id),
        running,
        groupId,
      );
      const child = (running.child = runWorker(fixture, groupId));
      const done = await fixture.waitForTerminal(
        jobs.map((j) => j.id),
        60_000,
      );
      child.kill('SIGTERM');
      await exited(child);

      // A kill from outside (inside a write) lands a moment after the request, while the worker's other step groups
      // go on: on a loaded machine one of them may pass the next boundary first, which then is not reached anew.
      // So not every one of the 15 points is always hit; those around the upload always are.
      expect(crashes).toEqual(
        expect.arrayContaining([
          'check-registration, after the read',
          'import:running',
          'inside import, after the upload',
        ]),
      );
      expect(crashes.length).toBeGreaterThanOrEqual(10);
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
