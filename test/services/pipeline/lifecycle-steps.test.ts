/**
 * The lifecycle steps' checks before they act, with a fake Graph at the port: the record the card showed and no
 * other, a device that enrolled after the check left alone, and a replace that never takes its old record for
 * the new one.
 */
import { describe, expect, it } from 'vitest';
import { approve, submit } from '../../../services/domain/transitions.js';
import { openLifecycleJob } from '../../../services/domain/lifecycle-job.js';
import type { ImportJob, RegisteredRecord } from '../../../services/domain/job.js';
import type { AutopilotDevice, AutopilotGraph, ItemResult } from '../../../services/graph/autopilot-graph.js';
import type { StepContext } from '../../../services/pipeline/step-context.js';
import { STEP_HANDLERS } from '../../../services/pipeline/steps/index.js';
import { GraphRequestError } from '../../../services/graph/graph-errors.js';
import { WaitEstimator } from '../../../services/pipeline/wait-estimator.js';
import { fakeHardwareHash } from '../../support/jobs.js';
import { testSettings } from '../../support/pipeline.js';

const now = new Date('2026-12-01T12:00:00Z');
const alice = { id: 'aad-alice', name: 'Alice' };
const record: RegisteredRecord = {
  id: 'ap-old',
  groupTag: 'Standard',
  displayName: '',
  user: '',
  enrollmentState: 'notContacted',
};

const device = (id: string, managedDeviceId = ''): AutopilotDevice => ({
  id,
  serialNumber: 'SN-1',
  groupTag: 'Standard',
  entraDeviceId: 'dev',
  userPrincipalName: '',
  profileStatus: 'assignedInSync',
  details: {
    manufacturer: 'C',
    model: 'M',
    displayName: '',
    enrollmentState: managedDeviceId ? 'enrolled' : 'notContacted',
    managedDeviceId,
  },
});

/** A fake Graph that knows `devices` and records every delete it is asked for. */
function fakeGraph(devices: AutopilotDevice[], deletes: string[] = []): AutopilotGraph {
  const ok = <T>(value: T): ItemResult<T> => ({ ok: true, value });
  return {
    findAutopilotDevicesBySerial: (serials: readonly string[]) =>
      Promise.resolve(new Map(serials.map((s) => [s, ok(devices.filter((d) => d.serialNumber === s))]))),
    getAutopilotDevices: (ids: readonly string[]) =>
      Promise.resolve(new Map(ids.map((id) => [id, ok(devices.find((d) => d.id === id) ?? null)]))),
    deleteAutopilotDevices: (ids: readonly string[]) => {
      deletes.push(...ids);
      return Promise.resolve(new Map(ids.map((id) => [id, ok<'deleted' | 'gone'>('deleted')])));
    },
    deleteManagedDevices: (ids: readonly string[]) => {
      deletes.push(...ids);
      return Promise.resolve(new Map(ids.map((id) => [id, ok<'deleted' | 'gone'>('deleted')])));
    },
  } as unknown as AutopilotGraph;
}

function context(graph: AutopilotGraph): StepContext {
  return {
    graph,
    settings: testSettings(),
    syncGate: { requestSync: () => Promise.resolve('requested') },
    now,
    random: () => 0.5,
    estimates: new WaitEstimator(),
    resumed: new Set(),
  };
}

function deregistration(at: Partial<RegisteredRecord> = {}): ImportJob {
  return openLifecycleJob(
    {
      id: 'job-1',
      kind: 'deregister',
      device: { serialNumber: 'SN-1', manufacturer: 'C', model: 'M' },
      record: { ...record, ...at },
      by: alice,
      ticket: 'INC1',
      submittedBy: { channel: 'teams', via: 'Alice' },
    },
    now,
  );
}

function replacement(): ImportJob {
  const submitted = submit(
    {
      id: 'job-2',
      device: { serialNumber: 'SN-1', manufacturer: 'C', model: 'M' },
      hardwareHash: fakeHardwareHash(),
      submittedBy: { channel: 'api', via: 'deploy' },
      registeredRecord: record,
    },
    now,
    86_400_000,
  );
  const approved = approve(submitted, {
    by: alice,
    at: now,
    groupTag: 'Kiosk',
    comment: 'INC2',
    plan: { kind: 'replace', enrolledConfirmed: false },
  });
  if (!approved.ok) throw approved.error;
  return approved.value;
}

