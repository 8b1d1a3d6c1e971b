import type Database from 'better-sqlite3';
import type { ApiBudgetDay, FailureCount, StoredWebSession } from '../types.ts';

interface SessionRow { id: string; user: string | null; data_json: string; created_at: number; last_seen_at: number; expires_at: number }
interface BudgetRow { org: string; day: string; used: number; reported_used: number | null; reported_max: number | null; updated_at: string }

const toBudget = (r: BudgetRow): ApiBudgetDay => ({ org: r.org, day: r.day, used: r.used, reportedUsed: r.reported_used, reportedMax: r.reported_max, updatedAt: r.updated_at });

/**
 * The console's shared state (sessions, login failures, deliveries seen, run triggers, API
 * budget) in the SQLite file, with the same rules as the PostgreSQL store's.
 */
export class SharedStateTables {
  /** Statements prepared once per store: a console page reads its session on every request. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private sql(text: string): Database.Statement {
    let s = this.statements.get(text);
    if (s === undefined) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  saveWebSession(s: StoredWebSession): void {
    this.sql(`INSERT INTO web_sessions (id, user, data_json, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET user = excluded.user, data_json = excluded.data_json, last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at`)
      .run(s.id, s.user, s.data, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  getWebSession(id: string, now: number): StoredWebSession | null {
    const r = this.sql('SELECT * FROM web_sessions WHERE id = ? AND expires_at > ?').get(id, now) as SessionRow | undefined;
    return r ? { id: r.id, user: r.user, data: r.data_json, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at } : null;
  }

  deleteWebSession(id: string): void {
    this.sql('DELETE FROM web_sessions WHERE id = ?').run(id);
  }

  pruneWebSessions(now: number, keep: number): number {
    return this.db.transaction(() => {
      let gone = this.sql('DELETE FROM web_sessions WHERE expires_at <= ?').run(now).changes;
      const { n } = this.sql('SELECT count(*) AS n FROM web_sessions').get() as { n: number };
      if (n > keep) {
        gone += this.sql(`DELETE FROM web_sessions WHERE id IN (SELECT id FROM web_sessions ORDER BY (user IS NOT NULL), last_seen_at, id LIMIT ?)`).run(n - keep).changes;
      }
      return gone;
    })();
  }

  loginFailures(keys: string[], now: number): Record<string, FailureCount> {
    const out: Record<string, FailureCount> = {};
    const get = this.sql('SELECT failures, window_ends_at FROM login_failures WHERE key = ? AND window_ends_at > ?');
    for (const key of keys) {
      const r = get.get(key, now) as { failures: number; window_ends_at: number } | undefined;
      if (r) out[key] = { failures: r.failures, windowEndsAt: r.window_ends_at };
    }
    return out;
  }

  addLoginFailure(keys: string[], now: number, windowMs: number): Record<string, FailureCount> {
    const upsert = this.sql(`INSERT INTO login_failures (key, failures, window_ends_at) VALUES (?, 1, ?)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN login_failures.window_ends_at > ? THEN login_failures.failures + 1 ELSE 1 END,
        window_ends_at = CASE WHEN login_failures.window_ends_at > ? THEN login_failures.window_ends_at ELSE excluded.window_ends_at END
      RETURNING failures, window_ends_at`);
    return this.db.transaction(() => {
      const out: Record<string, FailureCount> = {};
      for (const key of keys) {
        const r = upsert.get(key, now + windowMs, now, now) as { failures: number; window_ends_at: number };
        out[key] = { failures: r.failures, windowEndsAt: r.window_ends_at };
      }
      return out;
    }).immediate();
  }

  takeBackLoginFailure(keys: string[]): void {
    const dec = this.sql('UPDATE login_failures SET failures = failures - 1 WHERE key = ? AND failures > 0');
    const drop = this.sql('DELETE FROM login_failures WHERE key = ? AND failures <= 0');
    this.db.transaction(() => {
      for (const key of keys) {
        dec.run(key);
        drop.run(key);
      }
    })();
  }

  clearLoginFailures(keys: string[]): void {
    const del = this.sql('DELETE FROM login_failures WHERE key = ?');
    this.db.transaction(() => { for (const key of keys) del.run(key); })();
  }

  rememberOnce(key: string, expiresAt: number, now: number): boolean {
    return this.db.transaction(() => {
      this.sql('DELETE FROM seen_once WHERE expires_at <= ?').run(now);
      return this.sql('INSERT INTO seen_once (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, expiresAt).changes === 1;
    }).immediate();
  }

  setRunTrigger(runId: string, trigger: string): void {
    this.sql('INSERT INTO run_triggers (run_id, trigger) VALUES (?, ?) ON CONFLICT (run_id) DO UPDATE SET trigger = excluded.trigger').run(runId, trigger);
  }

  runTriggers(runIds: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    const get = this.sql('SELECT trigger FROM run_triggers WHERE run_id = ?');
    for (const id of runIds) {
      const r = get.get(id) as { trigger: string } | undefined;
      if (r) out[id] = r.trigger;
    }
    return out;
  }

  addApiUsage(org: string, day: string, calls: number, reading: { used: number; max: number } | null, now: string): ApiBudgetDay {
    const r = this.sql(`INSERT INTO api_budget (org, day, used, reported_used, reported_max, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (org, day) DO UPDATE SET used = api_budget.used + excluded.used,
        reported_used = COALESCE(excluded.reported_used, api_budget.reported_used),
        reported_max = COALESCE(excluded.reported_max, api_budget.reported_max), updated_at = excluded.updated_at
      RETURNING *`).get(org, day, calls, reading?.used ?? null, reading?.max ?? null, now) as BudgetRow;
    return toBudget(r);
  }

  apiBudget(org: string, day: string): ApiBudgetDay | null {
    const r = this.sql('SELECT * FROM api_budget WHERE org = ? AND day = ?').get(org, day) as BudgetRow | undefined;
    return r ? toBudget(r) : null;
  }
}
