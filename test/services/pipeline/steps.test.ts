/** Each step's success, retry and failure paths, with a fake AutopilotGraph at the port. */
import { describe, expect, it } from 'vitest';
import { REGISTRATION_STEPS, type ImportJob, type StepName } from '../../../services/domain/job.js';
import type {
  AutopilotGraph,
  ImportedIdentity,
  ItemResult,
} from '../../../services/graph/autopilot-graph.js';
import { GraphRequestError } from '../../../services/graph/graph-errors.js';
import { STEP_PERMISSIONS } from '../../../services/graph/permissions.js';
import { describeImportError } from '../../../services/graph/import-errors.js';
import type { StepContext } from '../../../services/pipeline/step-context.js';
import type { StepOutcome } from '../../../services/pipeline/step-outcome.js';
import { STEP_HANDLERS } from '../../../services/pipeline/steps/index.js';
import { WaitEstimator } from '../../../services/pipeline/wait-estimator.js';
import { submittedJob } from '../../support/jobs.js';
import { testSettings } from '../../support/pipeline.js';

const now = new Date('2026-11-01T12:00:00Z');

function jobAt(step: StepName): ImportJob {
  const base = submittedJob(new Date('2026-11-01T11:59:00Z'), {
    device: { serialNumber: 'SN-1', manufacturer: 'C', model: 'M', assignedUser: 'ada@contoso.example' },
  });
  const index = base.steps.findIndex((s) => s.name === step);
  return {
    ...base,
    status: 'running',
    approval: { by: { id: 'a' }, at: base.createdAt, groupTag: 'Sales', comment: 'x', deviceName: 'PC-SN-1' },
    graph: {
      importedIdentityId: 'imp-1',
      autopilotDeviceId: 'ap-1',
      entraDeviceId: 'dev-1',
      entraObjectId: 'obj-1',
    },
    steps: base.steps.map((s, i) =>
      i < index
        ? { ...s, state: 'succeeded', endedAt: '2026-11-01T11:59:30.000Z' }
        : i === index
          ? { ...s, state: 'running', attempts: 1, startedAt: '2026-11-01T11:59:50.000Z' }
          : s,
    ),
  };
}

function withAttempts(job: ImportJob, step: StepName, attempts: number): ImportJob {
  return { ...job, steps: job.steps.map((s) => (s.name === step ? { ...s, attempts } : s)) };
}

const unavailable = () => new GraphRequestError(503, 'ServiceUnavailable', 'busy');
const forbidden = () => new GraphRequestError(403, 'Authorization_RequestDenied', 'no permission');
const failed = <T>(error: GraphRequestError): ItemResult<T> => ({ ok: false, error });
const okR = <T>(value: T): ItemResult<T> => ({ ok: true, value });

type Behaviour = 'ok' | 'missing' | 'transient' | 'permanent';

