/** The client's own budget under Intune's limits: reads and writes in lanes of their own. */
import { describe, expect, it } from 'vitest';
import { RequestBudget } from '../../../services/graph/request-budget.js';

const read = { requests: 1, writes: 0 };
const write = { requests: 1, writes: 1 };

describe('RequestBudget', () => {
  it('lets reads go while writes wait for the write budget', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 100, writesPerWindow: 1, windowMs: 300 });
    const order: string[] = [];
    (await budget.acquire(write))();
    const waiting = [
      budget.acquire(write).then((settle) => (order.push('second write'), settle())),
      budget.acquire(read).then((settle) => (order.push('read'), settle())),
    ];
    await Promise.all(waiting);
    expect(order).toEqual(['read', 'second write']);
  });

  it('keeps the requests a waiting write needs from the reads that come after it', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 3, writesPerWindow: 1, windowMs: 300 });
    (await budget.acquire(write))();
    // The next write waits for the write budget; meanwhile reads may take only what it will not need.
    let wrote = false;
    const second = budget.acquire(write).then((settle) => ((wrote = true), settle()));
    let reads = 0;
    const readers = Array.from({ length: 4 }, () =>
      budget.acquire(read).then((settle) => (reads++, settle())),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([reads, wrote]).toEqual([1, false]);
    await Promise.all([second, ...readers]);
    expect(reads).toBe(4);
  });

  it('sends one write at a time: the next waits for the answer to the one before', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 100, writesPerWindow: 100, windowMs: 1_000 });
    const settleFirst = await budget.acquire(write);
    let second = false;
    const next = budget.acquire(write).then((settle) => ((second = true), settle()));
    // Reads are not held by a write under way.
    (await budget.acquire(read))();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(second).toBe(false);
    settleFirst();
    await next;
    expect(second).toBe(true);
  });
});
