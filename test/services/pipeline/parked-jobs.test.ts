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

  it('renews each parked lease when its own end comes near, however the leases of the others stand', async () => {
    await store.create(approvedJob(at(0), 'EARLY-1'));
    await store.create(approvedJob(at(0), 'LATE-1'));
    const [early] = await store.claimDue({ owner: 'w', now: at(1), leaseMs: 60_000, limit: 1 });
    const [late] = await store.claimDue({ owner: 'w', now: at(40), leaseMs: 60_000, limit: 1 });
    if (!early || !late) throw new Error('nothing claimed');
    const [a, b] = [new JobHandle(store, early, 'w'), new JobHandle(store, late, 'w')];
    const parked = new ParkedJobs(10);
    parked.park(b, at(900));
    parked.park(a, at(900));
    // At 20 s nothing ends within 30 s; at 35 s only the first lease (61 s) does.
    await parked.renew(at(20), 60_000, 30_000);
    expect([a.job.lease?.expiresAt, b.job.lease?.expiresAt]).toEqual(
      [at(61), at(100)].map((d) => d.toISOString()),
    );
    await parked.renew(at(35), 60_000, 30_000);
    expect([a.job.lease?.expiresAt, b.job.lease?.expiresAt]).toEqual(
      [at(95), at(100)].map((d) => d.toISOString()),
    );
    // At 75 s the second one's (100 s) comes near, though the first was renewed after it was parked.
    await parked.renew(at(75), 60_000, 30_000);
    expect(b.job.lease?.expiresAt).toBe(at(135).toISOString());
    expect((await store.get(b.job.id))?.job.lease?.expiresAt).toBe(at(135).toISOString());
  });

  it('takes up the jobs whose times have come, by time, and forgets those lost meanwhile', async () => {
    const handles = [
      await claimedHandle(),
      await claimedHandle(),
      await claimedHandle(),
      await claimedHandle(),
    ];
    const [early, alsoEarly, late, lost] = handles as [JobHandle, JobHandle, JobHandle, JobHandle];
    const parked = new ParkedJobs(10);
    early.parkUntil = at(10);
    parked.park(early, at(10));
    parked.park(alsoEarly, at(20));
    parked.park(late, at(40));
    parked.park(lost, at(10));
    lost.lost = true;
    expect(parked.takeDue(at(5))).toEqual([]);
    expect(new Set(parked.takeDue(at(25)))).toEqual(new Set([early, alsoEarly]));
    expect(parked.holds(lost.job.id)).toBe(false);
    expect(parked.holds(late.job.id)).toBe(true);
    expect(early.parkUntil).toBeUndefined();
    // Parked again for a new time, a job is due only then.
    parked.park(early, at(60));
    expect(parked.takeDue(at(45))).toEqual([late]);
    expect(parked.takeDue(at(59))).toEqual([]);
    expect(parked.takeDue(at(60))).toEqual([early]);
    // Parked again while still parked, a job moves to its new time and is not due at the old one.
    parked.park(late, at(70));
    parked.park(late, at(90));
    expect(parked.takeDue(at(80))).toEqual([]);
    expect(parked.takeDue(at(90))).toEqual([late]);
    expect(parked.hasRoom()).toBe(true);
  });
});
