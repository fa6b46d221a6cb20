/** add-to-group: adds the Entra device to the profile group, when one is configured. */
import { graphFailure } from '../failure-policy.js';
import { notYet, outcomesFor, type StepHandler } from '../step-context.js';

export const addToGroup: StepHandler = async (jobs, ctx) => {
  const groupId = ctx.settings.profileGroupId;
  if (!groupId) return outcomesFor(jobs, () => ({ kind: 'skipped', note: 'No profile group configured' }));
  const results = await ctx.graph.addGroupMembers(
    groupId,
    jobs.map((j) => j.graph.entraObjectId ?? ''),
  );
  return outcomesFor(jobs, (job) => {
    const result = results.get(job.graph.entraObjectId ?? '');
    if (result?.ok)
      return {
        kind: 'done',
        note: result.value === 'already_member' ? 'Already a member' : 'Added to the profile group',
      };
    // 404: the device object is not replicated to the group service yet; wait for it like the other waits.
    if (result?.error.status === 404) return notYet(job, 'add-to-group', ctx);
    return graphFailure(job, 'add-to-group', result?.error, ctx);
  });
};
