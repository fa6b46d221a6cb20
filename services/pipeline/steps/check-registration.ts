/** check-registration: is the serial already an Autopilot device (exact match)? One `$batch` part per job. */
import { outcomesFor, type StepHandler } from '../step-context.js';
import { graphFailure } from '../failure-policy.js';
import { notReplaced } from '../../domain/job-kinds.js';

export const checkRegistration: StepHandler = async (jobs, ctx) => {
  const found = await ctx.graph.findAutopilotDevicesBySerial(jobs.map((j) => j.device.serialNumber));
  return outcomesFor(jobs, (job) => {
    const result = found.get(job.device.serialNumber);
    if (!result?.ok) return graphFailure(job, 'check-registration', result?.error, ctx);
    const device = notReplaced(job, result.value)[0];
    if (!device) return { kind: 'done', note: 'Not registered yet' };
    return {
      kind: 'already_registered',
      graph: {
        autopilotDeviceId: device.id,
        entraDeviceId: device.entraDeviceId,
        existingGroupTag: device.groupTag || null,
      },
    };
  });
};
