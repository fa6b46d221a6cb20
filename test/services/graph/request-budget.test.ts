/** The client's own budget under Intune's limits: reads and writes in lanes of their own. */
import { describe, expect, it } from 'vitest';
import { RequestBudget, type RequestCost } from '../../../services/graph/request-budget.js';

const read = { requests: 1, writes: 0 };
const write = { requests: 1, writes: 1 };
const upload = { requests: 1, writes: 1, upload: true };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ms from asking for `cost` until the budget let it go (settled at once). */
async function waitFor(budget: RequestBudget, cost: RequestCost): Promise<number> {
  const asked = Date.now();
  (await budget.acquire(cost))();
  return Date.now() - asked;
}

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

  it('keeps an upload in a lane of its own: a clean-up does not wait for its answer', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 100, writesPerWindow: 2, windowMs: 300 });
    const settleUpload = await budget.acquire(upload);
    // The upload is still unanswered: a delete goes at once, beside it.
    (await budget.acquire(write))();
    // The next upload waits for the one before it.
    let second = false;
    const next = budget.acquire(upload).then((settle) => ((second = true), settle()));
    await sleep(50);
    expect(second).toBe(false);
    settleUpload();
    await next;
    expect(second).toBe(true);
  });

  it('counts uploads and other writes against the one write budget', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 100, writesPerWindow: 1, windowMs: 300 });
    const settled = Date.now();
    (await budget.acquire(upload))();
    // The upload took the window's only write: a delete waits for it to leave the window.
    expect(await waitFor(budget, write)).toBeGreaterThanOrEqual(250);
    expect(Date.now() - settled).toBeGreaterThanOrEqual(300);
  });

  it('counts a request from when its answer arrived, not from when the caller was done reading it', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 100, writesPerWindow: 1, windowMs: 400 });
    const settle = await budget.acquire(write);
    const answeredAt = Date.now();
    await sleep(300);
    const settledAt = Date.now();
    settle(answeredAt);
    (await budget.acquire(write))();
    // The window reopened 400 ms after the answer arrived, well before 400 ms after the settle.
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(400);
    expect(Date.now() - settledAt).toBeLessThan(350);
  });

  it('keeps the window in time order when an answer is stamped before requests sent meanwhile', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 2, writesPerWindow: 2, windowMs: 400 });
    const settleFirst = await budget.acquire(write);
    const answeredAt = Date.now();
    await sleep(200);
    // A read sent after the write's answer arrived, but before the write was settled.
    const readAt = Date.now();
    (await budget.acquire(read))();
    settleFirst(answeredAt);
    // The window holds the write (from answeredAt) and the read (200 ms later): the third request waits for the
    // older one, the write, to leave it, not for the read (400 ms after readAt).
    (await budget.acquire(read))();
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(400);
    expect(Date.now() - readAt).toBeLessThan(380);
  });
});
