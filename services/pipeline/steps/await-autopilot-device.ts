/**
 * await-autopilot-device: waits for the Autopilot device the import created (by the id the import reported, or
 * by exact serial when it did not). While any device is missing, one sync is requested, at most every 10 minutes.
 */
import type { AutopilotDevice, ItemResult } from '../../graph/autopilot-graph.js';
import { graphFailure } from '../failure-policy.js';
import { notReplaced } from '../../domain/job-kinds.js';
import { notYet, outcomesFor, type StepHandler } from '../step-context.js';

export const awaitAutopilotDevice: StepHandler = async (jobs, ctx) => {
  const withId = jobs.filter((j) => j.graph.autopilotDeviceId);
  const withoutId = jobs.filter((j) => !j.graph.autopilotDeviceId);
  const byId = withId.length
    ? await ctx.graph.getAutopilotDevices(withId.map((j) => j.graph.autopilotDeviceId ?? ''))
    : new Map<string, ItemResult<AutopilotDevice | null>>();
  const bySerial = withoutId.length
    ? await ctx.graph.findAutopilotDevicesBySerial(withoutId.map((j) => j.device.serialNumber))
    : new Map<string, ItemResult<AutopilotDevice[]>>();
  let missing = false;
  const outcomes = outcomesFor(jobs, (job) => {
    const result = job.graph.autopilotDeviceId
      ? byId.get(job.graph.autopilotDeviceId)
      : bySerial.get(job.device.serialNumber);
    if (!result?.ok) return graphFailure(job, 'await-autopilot-device', result?.error, ctx);
    const device = Array.isArray(result.value) ? notReplaced(job, result.value)[0] : result.value;
    // Graph shows the zero GUID until the Entra device is linked; the mapper reads that as ''.
    if (!device?.entraDeviceId) {
      missing = true;
      return notYet(job, 'await-autopilot-device', ctx);
    }
    return {
      kind: 'done',
      graph: {
        autopilotDeviceId: device.id,
        entraDeviceId: device.entraDeviceId,
        ...(device.userPrincipalName ? { autopilotUser: device.userPrincipalName } : {}),
      },
    };
  });
  if (missing) await ctx.syncGate.requestSync(ctx.now);
  return outcomes;
};
