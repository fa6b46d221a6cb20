/**
 * Prepared statements, kept for reuse: better-sqlite3 compiles a statement on every `prepare`, which costs more
 * than running it for the small reads and writes of the job store. Keyed by the SQL text; the oldest are dropped
 * past `limit` (listings build their SQL from their filter, so the set of texts is bounded but not tiny).
 */
import type Database from 'better-sqlite3';

export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly limit = 256,
  ) {}

  get(sql: string): Database.Statement {
    const hit = this.cache.get(sql);
    if (hit) return hit;
    const statement = this.db.prepare(sql);
    if (this.cache.size >= this.limit) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(sql, statement);
    return statement;
  }
}
