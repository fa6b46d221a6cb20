/**
 * Delivers cards to Teams: one queue per card, whether it shows one job or a CSV batch. Updates that pile up
 * while one waits or is in flight are merged into the newest snapshot. Every card of the channel draws on one
 * send budget, the channel's (see send-budget.ts), and on the app's: new cards go first, then final states, then
 * step updates, and in the long windows part of the budget is kept for new cards. A 429
 * waits out its Retry-After; 412, 5xx and lost answers back off and try again; anything else (400, 403, 404,
 * 413) cannot succeed by trying again and is given up at once. Cards wait while no helpdesk channel is bound,
 * and are posted once one is. Free of Teams types: the `CardRenderer` draws the card and the `CardSender` port
 * does the talking.
 */
import { isTerminal, type ImportJob } from '../services/domain/job.js';
import { describeError, isAppError, type AppError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { ProgressPublisher } from '../services/pipeline/progress.js';
import type { CardAddress, JobStore } from '../services/store/job-store.js';
import { SendBudget, TEAMS_THREAD_WINDOWS, type SendPriority } from './send-budget.js';

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
  maxAttempts: number;
  baseDelayMs: number;
  /** The channel's budget (every card shares it) and the app's (shared with everything else the bot sends). */
  budgets?: SendBudget[];
  /**
   * What a post answered with "nowhere to send" does: wait in memory for `flushUnbound` (channel cards, until a
   * channel is bound), or be dropped until the next `reconcile` (a person the bot has no chat with).
   */
  whenNowhere?: 'hold' | 'drop';
  /** How the log names what it sends. */
  label?: string;
  /**
   * The turns being answered (turns-in-flight.ts): a card waits for them, at most `yieldMs`, before it is drawn and
   * sent, so that the answers to clicks do not wait behind the channel updates the clicks cause.
   */
  yieldTo?: { settled(maxWaitMs: number): Promise<void> };
  yieldMs?: number;
}

export const TEAMS_THREAD_LIMITS: CardQueueOptions = {
  settleMs: 250,
  yieldMs: 2_000,
  maxAttempts: 8,
  baseDelayMs: 500,
};

/** Teams' answer when the app is not installed in the team it posts to. */
const NOT_IN_ROSTER = /BotNotInConversationRoster|teams_403/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CardQueue implements ProgressPublisher {
  /** Per card key: the newest job change it owes the channel. */
  private readonly newest = new Map<string, ImportJob>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly budgets: SendBudget[];
  private toldNotInstalled = false;
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
  ) {
    this.budgets = options.budgets ?? [new SendBudget(TEAMS_THREAD_WINDOWS)];
  }

  private get label(): string {
    return this.options.label ?? 'card update';
  }

  jobChanged(job: ImportJob): void {
    const key = this.renderer.keyOf(job);
    const known = this.newest.get(key);
    // A job card ignores a snapshot older than the one it has; a batch card is redrawn from the store anyway.
    if (key === job.id && known && known.updatedAt > job.updatedAt) return;
    // What waits to be drawn never holds the hash (a card shows its fingerprint), however long it waits.
    this.newest.set(key, job.hardwareHash === null ? job : { ...job, hardwareHash: null });
    if (!this.running.has(key)) {
      const run = this.drain(key).finally(() => this.running.delete(key));
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
      if (!this.newest.has(key)) return;
      let settle: (() => void) | undefined;
      try {
        await this.options.yieldTo?.settled(this.options.yieldMs ?? 0);
        const address = this.forcePost.has(key) ? undefined : await this.store.getCardAddress(key);
        settle = await this.waitForSlot(key, address !== undefined);
        // The newest snapshot once the slot is there: what came in while waiting is merged into it.
        const job = this.newest.get(key);
        if (!job) return;
        const delivered = await this.deliver(key, job, address);
        if (!delivered) {
          if (this.options.whenNowhere === 'drop') this.newest.delete(key);
          else this.unbound.add(key);
          return;
        }
        attempt = 1;
        // Done when nothing newer arrived meanwhile; otherwise send the newest (all in between are merged).
        if (this.newest.get(key) === job) {
          this.newest.delete(key);
          return;
        }
      } catch (error) {
        settle?.();
        settle = undefined;
        if (isAppError(error) && !error.retryable) {
          this.giveUp(key, error);
          return;
        }
        if (attempt >= this.options.maxAttempts) {
          // The store still knows what the card shows: reconcile() sends it again at the next start.
          this.logger.error({ card: key, err: describeError(error) }, `${this.label} given up`);
          this.newest.delete(key);
          return;
        }
        const wait =
          isAppError(error) && error.retryAfterMs !== undefined
            ? error.retryAfterMs
            : this.options.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        this.logger.warn(
          { card: key, attempt, retryInMs: Math.round(wait), err: describeError(error) },
          `${this.label} will be retried`,
        );
        attempt++;
        await sleep(wait);
      } finally {
        settle?.();
      }
    }
  }

  /** A failure that no retry can mend: logged (a missing installation once, clearly), the card left as it is. */
  private giveUp(key: string, error: AppError): void {
    this.newest.delete(key);
    if (NOT_IN_ROSTER.test(`${error.code} ${error.message}`)) {
      if (this.toldNotInstalled) return;
      this.toldNotInstalled = true;
      this.logger.error(
        { card: key, err: describeError(error) },
        'Teams refuses the bot in the helpdesk channel (403): install the app in that team, or bind another channel',
      );
      return;
    }
    this.logger.error(
      { card: key, err: describeError(error) },
      `${this.label} refused by Teams; not retried`,
    );
  }

  /**
   * Posts the first card or updates the existing one (at `address`, read before the slot: only this card's own
   * drain changes it), then records what the card shows.
   */
  private async deliver(key: string, job: ImportJob, address: CardAddress | undefined): Promise<boolean> {
    const card = await this.renderer.render(job);
    if (address && !this.forcePost.has(key)) {
      // Merged changes can end where the card already is (a batch drawn whole at its first post), and a snapshot
      // read before a newer one was delivered (reconcile's listing, taken while the worker runs) would move the
      // card back: versions are ISO times, so skip any send that is not newer than what the card shows.
      if (address.shows !== undefined && address.shows >= card.version) return true;
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

  /**
   * Waits for a send slot in every budget: a new card first, then a final state (or one that asks for action),
   * then step updates. The priority is read when a slot comes free, from the newest snapshot by then. Returns
   * what to call once the send has its answer.
   */
  private async waitForSlot(key: string, posted: boolean): Promise<() => void> {
    const priority = (): SendPriority => {
      if (!posted || this.forcePost.has(key)) return 'post';
      const job = this.newest.get(key);
      return !job || job.status === 'awaiting_approval' || isTerminal(job.status) ? 'final' : 'update';
    };
    const settles: (() => void)[] = [];
    for (const budget of this.budgets) settles.push(await budget.acquire(priority));
    return () => {
      for (const settle of settles) settle();
    };
  }
}
