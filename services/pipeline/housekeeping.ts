/**
 * The worker's housekeeping, about once a minute: a decided batch whose jobs still wait gets its decision (the
 * process applying it died), approvals whose deadline passed expire, and finished jobs past retention go.
 */
import { applyBatchDecision } from '../approvals/batch-decision.js';
import { eraseHeldHash, hashHeldTooLong } from '../domain/hash-retention.js';
import type { ImportJob } from '../domain/job.js';
import type { Result } from '../domain/result.js';
import { expire } from '../domain/transitions.js';
import { describeError } from '../errors.js';
import type { ApprovalPolicy } from '../policy/policy.js';
import type { Logger } from '../logging/logger.js';
import type { JobStore } from '../store/job-store.js';
import { mutateJob } from '../store/mutate.js';
import type { ProgressPublisher } from './progress.js';
import { ReminderSweep } from './reminder-sweep.js';
import type { ReminderSender, ReminderSettings } from './reminders.js';

export interface HousekeepingDeps {
  store: JobStore;
  publisher: ProgressPublisher;
  logger: Logger;
  /** How many days finished jobs are kept. */
  retentionDays?: number;
  /** How many days a failed job keeps its hash for a retry (HASH_RETENTION_DAYS). */
  hashRetentionDays?: number;
  /** POLICY_FILE's rules, for a decided batch whose devices need two approvers. */
  policy?: ApprovalPolicy;
  /** Reminders, expiry warnings and the daily digest, and where they go. */
  reminders?: { settings: ReminderSettings; sender: ReminderSender };
}

const EVERY_MS = 60_000;
/** Held hashes are counted in days: an hourly look is enough. */
const HASH_SWEEP_EVERY_MS = 3_600_000;

function orThrow<T>(result: Result<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

export class Housekeeping {
  private last = 0;
  private lastHashSweep = 0;

  /** Reminders, expiry warnings and the digest, when configured. */
  readonly reminders: ReminderSweep | undefined;

  constructor(private readonly deps: HousekeepingDeps) {
    this.reminders = deps.reminders && new ReminderSweep({ ...deps, ...deps.reminders });
  }

  async run(now: Date): Promise<void> {
    if (now.getTime() - this.last < EVERY_MS) return;
    this.last = now.getTime();
    let cursor: string | undefined;
    const batchesSeen = new Set<string>();
    do {
      const page = await this.deps.store.list({
        statuses: ['awaiting_approval'],
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const decided = await this.finishDecidedBatches(page.items);
      for (const job of page.items.filter((j) => !decided.has(j.id))) {
        if (job.approvalDeadline <= now.toISOString()) await this.expireOne(job, now);
        else await this.reminders?.remind(job, now, batchesSeen);
      }
      cursor = page.nextCursor;
    } while (cursor);
    await this.reminders?.digest(now);
    if (this.deps.hashRetentionDays && now.getTime() - this.lastHashSweep >= HASH_SWEEP_EVERY_MS) {
      this.lastHashSweep = now.getTime();
      await this.eraseHeldHashes(now, this.deps.hashRetentionDays);
    }
    // The store's own upkeep (SQLite: the WAL checkpointed into the file and truncated, so that what was erased
    // leaves no copy behind).
    await this.deps.store.maintain?.();
    if (this.deps.retentionDays) {
      const purged = await this.deps.store.purgeFinishedBefore(
        new Date(now.getTime() - this.deps.retentionDays * 86_400_000),
      );
      if (purged) this.deps.logger.info({ purged }, 'purged finished jobs past retention');
    }
  }

  /** Applies the recorded decision of each decided batch among these waiting jobs; returns the jobs it covered. */
  private async finishDecidedBatches(waiting: readonly ImportJob[]): Promise<Set<string>> {
    const covered = new Set<string>();
    for (const batchId of new Set(waiting.flatMap((j) => (j.batchId ? [j.batchId] : [])))) {
      const stored = await this.deps.store.getBatch(batchId);
      if (!stored?.batch.decision) continue;
      try {
        // Only the jobs that took the decision are done with; one that could not (a decision it refuses) still
        // waits, and expires at its deadline like any other.
        for (const id of await applyBatchDecision(this.deps, stored.batch)) covered.add(id);
      } catch (error) {
        this.deps.logger.warn({ batchId, err: describeError(error) }, 'could not finish a decided batch');
      }
    }
    return covered;
  }

  /** Failed jobs that kept their hash for a retry longer than allowed: erased, and told on their cards. */
  private async eraseHeldHashes(now: Date, days: number): Promise<void> {
    const createdBefore = new Date(now.getTime() - days * 86_400_000).toISOString();
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.list({
        statuses: ['failed'],
        createdBefore,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const job of page.items.filter((j) => hashHeldTooLong(j, now, days))) {
        try {
          const stored = await mutateJob(this.deps.store, job.id, (current) =>
            hashHeldTooLong(current, now, days) ? eraseHeldHash(current, now, days) : current,
          );
          this.deps.publisher.jobChanged(stored.job);
        } catch (error) {
          this.deps.logger.warn({ jobId: job.id, err: describeError(error) }, 'could not erase a held hash');
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
  }

  private async expireOne(job: ImportJob, now: Date): Promise<void> {
    try {
      const stored = await mutateJob(this.deps.store, job.id, (current) => orThrow(expire(current, now)));
      this.deps.publisher.jobChanged(stored.job);
    } catch (error) {
      this.deps.logger.warn(
        { jobId: job.id, action: 'expire', err: describeError(error) },
        'pipeline could not write a job',
      );
    }
  }
}
