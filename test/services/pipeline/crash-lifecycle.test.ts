/**
 * kill -9 inside a deregistration and a replace: at every step boundary of a replace (which holds the whole
 * deregistration and then a registration) and inside each delete, unassign and upload. The jobs end right: the
 * old records and the Intune device are gone, the replacement is imported once, and no delete ever touches a
 * record the jobs did not set out to delete.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { KIND_STEPS } from '../../../services/domain/job-kinds.js';
import { openLifecycleJob } from '../../../services/domain/lifecycle-job.js';
import { approve, submit } from '../../../services/domain/transitions.js';
import type { AutopilotRecord } from '../../../graph-emulator/world.js';
import { crashThrough, exited, insideWrite, runWorker, type CrashPoint } from '../../support/crash-worker.js';
import { fakeHardwareHash } from '../../support/jobs.js';
import { startPipelineFixture, type PipelineFixture } from '../../support/pipeline.js';

let fixture: PipelineFixture | undefined;
const running: { child?: ChildProcess } = {};
afterEach(async () => {
  running.child?.kill('SIGKILL');
  await fixture?.stop();
  fixture = undefined;
});

const alice = { id: 'aad-approver', name: 'Alice' };
const recordView = (r: AutopilotRecord, managedDeviceId?: string) => ({
  id: r.id,
  groupTag: r.groupTag,
  displayName: r.displayName,
  user: r.userPrincipalName,
  enrollmentState: managedDeviceId ? 'enrolled' : 'notContacted',
  ...(managedDeviceId ? { managedDeviceId } : {}),
});

describe('crash and resume of lifecycle jobs', () => {
  it(
    'deregisters and replaces exactly once although the worker is killed at every step and inside every write',
    { timeout: 300_000 },
    async () => {
      fixture = await startPipelineFixture();
      const { tenant, log } = fixture.emulator;
      const now = new Date();
      // KILL-D1: enrolled, with a user, deregistered. KILL-R1: enrolled, with a user, replaced by a new hash.
      const seeded = ['KILL-D1', 'KILL-R1'].map((serialNumber) => {
        const record = tenant.seedRegisteredDevice({ serialNumber, groupTag: 'Old' });
        record.userPrincipalName = 'ada@contoso.example';
        return { record, managed: tenant.enroll(record.id) };
      });
      const [d1, r1] = seeded as [(typeof seeded)[0], (typeof seeded)[0]];
      const deregister = openLifecycleJob(
        {
          id: randomUUID(),
          kind: 'deregister',
          device: { serialNumber: 'KILL-D1', manufacturer: 'Contoso', model: 'Model' },
          record: recordView(d1.record, d1.managed),
          by: alice,
          ticket: 'INC-1',
          submittedBy: { channel: 'teams', via: 'Alice' },
          enrolledConfirmed: true,
        },
        now,
      );
      const submitted = submit(
        {
          id: randomUUID(),
          device: { serialNumber: 'KILL-R1', manufacturer: 'Contoso', model: 'Model' },
          hardwareHash: fakeHardwareHash(),
          submittedBy: { channel: 'api', via: 'deploy' },
          registeredRecord: recordView(r1.record, r1.managed),
        },
        now,
        86_400_000,
      );
      const replace = approve(submitted, {
        by: alice,
        at: now,
        groupTag: 'Sales',
        comment: 'INC-2',
        plan: { kind: 'replace', enrolledConfirmed: true },
      });
      if (!replace.ok) throw replace.error;
      for (const job of [deregister, replace.value]) await fixture.store.create(job);

      const points: CrashPoint[] = [];
      for (const step of KIND_STEPS.replace) {
        points.push({ self: `${step}:running` });
        if (step === 'delete-managed-device')
          points.push(insideWrite(/manageddevices\/[^/]+$/i, 'inside delete-managed-device'));
        if (step === 'unassign-user')
          points.push(insideWrite(/unassignuserfromdevice$/i, 'inside unassign-user'));
        if (step === 'delete-autopilot-record')
          points.push(
            insideWrite(/windowsautopilotdeviceidentities\/[^/]+$/i, 'inside delete-autopilot-record'),
          );
        if (step === 'import')
          points.push(insideWrite(/importedwindowsautopilotdeviceidentities\/import$/i, 'inside import'));
      }
      // A step's end is written together with the next step's start (one write), so each boundary is the next
      // step's ":running"; only the last step's end is a boundary of its own.
      points.push({ self: `${KIND_STEPS.replace.at(-1)}:succeeded` });
      const ids = [deregister.id, replace.value.id];
      const crashes = await crashThrough(fixture, points, ids, running);
      const child = (running.child = runWorker(fixture, undefined));
      const done = await fixture.waitForTerminal(ids, 60_000);
      child.kill('SIGTERM');
      await exited(child);

      expect(crashes).toContain('inside delete-autopilot-record');
      expect(crashes).toContain('inside delete-managed-device');
      expect(crashes.length).toBeGreaterThanOrEqual(12);
      expect(done.map((j) => [j.kind, j.status, j.outcome])).toEqual([
        ['deregister', 'completed', 'deregistered'],
        ['replace', 'completed', 'imported'],
      ]);
      expect(tenant.managedDevices.size).toBe(0);
      expect(tenant.autopilot.has(d1.record.id)).toBe(false);
      expect(tenant.autopilot.has(r1.record.id)).toBe(false);
      const replacement = [...tenant.autopilot.values()].filter((d) => d.serialNumber === 'KILL-R1');
      expect(replacement).toHaveLength(1);
      expect(replacement[0]?.groupTag).toBe('Sales');
      expect(log.uploadsBySerial().get('KILL-R1')).toBe(1);
      // Every delete of an Autopilot record or an Intune device named one of the old ones: never the new one.
      // (The replace's upload record is deleted too, by cleanup-import, as in every registration.)
      const deleted = new Set(
        log.entries
          .filter(
            (e) =>
              e.method === 'DELETE' && /\/(windowsAutopilotDeviceIdentities|managedDevices)\//i.test(e.path),
          )
          .map((e) => e.path.split('/').at(-1)),
      );
      expect(
        [...deleted].every((id) => [d1.record.id, r1.record.id, d1.managed, r1.managed].includes(id ?? '')),
      ).toBe(true);
      expect(deleted.has(replacement[0]?.id)).toBe(false);
    },
  );
});
