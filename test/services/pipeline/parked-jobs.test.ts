/**
 * Parked jobs (parked-jobs.ts): a waiting job stays in the worker's hand and comes back unchanged when it is due;
 * its lease is renewed while it waits, and writes after that go on from the renewed job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobHandle } from '../../../services/pipeline/job-handle.js';
import { ParkedJobs } from '../../../services/pipeline/parked-jobs.js';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
import { approvedJob } from '../../support/jobs.js';

let dir: string;
let store: SqliteJobStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aa-parked-'));
  store = new SqliteJobStore(join(dir, 'jobs.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = (seconds: number) => new Date(Date.parse('2026-11-01T10:00:00Z') + seconds * 1000);

async function claimedHandle(): Promise<JobHandle> {
  await store.create(approvedJob(at(0)));
  const [claimed] = await store.claimDue({ owner: 'w', now: at(1), leaseMs: 60_000, limit: 1 });
  if (!claimed) throw new Error('nothing claimed');
  return new JobHandle(store, claimed, 'w');
}

describe('ParkedJobs', () => {
  it('gives a parked job back unchanged when it is due, and not before', async () => {
    const handle = await claimedHandle();
    const before = structuredClone(handle.job);
    const parked = new ParkedJobs(10);
    parked.park(handle, at(30));
    expect(parked.holds(before.id)).toBe(true);
    expect(parked.takeDue(at(29))).toEqual([]);
    const [due] = parked.takeDue(at(30));
    expect(due).toBe(handle);
    expect(due?.job).toEqual(before);
    expect(parked.holds(before.id)).toBe(false);
    // The job in hand is the one the store holds: a write goes through on its version.
    expect(await handle.write((job) => ({ ...job, updatedAt: at(31).toISOString() }))).toBe(true);
    expect((await store.get(before.id))?.job.updatedAt).toBe(at(31).toISOString());
  });

  it('renews the lease of a parked job that is about to run out, and writes go on from the renewed job', async () => {
    const handle = await claimedHandle();
    const parked = new ParkedJobs(10);
    parked.park(handle, at(600));
    await parked.renew(at(50), 60_000, 30_000);
    expect(handle.job.lease?.expiresAt).toBe(at(110).toISOString());
    // The next renewal is decided by the new lease end: none is due yet.
    await parked.renew(at(60), 60_000, 30_000);
    expect((await store.get(handle.job.id))?.etag).toBe('3');
    const [due] = parked.takeDue(at(600));
    expect(await due?.write((job) => ({ ...job, updatedAt: at(601).toISOString() }))).toBe(true);
    expect((await store.get(handle.job.id))?.job.lease?.expiresAt).toBe(at(110).toISOString());
  });
});
