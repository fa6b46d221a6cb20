/**
 * Teams' rate limits for a bot are kept per thread, and a channel is one thread: every card and post in the
 * helpdesk channel shares one budget of 7 sends per second, 8 per 2 s, 60 per 30 s and 1,800 per hour (sends,
 * updates and conversation creations together), and the app has about 50 requests per second per tenant in all
 * (Teams' rate-limit page). A SendBudget keeps to a set of such windows, each a little longer than Teams' own so
 * that network jitter cannot make Teams count one send too many, and hands free slots to waiting senders in
 * order of priority: a new approval card or a final state before an intermediate step update (which, waiting,
 * is merged into a newer one).
 */

export interface RateWindow {
  ms: number;
  max: number;
  /** Added to the window against network jitter; 100 ms unless scaled. */
  marginMs?: number;
}

export type SendPriority = 'first' | 'later';

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

/** Pure: how long until one more send fits in every window, given the times of earlier sends. */
export function waitForRoom(sentAt: readonly number[], windows: readonly RateWindow[], now: number): number {
  let wait = 0;
  for (const window of windows) {
    const span = spanOf(window);
    const inWindow = sentAt.filter((t) => t > now - span);
    if (inWindow.length >= window.max) {
      const oldestThatMustLeave = inWindow[inWindow.length - window.max] ?? now;
      wait = Math.max(wait, oldestThatMustLeave + span - now);
    }
  }
  return wait;
}

interface Waiter {
  priority: SendPriority;
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
  acquire(priority: SendPriority): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiters.push({ priority, seq: this.seq++, grant: resolve });
      this.pump();
    });
  }

  /** Sends made in the last window of each size, for the figures a benchmark prints. */
  recent(now = Date.now()): number[] {
    return this.windows.map((w) => this.sentAt.filter((s) => s.at > now - w.ms).length);
  }

  private pump(): void {
    if (this.timer) return;
    for (;;) {
      if (this.waiters.length === 0) return;
      const now = Date.now();
      this.sentAt = this.sentAt.filter((s) => s.at > now - this.longestMs);
      const wait = waitForRoom(
        this.sentAt.map((s) => s.at).sort((a, b) => a - b),
        this.windows,
        now,
      );
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait + 1);
        return;
      }
      this.waiters.sort((a, b) =>
        a.priority === b.priority ? a.seq - b.seq : a.priority === 'first' ? -1 : 1,
      );
      const next = this.waiters.shift();
      const entry = { at: now };
      this.sentAt.push(entry);
      next?.grant(() => {
        entry.at = Math.max(entry.at, Date.now());
        this.pump();
      });
    }
  }
}
