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
import {
  DIGEST_SLOT,
  digestDue,
  expiryWarningDue,
  markReminded,
  reminderDue,
  reminderText,
  type ReminderSender,
  type ReminderSettings,
} from './reminders.js';

/** Requests a digest lists; the rest are counted. */
const DIGEST_ROWS = 25;

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

  constructor(private readonly deps: HousekeepingDeps) {}

  async run(now: Date): Promise<void> {
    if (now.getTime() - this.last < EVERY_MS) return;
    this.last = now.getTime();
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.list({
        statuses: ['awaiting_approval'],
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const decided = await this.finishDecidedBatches(page.items);
      // A batch's devices wait together: one reminder in the batch card's thread for all of them.
      const remindedBatches = new Set<string>();
      for (const job of page.items.filter((j) => !decided.has(j.id))) {
        if (job.approvalDeadline <= now.toISOString()) await this.expireOne(job, now);
        else await this.remind(job, now, remindedBatches);
      }
      cursor = page.nextCursor;
    } while (cursor);
    await this.sendDigest(now);
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

  /** The reminder in the card's thread and the expiry warning on the card, each marked before it is sent. */
  private async remind(job: ImportJob, now: Date, remindedBatches: Set<string>): Promise<void> {
    const reminders = this.deps.reminders;
    if (!reminders) return;
    const { settings, sender } = reminders;
    try {
      if (expiryWarningDue(job, now, settings)) {
        const stored = await mutateJob(this.deps.store, job.id, (current) =>
          expiryWarningDue(current, now, settings) ? markReminded(current, now, 'expiryWarnedAt') : current,
        );
        this.deps.publisher.jobChanged(stored.job);
      }
      if (!reminderDue(job, now, settings)) return;
      let mine = false;
      const stored = await mutateJob(this.deps.store, job.id, (current) => {
        mine = reminderDue(current, now, settings);
        return mine ? markReminded(current, now, 'remindedAt') : current;
      });
      if (!mine || (job.batchId && remindedBatches.has(job.batchId))) return;
      if (job.batchId) remindedBatches.add(job.batchId);
      if (!(await sender.remind(stored.job, reminderText(stored.job, now))))
        this.deps.logger.info({ jobId: job.id }, 'reminder not sent: the request has no card in the channel');
    } catch (error) {
      this.deps.logger.warn({ jobId: job.id, err: describeError(error) }, 'could not send a reminder');
    }
  }

  /** Once a day at the configured hour, on one instance: the digest of everything waiting, oldest first. */
  private async sendDigest(now: Date): Promise<void> {
    const reminders = this.deps.reminders;
    if (!reminders || !digestDue(now, reminders.settings)) return;
    try {
      if (!(await this.deps.store.tryAcquireTimedSlot(DIGEST_SLOT.name, now, DIGEST_SLOT.intervalMs))) return;
      const statuses = ['awaiting_approval'] as const;
      const total = await this.deps.store.count({ statuses });
      if (total === 0) return;
      // The listing is newest first: the last page's tail holds the oldest, those closest to expiring.
      let oldest: ImportJob[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.deps.store.list({
          statuses,
          limit: 200,
          omitHash: true,
          ...(cursor ? { cursor } : {}),
        });
        oldest = [...oldest, ...page.items].slice(-DIGEST_ROWS);
        cursor = page.nextCursor;
      } while (cursor);
      await reminders.sender.digest({ jobs: oldest.reverse(), total }, now);
      this.deps.logger.info({ waiting: total }, 'daily digest sent');
    } catch (error) {
      this.deps.logger.warn({ err: describeError(error) }, 'could not send the daily digest');
    }
  }

  /** Applies the recorded decision of each decided batch among these waiting jobs; returns the jobs it covered. */
  private async finishDecidedBatches(waiting: readonly ImportJob[]): Promise<Set<string>> {
    const covered = new Set<string>();
    for (const batchId of new Set(waiting.flatMap((j) => (j.batchId ? [j.batchId] : [])))) {
      const stored = await this.deps.store.getBatch(batchId);
      if (!stored?.batch.decision) continue;
      try {
        await applyBatchDecision(this.deps, stored.batch);
        for (const job of waiting) if (job.batchId === batchId) covered.add(job.id);
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
