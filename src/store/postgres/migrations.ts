import type { Db } from './db.ts';
import { PLAN_APPROVER_PG_MIGRATION, PLANS_PG_MIGRATION } from './plans.ts';
import { WRITEBACK_PG_MIGRATION } from './writeback-schema.ts';
import { TASKS_PG_MIGRATION } from './tasks.ts';

/**
 * PostgreSQL schema versions, applied in order when a store opens; never edit one that has
 * shipped, add the next. Keys and ids use the "C" collation so that every ordering is by
 * bytes, as SQLite's, whatever locale the database was created with: both stores list the
 * mirror, runs and marks in the same order. Timestamps are kept as the ISO strings the Store
 * interface speaks, so a value comes back exactly as it was given.
 */
export const PG_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE connections (
        id TEXT COLLATE "C" PRIMARY KEY,
        crm TEXT NOT NULL,
        base_url TEXT NOT NULL,
        options JSON NOT NULL,
        schedule TEXT,
        timezone TEXT,
        analysis_config JSON,
        tokens_sealed TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE locks (
        connection_id TEXT COLLATE "C" PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE streams (
        connection_id TEXT COLLATE "C" NOT NULL,
        object TEXT COLLATE "C" NOT NULL,
        cursor JSON,
        phase TEXT NOT NULL CHECK (phase IN ('full', 'incremental')),
        sweep_token TEXT,
        PRIMARY KEY (connection_id, object)
      );
      CREATE TABLE mirror (
        connection_id TEXT COLLATE "C" NOT NULL,
        object TEXT COLLATE "C" NOT NULL,
        id TEXT COLLATE "C" NOT NULL,
        data JSON NOT NULL,
        sweep_token TEXT,
        PRIMARY KEY (connection_id, object, id)
      );
      -- Deleting an opportunity removes its line items: found by this index, not by a scan.
      CREATE INDEX mirror_line_items_by_opportunity ON mirror (connection_id, (data ->> 'opportunityId')) WHERE object = 'lineItems';
      CREATE TABLE runs (
        seq BIGSERIAL NOT NULL UNIQUE,
        id TEXT COLLATE "C" PRIMARY KEY,
        connection_id TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        mode TEXT,
        dry_run BOOLEAN NOT NULL,
        as_of TEXT,
        started_at TEXT COLLATE "C" NOT NULL,
        finished_at TEXT,
        counts JSON NOT NULL,
        api_usage JSON NOT NULL,
        error TEXT,
        rollback_of TEXT
      );
      CREATE INDEX runs_by_connection ON runs (connection_id, started_at);
      CREATE INDEX runs_by_start ON runs (started_at, seq);
      CREATE TABLE run_writes (
        run_id TEXT COLLATE "C" NOT NULL,
        account_id TEXT COLLATE "C" NOT NULL,
        chunk INTEGER NOT NULL,
        fields JSON NOT NULL,
        previous JSON NOT NULL,
        status TEXT NOT NULL,
        error_kind TEXT,
        code TEXT,
        message TEXT,
        PRIMARY KEY (run_id, account_id)
      );
      CREATE INDEX run_writes_by_chunk ON run_writes (run_id, chunk);
      CREATE TABLE run_issues (
        seq BIGSERIAL PRIMARY KEY,
        run_id TEXT COLLATE "C" NOT NULL,
        stage TEXT NOT NULL,
        object TEXT,
        record_id TEXT,
        kind TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX run_issues_by_run ON run_issues (run_id, seq);
      CREATE TABLE settings (
        key TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE change_marks (
        connection_id TEXT COLLATE "C" NOT NULL,
        object TEXT COLLATE "C" NOT NULL,
        id TEXT COLLATE "C" NOT NULL,
        deleted BOOLEAN NOT NULL,
        marked_at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (connection_id, object, id)
      );
    `,
  },
  {
    version: 2,
    name: 'write-back safety: one connection per account, key check, memory, conflicts, quarantine, remote jobs',
    sql: WRITEBACK_PG_MIGRATION,
  },
  {
    version: 3,
    name: 'lock holders, console sessions, login failures, deliveries seen, run triggers, API budget, schedules, workers',
    sql: `
      ALTER TABLE locks ADD COLUMN host TEXT;
      ALTER TABLE locks ADD COLUMN pid INTEGER;
      ALTER TABLE locks ADD COLUMN process_started TEXT;
      ALTER TABLE locks ADD COLUMN session_pid INTEGER;
      ALTER TABLE locks ADD COLUMN session_started TEXT;
      ALTER TABLE locks ADD COLUMN acquired_at BIGINT;
      CREATE TABLE web_sessions (
        id TEXT COLLATE "C" PRIMARY KEY,
        "user" TEXT,
        data TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
      CREATE TABLE login_failures (
        key TEXT COLLATE "C" PRIMARY KEY,
        failures INTEGER NOT NULL,
        window_ends_at BIGINT NOT NULL
      );
      CREATE TABLE seen_once (
        key TEXT COLLATE "C" PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX seen_once_by_expiry ON seen_once (expires_at);
      CREATE TABLE run_triggers (
        run_id TEXT COLLATE "C" PRIMARY KEY,
        trigger TEXT NOT NULL
      );
      CREATE TABLE api_budget (
        org TEXT COLLATE "C" NOT NULL,
        day TEXT COLLATE "C" NOT NULL,
        used BIGINT NOT NULL,
        reported_used BIGINT,
        reported_max BIGINT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (org, day)
      );
      -- The job queue's side: when each scheduled connection runs next, and the worker
      -- processes with the database session that proves each alive.
      CREATE TABLE schedules (
        connection_id TEXT COLLATE "C" PRIMARY KEY,
        cron TEXT NOT NULL,
        timezone TEXT NOT NULL,
        next_run_at BIGINT NOT NULL,
        last_enqueued_at BIGINT
      );
      CREATE TABLE worker_processes (
        id TEXT COLLATE "C" PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        concurrency INTEGER NOT NULL,
        session_pid INTEGER NOT NULL,
        session_started TEXT NOT NULL,
        started_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'tasks for account owners, under their dedupe keys',
    sql: TASKS_PG_MIGRATION,
  },
  {
    version: 5,
    name: 'plans kept for review and approval',
    sql: PLANS_PG_MIGRATION,
  },
  {
    version: 6,
    name: 'who approved a plan',
    sql: PLAN_APPROVER_PG_MIGRATION,
  },
];

/** Any fixed 64-bit number, the same in every Kamflow: the key of the migration lock. */
const MIGRATION_LOCK_KEY = '7019579843651139433';

/**
 * Applies the missing migrations, each in its own transaction. Processes opening the same
 * database at once take turns on a session advisory lock (released when the session ends,
 * even if the process dies), so a migration never runs twice and never half-way.
 */
export async function migratePostgres(db: Db, now: () => string): Promise<number[]> {
  return db.withConnection(async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await conn.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const { rows } = await conn.query('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => Number((r as { version: unknown }).version)));
      const known = Math.max(...PG_MIGRATIONS.map((m) => m.version));
      const newest = Math.max(0, ...done);
      if (newest > known) {
        throw new Error(`the database is at schema version ${newest}, newer than this Kamflow knows (${known}); upgrade Kamflow`);
      }
      const applied: number[] = [];
      for (const m of PG_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await conn.query('BEGIN');
        try {
          await conn.query(m.sql);
          await conn.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now()]);
          await conn.query('COMMIT');
        } catch (error) {
          await conn.query('ROLLBACK');
          throw error;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
