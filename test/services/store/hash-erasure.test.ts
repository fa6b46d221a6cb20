/**
 * Erasure that holds: an erased hash leaves no copy in the SQLite file or its WAL (secure_delete, and the WAL
 * checkpointed and truncated by the store's upkeep), and a hash held for a retry is erased after
 * HASH_RETENTION_DAYS, the card then saying that the device must be submitted again.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderJobCard } from '../../../cards/job-card.js';
import type { ImportJob } from '../../../services/domain/job.js';
import { Housekeeping } from '../../../services/pipeline/housekeeping.js';
import { mutateJob } from '../../../services/store/mutate.js';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
import { silentLogger } from '../../support/graph.js';
import { submittedJob } from '../../support/jobs.js';
import { RecordingPublisher } from '../../support/pipeline.js';

let dir: string;
let path: string;
let store: SqliteJobStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aa-erase-'));
  path = join(dir, 'jobs.db');
  store = new SqliteJobStore(path);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every byte SQLite keeps on disk for this database. */
function onDisk(): Buffer {
  return Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

function failedRetryable(daysAgo: number): ImportJob {
  const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  return {
    ...submittedJob(new Date(at)),
    status: 'failed',
    updatedAt: at,
    error: {
      step: 'import',
      code: 'StorageError',
      name: 'storage-error',
      advice: 'Intune could not store the hash; retry later.',
      retryable: true,
    },
  };
}

describe('hash erasure', () => {
  it('leaves no copy of an erased hash in the database file or its WAL', async () => {
    const jobs = Array.from({ length: 20 }, () => submittedJob());
    for (const job of jobs) await store.create(job);
    await store.maintain();
    // The scan does find a hash that is still held.
    const probe = (job: ImportJob) => Buffer.from((job.hardwareHash ?? '').slice(0, 48));
    expect(onDisk().includes(probe(jobs[0]!))).toBe(true);
    for (const job of jobs) await mutateJob(store, job.id, (j) => ({ ...j, hardwareHash: null }));
    await store.maintain();
    const bytes = onDisk();
    expect(jobs.filter((job) => bytes.includes(probe(job))).map((j) => j.id)).toEqual([]);
    // The rest of each job is still there.
    expect((await store.get(jobs[0]!.id))?.job.device.serialNumber).toBe(jobs[0]!.device.serialNumber);
  });

  it('erases a hash held for a retry after HASH_RETENTION_DAYS, and the card says to submit again', async () => {
    const [old, recent] = [failedRetryable(15), failedRetryable(13)];
    await store.create(old);
    await store.create(recent);
    const publisher = new RecordingPublisher();
    await new Housekeeping({ store, publisher, logger: silentLogger, hashRetentionDays: 14 }).run(new Date());
    const erased = (await store.get(old.id))!.job;
    expect(erased.hardwareHash).toBeNull();
    expect(erased.error).toMatchObject({ retryable: false });
    expect(erased.audit.at(-1)).toMatchObject({ action: 'hash_erased' });
    expect((await store.get(recent.id))!.job.hardwareHash).toBe(recent.hardwareHash);
    const card = JSON.stringify(
      renderJobCard(erased, {
        approvals: {
          approverGroupIds: [],
          approverIds: [],
          groupTags: [],
          allowNoTag: true,
          ticketMaxLength: 200,
        },
      }),
    );
    expect(card).toContain('submit the device again to retry');
    expect(card).not.toContain('"verb":"retry"');
  });
});
