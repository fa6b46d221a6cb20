/**
 * Deregistration in Microsoft's order (the reference sheet; memdocs "Deregister a device": delete the Intune
 * device first, unassign the user, then delete the Autopilot record, and refresh until it is gone). The Entra
 * device object is left alone. Each step acts on the record check-device found, and skips when there is nothing
 * to do; a delete that finds its object gone counts as done, so a step run again after a crash is harmless.
 */
import type { ImportJob, JobError, StepName } from '../../../domain/job.js';
import type { AutopilotDevice, ItemResult } from '../../../graph/autopilot-graph.js';
import { graphFailure } from '../../failure-policy.js';
import { notYet, outcomesFor, type StepContext, type StepHandler } from '../../step-context.js';
import type { StepOutcome } from '../../step-outcome.js';

type Call<T> = (ids: readonly string[]) => Promise<Map<string, ItemResult<T>>>;

/** One call for every job that has something to act on (`target`), the rest skipped with `none`. */
async function eachTarget<T>(
  jobs: readonly ImportJob[],
  ctx: StepContext,
  step: StepName,
  target: (job: ImportJob) => string | undefined,
  call: Call<T>,
  none: string,
  done: (job: ImportJob, value: T) => StepOutcome,
): Promise<Map<string, StepOutcome>> {
  const ids = jobs.flatMap((j) => target(j) ?? []);
  const results = ids.length ? await call(ids) : new Map<string, ItemResult<T>>();
  return outcomesFor(jobs, (job) => {
    const id = target(job);
    if (!id) return { kind: 'skipped', note: none };
    const result = results.get(id);
    if (!result?.ok) return graphFailure(job, step, result?.error, ctx);
    return done(job, result.value);
  });
}

/**
 * The record as it is now, for every job about to write: a device that enrolled after check-device has an Intune
 * device nobody confirmed deleting (or one an earlier step did not delete), and nothing more is done to it.
 */
async function stillAsChecked(
  jobs: readonly ImportJob[],
  ctx: StepContext,
  step: StepName,
): Promise<{ ready: ImportJob[]; blocked: Map<string, StepOutcome> }> {
  const targets = jobs.filter((j) => j.graph.record);
  const now = targets.length
    ? await ctx.graph.getAutopilotDevices(targets.map((j) => j.graph.record?.id ?? ''))
    : new Map<string, ItemResult<AutopilotDevice | null>>();
  const blocked = new Map<string, StepOutcome>();
  const ready = targets.filter((job) => {
    const read = now.get(job.graph.record?.id ?? '');
    if (!read?.ok) {
      blocked.set(job.id, graphFailure(job, step, read?.error, ctx));
      return false;
    }
    const managed = read.value?.details?.managedDeviceId;
    if (managed && managed !== job.graph.record?.managedDeviceId) {
      blocked.set(job.id, { kind: 'fail', error: enrolledSince(step, managed) });
      return false;
    }
    return true;
  });
  return { ready, blocked };
}

const enrolledSince = (step: StepName, managedDeviceId: string): JobError => ({
  step,
  code: 'Refused',
  name: 'EnrolledSinceCheck',
  advice: `The device enrolled in Intune (device ${managedDeviceId}) after the check, so it was left alone. Look it up again and deregister it with the confirmation.`,
  retryable: false,
});

/** The first write of a deregistration: checked against the record as it is now. */
export const deleteManagedDevice: StepHandler = async (jobs, ctx) => {
  const { ready, blocked } = await stillAsChecked(jobs, ctx, 'delete-managed-device');
  const deleted = await eachTarget(
    ready,
    ctx,
    'delete-managed-device',
    (j) => j.graph.record?.managedDeviceId,
    (ids) => ctx.graph.deleteManagedDevices(ids),
    'Not enrolled in Intune',
    (_job, result) => ({
      kind: 'done',
      note: result === 'deleted' ? 'Intune device deleted' : 'Already gone',
    }),
  );
  return outcomesFor(
    jobs,
    (job) => blocked.get(job.id) ?? deleted.get(job.id) ?? { kind: 'skipped', note: 'Not registered' },
  );
};

export const unassignUser: StepHandler = (jobs, ctx) =>
  eachTarget(
    jobs,
    ctx,
    'unassign-user',
    (j) => (j.graph.record?.user ? j.graph.record.id : undefined),
    (ids) => ctx.graph.unassignUsers(ids),
    'No user assigned',
    (job) => ({ kind: 'done', note: `${job.graph.record?.user ?? 'User'} removed` }),
  );

/** Read again first, as the first write was: a device may have enrolled in between. */
export const deleteAutopilotRecord: StepHandler = async (jobs, ctx) => {
  const { ready, blocked } = await stillAsChecked(jobs, ctx, 'delete-autopilot-record');
  const deleted = await eachTarget(
    ready,
    ctx,
    'delete-autopilot-record',
    (j) => j.graph.record?.id,
    (ids) => ctx.graph.deleteAutopilotDevices(ids),
    'Not registered',
    (_job, result) => ({ kind: 'done', note: result === 'deleted' ? 'Deletion accepted' : 'Already gone' }),
  );
  return outcomesFor(
    jobs,
    (job) => blocked.get(job.id) ?? deleted.get(job.id) ?? { kind: 'skipped', note: 'Not registered' },
  );
};

/** Intune shows a deleted record for minutes: the step waits until a read says it is gone. */
export const awaitRemoval: StepHandler = (jobs, ctx) =>
  eachTarget(
    jobs,
    ctx,
    'await-removal',
    (j) => j.graph.record?.id,
    (ids) => ctx.graph.getAutopilotDevices(ids),
    'Nothing was deleted',
    (job, device) =>
      device === null
        ? // The ids were the old record's: a replace's registration steps must find the new record's.
          { kind: 'done', note: 'Gone from Autopilot', graph: { autopilotDeviceId: '', entraDeviceId: '' } }
        : notYet(job, 'await-removal', ctx),
  );
