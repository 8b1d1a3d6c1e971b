import type Database from 'better-sqlite3';
import { PLAN_APPROVER_SQLITE_MIGRATION, PLANS_SQLITE_MIGRATION } from './sqlite/plans.ts';
import { WRITEBACK_SQLITE_MIGRATION } from './sqlite/writeback-schema.ts';
import { TASKS_SQLITE_MIGRATION } from './sqlite/tasks.ts';

/** Schema versions, applied in order at open; never edit one that has shipped, add the next. */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE connections (
        id TEXT PRIMARY KEY,
        crm TEXT NOT NULL CHECK (crm IN ('salesforce', 'hubspot')),
        base_url TEXT NOT NULL,
        options_json TEXT NOT NULL DEFAULT '{}',
        schedule TEXT,
        timezone TEXT,
        analysis_config_json TEXT,
        tokens_sealed TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE locks (
        connection_id TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE streams (
        connection_id TEXT NOT NULL,
        object TEXT NOT NULL,
        cursor_json TEXT,
        phase TEXT NOT NULL CHECK (phase IN ('full', 'incremental')),
        sweep_token TEXT,
        PRIMARY KEY (connection_id, object)
      );
      CREATE TABLE mirror (
        connection_id TEXT NOT NULL,
        object TEXT NOT NULL,
        id TEXT NOT NULL,
        data_json TEXT NOT NULL,
        sweep_token TEXT,
        PRIMARY KEY (connection_id, object, id)
      );
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        connection_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        mode TEXT,
        dry_run INTEGER NOT NULL DEFAULT 0,
        as_of TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        counts_json TEXT NOT NULL,
        api_usage_json TEXT NOT NULL DEFAULT '{}',
        error TEXT,
        rollback_of TEXT
      );
      CREATE INDEX runs_by_connection ON runs (connection_id, started_at);
      CREATE TABLE run_writes (
        run_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        chunk INTEGER NOT NULL,
        fields_json TEXT NOT NULL,
        previous_json TEXT NOT NULL,
        status TEXT NOT NULL,
        error_kind TEXT,
        code TEXT,
        message TEXT,
        PRIMARY KEY (run_id, account_id)
      );
      CREATE TABLE run_issues (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        stage TEXT NOT NULL,
        object TEXT,
        record_id TEXT,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
    `,
  },
  {
    version: 2,
    name: 'console settings and change marks',
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE change_marks (
        connection_id TEXT NOT NULL,
        object TEXT NOT NULL,
        id TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        marked_at TEXT NOT NULL,
        PRIMARY KEY (connection_id, object, id)
      );
    `,
  },
  {
    version: 3,
    name: 'connections: any registered source',
    // SQLite cannot drop a CHECK constraint: the table is rebuilt without it. Which sources
    // exist is the registry's business (connectors/registry.ts), checked where connections
    // are made; the store keeps the id as given.
    sql: `
      CREATE TABLE connections_new (
        id TEXT PRIMARY KEY,
        crm TEXT NOT NULL CHECK (length(crm) > 0),
        base_url TEXT NOT NULL,
        options_json TEXT NOT NULL DEFAULT '{}',
        schedule TEXT,
        timezone TEXT,
        analysis_config_json TEXT,
        tokens_sealed TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      INSERT INTO connections_new SELECT id, crm, base_url, options_json, schedule, timezone, analysis_config_json, tokens_sealed, created_at, updated_at FROM connections;
      DROP TABLE connections;
      ALTER TABLE connections_new RENAME TO connections;
    `,
  },
  {
    version: 4,
    name: 'write-back safety: one connection per account, key check, memory, conflicts, quarantine, remote jobs',
    sql: WRITEBACK_SQLITE_MIGRATION,
  },
  {
    version: 5,
    name: 'lock holders, console sessions, login failures, deliveries seen, run triggers, API budget',
    sql: `
      ALTER TABLE locks ADD COLUMN host TEXT;
      ALTER TABLE locks ADD COLUMN pid INTEGER;
      ALTER TABLE locks ADD COLUMN process_started TEXT;
      ALTER TABLE locks ADD COLUMN acquired_at INTEGER;
      CREATE TABLE web_sessions (
        id TEXT PRIMARY KEY,
        user TEXT,
        data_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
      CREATE TABLE login_failures (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        window_ends_at INTEGER NOT NULL
      );
      CREATE TABLE seen_once (
        key TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX seen_once_by_expiry ON seen_once (expires_at);
      CREATE TABLE run_triggers (
        run_id TEXT PRIMARY KEY,
        trigger TEXT NOT NULL
      );
      CREATE TABLE api_budget (
        org TEXT NOT NULL,
        day TEXT NOT NULL,
        used INTEGER NOT NULL,
        reported_used INTEGER,
        reported_max INTEGER,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (org, day)
      );
    `,
  },
  {
    version: 6,
    name: 'tasks for account owners, under their dedupe keys',
    sql: TASKS_SQLITE_MIGRATION,
  },
  {
    version: 7,
    name: 'plans kept for review and approval',
    sql: PLANS_SQLITE_MIGRATION,
  },
  {
    version: 8,
    name: 'who approved a plan',
    sql: PLAN_APPROVER_SQLITE_MIGRATION,
  },
];

/**
 * Applies the missing migrations in one IMMEDIATE transaction: it takes the write lock before
 * reading which versions are there, so processes opening a new file at once wait for each
 * other (busy_timeout) instead of applying the same migration twice.
 */
export function migrate(db: Database.Database, now: () => string): number[] {
  return db.transaction((): number[] => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const rows = db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
    const done = new Set(rows.map((r) => r.version));
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new Error(`the database is at schema version ${newest}, newer than this Kamflow knows (${known}); upgrade Kamflow`);
    }
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now());
      applied.push(m.version);
    }
    return applied;
  }).immediate();
}
