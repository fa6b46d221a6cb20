/**
 * apply-change: sets the tag, the name and the user with updateDeviceProperties, or removes the user with
 * unassignUserFromDevice (the reference sheet, device properties). What the record already has is not sent again.
 * Intune's intermittent 412 ConditionNotMet and 409 are retried; anything else fails the job with advice.
 */
import type { DeviceChange, ImportJob, RegisteredRecord } from '../../../domain/job.js';
import type { DevicePropertiesUpdate, ItemResult } from '../../../graph/autopilot-graph.js';
import type { GraphRequestError } from '../../../graph/graph-errors.js';
import { errorFromException, failureOutcome } from '../../failure-policy.js';
import { outcomesFor, type StepContext, type StepHandler } from '../../step-context.js';
import type { StepOutcome } from '../../step-outcome.js';

/** The properties still to set: each field of the change the record does not show yet. */
export function pendingUpdate(
  change: DeviceChange,
  record: RegisteredRecord,
): Omit<DevicePropertiesUpdate, 'autopilotDeviceId'> {
  const update: Omit<DevicePropertiesUpdate, 'autopilotDeviceId'> = {};
  if (change.groupTag !== undefined && (change.groupTag ?? '') !== record.groupTag)
    update.groupTag = change.groupTag ?? '';
  if (change.displayName !== undefined && change.displayName !== record.displayName)
    update.displayName = change.displayName;
  if (change.user && change.user.toLowerCase() !== record.user.toLowerCase())
    update.userPrincipalName = change.user;
  return update;
}

/** True when the change removes a user the record still has. */
export function userToRemove(change: DeviceChange, record: RegisteredRecord): boolean {
  return change.user === null && record.user !== '';
}

function failed(job: ImportJob, error: GraphRequestError, ctx: StepContext): StepOutcome {
  return failureOutcome(
    job,
    {
      ...errorFromException('apply-change', error),
      retryable: error.retryable || error.status === 409 || error.status === 412,
    },
    { ...ctx, ...(error.retryAfterMs ? { retryAfterMs: error.retryAfterMs } : {}) },
  );
}

export const applyChange: StepHandler = async (jobs, ctx) => {
  const targets = jobs.flatMap((job) =>
    job.change && job.graph.record ? [{ job, change: job.change, record: job.graph.record }] : [],
  );
  const updates = targets
    .map((t) => ({ autopilotDeviceId: t.record.id, ...pendingUpdate(t.change, t.record) }))
    .filter((u) => Object.keys(u).length > 1);
  const removals = targets.filter((t) => userToRemove(t.change, t.record)).map((t) => t.record.id);
  const none = new Map<string, ItemResult<void>>();
  const [updated, removed] = await Promise.all([
    updates.length ? ctx.graph.updateDeviceProperties(updates) : none,
    removals.length ? ctx.graph.unassignUsers(removals) : none,
  ]);
  return outcomesFor(jobs, (job) => {
    const record = job.graph.record;
    if (!job.change || !record) return { kind: 'skipped', note: 'Nothing to change' };
    for (const result of [updated.get(record.id), removed.get(record.id)]) {
      if (result && !result.ok) return failed(job, result.error, ctx);
    }
    const sent = updated.has(record.id) || removed.has(record.id);
    return { kind: 'done', note: sent ? 'Change sent to Intune' : 'The record already had these values' };
  });
};
