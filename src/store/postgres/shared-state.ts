import { z } from 'zod';
import type { ApiBudgetDay, FailureCount, StoredWebSession } from '../types.ts';
import type { Db } from './db.ts';

const big = z.union([z.string(), z.number()]).transform(Number);
const sessionRow = z.object({ id: z.string(), user: z.string().nullable(), data: z.string(), created_at: big, last_seen_at: big, expires_at: big });
const failureRow = z.object({ key: z.string(), failures: z.number(), window_ends_at: big });
const budgetRow = z.object({ org: z.string(), day: z.string(), used: big, reported_used: big.nullable(), reported_max: big.nullable(), updated_at: z.string() });

const toBudget = (raw: unknown): ApiBudgetDay => {
  const r = budgetRow.parse(raw);
  return { org: r.org, day: r.day, used: r.used, reportedUsed: r.reported_used, reportedMax: r.reported_max, updatedAt: r.updated_at };
};

function counts(rows: unknown[]): Record<string, FailureCount> {
  const out: Record<string, FailureCount> = {};
  for (const raw of rows) {
    const r = failureRow.parse(raw);
    out[r.key] = { failures: r.failures, windowEndsAt: r.window_ends_at };
  }
  return out;
}

/**
 * The console's shared state (sessions, login failures, deliveries seen, run triggers, API
 * budget), so that every `serve` and worker process on the database sees the same.
 */
export class PgSharedState {
  constructor(private readonly db: Db) {}

  async saveWebSession(s: StoredWebSession): Promise<void> {
    await this.db.query(`INSERT INTO web_sessions (id, "user", data, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (id) DO UPDATE SET "user" = excluded."user", data = excluded.data, last_seen_at = excluded.last_seen_at, expires_at = excluded.expires_at`,
    [s.id, s.user, s.data, s.createdAt, s.lastSeenAt, s.expiresAt]);
  }

  async getWebSession(id: string, now: number): Promise<StoredWebSession | null> {
    const { rows } = await this.db.query('SELECT id, "user", data, created_at, last_seen_at, expires_at FROM web_sessions WHERE id = $1 AND expires_at > $2', [id, now]);
    if (rows.length === 0) return null;
    const r = sessionRow.parse(rows[0]);
    return { id: r.id, user: r.user, data: r.data, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at };
  }

  async deleteWebSession(id: string): Promise<void> {
    await this.db.query('DELETE FROM web_sessions WHERE id = $1', [id]);
  }

  async pruneWebSessions(now: number, keep: number): Promise<number> {
    const expired = await this.db.query('DELETE FROM web_sessions WHERE expires_at <= $1', [now]);
    const extra = await this.db.query(
      `DELETE FROM web_sessions WHERE id IN (
         SELECT id FROM web_sessions ORDER BY ("user" IS NOT NULL), last_seen_at, id
         LIMIT GREATEST(0, (SELECT count(*) FROM web_sessions) - $1))`,
      [keep],
    );
    return expired.rowCount + extra.rowCount;
  }

  async loginFailures(keys: string[], now: number): Promise<Record<string, FailureCount>> {
    const { rows } = await this.db.query('SELECT key, failures, window_ends_at FROM login_failures WHERE key = ANY($1::text[]) AND window_ends_at > $2', [keys, now]);
    return counts(rows);
  }

  async addLoginFailure(keys: string[], now: number, windowMs: number): Promise<Record<string, FailureCount>> {
    // One statement: concurrent failures on any server are each counted once.
    const { rows } = await this.db.query(
      `INSERT INTO login_failures (key, failures, window_ends_at) SELECT k, 1, $2 FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_failures.window_ends_at > $3 THEN login_failures.failures + 1 ELSE 1 END,
         window_ends_at = CASE WHEN login_failures.window_ends_at > $3 THEN login_failures.window_ends_at ELSE excluded.window_ends_at END
       RETURNING key, failures, window_ends_at`,
      [[...new Set(keys)], now + windowMs, now],
    );
    return counts(rows);
  }

  async takeBackLoginFailure(keys: string[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE login_failures SET failures = failures - 1 WHERE key = ANY($1::text[]) AND failures > 0', [keys]);
      await tx.query('DELETE FROM login_failures WHERE key = ANY($1::text[]) AND failures <= 0', [keys]);
    });
  }

  async clearLoginFailures(keys: string[]): Promise<void> {
    await this.db.query('DELETE FROM login_failures WHERE key = ANY($1::text[])', [keys]);
  }

  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    await this.db.query('DELETE FROM seen_once WHERE expires_at <= $1', [now]);
    const r = await this.db.query('INSERT INTO seen_once (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, expiresAt]);
    return r.rowCount === 1;
  }

  async setRunTrigger(runId: string, trigger: string): Promise<void> {
    await this.db.query('INSERT INTO run_triggers (run_id, trigger) VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET trigger = excluded.trigger', [runId, trigger]);
  }

  async runTriggers(runIds: string[]): Promise<Record<string, string>> {
    const { rows } = await this.db.query('SELECT run_id, trigger FROM run_triggers WHERE run_id = ANY($1::text[])', [runIds]);
    const out: Record<string, string> = {};
    for (const raw of rows) {
      const r = z.object({ run_id: z.string(), trigger: z.string() }).parse(raw);
      out[r.run_id] = r.trigger;
    }
    return out;
  }

  async addApiUsage(org: string, day: string, calls: number, reading: { used: number; max: number } | null, now: string): Promise<ApiBudgetDay> {
    const { rows } = await this.db.query(
      `INSERT INTO api_budget (org, day, used, reported_used, reported_max, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org, day) DO UPDATE SET used = api_budget.used + excluded.used,
         reported_used = GREATEST(excluded.reported_used, api_budget.reported_used),
         reported_max = COALESCE(excluded.reported_max, api_budget.reported_max), updated_at = excluded.updated_at
       RETURNING org, day, used, reported_used, reported_max, updated_at`,
      [org, day, calls, reading?.used ?? null, reading?.max ?? null, now],
    );
    return toBudget(rows[0]);
  }

  async apiBudget(org: string, day: string): Promise<ApiBudgetDay | null> {
    const { rows } = await this.db.query('SELECT org, day, used, reported_used, reported_max, updated_at FROM api_budget WHERE org = $1 AND day = $2', [org, day]);
    return rows.length === 0 ? null : toBudget(rows[0]);
  }
}