/** A fake Graph whose every per-item answer follows `behaviour`. */
function fakeGraph(behaviour: Behaviour): AutopilotGraph {
  const item = <T>(value: T, missing: T): ItemResult<T> =>
    behaviour === 'transient'
      ? failed(unavailable())
      : behaviour === 'permanent'
        ? failed(forbidden())
        : okR(behaviour === 'missing' ? missing : value);
  const device = {
    id: 'ap-1',
    serialNumber: 'SN-1',
    groupTag: '',
    entraDeviceId: 'dev-1',
    userPrincipalName: '',
    profileStatus: behaviour === 'missing' ? 'notAssigned' : 'assignedInSync',
  };

  return {
    findAutopilotDevicesBySerial: (serials) =>
      Promise.resolve(new Map(serials.map((s) => [s, item(behaviour === 'ok' ? [] : [device], [])]))),
    findImportedIdentitiesBySerial: (serials) =>
      Promise.resolve(
        new Map(serials.map((s) => [s, item([importedRecord('complete')], [importedRecord('pending')])])),
      ),
    getImportedIdentities: (ids) =>
      Promise.resolve(
        new Map(
          ids.map((id) => [
            id,
            item<ImportedIdentity | null>(importedRecord('complete'), importedRecord('pending')),
          ]),
        ),
      ),
    importDevices: (devices) =>
      Promise.resolve(
        new Map(
          devices.map((d) => [
            d.serialNumber,
            item<ImportedIdentity>(
              { ...importedRecord('pending'), id: 'imp-2' },
              { ...importedRecord('pending'), id: 'imp-2' },
            ),
          ]),
        ),
      ),
    deleteImportedIdentities: (ids) =>
      Promise.resolve(new Map(ids.map((id) => [id, item(undefined, undefined)]))),
    deleteManagedDevices: (ids) =>
      Promise.resolve(new Map(ids.map((id) => [id, item<'deleted' | 'gone'>('deleted', 'gone')]))),
    unassignUsers: (ids) => Promise.resolve(new Map(ids.map((id) => [id, item(undefined, undefined)]))),
    searchCorporateIdentifiers: (ids) =>
      Promise.resolve(new Map(ids.map((id) => [id, item<string | null>(null, null)]))),
    importCorporateIdentifiers: (ids) =>
      Promise.resolve(new Map(ids.map((id) => [id, item({ id: 'ci-1', accepted: true }, null)]))),
    deleteAutopilotDevices: (ids) =>
      Promise.resolve(new Map(ids.map((id) => [id, item<'deleted' | 'gone'>('deleted', 'gone')]))),
    getAutopilotDevices: (ids) =>
      Promise.resolve(
        new Map(
          ids.map((id) => [id, item<typeof device | null>(device, behaviour === 'missing' ? null : device)]),
        ),
      ),
    findEntraDevices: (ids) =>
      Promise.resolve(
        new Map(
          ids.map((id) => [
            id,
            item<{ objectId: string; deviceId: string } | null>({ objectId: 'obj-1', deviceId: id }, null),
          ]),
        ),
      ),
    addGroupMembers: (_g, ids) =>
      Promise.resolve(
        new Map(
          ids.map((id) => [
            id,
            behaviour === 'missing'
              ? failed<'added'>(new GraphRequestError(404, 'Request_ResourceNotFound', 'not yet'))
              : item<'added' | 'already_member'>('added', 'already_member'),
          ]),
        ),
      ),
    updateDeviceProperties: (items) =>
      Promise.resolve(new Map(items.map((a) => [a.autopilotDeviceId, item(undefined, undefined)]))),
    getGroups: (ids) =>
      Promise.resolve(new Map(ids.map((id) => [id, okR({ id, displayName: 'g', dynamic: false })]))),
    requestSync: () => Promise.resolve('started'),
    checkMemberGroups: () => Promise.resolve([]),
    probe: () => Promise.resolve({ status: 200, code: 'OK' }),
  };
}

function importedRecord(status: 'pending' | 'complete'): ImportedIdentity {
  return status === 'pending'
    ? { id: 'imp-1', serialNumber: 'SN-1', status, errorCode: 0, errorName: '' }
    : {
        id: 'imp-1',
        serialNumber: 'SN-1',
        status,
        errorCode: 0,
        errorName: 'None',
        autopilotDeviceId: 'ap-1',
      };
}

function context(graph: AutopilotGraph): StepContext {
  return {
    graph,
    settings: testSettings({ profileGroupId: 'group-1' }),
    syncGate: { requestSync: () => Promise.resolve('requested') },
    now,
    random: () => 0.5,
    estimates: new WaitEstimator(),
    resumed: new Set(),
  };
}

async function outcomeOf(
  step: StepName,
  behaviour: Behaviour,
): Promise<StepOutcome | { kind: 'thrown'; error: unknown } | undefined> {
  const job = jobAt(step);
  try {
    return (await STEP_HANDLERS[step]([job], context(fakeGraph(behaviour)))).get(job.id);
  } catch (error) {
    return { kind: 'thrown', error };
  }
}

