/** inSlices (pipeline/in-slices.ts): a large group's writes are started a slice at a time, the event loop turning between. */
import { describe, expect, it } from 'vitest';
import { inSlices } from '../../../services/pipeline/in-slices.js';

describe('inSlices', () => {
  it('gives every result in order, as Promise.all does, and lets the event loop turn between slices', async () => {
    const startedBeforeTurn: number[] = [];
    let turned = false;
    setImmediate(() => (turned = true));
    const results = await inSlices(
      Array.from({ length: 250 }, (_, i) => i),
      async (n) => {
        if (!turned) startedBeforeTurn.push(n);
        await Promise.resolve();
        return n * 2;
      },
      100,
    );
    expect(results).toEqual(Array.from({ length: 250 }, (_, i) => i * 2));
    // The first slice started in one go; something queued on the event loop ran before the second slice.
    expect(startedBeforeTurn).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('reports a failure through its promise, after every slice has been started', async () => {
    const started: number[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const run = inSlices(
        [1, 2, 3, 4, 5],
        (n) => {
          started.push(n);
          return n === 1 ? Promise.reject(new Error('write 1 failed')) : Promise.resolve(n);
        },
        2,
      );
      await expect(run).rejects.toThrow('write 1 failed');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(unhandled).toEqual([]);
  });
});
