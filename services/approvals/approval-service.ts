/**
 * Decisions on a job from the card: approve, reject, retry. Every verb authorizes the caller by Entra object id;
 * a refused caller changes nothing but the audit trail. Two approvers at once: the store's conditional update
 * lets exactly one decision win; the other is told who decided.
 */
import type { ApprovalConfig } from '../config/config.js';
import { DomainError } from '../domain/errors.js';
import type { Actor, ImportJob } from '../domain/job.js';
import { takesNoTag } from '../domain/job-kinds.js';
import { deniedAttempt } from '../domain/transitions.js';
import type { Logger } from '../logging/logger.js';
import type { ProgressPublisher } from '../pipeline/progress.js';
import type { JobStore } from '../store/job-store.js';
import { mutateJob } from '../store/mutate.js';
import type { ApproverDirectory } from './approver-directory.js';
import { decisionChange, type Verb } from './decision-change.js';
import type { InputProblem } from './decision-inputs.js';

export interface DecisionRequest {
  jobId: string;
  verb: Verb;
  actor: Actor;
  inputs: Record<string, unknown>;
}

export type DecisionResult =
  | { kind: 'decided'; job: ImportJob }
  | { kind: 'invalid'; job: ImportJob; problems: InputProblem[] }
  | { kind: 'denied'; job: ImportJob; message: string }
  | { kind: 'refused'; job: ImportJob; message: string }
  | { kind: 'not_found' };

export interface ApprovalDeps {
  store: JobStore;
  directory: ApproverDirectory;
  config: ApprovalConfig;
  publisher: ProgressPublisher;
  logger: Logger;
  clock?: () => Date;
}

export class ApprovalService {
  constructor(private readonly deps: ApprovalDeps) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  async decide(request: DecisionRequest): Promise<DecisionResult> {
    const stored = await this.deps.store.get(request.jobId);
    if (!stored) return { kind: 'not_found' };
    if (!(await this.deps.directory.isApprover(request.actor.id))) {
      const audited = await this.deps.store.appendAudit(
        request.jobId,
        deniedAttempt(request.actor, this.now(), request.verb),
      );
      this.deps.logger.warn(
        { jobId: request.jobId, actor: request.actor.id, verb: request.verb },
        'decision refused: not an approver',
      );
      return {
        kind: 'denied',
        job: audited.job,
        message: 'Only helpdesk approvers can decide on this request. Your attempt was recorded.',
      };
    }
    const change = decisionChange(request.verb, request.inputs, request.actor, this.now(), this.deps.config, {
      tagless: takesNoTag(stored.job),
    });
    if ('problems' in change) return { kind: 'invalid', job: stored.job, problems: change.problems };
    if (request.verb === 'retry' && stored.job.status === 'failed') {
      const other = await this.deps.store.reserveDevice(stored.job);
      if (other) return { kind: 'refused', job: stored.job, message: deviceOpenElsewhere(other.job.id) };
    }
    try {
      const decided = await mutateJob(this.deps.store, request.jobId, change.apply, {
        known: stored,
        attempts: 10,
      });
      this.deps.publisher.jobChanged(decided.job);
      this.deps.logger.info(
        { jobId: request.jobId, actor: request.actor.id, verb: request.verb, status: decided.job.status },
        'decision recorded',
      );
      return { kind: 'decided', job: decided.job };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const latest = (await this.deps.store.get(request.jobId))?.job ?? stored.job;
      return { kind: 'refused', job: latest, message: error.message };
    }
  }
}

/** A device has one open request at a time: a newer one took over from the job that failed. */
export function deviceOpenElsewhere(jobId: string): string {
  return `This device has a newer request that is still open (job ${jobId}); that one goes on instead of a retry.`;
}
