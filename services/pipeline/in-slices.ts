/**
 * Starting the writes of a large group a slice at a time. A step's outcome for 4,000 jobs computed in one go
 * (each job's change is worked out in a microtask as its write is asked for) holds the event loop for a quarter
 * of a second: Graph's answers wait unread, and the write budget's timer, which sends the next clean-up, fires
 * late. Between slices the event loop turns, so timers and answers are seen within a slice's time.
 */

/** Jobs whose writes are started before the event loop is let turn. */
export const SLICE = 100;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `start(item)` for every item, a slice at a time, letting the event loop turn between slices; like Promise.all. */
export async function inSlices<T, R>(
  items: readonly T[],
  start: (item: T) => Promise<R>,
  size = SLICE,
): Promise<R[]> {
  const started: Promise<R>[] = [];
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await turn();
    for (const item of items.slice(i, i + size)) {
      const promise = start(item);
      // A rejection is reported by the Promise.all below, not as unhandled while later slices start.
      promise.catch(() => undefined);
      started.push(promise);
    }
  }
  return Promise.all(started);
}
