/**
 * set-device-name: gives the Autopilot record the device name the approver set (or the batch's or rule's
 * DEVICE_NAME_TEMPLATE gave), with updateDeviceProperties `displayName` once the Autopilot device exists (the
 * reference sheet's device-properties section; Windows applies it at deployment, hybrid-joined devices ignore it).
 * Intune's intermittent 412 ConditionNotMet and 409 are retried. A name that cannot be set is a warning on the
 * card, not a failed import: the device is registered, and the name can be set in Intune.
 */
import type { ImportJob } from '../../domain/job.js';
import type { ItemResult } from '../../graph/autopilot-graph.js';
import { GraphRequestError } from '../../graph/graph-errors.js';
import { outcomesFor, type StepHandler } from '../step-context.js';
import type { StepOutcome } from '../step-outcome.js';
import { propertyUpdateFailure } from './property-failure.js';

const nameOf = (job: ImportJob) => job.approval?.deviceName;

/** The outcome when no call is to be made: no name asked for, or no Autopilot device to name. */
export function nameWithoutGraph(job: ImportJob): StepOutcome | undefined {
  const name = nameOf(job);
  if (!name) return { kind: 'skipped', note: 'No device name to set' };
  if (!job.graph.autopilotDeviceId)
    return {
      kind: 'done',
      note: 'Name not set',
      warning: `The Autopilot device's id is not known, so the name ${name} was not set. Set it in Intune.`,
    };
  return undefined;
}

export const setDeviceName: StepHandler = async (jobs, ctx) => {
  const calls = jobs.filter((j) => nameOf(j) && j.graph.autopilotDeviceId);
  const results = calls.length
    ? await ctx.graph.updateDeviceProperties(
        calls.map((j) => ({
          autopilotDeviceId: j.graph.autopilotDeviceId ?? '',
          displayName: nameOf(j) ?? '',
        })),
      )
    : new Map<string, ItemResult<void>>();
  return outcomesFor(jobs, (job) => {
    const local = nameWithoutGraph(job);
    if (local) return local;
    const name = nameOf(job) ?? '';
    const result = results.get(job.graph.autopilotDeviceId ?? '');
    if (result?.ok) return { kind: 'done', note: `Named ${name}` };
    const error = result?.error ?? new GraphRequestError(0, 'network', 'update device properties: no answer');
    return propertyUpdateFailure('set-device-name', job, error, ctx, (e) => ({
      note: 'Name not set',
      warning: `The device name ${name} could not be set (${e.code} ${e.name}). Set it in Intune.`,
    }));
  });
};
