/**
 * A client-side budget under Intune's limits, so the service slows itself down instead of collecting 429s:
 * a sliding window of requests and of writes. After a 429 every caller also waits out the Retry-After.
 */
export interface RequestCost {
  requests: number;
  writes: number;
  /** An import action: one write carrying hundreds of devices, long in answering (see RequestBudget's lanes). */
  upload?: boolean;
}

export interface BudgetLimits {
  requestsPerWindow: number;
  writesPerWindow: number;
  windowMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ends a reservation: the request's answer arrived at `answeredAt` (ms; default now). */
export type Settle = (answeredAt?: number) => void;

/** Reads, writes and uploads wait in lanes of their own: see RequestBudget. */
type Lane = 'reads' | 'writes' | 'uploads';
type WriteLane = Exclude<Lane, 'reads'>;

export class RequestBudget {
  private readonly requestTimes: number[] = [];
  private readonly writeTimes: number[] = [];
  private pausedUntil = 0;
  /**
   * Callers wait in turn within their lane, so a large batch cannot be starved by a stream of small requests.
   * Reads and writes have lanes of their own: a read needs nothing of the write budget, and behind thousands of
   * deletes that wait for it (a bulk's clean-up) the reads that move every device on would wait too. Import
   * actions have a lane of their own: an upload of 500 devices (2 MB) takes a tenth of a second or more to be
   * answered, and the clean-ups of devices already imported, which the write budget paces, would wait behind each.
   */
  private readonly lanes: Record<Lane, Promise<void>> = {
    reads: Promise.resolve(),
    writes: Promise.resolve(),
    uploads: Promise.resolve(),
  };
  /** The requests the request at the head of each write lane needs: reads leave them free (no starving). */
  private readonly heldFor: Record<WriteLane, number> = { writes: 0, uploads: 0 };

  constructor(private readonly limits: BudgetLimits) {}

  /**
   * Waits until the cost fits, and reserves it. Call the returned `settle` once done with the response, giving
   * when its status line arrived (default: now): the reservation then counts from that moment, because the server
   * counted the request on arrival, which the client cannot see, but which came before the server answered;
   * counting from the send would let the next window open early at the edges. A write's lane opens for the next
   * write at the call (after any pause the answer asked for is in place).
   */
  acquire(cost: RequestCost): Promise<Settle> {
    const lane: Lane = cost.writes === 0 ? 'reads' : cost.upload ? 'uploads' : 'writes';
    const turn = this.lanes[lane].then(() => this.waitFor(cost, lane));
    if (lane === 'reads') {
      this.lanes.reads = turn.then(
        () => undefined,
        () => undefined,
      );
      return turn;
    }
    // One write at a time in each write lane: the next waits for this one's answer, so that a 429 (or a throttled
    // $batch part) pauses every write after the request that met it, not after several sent side by side. At
    // Intune's 100 writes per 20 s, in $batch requests of 20, that is five requests per 20 s, each answered well
    // within it.
    let answered = () => {};
    const answer = new Promise<void>((resolve) => (answered = resolve));
    this.lanes[lane] = turn.then(
      () => answer,
      () => undefined,
    );
    return turn.then((settle) => (answeredAt?: number) => {
      settle(answeredAt);
      answered();
    });
  }

  /** Graph said 429: nobody sends before `until`. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  private async waitFor(cost: RequestCost, lane: Lane): Promise<Settle> {
    const requests = Math.min(cost.requests, this.limits.requestsPerWindow);
    const writes = Math.min(cost.writes, this.limits.writesPerWindow);
    if (lane !== 'reads') this.heldFor[lane] = requests;
    try {
      for (;;) {
        const now = Date.now();
        const requestLimit =
          lane === 'reads'
            ? Math.max(requests, this.limits.requestsPerWindow - this.heldFor.writes - this.heldFor.uploads)
            : this.limits.requestsPerWindow;
        const wait = Math.max(
          this.pausedUntil - now,
          this.waitTime(this.requestTimes, requests, requestLimit, now),
          this.waitTime(this.writeTimes, writes, this.limits.writesPerWindow, now),
        );
        if (wait <= 0) break;
        await sleep(wait);
      }
    } finally {
      if (lane !== 'reads') this.heldFor[lane] = 0;
    }
    const sent = Date.now();
    for (let i = 0; i < requests; i++) this.requestTimes.push(sent);
    for (let i = 0; i < writes; i++) this.writeTimes.push(sent);
    return (answeredAt = Date.now()) => {
      const done = Math.max(sent, answeredAt);
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
  if (moved === 0) return;
  // Requests sent after this one may be stamped later than its answer: insert after them, not at the end.
  let at = times.length;
  while (at > 0 && (times[at - 1] ?? 0) > to) at--;
  times.splice(at, 0, ...Array.from({ length: moved }, () => to));
}
