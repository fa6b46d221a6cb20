/** assign-user: pre-assigns the user to the Autopilot device, when the request named one. */
import type { ItemResult } from '../../graph/autopilot-graph.js';
import type { ImportJob } from '../../domain/job.js';
import { graphFailure } from '../failure-policy.js';
import { outcomesFor, type StepHandler } from '../step-context.js';

export const assignUser: StepHandler = async (jobs, ctx) => {
  const withUser = jobs.filter(
    (j): j is ImportJob & { device: { assignedUser: string } } => !!j.device.assignedUser,
  );
  const results = withUser.length
    ? await ctx.graph.assignUsers(
        withUser.map((j) => ({
          autopilotDeviceId: j.graph.autopilotDeviceId ?? '',
          userPrincipalName: j.device.assignedUser,
        })),
      )
    : new Map<string, ItemResult<void>>();
  return outcomesFor(jobs, (job) => {
    if (!job.device.assignedUser) return { kind: 'skipped', note: 'No user to assign' };
    const result = results.get(job.graph.autopilotDeviceId ?? '');
    if (!result?.ok) return graphFailure(job, 'assign-user', result?.error, ctx);
    return { kind: 'done', note: `Assigned to ${job.device.assignedUser}` };
  });
};
