/** One behavioural contract for every JobStore implementation. Each store's test file runs it. */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideBatch, type ImportBatch } from '../../../services/domain/batch.js';
import type { ImportJob } from '../../../services/domain/job.js';
import { StoreConflictError, LeaseLostError } from '../../../services/store/errors.js';
import type { JobStore } from '../../../services/store/job-store.js';
import { releaseLease, renewLease, updateLeased } from '../../../services/store/leases.js';
import { approvedJob as approvedAt, submittedJob } from '../../support/jobs.js';

export interface StoreFixture {
  store: JobStore;
  /** Another, independent client of the same underlying data (a second connection or process stand-in). */
  openAnother(): Promise<JobStore>;
  dispose(): Promise<void>;
}

const t0 = new Date('2026-11-01T10:00:00Z');
const approvedJob = (createdAt = t0, serial?: string) => approvedAt(createdAt, serial);
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function newBatch(createdAt = t0): ImportBatch {
  return {
    id: randomUUID(),
    createdAt: createdAt.toISOString(),
    submittedBy: { channel: 'batch', via: 'deploy-tool' },
    rows: 3,
    alreadyOpen: 0,
    refused: [
      { line: 4, serialNumber: 'BAD 1', reason: 'hardwareHash is not base64.', field: 'hardwareHash' },
    ],
  };
}

