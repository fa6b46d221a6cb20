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

export const deleteManagedDevice: StepHandler = (jobs, ctx) =>
  eachTarget(
    jobs,
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

/**
 * The record is read again first: a device that enrolled after check-device has an Intune device nobody confirmed
 * deleting (or one the earlier step did not delete), and its record is then left alone.
 */
export const deleteAutopilotRecord: StepHandler = async (jobs, ctx) => {
  const targets = jobs.filter((j) => j.graph.record);
  const now = targets.length
    ? await ctx.graph.getAutopilotDevices(targets.map((j) => j.graph.record?.id ?? ''))
    : new Map<string, ItemResult<AutopilotDevice | null>>();
  const blocked = new Map<string, StepOutcome>();
  const deletable = targets.filter((job) => {
    const read = now.get(job.graph.record?.id ?? '');
    if (!read?.ok) {
      blocked.set(job.id, graphFailure(job, 'delete-autopilot-record', read?.error, ctx));
      return false;
    }
    const managed = read.value?.details?.managedDeviceId;
    if (managed && managed !== job.graph.record?.managedDeviceId) {
      blocked.set(job.id, { kind: 'fail', error: enrolledSince(managed) });
      return false;
    }
    return true;
  });
  const deleted = await eachTarget(
    deletable,
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

const enrolledSince = (managedDeviceId: string): JobError => ({
  step: 'delete-autopilot-record',
  code: 'Refused',
  name: 'EnrolledSinceCheck',
  advice: `The device enrolled in Intune (device ${managedDeviceId}) after the check, so its record was left alone. Look it up again and deregister it with the confirmation.`,
  retryable: false,
});

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
