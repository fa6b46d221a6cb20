import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CardQueue,
  TEAMS_THREAD_LIMITS,
  type CardContent,
  type CardRenderer,
  type CardSender,
} from '../../bot/card-queue.js';
import { TurnsInFlight } from '../../bot/turns-in-flight.js';
import { AppError } from '../../services/errors.js';
import type { ImportJob } from '../../services/domain/job.js';
import type { CardAddress } from '../../services/store/job-store.js';
import { SqliteJobStore } from '../../services/store/sqlite/sqlite-job-store.js';
import { silentLogger } from '../support/graph.js';
import { submittedJob } from '../support/jobs.js';

/** Draws a job's card as the two facts the fake Teams checks. */
const renderer: CardRenderer = {
  keyOf: (job) => job.id,
  render: (job) =>
    Promise.resolve({ content: { jobId: job.id, updatedAt: job.updatedAt }, version: job.updatedAt }),
};

interface FakeCard extends CardContent {
  jobId: string;
  updatedAt: string;
}

class FakeTeams implements CardSender {
  bound = true;
  readonly sends: { at: number; kind: 'post' | 'update'; updatedAt: string }[] = [];
  failures: AppError[] = [];
  latencyMs = 0;

  async post(card: CardContent): Promise<CardAddress | undefined> {
    const job = card as FakeCard;
    if (!this.bound) return undefined;
    await this.answer();
    this.sends.push({ at: Date.now(), kind: 'post', updatedAt: job.updatedAt });
    return {
      activityId: `activity-${job.jobId}`,
      conversationReference: { conversation: { id: `thread-${job.jobId}` } },
    };
  }

  async update(address: CardAddress, card: CardContent): Promise<void> {
    const job = card as FakeCard;
    expect(address.activityId).toBe(`activity-${job.jobId}`);
    await this.answer();
    this.sends.push({ at: Date.now(), kind: 'update', updatedAt: job.updatedAt });
  }

  private async answer(): Promise<void> {
    await new Promise((r) => setTimeout(r, this.latencyMs));
    const failure = this.failures.shift();
    if (failure) throw failure;
  }
}

let dir: string;
let store: SqliteJobStore;
let teams: FakeTeams;
let queue: CardQueue;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aa-cards-'));
  store = new SqliteJobStore(join(dir, 'jobs.db'));
  teams = new FakeTeams();
  queue = new CardQueue(store, renderer, teams, silentLogger, { ...TEAMS_THREAD_LIMITS, baseDelayMs: 20 });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Snapshots of one job, one second apart in updatedAt. */
function snapshots(count: number): ImportJob[] {
  const job = submittedJob();
  return Array.from({ length: count }, (_, i) => ({
    ...job,
    updatedAt: new Date(Date.parse(job.createdAt) + i * 1000).toISOString(),
  }));
}