describe('lifecycle steps check before they act', () => {
  it('check-device acts on the record the card showed, and refuses once another record has the serial', async () => {
    const job = deregistration();
    const same = await STEP_HANDLERS['check-device']([job], context(fakeGraph([device('ap-old')])));
    expect(same.get(job.id)).toMatchObject({ kind: 'done', graph: { record: { id: 'ap-old' } } });
    const other = await STEP_HANDLERS['check-device']([job], context(fakeGraph([device('ap-new')])));
    expect(other.get(job.id)).toMatchObject({ kind: 'fail', error: { name: 'RecordReplaced' } });
    const gone = await STEP_HANDLERS['check-device']([job], context(fakeGraph([])));
    expect(gone.get(job.id)).toMatchObject({ kind: 'done', graph: { record: null } });
  });

  it('check-device refuses an enrolled device the approver did not confirm', async () => {
    const job = deregistration();
    const outcomes = await STEP_HANDLERS['check-device'](
      [job],
      context(fakeGraph([device('ap-old', 'md-1')])),
    );
    expect(outcomes.get(job.id)).toMatchObject({ kind: 'fail', error: { name: 'EnrolledNotConfirmed' } });
  });

  it('the first write of a deregistration is not made once the device enrolled after the check', async () => {
    const deletes: string[] = [];
    const job = deregistration();
    const graph = fakeGraph([device('ap-old', 'md-new')], deletes);
    const outcomes = await STEP_HANDLERS['delete-managed-device']([job], context(graph));
    expect(outcomes.get(job.id)).toMatchObject({
      kind: 'fail',
      error: { step: 'delete-managed-device', name: 'EnrolledSinceCheck' },
    });
    expect(deletes).toEqual([]);
  });

  it('a replace whose record was already gone forgets the id its plan pinned', async () => {
    const job = replacement();
    const outcomes = await STEP_HANDLERS['check-device']([job], context(fakeGraph([])));
    expect(outcomes.get(job.id)).toMatchObject({
      kind: 'done',
      graph: { record: null, autopilotDeviceId: '' },
    });
  });

  it('delete-autopilot-record leaves a record alone whose device enrolled after the check', async () => {
    const deletes: string[] = [];
    const job = deregistration();
    const graph = fakeGraph([device('ap-old', 'md-new')], deletes);
    const outcomes = await STEP_HANDLERS['delete-autopilot-record']([job], context(graph));
    expect(outcomes.get(job.id)).toMatchObject({ kind: 'fail', error: { name: 'EnrolledSinceCheck' } });
    expect(deletes).toEqual([]);
    // The Intune device the earlier step deleted may linger on the record: that one does not stop the delete.
    const confirmed = deregistration({ managedDeviceId: 'md-old', enrollmentState: 'enrolled' });
    const lingering = await STEP_HANDLERS['delete-autopilot-record'](
      [confirmed],
      context(fakeGraph([device('ap-old', 'md-old')], deletes)),
    );
    expect(lingering.get(confirmed.id)).toMatchObject({ kind: 'done', note: 'Deletion accepted' });
    expect(deletes).toEqual(['ap-old']);
  });

  it('a replace pins the record its card showed and never takes that record for the new registration', async () => {
    const job = replacement();
    expect(job.graph.autopilotDeviceId).toBe('ap-old');
    // Intune still lists the deleted record: check-registration goes on to import instead of "already registered".
    const outcomes = await STEP_HANDLERS['check-registration']([job], context(fakeGraph([device('ap-old')])));
    expect(outcomes.get(job.id)).toEqual({ kind: 'done', note: 'Not registered yet' });
  });

  it('import-identifier, resumed after a crash, imports nothing while it cannot tell whether it did already', async () => {
    const corporate = submit(
      {
        id: 'job-3',
        kind: 'corporateIdentifier',
        device: { serialNumber: 'SN-3', manufacturer: 'Contoso', model: 'Laptop 7' },
        hardwareHash: null,
        submittedBy: { channel: 'api', via: 'deploy' },
      },
      now,
      86_400_000,
    );
    const imports: string[][] = [];
    const graph = {
      searchCorporateIdentifiers: (ids: readonly string[]) =>
        Promise.resolve(
          new Map(
            ids.map((id) => [
              id,
              { ok: false as const, error: new GraphRequestError(503, 'ServiceUnavailable', 'busy') },
            ]),
          ),
        ),
      importCorporateIdentifiers: (ids: readonly string[]) => {
        imports.push([...ids]);
        return Promise.resolve(new Map());
      },
    } as unknown as AutopilotGraph;
    const outcomes = await STEP_HANDLERS['import-identifier']([corporate], {
      ...context(graph),
      resumed: new Set([corporate.id]),
    });
    expect(outcomes.get(corporate.id)).toMatchObject({ kind: 'retry', error: { code: 'HTTP503' } });
    expect(imports).toEqual([]);
    // A second attempt (after a retry) searches first too, resumed or not.
    const second = { ...corporate, steps: corporate.steps.map((st) => ({ ...st, attempts: 2 })) };
    const again = await STEP_HANDLERS['import-identifier']([second], context(graph));
    expect(again.get(corporate.id)).toMatchObject({ kind: 'retry' });
    expect(imports).toEqual([]);
  });
});
