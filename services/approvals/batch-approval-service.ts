/**
 * Decisions on a whole CSV batch from its card: Approve all, Reject all, Retry failed devices. The decision is
 * recorded on the batch with a conditional write, so that of several approvers clicking at once exactly one
 * decides and the others are told who did, and the click is answered at once; the decision then reaches each job
 * still waiting in the background (batch-decision.ts), and the worker's housekeeping finishes a batch that a
 * crash left halfway.
 */
import { decideBatch, type ImportBatch } from '../domain/batch.js';
import { DomainError } from '../domain/errors.js';
import type { Actor, ImportJob } from '../domain/job.js';
import { takesNoTag } from '../domain/job-kinds.js';
import { deniedAttempt } from '../domain/transitions.js';
import { retry } from '../domain/step-transitions.js';
import { listAll } from '../store/list-all.js';
import { mutateBatch, mutateJob } from '../store/mutate.js';
import type { ApprovalDeps } from './approval-service.js';
import { applyBatchDecisionLater } from './batch-decision.js';
import { approvalsRequired, clickedDecision, orThrow, type JobChange, type Verb } from './decision-change.js';
import type { InputProblem } from './decision-inputs.js';

export interface BatchDecisionRequest {
  batchId: string;
  verb: Verb;
  actor: Actor;
  inputs: Record<string, unknown>;
}

interface BatchState {
  batch: ImportBatch;
  jobs: ImportJob[];
}

export type BatchDecisionResult =
  | ({ kind: 'decided'; changed: number } & BatchState)
  | ({ kind: 'invalid'; problems: InputProblem[] } & BatchState)
  | ({ kind: 'denied' | 'refused'; message: string } & BatchState)
  | { kind: 'not_found' };

export class BatchApprovalService {
  /** Decisions being applied in the background (tests and shutdown wait for them with `settled`). */
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly deps: ApprovalDeps) {}

  async settled(): Promise<void> {
    await Promise.all([...this.background]);
  }

  private inBackground(work: Promise<void>): void {
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  async decide(request: BatchDecisionRequest): Promise<BatchDecisionResult> {
    const stored = await this.deps.store.getBatch(request.batchId);
    if (!stored) return { kind: 'not_found' };
    const jobs = await listAll(this.deps.store, { batchId: request.batchId });
    const targets = jobs.filter((j) =>
      request.verb === 'retry' ? j.status === 'failed' : j.status === 'awaiting_approval',
    );
    if (!(await this.deps.directory.isApprover(request.actor.id))) {
      const event = deniedAttempt(request.actor, this.now(), request.verb);
      for (const job of targets) await this.deps.store.appendAudit(job.id, event);
      this.deps.logger.warn(
        { batchId: request.batchId, actor: request.actor.id, verb: request.verb },
        'batch decision refused: not an approver',
      );
      return {
        kind: 'denied',
        ...(await this.reread(stored.batch)),
        message: 'Only helpdesk approvers can decide on this batch. Your attempt was recorded.',
      };
    }
    const clicked = clickedDecision(
      request.verb,
      request.inputs,
      request.actor,
      this.now(),
      this.deps.config,
      { tagless: jobs.length > 0 && jobs.every(takesNoTag) },
    );
    if ('problems' in clicked)
      return { kind: 'invalid', batch: stored.batch, jobs, problems: clicked.problems };
    // A decided batch falls through, so that the click is told who decided.
    const nothingToDo = targets.length === 0 && (request.verb === 'retry' || !stored.batch.decision);
    if (nothingToDo)
      return {
        kind: 'refused',
        batch: stored.batch,
        jobs,
        message:
          request.verb === 'retry'
            ? 'No device in this batch has failed; there is nothing to retry.'
            : 'No device in this batch is waiting for approval any more.',
      };
    if ('retry' in clicked) {
      const at = this.now();
      // A device with a newer open request is not retried here: one open request per device.
      const free: ImportJob[] = [];
      for (const job of targets) if (!(await this.deps.store.reserveDevice(job))) free.push(job);
      return this.applyToJobs(stored.batch, free, (job) => orThrow(retry(job, request.actor, at)), request);
    }
    // Two approvers when a rule requires them for any device still waiting, with the tag chosen.
    // A batch's devices are named from the template, each by its serial.
    const template = this.deps.config.deviceNameTemplate;
    const decision =
      clicked.decision.verb === 'approve' && template
        ? { ...clicked.decision, deviceNameTemplate: template }
        : clicked.decision;
    const approversNeeded =
      decision.verb === 'approve' &&
      targets.some(
        (job) => approvalsRequired(job, decision.groupTag, this.deps.config.policy).approversNeeded === 2,
      )
        ? 2
        : 1;
    try {
      const decided = await mutateBatch(
        this.deps.store,
        request.batchId,
        (batch) => {
          const result = decideBatch(batch, decision, approversNeeded);
          if (!result.ok) throw result.error;
          return result.value;
        },
        { known: stored, attempts: 10 },
      );
      this.deps.logger.info(
        { batchId: request.batchId, actor: request.actor.id, verb: request.verb, jobs: targets.length },
        'batch decided',
      );
      // A first of two approvals changes no job: the answered card shows it and waits for the second.
      if (decided.batch.decision)
        this.inBackground(
          applyBatchDecisionLater(
            { ...this.deps, ...(this.deps.config.policy ? { policy: this.deps.config.policy } : {}) },
            decided.batch,
          ),
        );
      return { kind: 'decided', changed: targets.length, batch: decided.batch, jobs };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const latest = (await this.deps.store.getBatch(request.batchId))?.batch ?? stored.batch;
      return { kind: 'refused', ...(await this.reread(latest)), message: error.message };
    }
  }

  /** Applies the change to each job that still allows it; a job that moved on meanwhile is left as it is. */
  private async applyToJobs(
    batch: ImportBatch,
    targets: readonly ImportJob[],
    change: JobChange,
    request: BatchDecisionRequest,
  ): Promise<BatchDecisionResult> {
    let changed = 0;
    for (const job of targets) {
      try {
        const updated = await mutateJob(this.deps.store, job.id, change, { attempts: 10 });
        this.deps.publisher.jobChanged(updated.job);
        changed++;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    this.deps.logger.info(
      { batchId: batch.id, actor: request.actor.id, verb: request.verb, jobs: changed },
      'batch decision applied',
    );
    return { kind: 'decided', changed, ...(await this.reread(batch)) };
  }

  private async reread(batch: ImportBatch): Promise<BatchState> {
    return { batch, jobs: await listAll(this.deps.store, { batchId: batch.id }) };
  }
}