describe('CardQueue', () => {
  it('waits for the turns being answered before it sends, and for yieldMs at most', async () => {
    const turns = new TurnsInFlight();
    queue = new CardQueue(store, renderer, teams, silentLogger, {
      ...TEAMS_THREAD_LIMITS,
      settleMs: 10,
      yieldTo: turns,
      yieldMs: 300,
    });
    const [first, second] = snapshots(2);
    const ended = turns.begin();
    const began = Date.now();
    queue.jobChanged(first!);
    await new Promise((r) => setTimeout(r, 100));
    expect(teams.sends).toEqual([]);
    ended();
    await queue.idle();
    expect(teams.sends.map((s) => s.kind)).toEqual(['post']);
    expect(teams.sends[0]!.at - began).toBeGreaterThanOrEqual(100);
    // A turn that never ends holds a card back for yieldMs, no longer.
    turns.begin();
    const again = Date.now();
    queue.jobChanged(second!);
    await queue.idle();
    expect(teams.sends.map((s) => s.kind)).toEqual(['post', 'update']);
    expect(teams.sends[1]!.at - again).toBeGreaterThanOrEqual(300);
  });

  it('posts the first card, then updates it in place, and records what it shows', async () => {
    const [first, second] = snapshots(2);
    queue.jobChanged(first!);
    await queue.idle();
    queue.jobChanged(second!);
    await queue.idle();
    expect(teams.sends.map((s) => s.kind)).toEqual(['post', 'update']);
    expect((await store.getCardAddress(first!.id))?.shows).toBe(second!.updatedAt);
  });

  it('merges a burst into the newest state and keeps to 7 per second and 8 per 2 seconds', async () => {
    teams.latencyMs = 5;
    const burst = snapshots(60);
    for (const snapshot of burst) {
      queue.jobChanged(snapshot);
      await new Promise((r) => setTimeout(r, 15));
    }
    await queue.idle();
    expect(teams.sends.length).toBeLessThan(burst.length);
    expect(teams.sends.at(-1)?.updatedAt).toBe(burst.at(-1)?.updatedAt);
    for (const send of teams.sends) {
      expect(teams.sends.filter((s) => s.at > send.at - 1000 && s.at <= send.at).length).toBeLessThanOrEqual(
        7,
      );
      expect(teams.sends.filter((s) => s.at > send.at - 2000 && s.at <= send.at).length).toBeLessThanOrEqual(
        8,
      );
    }
  });

  it('keeps every card of the channel together to 7 sends per second and 8 per 2 seconds', async () => {
    teams.latencyMs = 2;
    const jobs = Array.from({ length: 24 }, () => submittedJob());
    for (const job of jobs) queue.jobChanged(job);
    await queue.idle();
    expect(teams.sends.filter((s) => s.kind === 'post')).toHaveLength(24);
    for (const send of teams.sends) {
      expect(teams.sends.filter((s) => s.at > send.at - 1000 && s.at <= send.at).length).toBeLessThanOrEqual(
        7,
      );
      expect(teams.sends.filter((s) => s.at > send.at - 2000 && s.at <= send.at).length).toBeLessThanOrEqual(
        8,
      );
    }
  });

  it('gives up at once on what no retry can mend, and says once that the app is not installed', async () => {
    const logged: string[] = [];
    const logger = {
      ...silentLogger,
      error: (_o: unknown, msg: string) => logged.push(msg),
    } as unknown as typeof silentLogger;
    queue = new CardQueue(store, renderer, teams, logger, { ...TEAMS_THREAD_LIMITS, baseDelayMs: 20 });
    const refused = (code: string) =>
      new AppError(code, `Teams answered ${code.slice(6)}: BotNotInConversationRoster`, { retryable: false });
    teams.failures = [
      refused('teams_403'),
      refused('teams_403'),
      new AppError('teams_413', 'Teams answered 413: MessageSizeTooBig', { retryable: false }),
    ];
    const [a, b, c] = [submittedJob(), submittedJob(), submittedJob()];
    for (const job of [a, b, c]) {
      queue.jobChanged(job);
      await queue.idle();
    }
    expect(teams.sends).toEqual([]);
    expect(teams.failures).toEqual([]);
    expect(logged.filter((m) => m.startsWith('Teams refuses the bot in the helpdesk channel'))).toHaveLength(
      1,
    );
    expect(logged).toContain('card update refused by Teams; not retried');
  });

  it('ignores a snapshot older than one it already has', async () => {
    const [older, newer] = snapshots(2);
    teams.latencyMs = 20;
    queue.jobChanged(newer!);
    queue.jobChanged(older!);
    await queue.idle();
    expect(teams.sends.map((s) => s.updatedAt)).toEqual([newer!.updatedAt]);
  });

  it('waits out a 429 Retry-After, retries other failures with backoff, and still delivers the final state', async () => {
    const [first, second] = snapshots(2);
    queue.jobChanged(first!);
    await queue.idle();
    teams.failures = [
      new AppError('teams_throttled', '429', { retryable: true, retryAfterMs: 300 }),
      new AppError('teams_unavailable', '503', { retryable: true }),
    ];
    const started = Date.now();
    queue.jobChanged(second!);
    await queue.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(teams.sends.at(-1)).toMatchObject({ kind: 'update', updatedAt: second!.updatedAt });
  });

  it('holds cards while no channel is bound, and posts the newest state once one is', async () => {
    teams.bound = false;
    const [first, second] = snapshots(2);
    queue.jobChanged(first!);
    queue.jobChanged(second!);
    await queue.idle();
    expect(teams.sends).toEqual([]);
    // What waits for a channel is the card's data, never the hash.
    const held = [...(queue as unknown as { newest: Map<string, ImportJob> }).newest.values()];
    expect(held.map((j) => j.hardwareHash)).toEqual([null]);
    expect(second!.hardwareHash).not.toBeNull();
    teams.bound = true;
    queue.flushUnbound();
    await queue.idle();
    expect(teams.sends.map((s) => [s.kind, s.updatedAt])).toEqual([['post', second!.updatedAt]]);
  });

  it('reposts cards as new threads for a channel that forgot them, once per card however often asked', async () => {
    const [job] = snapshots(1);
    queue.jobChanged(job!);
    await queue.idle();
    queue.repost([job!, job!]);
    await queue.idle();
    queue.jobChanged({ ...job!, updatedAt: new Date(Date.parse(job!.updatedAt) + 5000).toISOString() });
    await queue.idle();
    expect(teams.sends.map((s) => s.kind)).toEqual(['post', 'post', 'update']);
  });

  it('never moves a card back to a snapshot read before a newer one was delivered', async () => {
    const [older, newer] = snapshots(2);
    queue.jobChanged(older!);
    await queue.idle();
    queue.jobChanged(newer!);
    await queue.idle();
    // A reconcile whose listing was read before the worker's newest change went out: the card stays as it is.
    queue.jobChanged(older!);
    await queue.idle();
    expect(teams.sends.map((s) => s.updatedAt)).toEqual([older!.updatedAt, newer!.updatedAt]);
    expect((await store.getCardAddress(older!.id))?.shows).toBe(newer!.updatedAt);
  });

  it("after a restart, resends only the cards that do not show their job's latest state", async () => {
    const [shown, stale] = [submittedJob(), submittedJob()];
    await store.saveCardAddress(shown.id, {
      activityId: `activity-${shown.id}`,
      conversationReference: {},
      shows: shown.updatedAt,
    });
    await store.saveCardAddress(stale.id, {
      activityId: `activity-${stale.id}`,
      conversationReference: {},
      shows: '2000-01-01T00:00:00.000Z',
    });
    await queue.reconcile([shown, stale]);
    await queue.idle();
    expect(teams.sends.map((s) => [s.kind, s.updatedAt])).toEqual([['update', stale.updatedAt]]);
  });
});
