/**
 * Who may approve: members (transitively) of the configured Entra groups, asked of Graph with checkMemberGroups
 * and cached for a short while, or a fixed list of object ids (the demo). Concurrent questions about the same
 * person share one Graph call.
 */
import type { AutopilotGraph } from '../graph/autopilot-graph.js';

export interface ApproverDirectory {
  isApprover(userObjectId: string): Promise<boolean>;
}

export class StaticApproverDirectory implements ApproverDirectory {
  private readonly ids: Set<string>;
  constructor(ids: readonly string[]) {
    this.ids = new Set(ids.map((id) => id.toLowerCase()));
  }
  isApprover(userObjectId: string): Promise<boolean> {
    return Promise.resolve(this.ids.has(userObjectId.toLowerCase()));
  }
}

const MAX_CACHED = 5_000;

export class GraphApproverDirectory implements ApproverDirectory {
  private readonly cache = new Map<string, { answer: Promise<boolean>; expiresAt: number }>();

  constructor(
    private readonly graph: Pick<AutopilotGraph, 'checkMemberGroups'>,
    private readonly groupIds: readonly string[],
    private readonly ttlMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  isApprover(userObjectId: string): Promise<boolean> {
    if (this.groupIds.length === 0 || !userObjectId) return Promise.resolve(false);
    const key = userObjectId.toLowerCase();
    const now = this.clock();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > now) return cached.answer;
    const answer = this.graph
      .checkMemberGroups(userObjectId, this.groupIds)
      .then((matches) => matches.length > 0);
    if (this.cache.size >= MAX_CACHED) this.forgetExpired(now);
    this.cache.set(key, { answer, expiresAt: now + this.ttlMs });
    // A failed lookup is not remembered: the next click asks again.
    answer.catch(() => this.cache.delete(key));
    return answer;
  }

  /** Bounded: expired answers go, and if every answer is fresh (a flood of new people), the oldest half. */
  private forgetExpired(now: number): void {
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
    if (this.cache.size < MAX_CACHED) return;
    let drop = Math.floor(this.cache.size / 2);
    for (const key of this.cache.keys()) {
      if (drop-- <= 0) break;
      this.cache.delete(key);
    }
  }
}

/** Approvers from any of the given directories (configured ids first: no Graph call for them). */
export function anyOf(...directories: ApproverDirectory[]): ApproverDirectory {
  return {
    async isApprover(userObjectId) {
      for (const directory of directories) if (await directory.isApprover(userObjectId)) return true;
      return false;
    },
  };
}
