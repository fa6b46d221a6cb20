/** Groups write their step results in turns, the furthest along first (services/pipeline/write-turns.ts). */
import { describe, expect, it } from 'vitest';
import { WriteTurns } from '../../../services/pipeline/write-turns.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WriteTurns', () => {
  it('runs one group at a time, then the waiting group of the highest rank, the first asked among equals', async () => {
    const turns = new WriteTurns();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = turns.run(1, async () => {
      log.push('start A');
      await new Promise<void>((resolve) => (release = resolve));
      log.push('end A');
    });
    const work = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      return name;
    };
    const others = [turns.run(0, work('B')), turns.run(5, work('C')), turns.run(5, work('D'))];
    await tick();
    expect(log).toEqual(['start A']);
    release();
    await first;
    expect(await Promise.all(others)).toEqual(['B', 'C', 'D']);
    expect(log).toEqual(['start A', 'end A', 'start C', 'end C', 'start D', 'end D', 'start B', 'end B']);
  });

  it('passes the turn on when a group fails, and gives the group its error', async () => {
    const turns = new WriteTurns();
    const failing = turns.run(0, () => Promise.reject(new Error('disk full')));
    const next = turns.run(0, () => Promise.resolve('written'));
    await expect(failing).rejects.toThrow('disk full');
    await expect(next).resolves.toBe('written');
    // Nothing waits any more: a new group runs at once.
    let ran = false;
    await turns.run(0, () => Promise.resolve((ran = true)));
    expect(ran).toBe(true);
  });
});
