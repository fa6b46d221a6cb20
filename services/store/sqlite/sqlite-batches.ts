/** The batches table of the SQLite store: one JSON document per batch, versioned like jobs. */
import type Database from 'better-sqlite3';
import type { ImportBatch } from '../../domain/batch.js';
import { StoreConflictError, StoreCorruptError } from '../errors.js';
import type { StoredBatch } from '../job-store.js';
import { Statements } from './statements.js';

interface BatchRow {
  id: string;
  version: number;
  doc: string;
}

/** Batches created before the cutoff whose jobs are all gone. */
const ORPHANED = `created_at < ? AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.batch_id = batches.id)`;

export class SqliteBatches {
  private readonly statements: Statements;

  constructor(db: Database.Database) {
    this.statements = new Statements(db);
  }

  private sql(text: string): Database.Statement {
    return this.statements.get(text);
  }

  create(batch: ImportBatch): void {
    this.sql(
      'INSERT INTO batches (id, version, created_at, doc) VALUES (?, 1, ?, ?) ON CONFLICT (id) DO NOTHING',
    ).run(batch.id, batch.createdAt, JSON.stringify(batch));
  }

  get(id: string): StoredBatch | undefined {
    const row = this.sql('SELECT id, version, doc FROM batches WHERE id = ?').get(id) as BatchRow | undefined;
    if (!row) return undefined;
    const batch = JSON.parse(row.doc) as ImportBatch;
    if (batch.id !== row.id)
      throw new StoreCorruptError(`Batch row ${row.id} holds a document for ${batch.id}.`);
    return { batch, etag: String(row.version) };
  }

  update(batch: ImportBatch, etag: string): StoredBatch {
    const version = Number(etag);
    const result = this.sql(
      'UPDATE batches SET version = version + 1, doc = ? WHERE id = ? AND version = ?',
    ).run(JSON.stringify(batch), batch.id, version);
    if (result.changes !== 1) throw new StoreConflictError(batch.id);
    return { batch, etag: String(version + 1) };
  }

  /** Runs inside the store's purge transaction, after the jobs are gone. */
  purgeOrphaned(cutoff: Date): void {
    const at = cutoff.toISOString();
    this.sql(
      `DELETE FROM card_addresses WHERE job_id IN (SELECT 'batch:' || id FROM batches WHERE ${ORPHANED})`,
    ).run(at);
    this.sql(`DELETE FROM batches WHERE ${ORPHANED}`).run(at);
  }
}