describe('step handlers', () => {
  it.each([...REGISTRATION_STEPS])('%s succeeds when Graph answers', async (step) => {
    expect((await outcomeOf(step, 'ok'))?.kind).toBe('done');
  });

  it.each([
    'await-import',
    'await-autopilot-device',
    'await-entra-device',
    'add-to-group',
    'await-profile',
  ] as StepName[])('%s waits, with a poll time, while its object is not there yet', async (step) => {
    const outcome = await outcomeOf(step, 'missing');
    expect(outcome).toMatchObject({ kind: 'wait' });
    expect(outcome?.kind === 'wait' && outcome.until > now).toBe(true);
  });

  const perItem = REGISTRATION_STEPS;
  // A user or a name that cannot be set is a warning, not a failed import (tested below).
  const failing = perItem.filter((step) => step !== 'assign-user' && step !== 'set-device-name');
  it.each(perItem)('%s retries a transient Graph error (503) with backoff', async (step) => {
    const outcome = await outcomeOf(step, 'transient');
    expect(outcome).toMatchObject({ kind: 'retry', error: { step, code: 'HTTP503', retryable: true } });
  });

  it.each(failing)(
    '%s fails at once on a permanent Graph error (403), naming the permission to grant',
    async (step) => {
      const outcome = await outcomeOf(step, 'permanent');
      expect(outcome).toMatchObject({ kind: 'fail', error: { step, code: 'HTTP403', retryable: false } });
      const advice = outcome?.kind === 'fail' ? outcome.error.advice : '';
      expect(advice).toContain(STEP_PERMISSIONS[step].join(' and '));
    },
  );

  it('check-registration reports an existing device as already registered, with its tag', async () => {
    const device = {
      id: 'ap-7',
      serialNumber: 'SN-1',
      groupTag: 'Kiosk',
      entraDeviceId: 'dev-7',
      userPrincipalName: '',
      profileStatus: 'assignedInSync',
    };
    const graph = {
      ...fakeGraph('ok'),
      findAutopilotDevicesBySerial: (serials: readonly string[]) =>
        Promise.resolve(new Map(serials.map((s) => [s, okR([device])]))),
    };
    const job = jobAt('check-registration');
    const outcomes = await STEP_HANDLERS['check-registration']([job], context(graph));
    expect(outcomes.get(job.id)).toEqual({
      kind: 'already_registered',
      graph: { autopilotDeviceId: 'ap-7', entraDeviceId: 'dev-7', existingGroupTag: 'Kiosk' },
    });
  });

  it('import reuses the upload of an earlier attempt (a retry, or a worker that died inside the step)', async () => {
    let uploads = 0;
    const graph = {
      ...fakeGraph('ok'),
      importDevices: () =>
        Promise.resolve(
          new Map([['SN-1', okR<ImportedIdentity>({ ...importedRecord('pending'), id: 'x' })]]),
        ).finally(() => uploads++),
    };
    const retried = withAttempts(jobAt('import'), 'import', 2);
    expect((await STEP_HANDLERS.import([retried], context(graph))).get(retried.id)).toMatchObject({
      kind: 'done',
      graph: { importedIdentityId: 'imp-1' },
    });
    const resumed = jobAt('import');
    const ctx = { ...context(graph), resumed: new Set([resumed.id]) };
    expect((await STEP_HANDLERS.import([resumed], ctx)).get(resumed.id)).toMatchObject({
      kind: 'done',
      graph: { importedIdentityId: 'imp-1' },
    });
    expect(uploads).toBe(0);
  });

  it('import looks nothing up on a first attempt, and never uploads when the look-up failed', async () => {
    const lookups: string[][] = [];
    let uploads = 0;
    const graph: AutopilotGraph = {
      ...fakeGraph('ok'),
      findImportedIdentitiesBySerial: (serials) => {
        lookups.push([...serials]);
        return Promise.resolve(new Map(serials.map((s) => [s, failed<ImportedIdentity[]>(unavailable())])));
      },
      importDevices: (devices) => {
        uploads++;
        return Promise.resolve(
          new Map(
            devices.map((d) => [
              d.serialNumber,
              okR<ImportedIdentity>({ ...importedRecord('pending'), id: 'new' }),
            ]),
          ),
        );
      },
    };
    const first = jobAt('import');
    expect((await STEP_HANDLERS.import([first], context(graph))).get(first.id)).toMatchObject({
      kind: 'done',
      graph: { importedIdentityId: 'new' },
    });
    expect(lookups).toEqual([]);
    const retried = withAttempts(jobAt('import'), 'import', 2);
    expect((await STEP_HANDLERS.import([retried], context(graph))).get(retried.id)).toMatchObject({
      kind: 'retry',
    });
    expect(lookups).toEqual([['SN-1']]);
    expect(uploads).toBe(1);
  });

  it('assign-user calls nothing when the import already set the user, and warns when the user cannot be set', async () => {
    const calls: string[] = [];
    const graph: AutopilotGraph = {
      ...fakeGraph('ok'),
      updateDeviceProperties: (items) => {
        calls.push(...items.map((i) => i.userPrincipalName ?? ''));
        return Promise.resolve(
          new Map(
            items.map((i) => [
              i.autopilotDeviceId,
              failed<void>(new GraphRequestError(412, 'ConditionNotMet', 'busy')),
            ]),
          ),
        );
      },
    };
    const set = {
      ...jobAt('assign-user'),
      graph: { ...jobAt('assign-user').graph, autopilotUser: 'ADA@contoso.example' },
    };
    expect((await STEP_HANDLERS['assign-user']([set], context(graph))).get(set.id)).toMatchObject({
      kind: 'done',
      note: expect.stringMatching(/at import/),
    });
    expect(calls).toEqual([]);
    const unset = jobAt('assign-user');
    expect((await STEP_HANDLERS['assign-user']([unset], context(graph))).get(unset.id)).toMatchObject({
      kind: 'retry',
      error: { code: 'HTTP412', retryable: true },
    });
    const last = withAttempts(unset, 'assign-user', testSettings().maxAttempts);
    const outcome = (await STEP_HANDLERS['assign-user']([last], context(graph))).get(last.id);
    expect(outcome).toMatchObject({
      kind: 'done',
      warning: expect.stringContaining('ada@contoso.example could not be assigned'),
    });
    expect(calls).toEqual(['ada@contoso.example', 'ada@contoso.example']);
  });

  it('assign-user retries a 409 Conflict as it does a 412, and warns once the attempts run out', async () => {
    const graph: AutopilotGraph = {
      ...fakeGraph('ok'),
      updateDeviceProperties: (items) =>
        Promise.resolve(
          new Map(
            items.map((i) => [
              i.autopilotDeviceId,
              failed<void>(new GraphRequestError(409, 'Conflict', 'busy')),
            ]),
          ),
        ),
    };
    const job = jobAt('assign-user');
    expect((await STEP_HANDLERS['assign-user']([job], context(graph))).get(job.id)).toMatchObject({
      kind: 'retry',
      error: { code: 'HTTP409', retryable: true },
    });
    const last = withAttempts(job, 'assign-user', testSettings().maxAttempts);
    expect((await STEP_HANDLERS['assign-user']([last], context(graph))).get(last.id)).toMatchObject({
      kind: 'done',
      note: 'User not assigned',
    });
  });

  it('set-device-name sends the name once, warns on a permanent error, and skips a job without a name', async () => {
    const sent: (string | undefined)[] = [];
    const graph = (behaviour: Behaviour): AutopilotGraph => ({
      ...fakeGraph(behaviour),
      updateDeviceProperties: (items) => {
        sent.push(...items.map((i) => i.displayName));
        return fakeGraph(behaviour).updateDeviceProperties(items);
      },
    });
    const job = jobAt('set-device-name');
    expect((await STEP_HANDLERS['set-device-name']([job], context(graph('ok')))).get(job.id)).toEqual({
      kind: 'done',
      note: 'Named PC-SN-1',
    });
    expect(sent).toEqual(['PC-SN-1']);
    expect(
      (await STEP_HANDLERS['set-device-name']([job], context(graph('permanent')))).get(job.id),
    ).toMatchObject({
      kind: 'done',
      note: 'Name not set',
      warning: expect.stringContaining('The device name PC-SN-1 could not be set (HTTP403'),
    });
    const { deviceName: _n, ...unnamed } = job.approval!;
    const plain = { ...job, approval: unnamed };
    expect((await STEP_HANDLERS['set-device-name']([plain], context(graph('ok')))).get(plain.id)).toEqual({
      kind: 'skipped',
      note: 'No device name to set',
    });
    expect(sent).toHaveLength(2);
  });

  it('add-to-group fails at once when the 404 names the profile group itself, and waits when it names the device', async () => {
    const answer = (message: string): AutopilotGraph => ({
      ...fakeGraph('ok'),
      addGroupMembers: (_g, ids) =>
        Promise.resolve(
          new Map(
            ids.map((id) => [
              id,
              failed<'added'>(new GraphRequestError(404, 'Request_ResourceNotFound', message)),
            ]),
          ),
        ),
    });
    const job = jobAt('add-to-group');
    const wrongGroup = (
      await STEP_HANDLERS['add-to-group'](
        [job],
        context(answer("add group member: 404 Resource 'group-1' does not exist")),
      )
    ).get(job.id);
    expect(wrongGroup).toMatchObject({
      kind: 'fail',
      error: { code: 'ProfileGroupNotFound', advice: expect.stringContaining('PROFILE_GROUP_ID') },
    });
    const notYet = (
      await STEP_HANDLERS['add-to-group'](
        [job],
        context(answer("add group member: 404 Resource 'obj-1' does not exist")),
      )
    ).get(job.id);
    expect(notYet).toMatchObject({ kind: 'wait' });
  });
  it('import fails permanently when the hash is no longer stored', async () => {
    const job = { ...jobAt('import'), hardwareHash: null };
    const outcomes = await STEP_HANDLERS.import([job], context(fakeGraph('ok')));
    expect(outcomes.get(job.id)).toMatchObject({
      kind: 'fail',
      error: { code: 'HashUnavailable', retryable: false },
    });
  });
});

