/**
 * Delivers cards to Teams: one queue per card (thread), whether it shows one job or a CSV batch. Updates that
 * pile up while one is in flight are merged into the newest snapshot, sends keep to Teams' per-thread limits
 * (7 per second, 8 per 2 seconds), a 429 waits out its Retry-After, other failures back off and try again, and
 * the final state is always sent. Cards wait while no helpdesk channel is bound, and are posted once one is.
 * Free of Teams types: the `CardRenderer` draws the card and the `CardSender` port does the talking.
 */
import type { ImportJob } from '../services/domain/job.js';
import { describeError, isAppError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { ProgressPublisher } from '../services/pipeline/progress.js';
import type { CardAddress, JobStore } from '../services/store/job-store.js';

export type CardContent = Record<string, unknown>;

export interface CardSender {
  /** Posts the card as a new thread in the bound channel; undefined when no channel is bound yet. */
  post(card: CardContent): Promise<CardAddress | undefined>;
  update(address: CardAddress, card: CardContent): Promise<void>;
}

/** A card drawn for a job's change, with the version of the data it shows (the newest `updatedAt` in it). */
export interface RenderedCard {
  content: CardContent;
  version: string;
}

/** Which card shows a job, and what that card looks like now. */
export interface CardRenderer {
  /** The job's own id, or `batch:<id>` for a job of a CSV batch (one card for the whole batch). */
  keyOf(job: ImportJob): string;
  render(job: ImportJob): Promise<RenderedCard>;
}

export interface CardQueueOptions {
  /**
   * How long a card waits after its first change before it is sent: changes in that time are merged, and the
   * answers to clicks (which render their own card) go out before the channel updates they cause.
   */
  settleMs: number;
  perSecond: number;
  perTwoSeconds: number;
  maxAttempts: number;
  baseDelayMs: number;
}

export const TEAMS_THREAD_LIMITS: CardQueueOptions = {
  settleMs: 250,
  perSecond: 7,
  perTwoSeconds: 8,
  maxAttempts: 8,
  baseDelayMs: 500,
};

const JITTER_MARGIN_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CardQueue implements ProgressPublisher {
  /** Per card key: the newest job change it owes the channel. */
  private readonly newest = new Map<string, ImportJob>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly sentAt = new Map<string, number[]>();
  /** Cards whose first post waits for a channel binding. */
  private readonly unbound = new Set<string>();
  /** Cards to post as new threads at their next send (see `repost`). */
  private readonly forcePost = new Set<string>();

  constructor(
    private readonly store: JobStore,
    private readonly renderer: CardRenderer,
    private readonly sender: CardSender,
    private readonly logger: Logger,
    private readonly options: CardQueueOptions = TEAMS_THREAD_LIMITS,
  ) {}

  jobChanged(job: ImportJob): void {
    const key = this.renderer.keyOf(job);
    const known = this.newest.get(key);
    // A job card ignores a snapshot older than the one it has; a batch card is redrawn from the store anyway.
    if (key === job.id && known && known.updatedAt > job.updatedAt) return;
    this.newest.set(key, job);
    if (!this.running.has(key)) {
      const run = this.drain(key).finally(() => {
        this.running.delete(key);
        // Send times matter for two seconds; after that an idle thread's history can go.
        setTimeout(() => {
          if (!this.running.has(key)) this.sentAt.delete(key);
        }, 2000 + JITTER_MARGIN_MS).unref();
      });
      this.running.set(key, run);
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
    for (const key of waiting) {
      const job = this.newest.get(key);
      if (job) this.jobChanged(job);
    }
  }

  /**
   * Posts these jobs' cards again as new threads, whatever was posted before: for a channel that forgot its
   * history (the Agents Playground starts every browser session with an empty channel).
   */
  repost(jobs: readonly ImportJob[]): void {
    for (const job of jobs) {
      const key = this.renderer.keyOf(job);
      if (this.forcePost.has(key)) continue;
      this.forcePost.add(key);
      this.jobChanged(job);
    }
  }

  /** After a restart: every job whose card does not show its latest state is sent again. */
  async reconcile(jobs: readonly ImportJob[]): Promise<void> {
    for (const job of jobs) {
      const address = await this.store.getCardAddress(this.renderer.keyOf(job));
      if (!address || (address.shows ?? '') < job.updatedAt) this.jobChanged(job);
    }
  }

  private async drain(key: string): Promise<void> {
    if (this.options.settleMs > 0) await sleep(this.options.settleMs);
    for (let attempt = 1; ;) {
      const job = this.newest.get(key);
      if (!job) return;
      await this.waitForSlot(key);
      try {
        const delivered = await this.deliver(key, job);
        if (!delivered) {
          this.unbound.add(key);
          return;
        }
        attempt = 1;
        // Done when nothing newer arrived meanwhile; otherwise send the newest (all in between are merged).
        if (this.newest.get(key) === job) {
          this.newest.delete(key);
          return;
        }
      } catch (error) {
        if (attempt >= this.options.maxAttempts) {
          // The store still knows what the card shows: reconcile() sends it again at the next start.
          this.logger.error({ card: key, err: describeError(error) }, 'card update given up');
          this.newest.delete(key);
          return;
        }
        const wait =
          isAppError(error) && error.retryAfterMs !== undefined
            ? error.retryAfterMs
            : this.options.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        this.logger.warn(
          { card: key, attempt, retryInMs: Math.round(wait), err: describeError(error) },
          'card update will be retried',
        );
        attempt++;
        await sleep(wait);
      }
    }
  }

  /** Posts the first card or updates the existing one, then records what the card shows. */
  private async deliver(key: string, job: ImportJob): Promise<boolean> {
    const card = await this.renderer.render(job);
    const address = this.forcePost.has(key) ? undefined : await this.store.getCardAddress(key);
    if (address) {
      // Merged changes can end where the card already is (a batch drawn whole at its first post): skip the send.
      if (address.shows === card.version) return true;
      await this.sender.update(address, card.content);
      await this.store.saveCardAddress(key, { ...address, shows: card.version });
      return true;
    }
    const posted = await this.sender.post(card.content);
    if (!posted) return false;
    await this.store.saveCardAddress(key, { ...posted, shows: card.version });
    this.forcePost.delete(key);
    return true;
  }

  /** Keeps to the per-thread limits: at most `perSecond` sends in any second and `perTwoSeconds` in two. */
  private async waitForSlot(key: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      // Windows a little longer than Teams' own, so that network jitter cannot make Teams count one send too many.
      const second = 1000 + JITTER_MARGIN_MS;
      const twoSeconds = 2000 + JITTER_MARGIN_MS;
      const times = (this.sentAt.get(key) ?? []).filter((t) => t > now - twoSeconds);
      const lastSecond = times.filter((t) => t > now - second);
      const wait = Math.max(
        lastSecond.length >= this.options.perSecond ? (lastSecond[0] ?? now) + second - now : 0,
        times.length >= this.options.perTwoSeconds ? (times[0] ?? now) + twoSeconds - now : 0,
      );
      if (wait <= 0) {
        this.sentAt.set(key, [...times, now]);
        return;
      }
      await sleep(wait + 1);
    }
  }
}
