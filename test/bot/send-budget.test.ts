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

  it('gives each of several instances its share of the limits', () => {
    expect(shareOf(TEAMS_THREAD_WINDOWS, 2).map((w) => w.max)).toEqual([3, 4, 30, 900]);
    expect(shareOf(TEAMS_THREAD_WINDOWS, 50).map((w) => w.max)).toEqual([1, 1, 1, 36]);
  });
});

describe('SendBudget', () => {
  it('serves a new card or a final state before step updates that wait for the same slots', async () => {
    const budget = new SendBudget([{ ms: 200, max: 1 }]);
    const order: string[] = [];
    await budget.acquire('later');
    const waiting = [
      budget.acquire('later').then(() => order.push('step update 1')),
      budget.acquire('later').then(() => order.push('step update 2')),
      budget.acquire('first').then(() => order.push('new card')),
    ];
    await Promise.all(waiting);
    expect(order).toEqual(['new card', 'step update 1', 'step update 2']);
  });
});
