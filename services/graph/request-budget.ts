/**
 * A client-side budget under Intune's limits, so the service slows itself down instead of collecting 429s:
 * a sliding window of requests and of writes. After a 429 every caller also waits out the Retry-After.
 */
export interface RequestCost {
  requests: number;
  writes: number;
}

export interface BudgetLimits {
  requestsPerWindow: number;
  writesPerWindow: number;
  windowMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RequestBudget {
  private readonly requestTimes: number[] = [];
  private readonly writeTimes: number[] = [];
  private pausedUntil = 0;
  /** Callers wait in turn, so a large batch cannot be starved by a stream of small requests. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly limits: BudgetLimits) {}

  /**
   * Waits until the cost fits, and reserves it. Call the returned `settle` when the response has arrived: the
   * reservation then counts from that moment, because the server counted the request on arrival, not when we
   * sent it; counting from the send would let the next window open early at the edges.
   */
  acquire(cost: RequestCost): Promise<() => void> {
    const turn = this.queue.then(() => this.waitFor(cost));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Graph said 429: nobody sends before `until`. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  private async waitFor(cost: RequestCost): Promise<() => void> {
    const requests = Math.min(cost.requests, this.limits.requestsPerWindow);
    const writes = Math.min(cost.writes, this.limits.writesPerWindow);
    for (;;) {
      const now = Date.now();
      const wait = Math.max(
        this.pausedUntil - now,
        this.waitTime(this.requestTimes, requests, this.limits.requestsPerWindow, now),
        this.waitTime(this.writeTimes, writes, this.limits.writesPerWindow, now),
      );
      if (wait <= 0) break;
      await sleep(wait);
    }
    const sent = Date.now();
    for (let i = 0; i < requests; i++) this.requestTimes.push(sent);
    for (let i = 0; i < writes; i++) this.writeTimes.push(sent);
    return () => {
      const done = Date.now();
      restamp(this.requestTimes, sent, requests, done);
      restamp(this.writeTimes, sent, writes, done);
    };
  }

  /** How long until `count` more fit in the window (0 if they fit now). Drops times that left the window. */
  private waitTime(times: number[], count: number, limit: number, now: number): number {
    while (times.length && (times[0] ?? 0) <= now - this.limits.windowMs) times.shift();
    if (count === 0 || times.length + count <= limit) return 0;
    const freeing = times[times.length + count - limit - 1] ?? now;
    return freeing + this.limits.windowMs - now + 1;
  }
}

/** Moves `count` entries stamped `from` to `to` (later), keeping the list sorted. */
function restamp(times: number[], from: number, count: number, to: number): void {
  let moved = 0;
  for (let i = times.length - 1; i >= 0 && moved < count; i--) {
    if (times[i] === from) {
      times.splice(i, 1);
      moved++;
    }
  }
  for (let i = 0; i < moved; i++) times.push(to);
}
