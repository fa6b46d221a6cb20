import { describe, expect, it } from 'vitest';
import { SendBudget, shareOf, TEAMS_THREAD_WINDOWS, waitForRoom } from '../../bot/send-budget.js';

describe('waitForRoom', () => {
  it("waits for the oldest send that must leave each of Teams' windows, with a margin", () => {
    const now = 100_000;
    const sevenThisSecond = Array.from({ length: 7 }, (_, i) => now - 900 + i * 10);
    expect(waitForRoom(sevenThisSecond, TEAMS_THREAD_WINDOWS, now)).toBe(now - 900 + 1_100 - now);
    const sixtyIn30s = Array.from({ length: 60 }, (_, i) => now - 29_000 + i * 400);
    expect(waitForRoom(sixtyIn30s, TEAMS_THREAD_WINDOWS, now)).toBe(now - 29_000 + 30_100 - now);
    expect(waitForRoom([now - 5_000], TEAMS_THREAD_WINDOWS, now)).toBe(0);
  });

  it('lets updates fill half of the hour and final states 80 %, new cards all of it', () => {
    const now = 10_000_000;
    const hour = Array.from({ length: 900 }, (_, i) => now - 3_000_000 + i * 1_000);
    expect(waitForRoom(hour, TEAMS_THREAD_WINDOWS, now, 'update')).toBe(now - 3_000_000 + 3_600_100 - now);
    expect(waitForRoom(hour, TEAMS_THREAD_WINDOWS, now, 'final')).toBe(0);
    expect(waitForRoom(hour, TEAMS_THREAD_WINDOWS, now, 'post')).toBe(0);
    const fuller = Array.from({ length: 1_440 }, (_, i) => now - 3_000_000 + i * 1_000);
    expect(waitForRoom(fuller, TEAMS_THREAD_WINDOWS, now, 'final')).toBeGreaterThan(0);
    expect(waitForRoom(fuller, TEAMS_THREAD_WINDOWS, now, 'post')).toBe(0);
  });

  it('gives each of several instances its share of the limits', () => {
    expect(shareOf(TEAMS_THREAD_WINDOWS, 2).map((w) => w.max)).toEqual([3, 4, 30, 900]);
    expect(shareOf(TEAMS_THREAD_WINDOWS, 50).map((w) => w.max)).toEqual([1, 1, 1, 36]);
  });
});

describe('SendBudget', () => {
  it('serves a new card, then a final state, before step updates that wait for the same slots', async () => {
    const budget = new SendBudget([{ ms: 200, max: 1 }]);
    const order: string[] = [];
    await budget.acquire('update');
    let becameFinal = false;
    const waiting = [
      budget.acquire('update').then(() => order.push('step update 1')),
      budget.acquire('update').then(() => order.push('step update 2')),
      budget.acquire(() => (becameFinal ? 'final' : 'update')).then(() => order.push('update, now final')),
      budget.acquire('final').then(() => order.push('final state')),
      budget.acquire('post').then(() => order.push('new card')),
    ];
    becameFinal = true;
    await Promise.all(waiting);
    // Within one priority, the earlier asker goes first.
    expect(order).toEqual(['new card', 'update, now final', 'final state', 'step update 1', 'step update 2']);
  });

  it('keeps part of a long window for new cards, however early the updates came', async () => {
    // A 1-minute window of 10 on a budget: updates may fill 5 of it and finals 8, new cards all 10.
    const budget = new SendBudget([{ ms: 60_000, max: 10, marginMs: 0 }]);
    const granted: string[] = [];
    const ask = (priority: 'post' | 'final' | 'update') =>
      void budget.acquire(priority).then((settle) => {
        granted.push(priority);
        settle();
      });
    for (let i = 0; i < 8; i++) ask('update');
    for (let i = 0; i < 5; i++) ask('final');
    for (let i = 0; i < 4; i++) ask('post');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(granted.filter((p) => p === 'update')).toHaveLength(5);
    expect(granted.filter((p) => p === 'final')).toHaveLength(3);
    // The posts came last, and still two of them fit: the window's last two sends are theirs alone.
    expect(granted.filter((p) => p === 'post')).toHaveLength(2);
    expect(granted).toHaveLength(10);
  });
});
