/**
 * Takes submissions in: refuses or flags devices off the allow-lists, answers a serial that already has an
 * open job with that job, flags serials already registered in Autopilot (one lookup per submission or batch),
 * and stores a new job awaiting approval.
 */
import { serialKey } from '../domain/serial-key.js';
import type { DeviceChange, ImportJob, JobFlag, RegisteredRecord, SubmissionChannel } from '../domain/job.js';
import { submit } from '../domain/transitions.js';
import type { ImportBatch } from '../domain/batch.js';
import { mutateBatch } from '../store/mutate.js';
import { describeError } from '../errors.js';
import type { AutopilotGraph } from '../graph/autopilot-graph.js';
import { registeredRecord } from '../graph/registered-record.js';
import type { Logger } from '../logging/logger.js';
import type { ProgressPublisher } from '../pipeline/progress.js';
import type { JobStore } from '../store/job-store.js';
import { IntakeError } from './intake-error.js';
import type { Submission } from './submission.js';
import { applyPolicyAtIntake } from '../policy/apply-policy.js';
import type { ApprovalPolicy } from '../policy/policy.js';
import { newJobId } from '../domain/job-id.js';

export interface IntakeDeps {
  store: JobStore;
  graph: Pick<AutopilotGraph, 'findAutopilotDevicesBySerial'>;
  publisher: ProgressPublisher;
  logger: Logger;
  approvalWindowMs: number;
  allowLists: { manufacturers: string[]; models: string[]; mode: 'refuse' | 'flag' };
  /** POLICY_FILE's rules: a matching rule may approve at once, or ask for two approvers. */
  policy?: ApprovalPolicy;
  /** DEVICE_NAME_TEMPLATE: a device a rule approves is named from it. */
  deviceNameTemplate?: string;
  clock?: () => Date;
}

export interface Submitter {
  channel: SubmissionChannel;
  via: string;
}

export interface SubmitResult {
  created: boolean;
  job: ImportJob;
}

/** One device as intake takes it: from the API (either kind of submission) or a CSV row. */
export interface DeviceRequest {
  type?: Submission['type'];
  serialNumber: string;
  /** Absent for a corporate identifier. */
  hardwareHash?: string;
  manufacturer: string;
  model: string;
  productKey?: string;
  assignedUser?: string;
  requestedBy?: string;
  requestedGroupTag?: string;
  /** A change of the registered record (a bulk re-tag) instead of a registration. */
  change?: DeviceChange;
}

