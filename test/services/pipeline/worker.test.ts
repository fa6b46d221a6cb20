import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REALISTIC_DELAYS } from '../../../graph-emulator/scenario.js';
import { currentStep } from '../../../services/domain/job.js';
import { retry } from '../../../services/domain/step-transitions.js';
import { mutateJob } from '../../../services/store/mutate.js';
import { deviceInput, startPipelineFixture, type PipelineFixture } from '../../support/pipeline.js';
import { DAY_MS, submittedJob } from '../../support/jobs.js';

let fixture: PipelineFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

describe('pipeline worker against the Graph emulator', () => {
  it('takes an approved job through every step to completed, once, and erases the hash', async () => {
    const groupId = randomUUID();
    fixture = await startPipelineFixture({
      emulator: { profileGroupId: groupId },
      settings: { profileGroupId: groupId },
    });
    const [job] = await fixture.approvedJobs(
      [deviceInput('OK-1', { assignedUser: 'ada@contoso.example' })],
      'Sales',
      { named: true },
    );
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done).toMatchObject({ status: 'completed', outcome: 'imported', hardwareHash: null });
    expect(done!.steps.every((s) => s.state === 'succeeded' && s.attempts === 1)).toBe(true);
    expect(done!.graph).toMatchObject({
      importedIdentityId: expect.any(String),
      autopilotDeviceId: expect.any(String),
      entraObjectId: expect.any(String),
      profileStatus: 'assignedInSync',
    });
    const { tenant, log } = fixture.emulator;
    expect(log.uploadsBySerial().get('OK-1')).toBe(1);
    expect(tenant.imported.size).toBe(0);
    expect(tenant.groups.get(groupId)?.members.size).toBe(1);
    expect([...tenant.autopilot.values()][0]).toMatchObject({
      groupTag: 'Sales',
      userPrincipalName: 'ada@contoso.example',
      displayName: 'PC-OK-1',
    });
    // Progress was published after every persisted change: each step's end, written together with the next step's
    // start (the first step only reads, and is started in the write of its outcome). The user was set at import, so
    // assign-user needed no call and was settled in the write that ended add-to-group: no change shows it running.
    const forJob = fixture.publisher.events.filter((e) => e.id === job!.id);
    expect(forJob.length).toBeGreaterThanOrEqual(8);
    expect(forJob.at(-1)?.status).toBe('completed');
    const step = (name: string) => done!.steps.find((s) => s.name === name);
    expect(step('assign-user')).toMatchObject({
      note: 'Assigned to ada@contoso.example at import',
      startedAt: step('add-to-group')?.endedAt,
      endedAt: step('add-to-group')?.endedAt,
    });
    const running = (e: (typeof forJob)[number], name: string) =>
      e.steps.some((s) => s.name === name && s.state === 'running');
    expect(forJob.some((e) => running(e, 'assign-user'))).toBe(false);
    expect(forJob.some((e) => running(e, 'set-device-name'))).toBe(true);
  });

  it('keeps waiting jobs in hand without writing each look, and gives them back when it stops', async () => {
    fixture = await startPipelineFixture({
      emulator: { scenario: { delays: { ...REALISTIC_DELAYS, profile: 4_000_000 } } },
      settings: { leaseMs: 60_000, pollMaxMs: 40 },
    });
    const jobs = await fixture.approvedJobs(['PARK-1', 'PARK-2', 'PARK-3'].map((s) => deviceInput(s)));
    const ids = jobs.map((j) => j.id);
    const worker = fixture.newWorker();
    worker.start();
    const store = fixture.store;
    const inProfileWait = async () =>
      (await store.peek(ids)).every((j) => currentStep(j)?.name === 'await-profile');
    await vi.waitFor(async () => expect(await inProfileWait()).toBe(true), { timeout: 20_000 });
    // The waiting jobs stay leased to the worker: in its hand, not back in the pool.
    expect((await store.peek(ids)).every((j) => j.lease !== undefined)).toBe(true);
    // Their upload records went while they waited (begun when each import was confirmed), long before the last
    // step, cleanup-import, comes.
    await vi.waitFor(() => expect(fixture?.emulator.tenant.imported.size).toBe(0), { timeout: 5_000 });
    expect(await inProfileWait()).toBe(true);

    // While the profile is not assigned yet (4 s), the worker looks again and again, and writes nothing.
    const writes = vi.spyOn(store, 'update');
    const { log } = fixture.emulator;
    const before = log.entries.length;
    await new Promise((resolve) => setTimeout(resolve, 800));
    const looks = log.entries
      .slice(before)
      .filter((e) => e.method === 'GET' && /windowsAutopilotDeviceIdentities\//i.test(e.path));
    expect(looks.length).toBeGreaterThanOrEqual(3);
    expect(writes).not.toHaveBeenCalled();
    writes.mockRestore();

    // Stopping gives the jobs back, due when the worker would have looked again; another worker finishes them.
    const stoppedAt = Date.now();
    await worker.stop();
    const released = await store.peek(ids);
    expect(released.map((j) => j.lease)).toEqual([undefined, undefined, undefined]);
    for (const job of released)
      expect(Date.parse(job.nextRunAt ?? '')).toBeGreaterThanOrEqual(stoppedAt - 100);
    fixture.newWorker().start();
    const done = await fixture.waitForTerminal(ids, 30_000);
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('skips the group and user steps when there is no profile group or user', async () => {
    fixture = await startPipelineFixture();
    const [job] = await fixture.approvedJobs([deviceInput('SKIP-1')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done!.steps.filter((s) => s.state === 'skipped').map((s) => [s.name, s.note])).toEqual([
      ['set-device-name', 'No device name to set'],
      ['add-to-group', 'No profile group configured'],
      ['assign-user', 'No user to assign'],
    ]);
    expect(done!.status).toBe('completed');
  });

  it('ends with already_registered and the existing tag when the serial is registered', async () => {
    fixture = await startPipelineFixture();
    fixture.emulator.tenant.seedRegisteredDevice({ serialNumber: 'REG-1', groupTag: 'Kiosk' });
    const [job] = await fixture.approvedJobs([deviceInput('REG-1')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'already_registered',
      graph: { existingGroupTag: 'Kiosk' },
    });
    expect(done!.steps[0]?.note).toBe('Already registered (tag Kiosk)');
    expect(fixture.emulator.log.uploadsBySerial().size).toBe(0);
  });

  it('treats 806 at import as already registered (registered between the check and the upload)', async () => {
    fixture = await startPipelineFixture();
    const [job] = await fixture.approvedJobs([deviceInput('RACE-806')]);
    fixture.publisher.onChange = (changed) => {
      const importStep = changed.steps.find((s) => s.name === 'import');
      if (importStep?.state === 'running' && !fixture!.emulator.tenant.autopilot.size) {
        fixture!.emulator.tenant.seedRegisteredDevice({ serialNumber: 'RACE-806', groupTag: 'Lab' });
      }
    };
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done).toMatchObject({
      status: 'completed',
      outcome: 'already_registered',
      graph: { existingGroupTag: 'Lab' },
    });
    expect(done!.steps.find((s) => s.name === 'await-import')?.note).toBe('Already registered (tag Lab)');
  });

  it.each([
    [
      'ZtdDeviceAssignedToOtherTenant',
      '808',
      /previous owner must deregister it, or Microsoft support must release it/,
    ],
    ['InvalidZtdHardwareHash', '802', /Collect the hash again/],
    ['InvalidZtdRequestBody', '801', /malformed/],
    ['MissingZtdSerialNumberAndProductKey', '803', /serial number/],
    ['ZtdDeviceIsNotRegistered', '807', /not registered/],
    ['ZtdDeviceNotFound', '812', /Collect the hash again/],
    ['ZtdDeviceIsNotUnique', '813', /more than one device/],
    ['ZtdDeviceAlreadyAadRegistered', '814', /Delete the stale Entra device/],
    ['ZtdDeviceDuplicated', 'ZtdDeviceDuplicated', /duplicate request/],
  ] as const)('fails permanently on %s with code, name and advice', async (error, code, advice) => {
    fixture = await startPipelineFixture({
      emulator: { scenario: { importErrors: [{ error, serialNumber: 'BAD-1' }] } },
    });
    const [job] = await fixture.approvedJobs([deviceInput('BAD-1')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done).toMatchObject({
      status: 'failed',
      error: { step: 'await-import', code, name: error, retryable: false },
      hardwareHash: null,
    });
    expect(done!.error?.advice).toMatch(advice);
    expect(fixture.emulator.tenant.imported.size).toBe(0);
  });

  it('retries a StorageError from the upload, deleting the failed record, and completes', async () => {
    fixture = await startPipelineFixture({
      emulator: {
        scenario: { importErrors: [{ error: 'StorageError', serialNumber: 'FLAKY-1', times: 1 }] },
      },
    });
    const [job] = await fixture.approvedJobs([deviceInput('FLAKY-1')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done).toMatchObject({ status: 'completed', outcome: 'imported' });
    expect(done!.steps.find((s) => s.name === 'import')?.attempts).toBe(2);
    expect(fixture.emulator.log.uploadsBySerial().get('FLAKY-1')).toBe(2);
    expect(fixture.emulator.tenant.imported.size).toBe(0);
  });

  it('fails as retryable after the automatic attempts, and an approver retry then completes it', async () => {
    fixture = await startPipelineFixture({
      emulator: {
        scenario: { importErrors: [{ error: 'StorageError', serialNumber: 'FLAKY-3', times: 3 }] },
      },
    });
    const [job] = await fixture.approvedJobs([deviceInput('FLAKY-3')]);
    fixture.newWorker().start();
    const [failed] = await fixture.waitForTerminal([job!.id]);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'StorageError', retryable: true } });
    expect(failed!.hardwareHash).not.toBeNull();
    await mutateJob(fixture.store, job!.id, (j) => {
      const r = retry(j, { id: 'aad-bob', name: 'Bob' }, new Date());
      if (!r.ok) throw r.error;
      return r.value;
    });
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done).toMatchObject({ status: 'completed', outcome: 'imported' });
    expect(fixture.emulator.log.uploadsBySerial().get('FLAKY-3')).toBe(4);
  });

  it('surfaces a failed profile assignment at once, as retryable', async () => {
    fixture = await startPipelineFixture({ emulator: { scenario: { profileFailures: ['PROF-1'] } } });
    const [job] = await fixture.approvedJobs([deviceInput('PROF-1')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done).toMatchObject({
      status: 'failed',
      error: { step: 'await-profile', name: 'ProfileAssignmentFailed', retryable: true },
    });
  });

  it('times out a wait past its deadline with advice', async () => {
    fixture = await startPipelineFixture({
      emulator: {
        scenario: { delays: { import: 0, autopilotDevice: 0, entraDevice: 0, profile: 10_000_000 } },
      },
      settings: {
        deadlinesMs: { import: 30_000, autopilotDevice: 30_000, entraDevice: 30_000, profile: 300 },
      },
    });
    const [job] = await fixture.approvedJobs([deviceInput('SLOW-1')]);
    fixture.newWorker().start();
    const [done] = await fixture.waitForTerminal([job!.id]);
    expect(done).toMatchObject({
      status: 'failed',
      error: { step: 'await-profile', code: 'Timeout', retryable: true },
    });
    expect(done!.error?.advice).toMatch(/profile targets the group/);
  });

  it('requests a sync at most once per interval however many devices wait', async () => {
    fixture = await startPipelineFixture({
      emulator: {
        scenario: {
          delays: { import: 0, autopilotDevice: 300_000, entraDevice: 0, profile: 0 },
          syncDurationMs: 100_000,
        },
      },
    });
    const jobs = await fixture.approvedJobs(Array.from({ length: 10 }, (_, i) => deviceInput(`SYNC-${i}`)));
    fixture.newWorker().start();
    await fixture.waitForTerminal(jobs.map((j) => j.id));
    const syncs = fixture.emulator.log.entries.filter((e) => e.path.toLowerCase().endsWith('/sync'));
    expect(syncs).toHaveLength(1);
    expect(syncs[0]?.status).toBe(204);
  });

  it('shares polls: ten jobs waiting in one step cost one listing per poll, not ten', async () => {
    fixture = await startPipelineFixture();
    const jobs = await fixture.approvedJobs(Array.from({ length: 10 }, (_, i) => deviceInput(`SHARE-${i}`)));
    fixture.newWorker().start();
    await fixture.waitForTerminal(jobs.map((j) => j.id));
    const requests = fixture.emulator.log.graphRequests();
    const listings = requests.filter(
      (r) => r.method === 'GET' && /importedwindowsautopilotdeviceidentities$/i.test(r.path),
    );
    const uploads = requests.filter((r) => /\/import$/i.test(r.path));
    expect(uploads).toHaveLength(1);
    // Each listing served all ten jobs; per-job polling would need ten per poll.
    expect(listings.length).toBeLessThan(10);
    // The profile can only be asked per device: probes are asked first, every device once at least.
    const profilePolls = requests.filter(
      (r) => r.method === 'GET' && /windowsautopilotdeviceidentities\/[^/]+$/i.test(r.path),
    );
    expect(profilePolls.length).toBeGreaterThanOrEqual(10);
  });

  it('learns the usual waits, so that later jobs cost at most 6 Graph requests per device', async () => {
    // Slower than the other tests (waits of 0.2 to 2 s) so that scheduler jitter is small beside the waits. The
    // sync runs longer than the waits: the first wave's sync must not make its devices appear sooner than the
    // second wave's (which gets no sync within 10 minutes), or the two waves would differ.
    fixture = await startPipelineFixture({
      emulator: { scenario: { timeScale: 0.003, syncDurationMs: 3_600_000 } },
      settings: { pollMinMs: 5 },
    });
    fixture.newWorker().start();
    const first = await fixture.approvedJobs(Array.from({ length: 5 }, (_, i) => deviceInput(`WAVE1-${i}`)));
    await fixture.waitForTerminal(first.map((j) => j.id));
    const since = Date.now();
    const second = await fixture.approvedJobs(
      Array.from({ length: 20 }, (_, i) =>
        deviceInput(`WAVE2-${i}`, { assignedUser: 'ada@contoso.example' }),
      ),
    );
    const done = await fixture.waitForTerminal(second.map((j) => j.id));
    expect(done.every((j) => j.status === 'completed')).toBe(true);
    const requests = fixture.emulator.log.graphRequests().filter((r) => r.at >= since);
    expect(requests.length / second.length).toBeLessThanOrEqual(6);
  });

  it('expires requests nobody decided in time, and reports it', async () => {
    fixture = await startPipelineFixture();
    const waiting = submittedJob(new Date(Date.now() - 5 * DAY_MS));
    const fresh = submittedJob(new Date());
    await fixture.store.create(waiting);
    await fixture.store.create(fresh);
    await fixture.newWorker().tick();
    expect((await fixture.store.get(waiting.id))?.job).toMatchObject({
      status: 'expired',
      hardwareHash: null,
    });
    expect((await fixture.store.get(fresh.id))?.job.status).toBe('awaiting_approval');
    expect(fixture.publisher.events.map((e) => [e.id, e.status])).toEqual([[waiting.id, 'expired']]);
  });
});
