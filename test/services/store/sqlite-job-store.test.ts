import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../services/store/sqlite/migrations.js';
import { SqliteJobStore } from '../../../services/store/sqlite/sqlite-job-store.js';
import { describeJobStoreContract } from './job-store-contract.js';
import { submittedJob } from '../../support/jobs.js';

function tempDbPath(): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aa-sqlite-'));
  return { dir, path: join(dir, 'data', 'jobs.db') };
}

describeJobStoreContract('SQLite', () => {
  const { dir, path } = tempDbPath();
  const store = new SqliteJobStore(path);
  return Promise.resolve({
    store,
    openAnother: () => Promise.resolve(new SqliteJobStore(path)),
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe('SQLite specifics', () => {
  it('uses WAL, records its migrations and reopens an existing file without migrating twice', async () => {
    const { dir, path } = tempDbPath();
    const store = new SqliteJobStore(path);
    const job = submittedJob();
    await store.create(job);
    await store.close();
    const reopened = new SqliteJobStore(path);
    expect((await reopened.get(job.id))?.job).toEqual(job);
    await reopened.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
      { version: 6 },
      { version: 7 },
    ]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the hash out of the JSON document, in a table of its own that job writes leave alone', async () => {
    const { dir, path } = tempDbPath();
    const store = new SqliteJobStore(path);
    const job = submittedJob();
    await store.create(job);
    await store.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT * FROM jobs').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(job.hardwareHash);
    expect(db.prepare('SELECT hash FROM job_hashes WHERE job_id = ?').get(job.id)).toEqual({
      hash: job.hardwareHash,
    });
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves the hashes of a file from before (version 6) into their table, and drops the old column', async () => {
    const { dir, path } = tempDbPath();
    const job = submittedJob();
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    migrate(db, 6);
    const { hardwareHash, ...doc } = job;
    db.prepare(
      `INSERT INTO jobs (id, version, status, serial_number, serial_key, created_at, updated_at, hardware_hash, doc)
         VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      job.id,
      job.status,
      job.device.serialNumber,
      job.device.serialNumber.toUpperCase(),
      job.createdAt,
      job.updatedAt,
      hardwareHash,
      JSON.stringify(doc),
    );
    db.close();
    const store = new SqliteJobStore(path);
    expect((await store.get(job.id))?.job).toEqual(job);
    await store.close();
    const after = new Database(path, { readonly: true });
    const columns = (after.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('hardware_hash');
    expect(after.prepare('SELECT job_id FROM job_hashes').all()).toEqual([{ job_id: job.id }]);
    after.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write keeps the hash unless the job says it is gone, and never brings back an erased one', async () => {
    const { dir, path } = tempDbPath();
    const store = new SqliteJobStore(path);
    const job = submittedJob();
    const { stored } = await store.create(job);
    const moved = await store.update({ ...job, updatedAt: new Date().toISOString() }, stored.etag);
    expect((await store.get(job.id))?.job.hardwareHash).toBe(job.hardwareHash);
    await store.eraseHash(job.id);
    // A writer that read the job before the erasure is refused, and a fresh read has no hash to write back.
    await expect(store.update(moved.job, moved.etag)).rejects.toThrow(/changed|conflict/i);
    const fresh = await store.get(job.id);
    expect(fresh?.job.hardwareHash).toBeNull();
    // A job's device is fixed when it is created: a write that changes it is refused.
    const renamed = { ...job, hardwareHash: null, device: { ...job.device, serialNumber: 'OTHER-1' } };
    await expect(store.update(renamed, fresh?.etag ?? '')).rejects.toThrow(/changed|conflict/i);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
