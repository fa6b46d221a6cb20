/**
 * Delivers job cards to Teams: one queue per card (thread). Updates that pile up while one is in flight are
 * merged into the newest snapshot, sends keep to Teams' per-thread limits (7 per second, 8 per 2 seconds), a
 * 429 waits out its Retry-After, other failures back off and try again, and the final state is always sent.
 * Cards wait while no helpdesk channel is bound, and are posted once one is. Free of Teams types: the
 * `CardSender` port does the talking.
 */
import type { ImportJob } from '../services/domain/job.js';
import { describeError, isAppError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { ProgressPublisher } from '../services/pipeline/progress.js';
import type { CardAddress, JobStore } from '../services/store/job-store.js';

export interface CardSender {
  /** Posts the card as a new thread in the bound channel; undefined when no channel is bound yet. */
  post(job: ImportJob): Promise<CardAddress | undefined>;
  update(address: CardAddress, job: ImportJob): Promise<void>;
}

export interface CardQueueOptions {
  perSecond: number;
  perTwoSeconds: number;
  maxAttempts: number;
  baseDelayMs: number;
}

export const TEAMS_THREAD_LIMITS: CardQueueOptions = {
  perSecond: 7,
  perTwoSeconds: 8,
  maxAttempts: 8,
  baseDelayMs: 500,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CardQueue implements ProgressPublisher {
  private readonly newest = new Map<string, ImportJob>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly sentAt = new Map<string, number[]>();
  /** Jobs whose first card waits for a channel binding. */
  private readonly unbound = new Set<string>();

  constructor(
    private readonly store: JobStore,
    private readonly sender: CardSender,
    private readonly logger: Logger,
    private readonly options: CardQueueOptions = TEAMS_THREAD_LIMITS,
  ) {}

  jobChanged(job: ImportJob): void {
    const known = this.newest.get(job.id);
    if (known && known.updatedAt > job.updatedAt) return;
    this.newest.set(job.id, job);
    if (!this.running.has(job.id)) {
      const run = this.drain(job.id).finally(() => {
        this.running.delete(job.id);
        // Send times matter for two seconds; after that an idle thread's history can go.
        setTimeout(() => {
          if (!this.running.has(job.id)) this.sentAt.delete(job.id);
        }, 2000).unref();
      });
      this.running.set(job.id, run);
    }
  }

  /** Resolves when every queued card has been delivered (or given up on). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  /** A channel was bound: post the cards that were waiting for one. */
  flushUnbound(): void {
    const waiting = [...this.unbound];
    this.unbound.clear();
    for (const id of waiting) {
      const job = this.newest.get(id);
      if (job) this.jobChanged(job);
    }
  }

  /** After a restart: every job whose card does not show its latest state is sent again. */
  async reconcile(jobs: readonly ImportJob[]): Promise<void> {
    for (const job of jobs) {
      const address = await this.store.getCardAddress(job.id);
      if (!address || address.shows !== job.updatedAt) this.jobChanged(job);
    }
  }

  private async drain(jobId: string): Promise<void> {
    for (let attempt = 1; ;) {
      const job = this.newest.get(jobId);
      if (!job) return;
      await this.waitForSlot(jobId);
      try {
        const delivered = await this.deliver(job);
        if (!delivered) {
          this.unbound.add(jobId);
          return;
        }
        attempt = 1;
        // Done when nothing newer arrived meanwhile; otherwise send the newest (all in between are merged).
        if (this.newest.get(jobId) === job) {
          this.newest.delete(jobId);
          return;
        }
      } catch (error) {
        if (attempt >= this.options.maxAttempts) {
          // The store still knows what the card shows: reconcile() sends it again at the next start.
          this.logger.error({ jobId, err: describeError(error) }, 'card update given up');
          this.newest.delete(jobId);
          return;
        }
        const wait =
          isAppError(error) && error.retryAfterMs !== undefined
            ? error.retryAfterMs
            : this.options.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        this.logger.warn(
          { jobId, attempt, retryInMs: Math.round(wait), err: describeError(error) },
          'card update will be retried',
        );
        attempt++;
        await sleep(wait);
      }
    }
  }

  /** Posts the first card or updates the existing one, then records what the card shows. */
  private async deliver(job: ImportJob): Promise<boolean> {
    const address = await this.store.getCardAddress(job.id);
    if (address) {
      await this.sender.update(address, job);
      await this.store.saveCardAddress(job.id, { ...address, shows: job.updatedAt });
      return true;
    }
    const posted = await this.sender.post(job);
    if (!posted) return false;
    await this.store.saveCardAddress(job.id, { ...posted, shows: job.updatedAt });
    return true;
  }

  /** Keeps to the per-thread limits: at most `perSecond` sends in any second and `perTwoSeconds` in two. */
  private async waitForSlot(jobId: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      const times = (this.sentAt.get(jobId) ?? []).filter((t) => t > now - 2000);
      const lastSecond = times.filter((t) => t > now - 1000);
      const wait = Math.max(
        lastSecond.length >= this.options.perSecond ? (lastSecond[0] ?? now) + 1000 - now : 0,
        times.length >= this.options.perTwoSeconds ? (times[0] ?? now) + 2000 - now : 0,
      );
      if (wait <= 0) {
        this.sentAt.set(jobId, [...times, now]);
        return;
      }
      await sleep(wait + 1);
    }
  }
}
