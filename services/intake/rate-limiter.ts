/** Token buckets per key and per source address: `perMinute` requests, refilled continuously. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Takes one token for each of `keys`; if any bucket is empty, takes none and says how long to wait. */
  take(keys: readonly string[]): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.clock();
    const perMs = this.perMinute / 60_000;
    const buckets = keys.map((key) => {
      const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
      return { key, tokens: Math.min(this.perMinute, b.tokens + (now - b.at) * perMs) };
    });
    const empty = buckets.filter((b) => b.tokens < 1);
    if (empty.length) {
      return { ok: false, retryAfterMs: Math.ceil(Math.max(...empty.map((b) => (1 - b.tokens) / perMs))) };
    }
    for (const b of buckets) this.buckets.set(b.key, { tokens: b.tokens - 1, at: now });
    if (this.buckets.size > 50_000) this.prune(now);
    return { ok: true };
  }

  /** Full buckets carry no information: forget them. */
  private prune(now: number): void {
    for (const [key, b] of this.buckets)
      if (b.tokens + (now - b.at) * (this.perMinute / 60_000) >= this.perMinute) this.buckets.delete(key);
  }
}