export class IntakeService {
  /** Submissions of the same serial on this instance run one after the other (no twin jobs from a double click). */
  private readonly serialLocks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: IntakeDeps) {}

  /** Refuses (mode "refuse") or returns the flag (mode "flag") for a device off the allow-lists. */
  allowListFlag(device: { manufacturer: string; model: string }): JobFlag | undefined {
    const { manufacturers, models, mode } = this.deps.allowLists;
    const off = (list: string[], value: string) =>
      list.length > 0 && !list.some((v) => v.toLowerCase() === value.toLowerCase());
    const field = off(manufacturers, device.manufacturer)
      ? 'manufacturer'
      : off(models, device.model)
        ? 'model'
        : undefined;
    if (!field) return undefined;
    if (mode === 'refuse')
      throw new IntakeError('not_allowed', `${field} "${device[field]}" is not on the allow-list.`, field);
    return 'not_on_allow_list';
  }

  /** Every Autopilot record of each serial (exact match). Throws when Intune cannot be read. */
  async lookupRecords(serials: readonly string[]): Promise<Map<string, RegisteredRecord[]>> {
    const found = await this.deps.graph.findAutopilotDevicesBySerial(serials);
    const records = new Map<string, RegisteredRecord[]>();
    for (const serial of serials) {
      const result = found.get(serial);
      if (!result?.ok) throw result?.error ?? new Error(`no answer for ${serial}`);
      records.set(serial, result.value.map(registeredRecord));
    }
    return records;
  }

  /**
   * Serials already registered in Autopilot, with the record (the first, when several share the serial), so that
   * the card shows it. A failed lookup flags nothing: the pipeline checks again anyway.
   */
  async registeredSerials(serials: readonly string[]): Promise<Map<string, RegisteredRecord>> {
    const records = new Map<string, RegisteredRecord>();
    if (serials.length === 0) return records;
    try {
      const found = await this.deps.graph.findAutopilotDevicesBySerial(serials);
      for (const serial of serials) {
        const r = found.get(serial);
        const device = r?.ok ? r.value[0] : undefined;
        if (device) records.set(serial, registeredRecord(device));
      }
    } catch (error) {
      this.deps.logger.warn(
        { err: describeError(error), serials: serials.length },
        'registration lookup at intake failed',
      );
    }
    return records;
  }

  async submitOne(request: DeviceRequest, submitter: Submitter): Promise<SubmitResult> {
    const flag = this.allowListFlag(request);
    const registered = await this.registeredSerials([request.serialNumber]);
    return this.create(request, submitter, {
      flags: flag ? [flag] : [],
      registered: registered.get(request.serialNumber),
    });
  }

  /** Whether an earlier request for the serial failed with 808: the device belongs to another tenant. */
  private async refusedAsOtherTenant(serialNumber: string): Promise<boolean> {
    const failed = await this.deps.store.list({
      serialNumber,
      statuses: ['failed'],
      limit: 5,
      omitHash: true,
    });
    return failed.items.some((j) => j.error?.code === '808');
  }

  /** Stores the job unless the serial has an open one, which is returned instead. */
  create(
    request: DeviceRequest,
    submitter: Submitter,
    extra: { flags: JobFlag[]; registered?: RegisteredRecord; batchId?: string; announce?: boolean },
  ): Promise<SubmitResult> {
    return this.withSerialLock(request.serialNumber, async () => {
      // No look for an open job first: the store keeps one open job per device and answers with it.
      const otherTenant = await this.refusedAsOtherTenant(request.serialNumber);
      const now = this.deps.clock?.() ?? new Date();
      const submitted = submit(
        {
          id: newJobId(),
          device: {
            serialNumber: request.serialNumber,
            manufacturer: request.manufacturer || extra.registered?.manufacturer || 'Unknown',
            model: request.model || extra.registered?.model || 'Unknown',
            ...(request.productKey ? { productKey: request.productKey } : {}),
            ...(request.assignedUser ? { assignedUser: request.assignedUser } : {}),
            ...(request.requestedGroupTag ? { requestedGroupTag: request.requestedGroupTag } : {}),
          },
          hardwareHash: request.hardwareHash ?? null,
          ...(request.type === 'corporateIdentifier' ? { kind: 'corporateIdentifier' as const } : {}),
          ...(request.change ? { kind: 'change' as const, change: request.change } : {}),
          submittedBy: { ...submitter, ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}) },
          flags: [
            ...extra.flags,
            // A change acts on the registered record: that it is registered is no warning.
            ...(extra.registered && !request.change ? (['already_registered'] as const) : []),
            ...(otherTenant ? (['other_tenant'] as const) : []),
          ],
          ...(extra.batchId ? { batchId: extra.batchId } : {}),
          ...(extra.registered ? { registeredRecord: extra.registered } : {}),
        },
        now,
        this.deps.approvalWindowMs,
      );
      // Approval policies are about registrations: a change always waits for an approver.
      const job = request.change
        ? submitted
        : applyPolicyAtIntake(
            submitted,
            this.deps.policy,
            extra.batchId ? 'batch' : 'single',
            now,
            this.deps.deviceNameTemplate,
          );
      const { stored, created } = await this.deps.store.create(job);
      if (created) {
        if (extra.announce !== false) this.deps.publisher.jobChanged(stored.job);
        this.deps.logger.info(
          {
            jobId: job.id,
            serial: job.device.serialNumber,
            via: submitter.via,
            channel: submitter.channel,
            flags: job.flags,
          },
          'device submitted',
        );
      }
      return { created, job: stored.job };
    });
  }

  /** Stores a CSV batch's record; its jobs follow with `create`. */
  saveBatch(batch: ImportBatch): Promise<void> {
    return this.deps.store.createBatch(batch);
  }

  async countAlreadyOpen(batchId: string, alreadyOpen: number): Promise<void> {
    if (alreadyOpen === 0) return;
    await mutateBatch(this.deps.store, batchId, (batch) => ({ ...batch, alreadyOpen }));
  }

  /** Tells the channel (and the log) about jobs created with `announce: false`, all at once. */
  announce(jobs: readonly ImportJob[]): void {
    for (const job of jobs) this.deps.publisher.jobChanged(job);
  }

  private async withSerialLock<T>(serial: string, work: () => Promise<T>): Promise<T> {
    const key = serialKey(serial);
    const previous = this.serialLocks.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.serialLocks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.serialLocks.get(key) === settled) this.serialLocks.delete(key);
    }
  }
}
