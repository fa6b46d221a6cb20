/**
 * verify-change: reads the record back until Intune shows every changed field (Intune applies a change after a
 * while, like any Autopilot update), so the card's last tick means the change is there. Polled like the other
 * waits, with the Autopilot device's deadline.
 */
import type { DeviceChange, ImportJob, JobError } from '../../../domain/job.js';
import type { AutopilotDevice, ItemResult } from '../../../graph/autopilot-graph.js';
import { registeredRecord } from '../../../graph/registered-record.js';
import { graphFailure } from '../../failure-policy.js';
import { notYet, outcomesFor, type StepHandler } from '../../step-context.js';
import { describeChange } from '../../../domain/job-kinds.js';

export function showsChange(change: DeviceChange, device: AutopilotDevice): boolean {
  const record = registeredRecord(device);
  return (
    (change.groupTag === undefined || (change.groupTag ?? '') === record.groupTag) &&
    (change.displayName === undefined || change.displayName === record.displayName) &&
    (change.user === undefined || (change.user ?? '').toLowerCase() === record.user.toLowerCase())
  );
}

const gone = (job: ImportJob): JobError => ({
  step: 'verify-change',
  code: 'Refused',
  name: 'DeviceNotRegistered',
  advice: `The Autopilot record was deleted while the change (${job.change ? describeChange(job.change) : ''}) was on its way.`,
  retryable: false,
});

export const verifyChange: StepHandler = async (jobs, ctx) => {
  const ids = jobs.flatMap((j) => (j.graph.record ? [j.graph.record.id] : []));
  const read = ids.length
    ? await ctx.graph.getAutopilotDevices(ids)
    : new Map<string, ItemResult<AutopilotDevice | null>>();
  return outcomesFor(jobs, (job) => {
    const id = job.graph.record?.id;
    if (!job.change || !id) return { kind: 'skipped', note: 'Nothing to check' };
    const result = read.get(id);
    if (!result?.ok) return graphFailure(job, 'verify-change', result?.error, ctx);
    if (result.value === null) return { kind: 'fail', error: gone(job) };
    if (!showsChange(job.change, result.value)) return notYet(job, 'verify-change', ctx);
    return { kind: 'done', note: `Intune shows ${describeChange(job.change)}` };
  });
};
