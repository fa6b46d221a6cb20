/**
 * Teams' rate limits for a bot are kept per thread, and a channel is one thread: every card and post in the
 * helpdesk channel shares one budget of 7 sends per second, 8 per 2 s, 60 per 30 s and 1,800 per hour (sends,
 * updates and conversation creations together), and the app has about 50 requests per second per tenant in all
 * (Teams' rate-limit page). A SendBudget keeps to a set of such windows, each a little longer than Teams' own so
 * that network jitter cannot make Teams count one send too many, and hands free slots to waiting senders in
 * order of priority: a new card (an approval waits on it) before a final state, and both before an intermediate
 * step update (which, waiting, is merged into a newer one).
 *
 * Order alone cannot protect a new card from a long window: the hour's 1,800 sends can be spent on updates
 * minutes before the card arrives, and it would then wait for the hour to roll. So in windows of a minute or
 * more, finals may fill only part of the window and updates less, and the rest is kept for new cards.
 */

export interface RateWindow {
  ms: number;
  max: number;
  /** Added to the window against network jitter; 100 ms unless scaled. */
  marginMs?: number;
}

/** In order: a new card, a card's final state (or a state that asks for action), an intermediate update. */
export type SendPriority = 'post' | 'final' | 'update';

const RANK: Record<SendPriority, number> = { post: 0, final: 1, update: 2 };

/** Windows at least this long keep a reserve for new cards (shorter ones refill within seconds). */
export const LONG_WINDOW_MS = 60_000;

/** The part of a long window each priority may fill. */
export const LONG_WINDOW_SHARE: Record<SendPriority, number> = { post: 1, final: 0.8, update: 0.5 };

/** Per bot, per thread (a channel), from Teams' rate-limit page. */
export const TEAMS_THREAD_WINDOWS: readonly RateWindow[] = [
  { ms: 1_000, max: 7 },
  { ms: 2_000, max: 8 },
  { ms: 30_000, max: 60 },
  { ms: 3_600_000, max: 1_800 },
];

/** Per app per tenant Teams allows about 50 requests a second; the service keeps well under it. */
export const TEAMS_APP_WINDOWS: readonly RateWindow[] = [{ ms: 1_000, max: 40 }];

/** Several instances share one bot's budget: each keeps to its share (TEAMS_INSTANCES). */
export function shareOf(windows: readonly RateWindow[], instances: number): RateWindow[] {
  return windows.map((w) => ({ ...w, max: Math.max(1, Math.floor(w.max / Math.max(1, instances))) }));
}

const JITTER_MARGIN_MS = 100;

/**
 * Teams' windows on a faster clock, margin included, for rehearsals against a stand-in that keeps Teams' limits
 * on the same clock (a benchmark that plays an hour of Teams in minutes).
 */
export function scaleWindows(windows: readonly RateWindow[], factor: number): RateWindow[] {
  return windows.map((w) => ({
    ...w,
    ms: w.ms * factor,
    marginMs: (w.marginMs ?? JITTER_MARGIN_MS) * factor,
  }));
}

const spanOf = (window: RateWindow) => window.ms + (window.marginMs ?? JITTER_MARGIN_MS);

/** How many sends of this priority a window lets in (sends of every priority counted). */
export function roomFor(window: RateWindow, priority: SendPriority): number {
  if (window.ms < LONG_WINDOW_MS) return window.max;
  return Math.max(1, Math.floor(window.max * LONG_WINDOW_SHARE[priority]));
}

/**
 * Pure: how long until one more send of this priority fits in every window, given the times (ascending) of
 * earlier sends.
 */
export function waitForRoom(
  sentAt: readonly number[],
  windows: readonly RateWindow[],
  now: number,
  priority: SendPriority = 'post',
): number {
  let wait = 0;
  for (const window of windows) {
    const span = spanOf(window);
    const max = roomFor(window, priority);
    const inWindow = sentAt.filter((t) => t > now - span);
    if (inWindow.length >= max) {
      const oldestThatMustLeave = inWindow[inWindow.length - max] ?? now;
      wait = Math.max(wait, oldestThatMustLeave + span - now);
    }
  }
  return wait;
}

/** A send's priority, or how to read it when a slot comes free (a waiting update can become a final state). */
export type PriorityOf = SendPriority | (() => SendPriority);

/** However far the next room is, waiters are looked at again this often: their priorities may have changed. */
const RECHECK_MS = 1_000;

interface Waiter {
  priority: PriorityOf;
  seq: number;
  grant(settle: () => void): void;
}

export class SendBudget {
  /** When each counted send went out, re-stamped when its answer came (Teams counts what it received). */
  private sentAt: { at: number }[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly longestMs: number;

  constructor(private readonly windows: readonly RateWindow[]) {
    this.longestMs = Math.max(...windows.map(spanOf));
  }

  /**
   * Resolves when a send may go out; the send is counted from then, and again from when `settle` is called with
   * its answer: Teams counts a send when it receives it, which may be later than it left (a first connection,
   * a slow render), so the window runs from the answer and cannot be shortened by a late arrival.
   */
  acquire(priority: PriorityOf): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiters.push({ priority, seq: this.seq++, grant: resolve });
      this.pump();
    });
  }

  /** Sends made in the last window of each size, for the figures a benchmark prints. */
  recent(now = Date.now()): number[] {
    return this.windows.map((w) => this.sentAt.filter((s) => s.at > now - w.ms).length);
  }

  /** Grants every waiter that fits now, best first; sets a timer for the rest. */
  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (;;) {
      if (this.waiters.length === 0) return;
      const now = Date.now();
      this.sentAt = this.sentAt.filter((s) => s.at > now - this.longestMs);
      const ranked = this.waiters
        .map((waiter) => ({ waiter, priority: priorityNow(waiter.priority) }))
        .sort((a, b) => RANK[a.priority] - RANK[b.priority] || a.waiter.seq - b.waiter.seq);
      const best = ranked[0];
      if (!best) return;
      // The best waiter has the most room: when it does not fit, nobody does.
      const wait = waitForRoom(
        this.sentAt.map((s) => s.at).sort((a, b) => a - b),
        this.windows,
        now,
        best.priority,
      );
      if (wait > 0) {
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.pump();
          },
          Math.min(wait, RECHECK_MS) + 1,
        );
        return;
      }
      this.waiters.splice(this.waiters.indexOf(best.waiter), 1);
      const entry = { at: now };
      this.sentAt.push(entry);
      best.waiter.grant(() => {
        entry.at = Math.max(entry.at, Date.now());
        this.pump();
      });
    }
  }
}

const priorityNow = (priority: PriorityOf): SendPriority =>
  typeof priority === 'function' ? priority() : priority;
