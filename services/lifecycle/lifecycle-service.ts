/**
 * Actions on a registered device from its look-up card (change the tag, the name or the user; deregister). Only
 * an approver may act; the inputs are checked; the record is read again, by the exact serial, so that the action
 * applies to the record as it is now; a device enrolled in Intune is deregistered only once the approver has
 * confirmed it. The job is then created approved, and the pipeline walks it through its steps.
 */
import type { InputProblem } from '../approvals/decision-inputs.js';
import type { ApproverDirectory } from '../approvals/approver-directory.js';
import type { ApprovalConfig } from '../config/config.js';
import type { Actor, ImportJob } from '../domain/job.js';
import { openLifecycleJob } from '../domain/lifecycle-job.js';
import type { AutopilotGraph } from '../graph/autopilot-graph.js';
import { registeredRecord } from '../graph/registered-record.js';
import type { Logger } from '../logging/logger.js';
import { lookupDevice, type DeviceLookup } from '../lookup/device-lookup.js';
import type { ProgressPublisher } from '../pipeline/progress.js';
import type { JobStore } from '../store/job-store.js';
import { checkActionInputs, type LifecycleVerb } from './action-inputs.js';
import { newJobId } from '../domain/job-id.js';

export interface LifecycleRequest {
  serialNumber: string;
  /** The Autopilot record the card showed. */
  recordId: string;
  verb: LifecycleVerb;
  actor: Actor;
  inputs: Record<string, unknown>;
}

/** Every answer but `denied` carries the device as it is now, for the look-up card to show again. */
export type LifecycleResult =
  | { kind: 'started'; lookup: DeviceLookup; job: ImportJob }
  | { kind: 'invalid'; lookup: DeviceLookup; problems: InputProblem[] }
  | { kind: 'refused'; lookup: DeviceLookup; message: string }
  | { kind: 'denied'; message: string };

export interface LifecycleDeps {
  store: JobStore;
  graph: Pick<AutopilotGraph, 'findAutopilotDevicesBySerial'>;
  directory: ApproverDirectory;
  config: ApprovalConfig;
  publisher: ProgressPublisher;
  logger: Logger;
  clock?: () => Date;
}

export class LifecycleService {
  constructor(private readonly deps: LifecycleDeps) {}

  async request(request: LifecycleRequest): Promise<LifecycleResult> {
    const { deps } = this;
    if (!(await deps.directory.isApprover(request.actor.id))) {
      // No job exists to keep the refusal in: the log keeps it (who, what, which device).
      deps.logger.warn(
        { actor: request.actor.id, verb: request.verb, serial: request.serialNumber },
        'lifecycle action refused: not an approver',
      );
      return {
        kind: 'denied',
        message: 'Only helpdesk approvers can change a device. Your attempt was recorded.',
      };
    }
    const lookup = await lookupDevice(deps.graph, deps.store, request.serialNumber);
    const checked = checkActionInputs(request.verb, request.inputs, deps.config);
    if (!checked.ok) return { kind: 'invalid', lookup, problems: checked.problems };
    if (lookup.kind !== 'found')
      return { kind: 'refused', lookup, message: `Intune could not be read: ${lookup.reason}` };
    const device = lookup.records.find((r) => r.id === request.recordId);
    if (!device)
      return {
        kind: 'refused',
        lookup,
        message: 'That Autopilot record no longer exists; the card shows the device as it is now.',
      };
    const record = registeredRecord(device);
    if (checked.kind === 'deregister' && record.managedDeviceId && !checked.enrolledConfirmed)
      return {
        kind: 'invalid',
        lookup,
        problems: [
          {
            input: 'confirmEnrolled',
            message:
              'The device is enrolled in Intune: deregistering deletes its Intune device too. Tick the box to confirm.',
          },
        ],
      };
    const job = openLifecycleJob(
      {
        id: newJobId(),
        kind: checked.kind,
        device: {
          serialNumber: device.serialNumber,
          manufacturer: device.details?.manufacturer ?? '',
          model: device.details?.model ?? '',
        },
        record,
        ...(checked.change ? { change: checked.change } : {}),
        by: request.actor,
        ticket: checked.comment,
        submittedBy: { channel: 'teams', via: request.actor.name ?? request.actor.id },
        enrolledConfirmed: checked.enrolledConfirmed,
      },
      deps.clock?.() ?? new Date(),
    );
    const { stored, created } = await deps.store.create(job);
    if (!created)
      return {
        kind: 'refused',
        lookup,
        message: `This device has an open request (job ${stored.job.id}); act once it has finished.`,
      };
    deps.publisher.jobChanged(stored.job);
    deps.logger.info(
      { jobId: job.id, kind: job.kind, serial: job.device.serialNumber, actor: request.actor.id },
      'lifecycle job started',
    );
    return { kind: 'started', lookup, job: stored.job };
  }
}
