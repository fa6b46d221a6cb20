/**
 * check-device: the first step of a change, a deregistration or a replace. Finds the Autopilot record by the exact
 * serial (never a contains() neighbour: services/graph/serial-search.ts), the very record the approver saw when
 * the job names one, and keeps what it has now (tag, name, user, enrollment) for the audit and the next steps.
 */
import { kindOf } from '../../../domain/job-kinds.js';
import type { ImportJob, JobError } from '../../../domain/job.js';
import type { AutopilotDevice } from '../../../graph/autopilot-graph.js';
import { registeredRecord } from '../../../graph/registered-record.js';
import { graphFailure } from '../../failure-policy.js';
import { outcomesFor, type StepHandler } from '../../step-context.js';
import type { StepOutcome } from '../../step-outcome.js';

function refused(name: string, advice: string): StepOutcome {
  const error: JobError = { step: 'check-device', code: 'Refused', name, advice, retryable: false };
  return { kind: 'fail', error };
}

function decide(job: ImportJob, records: readonly AutopilotDevice[]): StepOutcome {
  const wanted = job.graph.autopilotDeviceId;
  const found = wanted ? records.filter((r) => r.id === wanted) : records;
  const kind = kindOf(job);
  if (found.length === 0) {
    if (wanted && records.length > 0)
      return refused(
        'RecordReplaced',
        'The Autopilot record the card showed is gone, and another record has this serial number now. Look the device up again.',
      );
    if (kind === 'change')
      return refused(
        'DeviceNotRegistered',
        'The device is no longer registered in Autopilot, so nothing was changed. Look it up again.',
      );
    // Nothing to delete: a deregistration is done; a replace goes on to import the new hash.
    // The id a plan pinned is no one's now: a replace's registration steps must find the new record's.
    return {
      kind: 'done',
      graph: { record: null, autopilotDeviceId: '' },
      note: 'Not registered: nothing to delete',
    };
  }
  if (found.length > 1)
    return refused(
      'SerialNotUnique',
      `${found.length} Autopilot records share this serial number. Look it up and act on each record from its card.`,
    );
  const device = found[0] as AutopilotDevice;
  const record = registeredRecord(device);
  if (kind !== 'change' && record.managedDeviceId && !job.enrolledConfirmed)
    return refused(
      'EnrolledNotConfirmed',
      'The device is enrolled in Intune, so deregistering it also deletes its Intune device. Look it up again and confirm on the card.',
    );
  const state = record.enrollmentState === 'enrolled' ? 'enrolled' : 'not enrolled';
  return {
    kind: 'done',
    graph: { autopilotDeviceId: device.id, record },
    note: `Found: ${record.groupTag ? `tag ${record.groupTag}` : 'no tag'}, ${state}`,
  };
}

export const checkDevice: StepHandler = async (jobs, ctx) => {
  const found = await ctx.graph.findAutopilotDevicesBySerial(jobs.map((j) => j.device.serialNumber));
  return outcomesFor(jobs, (job) => {
    const result = found.get(job.device.serialNumber);
    if (!result?.ok) return graphFailure(job, 'check-device', result?.error, ctx);
    return decide(job, result.value);
  });
};
