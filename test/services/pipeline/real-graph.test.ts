/**
 * The pipeline through the real MSAL and Graph client against the emulator answering as real Graph does: serials
 * with hyphens and spaces, deletes that answer 200, an upload whose answer is lost after Intune applied it, a
 * missing permission, a user already set at import, Entra ids that read as the zero GUID for a while.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_GRANTED_PERMISSIONS } from '../../../graph-emulator/permissions.js';
import type { AfterImportFault } from '../../../graph-emulator/scenario.js';
import { retry } from '../../../services/domain/step-transitions.js';
import { mutateJob } from '../../../services/store/mutate.js';
import { deviceInput, startPipelineFixture, type PipelineFixture } from '../../support/pipeline.js';

let fixture: PipelineFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const noFaults = { serviceUnavailableRate: 0, dropConnectionRate: 0 };

describe('the pipeline against Graph as it really answers', () => {
  it('imports devices whose serials hold hyphens and spaces, and cleans up although deletes answer 200', async () => {
    const groupId = randomUUID();
    fixture = await startPipelineFixture({
      emulator: { profileGroupId: groupId },
      settings: { profileGroupId: groupId },
    });
    const serials = [
      'ec2a1bbf-7e9f-45f0-f404-bec2e9da6f35',
      'VMware-56 4d 2b 6a 1f 3c 9e 7d-4a 1f 8b 2c 5e 6d 0a 9b',
    ];
    // A look-alike already registered: contains() on the searched run matches it, the exact compare does not.
    fixture.emulator.tenant.seedRegisteredDevice({
      serialNumber: 'VMware-56 4d 00 00 00 00 00 00-00 00 00 00 00 00 00 00',
    });
    const jobs = await fixture.approvedJobs(serials.map((s) => deviceInput(s)));
    fixture.newWorker().start();
    const done = await fixture.waitForTerminal(jobs.map((j) => j.id));
    expect(done.map((j) => [j.status, j.outcome])).toEqual([
      ['completed', 'imported'],
      ['completed', 'imported'],
    ]);
    const { log, tenant } = fixture.emulator;
    expect(serials.map((s) => log.uploadsBySerial().get(s))).toEqual([1, 1]);
    const deletes = log.entries.filter((e) => e.method === 'DELETE');
    expect(deletes.length).toBeGreaterThanOrEqual(2);
    expect(deletes.every((e) => e.status === 200)).toBe(true);
    expect(tenant.imported.size).toBe(0);
    expect(log.entries.some((e) => e.status === 400)).toBe(false);
    // The saved Entra id is the real one, not the zero GUID the record showed before Autopilot linked it.
    for (const job of done) expect(job.graph.entraDeviceId).toMatch(/^(?!0{8}-)[0-9a-f-]{36}$/);
  });

  it.each<AfterImportFault['kind']>(['gateway_timeout', 'drop'])(
    'uploads once and completes when the import is applied and its answer lost (%s)',
    async (kind) => {
      fixture = await startPipelineFixture({
        emulator: {
          scenario: { faults: { ...noFaults, afterImport: { kind, serials: ['LOST-0001'], times: 1 } } },
        },
      });
      const [job] = await fixture.approvedJobs([deviceInput('LOST-0001'), deviceInput('LOST-0002')]);
      fixture.newWorker().start();
      const done = await fixture.waitForTerminal([job?.id ?? '']);
      expect(done[0]).toMatchObject({ status: 'completed', outcome: 'imported' });
      const import1 = done[0]?.steps.find((s) => s.name === 'import');
      expect(import1).toMatchObject({ attempts: 2, note: 'Found the upload of an earlier attempt' });
      // One upload of each device: the lost answer was not sent again by the HTTP layer, nor by the step.
      expect(fixture.emulator.tenant.uploadsBySerial.get('LOST-0001')).toBe(1);
      expect(fixture.emulator.tenant.uploadsBySerial.get('LOST-0002')).toBe(1);
    },
  );

  it("uploads once when the last automatic attempt's answer is lost and an approver retries the job", async () => {
    fixture = await startPipelineFixture({
      emulator: {
        scenario: { faults: { ...noFaults, afterImport: { kind: 'drop', serials: ['LAST-0001'] } } },
      },
      settings: { maxAttempts: 1 },
    });
    const [job] = await fixture.approvedJobs([deviceInput('LAST-0001')]);
    fixture.newWorker().start();
    const [failed] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { step: 'import', code: 'Network', retryable: true },
    });
    fixture.emulator.scenario.faults.afterImport = undefined;
    await mutateJob(fixture.store, job?.id ?? '', (current) => {
      const retried = retry(current, { id: 'aad-approver', name: 'Alice' }, new Date());
      if (!retried.ok) throw retried.error;
      return retried.value;
    });
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done).toMatchObject({ status: 'completed', outcome: 'imported' });
    expect(fixture.emulator.tenant.uploadsBySerial.get('LAST-0001')).toBe(1);
  });

  it('reports the import error of an upload whose answer was lost, instead of uploading again', async () => {
    fixture = await startPipelineFixture({
      emulator: {
        scenario: {
          importErrors: [{ error: 'ZtdDeviceAssignedToOtherTenant', serialNumber: 'GONE-0808' }],
          faults: { ...noFaults, afterImport: { kind: 'gateway_timeout', serials: ['GONE-0808'] } },
        },
      },
    });
    const [job] = await fixture.approvedJobs([deviceInput('GONE-0808')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done).toMatchObject({ status: 'failed', error: { step: 'await-import', code: '808' } });
    expect(fixture.emulator.tenant.uploadsBySerial.get('GONE-0808')).toBe(1);
  });

  it('waits on an 806 for a device registered moments ago until it is listed, then ends as already registered', async () => {
    fixture = await startPipelineFixture();
    // Another tool registered the device just now: Intune refuses the upload with 806 before it lists the device.
    const listedAt = Date.now() + 1_500;
    fixture.emulator.tenant.seedRegisteredDevice({
      serialNumber: 'LATE-0806',
      groupTag: 'Kiosk',
      visibleAt: listedAt,
    });
    const [job] = await fixture.approvedJobs([deviceInput('LATE-0806')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'already_registered',
      graph: { existingGroupTag: 'Kiosk' },
    });
    expect(Date.now()).toBeGreaterThanOrEqual(listedAt);
    expect(fixture.emulator.tenant.uploadsBySerial.get('LATE-0806')).toBe(1);
    // The refused upload record was removed once the device was found.
    expect(fixture.emulator.tenant.imported.size).toBe(0);
  });

  it('fails with the 806 and its advice when the device is still not listed at the deadline', async () => {
    fixture = await startPipelineFixture({
      settings: {
        deadlinesMs: { import: 300, autopilotDevice: 30_000, entraDevice: 30_000, profile: 30_000 },
      },
    });
    fixture.emulator.tenant.seedRegisteredDevice({
      serialNumber: 'NEVER-0806',
      visibleAt: Date.now() + 3_600_000,
    });
    const [job] = await fixture.approvedJobs([deviceInput('NEVER-0806')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done).toMatchObject({
      status: 'failed',
      error: { step: 'await-import', code: '806', retryable: false },
    });
    expect(done?.error?.advice).toMatch(/not listed among Autopilot devices within the wait/);
    expect(fixture.emulator.tenant.uploadsBySerial.get('NEVER-0806')).toBe(1);
    // The refused upload record is not left behind in the tenant once the job gives up.
    expect(fixture.emulator.tenant.imported.size).toBe(0);
  });

  it('goes on with the Autopilot device an earlier attempt registered when its upload record is gone', async () => {
    fixture = await startPipelineFixture({
      emulator: {
        scenario: {
          delays: { import: 0, autopilotDevice: 0, entraDevice: 0, profile: 0 },
          faults: { ...noFaults, afterImport: { kind: 'drop', serials: ['VANISH-01'] } },
        },
      },
    });
    const { tenant } = fixture.emulator;
    // Someone deletes the upload record right after Intune applied it.
    fixture.emulator.log.subscribe((entry) => {
      if (entry.uploads?.includes('VANISH-01')) tenant.imported.clear();
    });
    const [job] = await fixture.approvedJobs([deviceInput('VANISH-01')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done).toMatchObject({ status: 'completed', outcome: 'imported' });
    expect(done?.steps.find((s) => s.name === 'import')?.note).toBe('Registered by an earlier attempt');
    expect(tenant.uploadsBySerial.get('VANISH-01')).toBe(1);
  });

  it('fails at once, naming PROFILE_GROUP_ID, when the profile group does not exist', async () => {
    const missingGroup = randomUUID();
    fixture = await startPipelineFixture({ settings: { profileGroupId: missingGroup } });
    const [job] = await fixture.approvedJobs([deviceInput('NOGROUP-01')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done).toMatchObject({
      status: 'failed',
      error: { step: 'add-to-group', code: 'ProfileGroupNotFound' },
    });
    expect(done?.error?.advice).toContain(`${missingGroup} does not exist`);
    expect(done?.error?.advice).toContain('PROFILE_GROUP_ID');
    // One refused add, not an hour of polls read as "the device is not there yet".
    const adds = fixture.emulator.log.entries.filter((e) => e.path.endsWith('/members/$ref'));
    expect(adds).toHaveLength(1);
  });

  it('says a dynamic profile group may be why an add is refused with 403', async () => {
    const groupId = randomUUID();
    fixture = await startPipelineFixture({ settings: { profileGroupId: groupId } });
    // Made dynamic after the service started (the start-up check saw an assigned group).
    fixture.emulator.tenant.addGroup(groupId, { dynamic: true });
    const [job] = await fixture.approvedJobs([deviceInput('DYNAMIC-01')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done).toMatchObject({ status: 'failed', error: { step: 'add-to-group', code: 'HTTP403' } });
    expect(done?.error?.advice).toMatch(/GroupMember\.ReadWrite\.All/);
    expect(done?.error?.advice).toMatch(/if PROFILE_GROUP_ID is dynamic now/);
  });

  it('names the missing permission in the job error', async () => {
    const granted = DEFAULT_GRANTED_PERMISSIONS.filter((p) => !p.startsWith('Device.'));
    fixture = await startPipelineFixture({ emulator: { scenario: { grantedPermissions: granted } } });
    const [job] = await fixture.approvedJobs([deviceInput('PERM-0001')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done?.status).toBe('failed');
    expect(done?.error).toMatchObject({
      step: 'await-entra-device',
      code: 'HTTP403',
      name: 'Authorization_RequestDenied',
      retryable: false,
    });
    expect(done?.error?.advice).toContain('Device.Read.All');
  });

  it('sets no user a second time when the import set it', async () => {
    fixture = await startPipelineFixture();
    const jobs = await fixture.approvedJobs([
      deviceInput('USER-0001', { assignedUser: 'ada@contoso.example' }),
    ]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal(jobs.map((j) => j.id));
    expect(done?.status).toBe('completed');
    expect(done?.steps.find((s) => s.name === 'assign-user')?.note).toBe(
      'Assigned to ada@contoso.example at import',
    );
    const { log, tenant } = fixture.emulator;
    expect(log.entries.some((e) => /assignusertodevice|updatedeviceproperties/i.test(e.path))).toBe(false);
    expect([...tenant.autopilot.values()][0]?.userPrincipalName).toBe('ada@contoso.example');
  });

  it('warns on the job, and completes it, when the user cannot be set', async () => {
    fixture = await startPipelineFixture({
      emulator: { scenario: { faults: { ...noFaults, updateConditionNotMetRate: 1 } } },
    });
    const [job] = await fixture.approvedJobs([
      deviceInput('WARN-0001', { assignedUser: 'ada@contoso.example' }),
    ]);
    // The user differs from the one Intune has (someone changed it): the step must set it, and Intune says 412.
    fixture.emulator.log.subscribe((entry) => {
      if (entry.uploads)
        for (const d of fixture?.emulator.tenant.autopilot.values() ?? []) d.userPrincipalName = '';
    });
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job?.id ?? '']);
    expect(done).toMatchObject({ status: 'completed', outcome: 'imported' });
    const step = done?.steps.find((s) => s.name === 'assign-user');
    expect(step?.warning).toMatch(/ada@contoso\.example could not be assigned \(HTTP412 ConditionNotMet\)/);
    expect(fixture.emulator.log.entries.filter((e) => /updatedeviceproperties/i.test(e.path)).length).toBe(3);
  });
});
