/**
 * Intune's limits per app per tenant, as a sliding window over the last 20 s (scaled): writes and all
 * requests counted separately (Graph's "Microsoft Graph service-specific throttling limits", Intune service limits:
 * 100 POST/PUT/PATCH/DELETE and 1,000 requests per 20 s per app per tenant; 200 and 2,000 for all apps of a tenant,
 * which one app alone cannot reach past its own limits, so only the per-app limits are modelled). A request over either limit is refused with the time until a slot frees up.
 */
export class SlidingWindowThrottle {
  private readonly writes = new Map<string, number[]>();
  private readonly all = new Map<string, number[]>();

  constructor(
    private readonly limits: { writesPer20s: number; requestsPer20s: number },
    private readonly windowMs: number,
  ) {}

  /** Counts the request if allowed; otherwise returns the seconds to wait (fractional). */
  admit(
    key: string,
    isWrite: boolean,
    now: number,
  ): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const all = this.prune(this.all, key, now);
    const writes = this.prune(this.writes, key, now);
    const waits: number[] = [];
    if (all.length >= this.limits.requestsPer20s) waits.push((all[0] ?? now) + this.windowMs - now);
    if (isWrite && writes.length >= this.limits.writesPer20s)
      waits.push((writes[0] ?? now) + this.windowMs - now);
    if (waits.length)
      return { allowed: false, retryAfterSeconds: Math.max(0.001, Math.max(...waits) / 1000) };
    all.push(now);
    if (isWrite) writes.push(now);
    return { allowed: true };
  }

  private prune(map: Map<string, number[]>, key: string, now: number): number[] {
    const list = (map.get(key) ?? []).filter((t) => t > now - this.windowMs);
    map.set(key, list);
    return list;
  }
}