describe('import error catalog', () => {
  it.each([
    [801, 'InvalidZtdRequestBody', false],
    [802, 'InvalidZtdHardwareHash', false],
    [803, 'MissingZtdSerialNumberAndProductKey', false],
    [806, 'ZtdDeviceAlreadyAssigned', false],
    [807, 'ZtdDeviceIsNotRegistered', false],
    [808, 'ZtdDeviceAssignedToOtherTenant', false],
    [812, 'ZtdDeviceNotFound', false],
    [813, 'ZtdDeviceIsNotUnique', false],
    [814, 'ZtdDeviceAlreadyAadRegistered', false],
    [0, 'ZtdDeviceDuplicated', false],
    [0, 'StorageError', true],
  ] as const)('%s %s has plain advice and retryable=%s', (code, name, retryable) => {
    const byName = describeImportError(0, name);
    expect(byName).toMatchObject({ name, retryable });
    expect(byName.advice.length).toBeGreaterThan(20);
    if (code) expect(describeImportError(code, '').name).toBe(name);
  });

  it('knows 808 by both of the names Microsoft gives it', () => {
    for (const [code, name] of [
      [808, 'ZtdDeviceAssignedToAnotherTenant'],
      [0, 'ZtdDeviceAssignedToAnotherTenant'],
    ] as const)
      expect(describeImportError(code, name)).toMatchObject({
        code: '808',
        name: 'ZtdDeviceAssignedToOtherTenant',
      });
  });

  it('treats an unknown error as permanent and says so', () => {
    expect(describeImportError(999, 'Mystery')).toMatchObject({
      code: '999',
      name: 'Mystery',
      retryable: false,
    });
  });
});
