/** add-to-group: adds the Entra device to the profile group, when one is configured. */
import type { ImportJob } from '../../domain/job.js';
import type { GraphRequestError } from '../../graph/graph-errors.js';
import { graphFailure } from '../failure-policy.js';
import { notYet, outcomesFor, type StepContext, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';

/**
 * A 404 names the object that is missing ("Resource '<id>' does not exist …"): the device object (not
 * replicated to the group service yet: wait for it) or the group itself (a wrong PROFILE_GROUP_ID: waiting
 * cannot help).
 */
function onFailure(
  job: ImportJob,
  groupId: string,
  error: GraphRequestError | undefined,
  ctx: StepContext,
): StepOutcome {
  if (error?.status === 404 && error.message.toLowerCase().includes(groupId.toLowerCase())) {
    return {
      kind: 'fail',
      error: {
        step: 'add-to-group',
        code: 'ProfileGroupNotFound',
        name: 'Request_ResourceNotFound',
        advice: `The profile group ${groupId} does not exist in the directory. Check PROFILE_GROUP_ID (npm run doctor checks it), then retry.`,
        retryable: true,
      },
    };
  }
  if (error?.status === 404) return notYet(job, 'add-to-group', ctx);
  const outcome = graphFailure(job, 'add-to-group', error, ctx);
  // A dynamic group refuses direct adds with the same 403 as a missing permission (Microsoft's support article on
  // "Insufficient privileges" when adding members; CIPP #468): the group may have been made dynamic since start.
  if (error?.status === 403 && outcome.kind === 'fail')
    return {
      kind: 'fail',
      error: {
        ...outcome.error,
        advice: `${outcome.error.advice} A dynamic group refuses direct adds with the same answer: if PROFILE_GROUP_ID is dynamic now, target the profile by its rule and unset PROFILE_GROUP_ID (npm run doctor tells which).`,
      },
    };
  return outcome;
}

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
    return onFailure(job, groupId, result?.error, ctx);
  });
};
