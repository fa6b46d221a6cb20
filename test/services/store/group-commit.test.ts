/** Group commit (sqlite/group-commit.ts): writes asked for together share commits of at most 100 writes each. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GroupCommit, MAX_WAIT_MS } from '../../../services/store/sqlite/group-commit.js';

describe('GroupCommit', () => {
  it('commits many queued writes in groups of 100, letting the event loop turn between groups', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (n INTEGER)');
    const transaction = db.transaction.bind(db);
    let transactions = 0;
    db.transaction = ((fn: () => void) => {
      transactions++;
      return transaction(fn);
    }) as typeof db.transaction;
    const group = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    let turned = false;
    const turnedBefore = new Map<number, boolean>();
    const writes = Array.from({ length: 250 }, (_, n) =>
      group.run(() => {
        turnedBefore.set(n, turned);
        return insert.run(n).changes;
      }),
    );
    setImmediate(() => (turned = true));
    const changes = await Promise.all(writes);
    expect(changes.every((c) => c === 1)).toBe(true);
    expect(transactions).toBe(3);
    // Something else queued for the event loop ran after the first group and before the second.
    expect([turnedBefore.get(99), turnedBefore.get(100), turnedBefore.get(249)]).toEqual([false, true, true]);
    expect((db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c).toBe(250);
    db.close();
  });

  it('a failed write is refused alone; the others in its group are committed', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (n INTEGER UNIQUE)');
    const group = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    const results = await Promise.allSettled([1, 1, 2].map((n) => group.run(() => insert.run(n))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c).toBe(2);
    db.close();
  });

  it('commits within the turn once the oldest queued write has waited MAX_WAIT_MS, not before', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (n INTEGER)');
    // A clock of its own, so that a slow machine (a pause between two calls) cannot make the turn look long.
    let clock = 1_000;
    const group = new GroupCommit(db, () => clock);
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    const count = () => (db.prepare('SELECT count(*) AS c FROM t').get() as { c: number }).c;
    const first = group.run(() => insert.run(1).changes);
    clock += MAX_WAIT_MS - 1;
    const second = group.run(() => insert.run(2).changes);
    // Queued together in a short turn: nothing is written before the turn ends.
    expect(count()).toBe(0);
    // A long turn (a burst of clicks worked through one after another) ...
    clock += 1;
    const third = group.run(() => insert.run(3).changes);
    // ... commits what it has queued as soon as the oldest has waited long enough, inside the same turn.
    expect(count()).toBe(3);
    expect(await Promise.all([first, second, third])).toEqual([1, 1, 1]);
    const fourth = group.run(() => insert.run(4).changes);
    expect(count()).toBe(3);
    expect(await fourth).toBe(1);
    expect(count()).toBe(4);
    db.close();
  });
});
