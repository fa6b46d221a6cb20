/**
 * One open job per device on Cosmos DB, across instances. Jobs live in partitions of their own, so no
 * transaction spans two of them; instead each open job holds a lock document per serial key, created with
 * `create()` (Cosmos answers 409 to the second writer, whichever instance it is) and removed when the job ends.
 * A lock whose job has ended or never got written (a crash between the two writes) is taken over with an
 * If-Match replace, so that exactly one of several takers wins it.
 */
import type { Container } from '@azure/cosmos';
import { isOpen, type ImportJob } from '../../domain/job.js';
import { serialKey } from '../../domain/serial-key.js';
import { StoreConflictError, StoreUnavailableError } from '../errors.js';
import type { StoredJob } from '../job-store.js';
import { checkReadResponse, cosmosCall } from './cosmos-call.js';

/** How long a device lock whose job is not written yet is left to its writer before it is taken over. */
const LOCK_GRACE_MS = 30_000;

const PARTITION = 'open-serials';

interface LockDocument {
  id: string;
  pk: typeof PARTITION;
  type: 'open-serial';
  jobId: string;
  at: string;
  /** Held until its job ends, whatever default TTL the container has. */
  ttl: -1;
}

export interface HeldLock {
  jobId: string;
  at: string;
  etag: string;
}

/** Cosmos ids may not hold / \ ? #; the key is percent-encoded, which leaves none of them. */
const lockId = (serialNumber: string) => `open:${encodeURIComponent(serialKey(serialNumber))}`;

const lockDocument = (serialNumber: string, jobId: string, now: Date): LockDocument => ({
  id: lockId(serialNumber),
  pk: PARTITION,
  type: 'open-serial',
  jobId,
  at: now.toISOString(),
  ttl: -1,
});

export class OpenSerialLocks {
  constructor(private readonly container: Container) {}

  /**
   * Takes the device's lock for a new open job; returns the open job that holds it instead, if there is one. A
   * lock of a job that ended, or whose job was never written (after a grace period for a writer still at it),
   * is taken over.
   */
  async hold(
    job: ImportJob,
    readJob: (id: string) => Promise<StoredJob | undefined>,
  ): Promise<StoredJob | undefined> {
    const serial = job.device.serialNumber;
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = new Date();
      const held = await this.claim(serial, job.id, now);
      if (held === 'claimed' || held.jobId === job.id) return undefined;
      const holder = await readJob(held.jobId);
      if (holder && isOpen(holder.job.status)) return holder;
      if (!holder && now.getTime() - Date.parse(held.at) < LOCK_GRACE_MS) {
        // The other writer took the lock and is writing its job: give it a moment, then read again.
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
        continue;
      }
      if (await this.takeOver(serial, held, job.id, now)) return undefined;
    }
    throw new StoreUnavailableError(
      `The device ${serial} is being submitted by another request; try again.`,
      undefined,
    );
  }

  /** Takes the device's lock for this job; when another job holds it, says which (and the lock's version). */
  async claim(serialNumber: string, jobId: string, now: Date, again = true): Promise<'claimed' | HeldLock> {
    const doc = lockDocument(serialNumber, jobId, now);
    try {
      await cosmosCall('the device lock', doc.id, () => this.container.items.create(doc));
      return 'claimed';
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
    }
    const held = await this.read(serialNumber);
    if (held) return held;
    // Released between our create and our read: try once more, then let the caller's loop wait.
    if (again) return this.claim(serialNumber, jobId, now, false);
    throw new StoreUnavailableError(
      `The device lock of ${serialNumber} changed hands twice; try again.`,
      null,
    );
  }

  async read(serialNumber: string): Promise<HeldLock | undefined> {
    const id = lockId(serialNumber);
    const { resource, etag } = await cosmosCall('the device lock', id, async () => {
      const response = await this.container.item(id, PARTITION).read<LockDocument>();
      checkReadResponse('the device lock', response);
      return response;
    });
    if (!resource) return undefined;
    return { jobId: resource.jobId, at: resource.at, etag: etag ?? '' };
  }

  /** Moves a stale lock to this job; false when another taker was first. */
  async takeOver(serialNumber: string, held: HeldLock, jobId: string, now: Date): Promise<boolean> {
    const doc = lockDocument(serialNumber, jobId, now);
    try {
      await cosmosCall(
        'the device lock',
        doc.id,
        () =>
          this.container
            .item(doc.id, PARTITION)
            .replace(doc, { accessCondition: { type: 'IfMatch', condition: held.etag } }),
        'conflict',
      );
      return true;
    } catch (error) {
      if (error instanceof StoreConflictError) return false;
      throw error;
    }
  }

  /** Frees the device once its job has ended; a lock another job took meanwhile is left alone. */
  async release(serialNumber: string, jobId: string): Promise<void> {
    const held = await this.read(serialNumber);
    if (held?.jobId !== jobId) return;
    try {
      await cosmosCall(
        'the device lock',
        lockId(serialNumber),
        () =>
          this.container
            .item(lockId(serialNumber), PARTITION)
            .delete({ accessCondition: { type: 'IfMatch', condition: held.etag } }),
        'conflict',
      );
    } catch (error) {
      // Gone or taken over meanwhile: nothing of ours to free. Anything else: a later submission takes it over.
      if (!(error instanceof StoreConflictError)) throw error;
    }
  }
}
