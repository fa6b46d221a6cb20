/** await-entra-device: resolves the Entra object id from the deviceId, 15 devices per request. */
import { graphFailure } from '../failure-policy.js';
import { notYet, outcomesFor, type StepHandler } from '../step-context.js';

export const awaitEntraDevice: StepHandler = async (jobs, ctx) => {
  const found = await ctx.graph.findEntraDevices(jobs.map((j) => j.graph.entraDeviceId ?? ''));
  return outcomesFor(jobs, (job) => {
    const result = found.get(job.graph.entraDeviceId ?? '');
    if (!result?.ok) return graphFailure(job, 'await-entra-device', result?.error, ctx);
    if (!result.value) return notYet(job, 'await-entra-device', ctx);
    return { kind: 'done', graph: { entraObjectId: result.value.objectId } };
  });
};
