import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
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
    ]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the hash out of the JSON document column', async () => {
    const { dir, path } = tempDbPath();
    const store = new SqliteJobStore(path);
    const job = submittedJob();
    await store.create(job);
    await store.close();
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT doc, hardware_hash FROM jobs').get() as {
      doc: string;
      hardware_hash: string;
    };
    expect(row.doc).not.toContain(job.hardwareHash);
    expect(row.hardware_hash).toBe(job.hardwareHash);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
