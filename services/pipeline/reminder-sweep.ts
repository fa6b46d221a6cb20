/**
 * Housekeeping's reminders: the expiry warning on a card, the reminder in a card's thread (one per batch, marked
 * on the batch), and the daily digest. Each is marked in the store with a conditional write before it is sent,
 * so however many instances sweep, it goes out at most once; a request whose card is not posted yet is left for a
 * later sweep. Sends run in the background: they wait for the channel's send budget, and the worker's tick (which
 * claims due jobs) must not wait with them.
 */
import type { ImportJob } from '../domain/job.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { JobStore } from '../store/job-store.js';
import { mutateBatch, mutateJob } from '../store/mutate.js';
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

export interface ReminderSweepDeps {
  store: JobStore;
  publisher: ProgressPublisher;
  logger: Logger;
  settings: ReminderSettings;
  sender: ReminderSender;
}

export class ReminderSweep {
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly deps: ReminderSweepDeps) {}

  /** Resolves once the sends started so far have ended (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.sending]);
  }

  private inBackground(what: string, send: () => Promise<unknown>): void {
    const work = send().then(
      () => undefined,
      (error: unknown) => this.deps.logger.warn({ err: describeError(error) }, `could not send ${what}`),
    );
    this.sending.add(work);
    void work.finally(() => this.sending.delete(work));
  }

  /** One waiting job's warning and reminder; `batches` holds the batches this sweep has seen already. */
  async remind(job: ImportJob, now: Date, batches: Set<string>): Promise<void> {
    const { store, publisher, settings, sender } = this.deps;
    try {
      if (expiryWarningDue(job, now, settings)) {
        let mine = false;
        const stored = await mutateJob(store, job.id, (current) => {
          mine = expiryWarningDue(current, now, settings);
          return mine ? markReminded(current, now, 'expiryWarnedAt') : current;
        });
        if (mine) publisher.jobChanged(stored.job);
      }
      if (!reminderDue(job, now, settings)) return;
      if (job.batchId) {
        if (batches.has(job.batchId)) return;
        batches.add(job.batchId);
        await this.remindBatch(job, job.batchId, now);
        return;
      }
      // Not before the card is in the channel: the reminder is a reply to it.
      if (!(await store.getCardAddress(job.id))) return;
      let mine = false;
      const stored = await mutateJob(store, job.id, (current) => {
        mine = reminderDue(current, now, settings);
        return mine ? markReminded(current, now, 'remindedAt') : current;
      });
      if (mine)
        this.inBackground('a reminder', () => sender.remind(stored.job, reminderText(stored.job, now)));
    } catch (error) {
      this.deps.logger.warn({ jobId: job.id, err: describeError(error) }, 'could not send a reminder');
    }
  }

  /** A batch's devices wait together: one reminder, marked on the batch, in the batch card's thread. */
  private async remindBatch(job: ImportJob, batchId: string, now: Date): Promise<void> {
    const { store, sender } = this.deps;
    const stored = await store.getBatch(batchId);
    if (!stored || stored.batch.remindedAt || !(await store.getCardAddress(`batch:${batchId}`))) return;
    let mine = false;
    await mutateBatch(
      store,
      batchId,
      (batch) => {
        mine = !batch.remindedAt;
        return mine ? { ...batch, remindedAt: now.toISOString() } : batch;
      },
      { known: stored },
    );
    // Counted from the batch's submission.
    const text = reminderText({ ...job, createdAt: stored.batch.createdAt }, now);
    if (mine) this.inBackground('a batch reminder', () => sender.remind(job, text));
  }

  /** Once a day at the configured hour, on one instance: the digest of everything waiting, oldest first. */
  async digest(now: Date): Promise<void> {
    const { store, settings, sender } = this.deps;
    if (!digestDue(now, settings)) return;
    try {
      const statuses = ['awaiting_approval'] as const;
      const total = await store.count({ statuses });
      if (total === 0) return;
      if (!(await store.tryAcquireTimedSlot(DIGEST_SLOT.name, now, DIGEST_SLOT.intervalMs))) return;
      // The listing is newest first: the last page's tail holds the oldest, those closest to expiring.
      let oldest: ImportJob[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({
          statuses,
          limit: 200,
          omitHash: true,
          ...(cursor ? { cursor } : {}),
        });
        oldest = [...oldest, ...page.items].slice(-DIGEST_ROWS);
        cursor = page.nextCursor;
      } while (cursor);
      const jobs = oldest.reverse();
      this.inBackground('the daily digest', async () => {
        await sender.digest({ jobs, total }, now);
        this.deps.logger.info({ waiting: total }, 'daily digest sent');
      });
    } catch (error) {
      this.deps.logger.warn({ err: describeError(error) }, 'could not send the daily digest');
    }
  }
}