export function describeJobStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`${name} JobStore contract`, () => {
    let fixture: StoreFixture;
    let store: JobStore;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('creates a job and reads it back whole, hash included', async () => {
      const job = submittedJob(t0);
      const { stored, created } = await store.create(job);
      expect(created).toBe(true);
      expect(stored.job).toEqual(job);
      expect((await store.get(job.id))?.job).toEqual(job);
    });

    it('is idempotent by id: a second create returns the first job unchanged', async () => {
      const job = submittedJob(t0);
      await store.create(job);
      const again = await store.create({ ...job, device: { ...job.device, model: 'Other' } });
      expect(again.created).toBe(false);
      expect(again.stored.job.device.model).toBe(job.device.model);
    });

    it('returns undefined for an unknown id', async () => {
      expect(await store.get(randomUUID())).toBeUndefined();
    });

    it('updates with the current etag and refuses a stale one with a typed conflict', async () => {
      const { stored } = await store.create(submittedJob(t0));
      const updated = await store.update({ ...stored.job, flags: ['duplicate_request'] }, stored.etag);
      expect(updated.etag).not.toBe(stored.etag);
      expect((await store.get(stored.job.id))?.job.flags).toEqual(['duplicate_request']);
      await expect(store.update({ ...stored.job, flags: [] }, stored.etag)).rejects.toBeInstanceOf(
        StoreConflictError,
      );
    });

    it('peeks at several jobs without their hashes, leaving unknown ids out', async () => {
      const [a, b] = [submittedJob(t0), submittedJob(t0)];
      await store.create(a);
      await store.create(b);
      const peeked = await store.peek([a.id, 'no-such-job', b.id]);
      expect(peeked.map((j) => j.id).sort()).toEqual([a.id, b.id].sort());
      expect(peeked.map((j) => j.hardwareHash)).toEqual([null, null]);
      expect(peeked.find((j) => j.id === a.id)?.device).toEqual(a.device);
      expect(await store.peek([])).toEqual([]);
    });

    it('finds the open job for a serial and ignores finished ones', async () => {
      const serial = `SN-${randomUUID()}`;
      const old = submittedJob(t0, { device: { serialNumber: serial, manufacturer: 'C', model: 'M' } });
      const { stored } = await store.create(old);
      await store.update({ ...stored.job, status: 'rejected' }, stored.etag);
      expect(await store.findOpenBySerial(serial)).toBeUndefined();
      const open = approvedJob(at(60), serial);
      await store.create(open);
      expect((await store.findOpenBySerial(serial))?.job.id).toBe(open.id);
    });

    it('keeps one open job per device: serials in any case and spacing, two clients racing', async () => {
      const serial = `cs-${randomUUID().slice(0, 8)}`;
      const other = await fixture.openAnother();
      const device = (serialNumber: string) => ({ serialNumber, manufacturer: 'C', model: 'M' });
      const [a, b] = await Promise.all([
        store.create(submittedJob(t0, { device: device(serial) })),
        other.create(submittedJob(t0, { device: device(`  ${serial.toUpperCase()} `) })),
      ]);
      expect([a.created, b.created].sort()).toEqual([false, true]);
      expect(a.stored.job.id).toBe(b.stored.job.id);
      expect((await store.findOpenBySerial(serial.toUpperCase()))?.job.id).toBe(a.stored.job.id);
      // Once that job has ended, the device can be submitted again.
      const winner = (await store.get(a.stored.job.id))!;
      await store.update({ ...winner.job, status: 'rejected' }, winner.etag);
      const again = await other.create(submittedJob(at(60), { device: device(serial) }));
      expect(again.created).toBe(true);
      await other.close();
    });

    it('reserves a device for a failed job about to be retried, unless a newer request is open', async () => {
      const serial = `RS-${randomUUID().slice(0, 8)}`;
      const device = { serialNumber: serial, manufacturer: 'C', model: 'M' };
      const first = (await store.create(submittedJob(t0, { device }))).stored;
      const failed = await store.update({ ...first.job, status: 'failed' }, first.etag);
      const newer = (
        await store.create(
          submittedJob(at(60), { device: { ...device, serialNumber: serial.toLowerCase() } }),
        )
      ).stored;
      expect((await store.reserveDevice(failed.job))?.job.id).toBe(newer.job.id);
      await store.update({ ...newer.job, status: 'rejected' }, newer.etag);
      expect(await store.reserveDevice(failed.job)).toBeUndefined();
      // Retried, the job holds the device again: a new submission gets it back.
      await store.update({ ...failed.job, status: 'approved' }, failed.etag);
      const again = await store.create(submittedJob(at(120), { device }));
      expect([again.created, again.stored.job.id]).toEqual([false, failed.job.id]);
    });

    it('lists newest first by status and time, paging through every job exactly once', async () => {
      const jobs: ImportJob[] = [];
      for (let i = 0; i < 23; i++) {
        // Every third pair shares a timestamp, so that paging must break ties by id.
        const job = i % 2 ? submittedJob(at(Math.floor(i / 3))) : approvedJob(at(Math.floor(i / 3)));
        jobs.push(job);
        await store.create(job);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ limit: 5, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((j) => j.id));
        cursor = page.nextCursor;
      } while (cursor);
      const expected = [...jobs]
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
        .map((j) => j.id);
      expect(seen).toEqual(expected);

      const approvedOnly = await store.list({ statuses: ['approved'], limit: 100 });
      expect(approvedOnly.items.map((j) => j.id).sort()).toEqual(
        jobs
          .filter((j) => j.status === 'approved')
          .map((j) => j.id)
          .sort(),
      );
      const window = await store.list({
        createdFrom: at(2).toISOString(),
        createdBefore: at(4).toISOString(),
        limit: 100,
      });
      expect(
        window.items.every((j) => j.createdAt >= at(2).toISOString() && j.createdAt < at(4).toISOString()),
      ).toBe(true);
      expect(window.items).toHaveLength(6);
    });

    it('counts by filter and lists the jobs about a person, without their hashes when asked', async () => {
      const mine = [
        submittedJob(at(1), {
          submittedBy: { channel: 'api', via: 'cli', requestedBy: 'Grace@Contoso.example' },
        }),
        submittedJob(at(2), {
          device: {
            serialNumber: 'FOR-GRACE',
            manufacturer: 'Contoso',
            model: 'M1',
            assignedUser: 'grace@contoso.example',
          },
        }),
      ];
      const others = [approvedJob(at(3)), approvedJob(at(4)), submittedJob(at(5))];
      for (const job of [...mine, ...others]) await store.create(job);
      expect(await store.count({})).toBe(5);
      expect(await store.count({ statuses: ['awaiting_approval'] })).toBe(3);
      expect(await store.count({ statuses: ['awaiting_approval', 'approved'] })).toBe(5);
      expect(await store.count({ createdFrom: at(3).toISOString() })).toBe(3);
      expect(await store.count({ person: 'grace@contoso.example' })).toBe(2);
      const page = await store.list({ person: 'grace@contoso.example', limit: 10, omitHash: true });
      expect(page.items.map((j) => j.id)).toEqual([mine[1]?.id, mine[0]?.id]);
      expect(page.items.every((j) => j.hardwareHash === null)).toBe(true);
      expect((await store.get(mine[0]?.id ?? ''))?.job.hardwareHash).toBe(mine[0]?.hardwareHash);
    });

    it('claims only due, workable, unleased jobs, and leases them to the claimer', async () => {
      const due = approvedJob(t0);
      const later = { ...approvedJob(t0), nextRunAt: at(600).toISOString() };
      const waiting = submittedJob(t0);
      for (const job of [due, later, waiting]) await store.create(job);
      const claimed = await store.claimDue({ owner: 'worker-a', now: at(10), leaseMs: 30_000, limit: 10 });
      expect(claimed.map((c) => c.job.id)).toEqual([due.id]);
      expect(claimed[0]?.job.lease).toEqual({ owner: 'worker-a', expiresAt: at(40).toISOString() });
      expect(await store.claimDue({ owner: 'worker-b', now: at(20), leaseMs: 30_000, limit: 10 })).toEqual(
        [],
      );
    });

    it('lets another worker take over a lease that expired, and the first one then loses it', async () => {
      await store.create(approvedJob(t0));
      const [first] = await store.claimDue({ owner: 'worker-a', now: at(1), leaseMs: 5_000, limit: 1 });
      if (!first) throw new Error('nothing claimed');
      const renewed = await renewLease(store, first, 'worker-a', at(10));
      expect(renewed.job.lease?.expiresAt).toBe(at(10).toISOString());
      expect(await store.claimDue({ owner: 'worker-b', now: at(9), leaseMs: 5_000, limit: 1 })).toEqual([]);
      const [taken] = await store.claimDue({ owner: 'worker-b', now: at(11), leaseMs: 5_000, limit: 1 });
      expect(taken?.job.lease?.owner).toBe('worker-b');
      await expect(updateLeased(store, renewed, 'worker-a', (j) => j)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(renewLease(store, renewed, 'worker-a', at(30))).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('releases a lease with a new due time so the job can be claimed again later', async () => {
      await store.create(approvedJob(t0));
      const [held] = await store.claimDue({ owner: 'worker-a', now: at(1), leaseMs: 60_000, limit: 1 });
      if (!held) throw new Error('nothing claimed');
      const released = await releaseLease(store, held, 'worker-a', (j) => ({
        ...j,
        nextRunAt: at(5).toISOString(),
      }));
      expect(released.job.lease).toBeUndefined();
      expect(await store.claimDue({ owner: 'worker-b', now: at(4), leaseMs: 60_000, limit: 1 })).toEqual([]);
      expect(await store.claimDue({ owner: 'worker-b', now: at(5), leaseMs: 60_000, limit: 1 })).toHaveLength(
        1,
      );
    });

    it('claims every due job exactly once with 8 concurrent claimers over 200 jobs', async () => {
      const jobs = Array.from({ length: 200 }, (_, i) => approvedJob(at(i % 50)));
      for (let i = 0; i < jobs.length; i += 20)
        await Promise.all(jobs.slice(i, i + 20).map((j) => store.create(j)));
      const claimers = [
        store,
        ...(await Promise.all(Array.from({ length: 7 }, () => fixture.openAnother()))),
      ];
      const claims = await Promise.all(
        claimers.map(async (claimer, n) => {
          const mine: string[] = [];
          for (;;) {
            const batch = await claimer.claimDue({
              owner: `worker-${n}`,
              now: at(100),
              leaseMs: 60_000,
              limit: 7,
            });
            if (batch.length === 0) break;
            mine.push(...batch.map((b) => b.job.id));
            await new Promise((resolve) => setImmediate(resolve));
          }
          return mine;
        }),
      );
      const all = claims.flat();
      expect(all).toHaveLength(200);
      expect(new Set(all).size).toBe(200);
      expect(claims.filter((c) => c.length > 0).length).toBeGreaterThan(1);
      for (const other of claimers.slice(1)) await other.close();
    });

    it('appends audit events without touching the rest of the job', async () => {
      const job = submittedJob(t0);
      await store.create(job);
      const event = {
        at: at(5).toISOString(),
        action: 'denied' as const,
        by: { id: 'aad-x' },
        detail: 'approve',
      };
      const stored = await store.appendAudit(job.id, event);
      expect(stored.job).toEqual({ ...job, audit: [...job.audit, event] });
    });

    it('erases the hash on request', async () => {
      const job = submittedJob(t0);
      await store.create(job);
      await store.eraseHash(job.id);
      expect((await store.get(job.id))?.job.hardwareHash).toBeNull();
    });

    it('purges finished jobs older than the cutoff, with their card addresses, and keeps the rest', async () => {
      const oldFinished = { ...submittedJob(t0), status: 'rejected' as const, hardwareHash: null };
      const newFinished = {
        ...submittedJob(t0),
        status: 'completed' as const,
        updatedAt: at(86_400).toISOString(),
      };
      const oldOpen = submittedJob(t0);
      for (const job of [oldFinished, newFinished, oldOpen]) await store.create(job);
      await store.saveCardAddress(oldFinished.id, {
        activityId: 'a1',
        conversationReference: { conversation: { id: 'c' } },
      });
      expect(await store.purgeFinishedBefore(at(3600))).toBe(1);
      expect(await store.get(oldFinished.id)).toBeUndefined();
      expect(await store.getCardAddress(oldFinished.id)).toBeUndefined();
      expect(await store.get(newFinished.id)).toBeDefined();
      expect(await store.get(oldOpen.id)).toBeDefined();
    });

    it('stores the helpdesk channel binding, replaces it on rebind and forgets it when cleared', async () => {
      expect(await store.getChannelBinding()).toBeUndefined();
      const first = {
        teamId: 't1',
        channelId: 'c1',
        conversationReference: { conversation: { id: 'c1' } },
        boundBy: 'install',
        boundAt: t0.toISOString(),
      };
      await store.saveChannelBinding(first);
      expect(await store.getChannelBinding()).toEqual(first);
      const second = { ...first, channelId: 'c2', boundBy: 'aad-1', boundAt: at(5).toISOString() };
      await store.saveChannelBinding(second);
      expect(await store.getChannelBinding()).toEqual(second);
      await store.clearChannelBinding();
      expect(await store.getChannelBinding()).toBeUndefined();
      await store.clearChannelBinding();
    });

    it('hands a timed slot to exactly one of many concurrent callers, and again only after the interval', async () => {
      const others = await Promise.all(Array.from({ length: 3 }, () => fixture.openAnother()));
      const wins = await Promise.all(
        [store, ...others, store].map((s) => s.tryAcquireTimedSlot('sync:tenant-a', t0, 600_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await store.tryAcquireTimedSlot('sync:tenant-a', at(599), 600_000)).toBe(false);
      expect(await store.tryAcquireTimedSlot('sync:tenant-b', at(1), 600_000)).toBe(true);
      expect(await others[0]!.tryAcquireTimedSlot('sync:tenant-a', at(600), 600_000)).toBe(true);
      for (const other of others) await other.close();
    });

    it('stores personal-chat references by UPN, whatever its case', async () => {
      expect(await store.getUserReference('ada@contoso.example')).toBeUndefined();
      await store.saveUserReference('Ada@Contoso.example', { conversation: { id: 'a:1' } });
      await store.saveUserReference('ada@contoso.example', { conversation: { id: 'a:2' } });
      expect(await store.getUserReference('ADA@contoso.example')).toEqual({ conversation: { id: 'a:2' } });
      // A guest's UPN holds '#EXT#' (not allowed in a Cosmos DB id): guests are told too.
      const guest = 'grace_fabrikam.example#EXT#@contoso.onmicrosoft.com';
      await store.saveUserReference(guest, { conversation: { id: 'a:guest' } });
      expect(await store.getUserReference(guest)).toEqual({ conversation: { id: 'a:guest' } });
      await store.dropUserReference(guest, { at: '2026-12-02T05:00:00.000Z', reason: '403' });
      expect(await store.getUserReferenceDrop(guest)).toMatchObject({ reason: '403' });
    });

    it('forgets a personal chat Teams refused, keeps why, and clears that once the person is back', async () => {
      await store.saveUserReference('ada@contoso.example', { conversation: { id: 'a:1' } });
      const dropped = { at: '2026-12-02T05:00:00.000Z', reason: '403 MessageWritesBlocked' };
      await store.dropUserReference('Ada@Contoso.example', dropped);
      expect(await store.getUserReference('ada@contoso.example')).toBeUndefined();
      expect(await store.getUserReferenceDrop('ADA@contoso.example')).toEqual(dropped);
      await store.saveUserReference('ada@contoso.example', { conversation: { id: 'a:3' } });
      expect(await store.getUserReference('ada@contoso.example')).toEqual({ conversation: { id: 'a:3' } });
      expect(await store.getUserReferenceDrop('ada@contoso.example')).toBeUndefined();
    });

    it('stores a batch once, and lets exactly one of several concurrent writers record its decision', async () => {
      const batch = newBatch();
      await store.createBatch(batch);
      await store.createBatch({ ...batch, rows: 99 });
      const stored = await store.getBatch(batch.id);
      expect(stored?.batch).toEqual(batch);
      expect(await store.getBatch(randomUUID())).toBeUndefined();
      const others = await Promise.all(Array.from({ length: 3 }, () => fixture.openAnother()));
      const outcomes = await Promise.allSettled(
        [store, ...others].map((s, i) => {
          const decided = decideBatch(stored!.batch, {
            verb: 'approve',
            by: { id: `aad-${i}` },
            at: at(i).toISOString(),
            groupTag: 'Sales',
            comment: `INC-${i}`,
          });
          if (!decided.ok) throw decided.error;
          return s.updateBatch(decided.value, stored!.etag);
        }),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const lost of outcomes.filter((o) => o.status === 'rejected'))
        expect(lost.reason).toBeInstanceOf(StoreConflictError);
      const after = await store.getBatch(batch.id);
      expect(after?.batch.decision).toEqual(won[0]!.value.batch.decision);
      expect(after?.etag).toBe(won[0]!.value.etag);
      for (const other of others) await other.close();
    });

    it('purges a batch, and its card address, once its jobs are purged and it is older than the cutoff', async () => {
      const kept = newBatch();
      const gone = newBatch();
      for (const batch of [kept, gone]) {
        await store.createBatch(batch);
        await store.saveCardAddress(`batch:${batch.id}`, { activityId: batch.id, conversationReference: {} });
      }
      await store.create({ ...submittedJob(t0), batchId: kept.id });
      await store.create({ ...submittedJob(t0), batchId: gone.id, status: 'expired' as const });
      expect(await store.purgeFinishedBefore(at(3600))).toBe(1);
      expect(await store.getBatch(gone.id)).toBeUndefined();
      expect(await store.getCardAddress(`batch:${gone.id}`)).toBeUndefined();
      expect((await store.getBatch(kept.id))?.batch).toEqual(kept);
      expect(await store.getCardAddress(`batch:${kept.id}`)).toBeDefined();
    });

    it("stores each job's card address", async () => {
      const job = submittedJob(t0);
      await store.create(job);
      expect(await store.getCardAddress(job.id)).toBeUndefined();
      const address = {
        activityId: '1:abc',
        conversationReference: { conversation: { id: 'team;messageid=1' }, serviceUrl: 'http://127.0.0.1/' },
      };
      await store.saveCardAddress(job.id, address);
      expect(await store.getCardAddress(job.id)).toEqual(address);
    });
  });
}
