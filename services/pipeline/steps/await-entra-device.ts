/**
 * await-entra-device: resolves the Entra object id from the deviceId, 15 devices per request. Devices of one bulk
 * appear in Entra at about the same time, in about the order they were imported, so a group asks its probes first
 * and the others only when the probes say it is worth it (see probes.ts).
 */
import type { EntraDevice, ItemResult } from '../../graph/autopilot-graph.js';
import type { ImportJob } from '../../domain/job.js';
import { graphFailure } from '../failure-policy.js';
import { nearDeadline } from '../polling.js';
import { afterProbes, chooseProbes } from '../probes.js';
import { notYet, outcomesFor, type StepHandler } from '../step-context.js';

const deviceIdOf = (job: ImportJob) => job.graph.entraDeviceId ?? '';

export const awaitEntraDevice: StepHandler = async (jobs, ctx) => {
  const { ordered, probes } = chooseProbes(jobs, 'await-entra-device');
  const found: Map<string, ItemResult<EntraDevice | null>> = await ctx.graph.findEntraDevices(
    probes.map(deviceIdOf),
  );
  const rest = afterProbes(
    ordered,
    probes,
    (probe) => {
      const result = found.get(deviceIdOf(probe));
      return !result?.ok || result.value !== null;
    },
    (job) => nearDeadline(job, 'await-entra-device', ctx.now, ctx.settings),
  );
  if (rest.length)
    for (const [id, result] of await ctx.graph.findEntraDevices(rest.map(deviceIdOf))) found.set(id, result);
  return outcomesFor(jobs, (job) => {
    const result = found.get(deviceIdOf(job));
    // Not asked this round: its probes say that it is not there yet.
    if (!result) return notYet(job, 'await-entra-device', ctx);
    if (!result.ok) return graphFailure(job, 'await-entra-device', result.error, ctx);
    if (!result.value) return notYet(job, 'await-entra-device', ctx);
    return { kind: 'done', graph: { entraObjectId: result.value.objectId } };
  });
};
