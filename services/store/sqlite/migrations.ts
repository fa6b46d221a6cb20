import type Database from 'better-sqlite3';

/** Ordered, append-only schema changes. Never edit a shipped migration; add a new one. */
const MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'jobs, card addresses, channel binding',
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        serial_number TEXT NOT NULL,
        batch_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        next_run_at TEXT,
        lease_expires_at TEXT,
        -- The hash lives in its own column so that erasing it is one statement and the JSON never holds it.
        hardware_hash TEXT,
        doc TEXT NOT NULL
      );
      CREATE INDEX jobs_by_created ON jobs (created_at DESC, id DESC);
      CREATE INDEX jobs_by_status ON jobs (status, created_at DESC);
      CREATE INDEX jobs_by_serial ON jobs (serial_number, status);
      CREATE INDEX jobs_by_batch ON jobs (batch_id) WHERE batch_id IS NOT NULL;
      CREATE INDEX jobs_due ON jobs (next_run_at) WHERE status IN ('approved', 'running');
      CREATE TABLE card_addresses (
        job_id TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE channel_binding (
        name TEXT PRIMARY KEY,
        binding TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'timed slots (sync throttling across instances)',
    sql: `
      CREATE TABLE timed_slots (
        name TEXT PRIMARY KEY,
        taken_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'personal-chat references for notifications',
    sql: `
      CREATE TABLE user_references (
        upn TEXT PRIMARY KEY,
        reference TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: 'CSV batches (refused rows and the one decision for all)',
    sql: `
      CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX batches_by_created ON batches (created_at);
    `,
  },
  {
    version: 5,
    description: 'personal chats Teams refused (blocked or removed app), and why',
    sql: `
      CREATE TABLE user_reference_drops (
        upn TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        dropped_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 6,
    description: 'one open job per device: serials compared by key, enforced by a unique partial index',
    sql: `
      ALTER TABLE jobs ADD COLUMN serial_key TEXT;
      UPDATE jobs SET serial_key = upper(trim(serial_number));
      -- Open duplicates from before (the check was per process and case-sensitive) keep their own key.
      UPDATE jobs SET serial_key = serial_key || ' #' || id
        WHERE status IN ('awaiting_approval', 'approved', 'running') AND EXISTS (
          SELECT 1 FROM jobs o WHERE o.serial_key = jobs.serial_key
            AND o.status IN ('awaiting_approval', 'approved', 'running')
            AND (o.created_at < jobs.created_at OR (o.created_at = jobs.created_at AND o.id < jobs.id)));
      CREATE UNIQUE INDEX jobs_one_open_per_device ON jobs (serial_key)
        WHERE status IN ('awaiting_approval', 'approved', 'running');
      CREATE INDEX jobs_by_serial_key ON jobs (serial_key, status);
    `,
  },
  {
    version: 7,
    description: 'hardware hashes in a table of their own, so that a job write does not rewrite its hash',
    sql: `
      CREATE TABLE job_hashes (
        job_id TEXT PRIMARY KEY,
        hash TEXT NOT NULL
      );
      INSERT INTO job_hashes (job_id, hash) SELECT id, hardware_hash FROM jobs WHERE hardware_hash IS NOT NULL;
      ALTER TABLE jobs DROP COLUMN hardware_hash;
    `,
  },
];

/** Applies the migrations not applied yet, up to `upTo` (all of them unless a test builds an older file). */
export function migrate(db: Database.Database, upTo = Infinity): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const applied = row.v ?? 0;
  const pending = MIGRATIONS.filter((m) => m.version > applied && m.version <= upTo);
  const apply = db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(
        m.version,
        m.description,
        new Date().toISOString(),
      );
    }
  });
  apply.immediate();
  return MIGRATIONS.at(-1)?.version ?? 0;
}
