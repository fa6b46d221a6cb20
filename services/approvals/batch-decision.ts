/**
 * Applies a batch's recorded decision (Approve all, Reject all) to each of its jobs still waiting. Runs after the
 * click is answered (a 500-row batch is ~1,000 store round trips, and Teams sends an invoke again that is not
 * answered within 15 s), and again from the worker's housekeeping, which finishes a decided batch whose jobs
 * are still waiting (a process that died halfway). A job that moved on meanwhile is left as it is.
 */
import type { ImportBatch } from '../domain/batch.js';
import { DomainError } from '../domain/errors.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { ProgressPublisher } from '../pipeline/progress.js';
import type { JobStore } from '../store/job-store.js';
import { listAll } from '../store/list-all.js';
import { mutateJob } from '../store/mutate.js';
import { applyDecision } from './decision-change.js';
import type { ApprovalPolicy } from '../policy/policy.js';

export interface BatchDecisionDeps {
  store: JobStore;
  publisher: ProgressPublisher;
  logger: Logger;
  /** POLICY_FILE's rules: a device that needs two approvers takes the batch's first approval too. */
  policy?: ApprovalPolicy;
}

/** Returns the ids of the jobs that took the decision now. */
export async function applyBatchDecision(deps: BatchDecisionDeps, batch: ImportBatch): Promise<string[]> {
  if (!batch.decision) return [];
  const change = applyDecision(batch.decision, deps.policy, batch);
  const waiting = await listAll(deps.store, { batchId: batch.id, statuses: ['awaiting_approval'] });
  const changed: string[] = [];
  for (const job of waiting) {
    try {
      const updated = await mutateJob(deps.store, job.id, change, { attempts: 10 });
      deps.publisher.jobChanged(updated.job);
      changed.push(job.id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  if (changed.length)
    deps.logger.info(
      { batchId: batch.id, verb: batch.decision.verb, jobs: changed.length },
      'batch decision applied',
    );
  return changed;
}

/** In the background: logged, never thrown (housekeeping finishes what this leaves). */
export function applyBatchDecisionLater(deps: BatchDecisionDeps, batch: ImportBatch): Promise<void> {
  return applyBatchDecision(deps, batch).then(
    () => undefined,
    (error: unknown) =>
      deps.logger.warn(
        { batchId: batch.id, err: describeError(error) },
        'batch decision not applied yet; housekeeping finishes it',
      ),
  );
}
