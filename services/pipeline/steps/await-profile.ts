/** await-profile: waits until the deployment profile is assigned; `failed` is surfaced at once. */
import { graphFailure } from '../failure-policy.js';
import { notYet, outcomesFor, type StepHandler } from '../step-context.js';

export const awaitProfile: StepHandler = async (jobs, ctx) => {
  const devices = await ctx.graph.getAutopilotDevices(jobs.map((j) => j.graph.autopilotDeviceId ?? ''));
  return outcomesFor(jobs, (job) => {
    const result = devices.get(job.graph.autopilotDeviceId ?? '');
    if (!result?.ok) return graphFailure(job, 'await-profile', result?.error, ctx);
    const status = result.value?.profileStatus ?? 'unknown';
    if (status.startsWith('assigned'))
      return { kind: 'done', graph: { profileStatus: status }, note: 'Profile assigned' };
    if (status === 'failed') {
      return {
        kind: 'fail',
        error: {
          step: 'await-profile',
          code: 'ProfileFailed',
          name: 'ProfileAssignmentFailed',
          advice:
            'Intune reports that the deployment profile assignment failed. Check the profile and its group assignment in Intune, then retry.',
          retryable: true,
        },
      };
    }
    return notYet(job, 'await-profile', ctx);
  });
};
