/**
 * assign-user: makes sure the Autopilot record has the user the request named. The user was sent at import
 * (`assignedUserPrincipalName`), so usually it is there already and nothing is called. Otherwise the user is set
 * with updateDeviceProperties, which the community module uses (assignUserToDevice is reported to fail with 400
 * ResourceNotFound: okieselbach/Intune #23, microsoft-graph-docs #11620). Intune's intermittent 412 ConditionNotMet
 * and 409 are retried. A user that cannot be assigned is a warning on the card, not a failed import: the device
 * is registered, and the user can be assigned in Intune.
 */
import type { ImportJob } from '../../domain/job.js';
import type { ItemResult } from '../../graph/autopilot-graph.js';
import { GraphRequestError } from '../../graph/graph-errors.js';
import { outcomesFor, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';
import { propertyUpdateFailure } from './property-failure.js';

const sameUser = (a: string | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();
const needsCall = (job: ImportJob) =>
  !!job.device.assignedUser &&
  !!job.graph.autopilotDeviceId &&
  !sameUser(job.graph.autopilotUser, job.device.assignedUser);

/** The outcome when no call is to be made: no user named, no Autopilot device, or the import set the user. */
export function userWithoutGraph(job: ImportJob): StepOutcome | undefined {
  const user = job.device.assignedUser;
  if (!user) return { kind: 'skipped', note: 'No user to assign' };
  if (!job.graph.autopilotDeviceId)
    return {
      kind: 'done',
      note: 'User not assigned',
      warning: `The Autopilot device's id is not known, so ${user} was not assigned. Assign them in Intune.`,
    };
  if (!needsCall(job)) return { kind: 'done', note: `Assigned to ${user} at import` };
  return undefined;
}

export const assignUser: StepHandler = async (jobs, ctx) => {
  const calls = jobs.filter(needsCall);
  const results = calls.length
    ? await ctx.graph.updateDeviceProperties(
        calls.map((j) => ({
          autopilotDeviceId: j.graph.autopilotDeviceId ?? '',
          userPrincipalName: j.device.assignedUser ?? '',
        })),
      )
    : new Map<string, ItemResult<void>>();
  return outcomesFor(jobs, (job) => {
    const local = userWithoutGraph(job);
    if (local) return local;
    const user = job.device.assignedUser ?? '';
    const result = results.get(job.graph.autopilotDeviceId ?? '');
    if (result?.ok) return { kind: 'done', note: `Assigned to ${user}` };
    const error = result?.error ?? new GraphRequestError(0, 'network', 'update device properties: no answer');
    return propertyUpdateFailure('assign-user', job, error, ctx, (e) => ({
      note: 'User not assigned',
      warning: `The user ${user} could not be assigned (${e.code} ${e.name}). Assign them to the device in Intune.`,
    }));
  });
};
