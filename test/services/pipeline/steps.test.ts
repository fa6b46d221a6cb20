/** Each step's success, retry and failure paths, with a fake AutopilotGraph at the port. */
import { describe, expect, it } from 'vitest';
import { STEP_NAMES, type ImportJob, type StepName } from '../../../services/domain/job.js';
import type { AutopilotGraph, ItemResult } from '../../../services/graph/autopilot-graph.js';
import { GraphRequestError } from '../../../services/graph/graph-errors.js';
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
  const index = STEP_NAMES.indexOf(step);
  return {
    ...base,
    status: 'running',
    approval: { by: { id: 'a' }, at: base.createdAt, groupTag: 'Sales', comment: 'x' },
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
  const fail = () => {
    if (behaviour === 'transient') throw unavailable();
    if (behaviour === 'permanent') throw forbidden();
  };
  return {
    findAutopilotDevicesBySerial: (serials) =>
      Promise.resolve(new Map(serials.map((s) => [s, item(behaviour === 'ok' ? [] : [device], [])]))),
    listImportedIdentities: () => {
      fail();
      return Promise.resolve(
        behaviour === 'missing'
          ? [{ id: 'imp-1', serialNumber: 'SN-1', status: 'pending' as const, errorCode: 0, errorName: '' }]
          : [
              {
                id: 'imp-1',
                serialNumber: 'SN-1',
                status: 'complete' as const,
                errorCode: 0,
                errorName: 'None',
                autopilotDeviceId: 'ap-1',
              },
            ],
      );
    },
    importDevices: (devices) => {
      fail();
      return Promise.resolve(
        new Map(
          devices.map((d) => [
            d.serialNumber,
            {
              id: 'imp-2',
              serialNumber: d.serialNumber,
              status: 'unknown' as const,
              errorCode: 0,
              errorName: '',
            },
          ]),
        ),
      );
    },
    deleteImportedIdentities: (ids) =>
      Promise.resolve(new Map(ids.map((id) => [id, item(undefined, undefined)]))),
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
    assignUsers: (items) =>
      Promise.resolve(new Map(items.map((a) => [a.autopilotDeviceId, item(undefined, undefined)]))),
    requestSync: () => Promise.resolve('started'),
    checkMemberGroups: () => Promise.resolve([]),
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
  it.each([...STEP_NAMES])('%s succeeds when Graph answers', async (step) => {
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

  // Whole-call failures (a listing or an upload) are thrown and turned into outcomes by the worker.
  const perItem = STEP_NAMES.filter((step) => step !== 'import' && step !== 'await-import');
  it.each(perItem)('%s retries a transient Graph error (503) with backoff', async (step) => {
    const outcome = await outcomeOf(step, 'transient');
    expect(outcome).toMatchObject({ kind: 'retry', error: { step, code: 'HTTP503', retryable: true } });
  });

  it.each(perItem)('%s fails at once on a permanent Graph error (403), with advice', async (step) => {
    const outcome = await outcomeOf(step, 'permanent');
    expect(outcome).toMatchObject({ kind: 'fail', error: { step, code: 'HTTP403', retryable: false } });
    expect(outcome?.kind === 'fail' && outcome.error.advice).toMatch(/permission/);
  });

  it.each(['import', 'await-import'] as StepName[])(
    '%s lets a failed listing or upload through to the worker',
    async (step) => {
      expect(await outcomeOf(step, 'transient')).toMatchObject({ kind: 'thrown' });
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

  it('import reuses the upload of an earlier attempt instead of uploading again', async () => {
    let uploads = 0;
    const graph = {
      ...fakeGraph('ok'),
      importDevices: () =>
        Promise.resolve(
          new Map([
            [
              'SN-1',
              { id: 'x', serialNumber: 'SN-1', status: 'unknown' as const, errorCode: 0, errorName: '' },
            ],
          ]),
        ).finally(() => uploads++),
    };
    const job = jobAt('import');
    const outcomes = await STEP_HANDLERS.import([job], context(graph));
    expect(outcomes.get(job.id)).toMatchObject({ kind: 'done', graph: { importedIdentityId: 'imp-1' } });
    expect(uploads).toBe(0);
  });

  it('import fails permanently when the hash is no longer stored', async () => {
    const job = { ...jobAt('import'), hardwareHash: null };
    const graph = { ...fakeGraph('ok'), listImportedIdentities: () => Promise.resolve([]) };
    const outcomes = await STEP_HANDLERS.import([job], context(graph));
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

  it('treats an unknown error as permanent and says so', () => {
    expect(describeImportError(999, 'Mystery')).toMatchObject({
      code: '999',
      name: 'Mystery',
      retryable: false,
    });
  });
});
