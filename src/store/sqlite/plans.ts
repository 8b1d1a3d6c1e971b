import type Database from 'better-sqlite3';
import { z } from 'zod';
import { approvalReasonSchema, plannedChangesSchema, usageSchema } from '../codecs.ts';
import type { NewStoredPlan, RunKind, StoredPlan } from '../types.ts';

/** The schema of kept plans (one row per run, one per planned account). */
export const PLANS_SQLITE_MIGRATION = `
  CREATE TABLE run_plans (
    run_id TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reasons_json TEXT NOT NULL,
    accounts INTEGER NOT NULL,
    estimated_calls_json TEXT NOT NULL,
    approved_at TEXT,
    approved_by_run TEXT
  );
  CREATE INDEX run_plans_by_connection ON run_plans (connection_id, created_at);
  CREATE TABLE run_plan_writes (
    run_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    name TEXT,
    changes_json TEXT NOT NULL,
    PRIMARY KEY (run_id, account_id)
  );
`;

/** Who approved a plan (a console user, the CLI's OS user). */
export const PLAN_APPROVER_SQLITE_MIGRATION = 'ALTER TABLE run_plans ADD COLUMN approved_by TEXT;';

const planRow = z.object({
  run_id: z.string(), connection_id: z.string(), kind: z.enum(['sync', 'rollback']), created_at: z.string(), reasons_json: z.string(),
  accounts: z.number(), estimated_calls_json: z.string(), approved_at: z.string().nullable(), approved_by_run: z.string().nullable(),
  approved_by: z.string().nullable(),
});
const writeRow = z.object({ account_id: z.string(), name: z.string().nullable(), changes_json: z.string() });

export class PlanTables {
  constructor(private readonly db: Database.Database) {}

  save(plan: NewStoredPlan): void {
    const insert = this.db.prepare('INSERT INTO run_plan_writes (run_id, account_id, name, changes_json) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM run_plan_writes WHERE run_id = ?').run(plan.runId);
      this.db.prepare('DELETE FROM run_plans WHERE run_id = ?').run(plan.runId);
      this.db
        .prepare(`INSERT INTO run_plans (run_id, connection_id, kind, created_at, reasons_json, accounts, estimated_calls_json) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(plan.runId, plan.connectionId, plan.kind, plan.createdAt, JSON.stringify(plan.reasons), plan.accounts, JSON.stringify(plan.estimatedCalls));
      for (const w of plan.writes) insert.run(plan.runId, w.accountId, w.name, JSON.stringify(w.changes));
    }).immediate();
  }

  get(runId: string): StoredPlan | null {
    const raw: unknown = this.db.prepare('SELECT * FROM run_plans WHERE run_id = ?').get(runId);
    return raw === undefined ? null : this.toPlan(raw);
  }

  latestOpen(connectionId: string, kind: RunKind): StoredPlan | null {
    const raw: unknown = this.db
      .prepare('SELECT * FROM run_plans WHERE connection_id = ? AND kind = ? AND approved_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(connectionId, kind);
    return raw === undefined ? null : this.toPlan(raw);
  }

  approve(runId: string, byRun: string, at: string, by: string | null): boolean {
    return this.db.prepare('UPDATE run_plans SET approved_at = ?, approved_by_run = ?, approved_by = ? WHERE run_id = ? AND approved_at IS NULL').run(at, byRun, by, runId).changes === 1;
  }

  hasWritten(connectionId: string): boolean {
    const approved = this.db.prepare("SELECT 1 FROM run_plans WHERE connection_id = ? AND kind = 'sync' AND approved_at IS NOT NULL LIMIT 1").get(connectionId);
    if (approved !== undefined) return true;
    return this.db
      .prepare("SELECT 1 FROM runs WHERE connection_id = ? AND kind = 'sync' AND dry_run = 0 AND CAST(json_extract(counts_json, '$.written') AS INTEGER) > 0 LIMIT 1")
      .get(connectionId) !== undefined;
  }

  private toPlan(raw: unknown): StoredPlan {
    const r = planRow.parse(raw);
    const writes = (this.db.prepare('SELECT account_id, name, changes_json FROM run_plan_writes WHERE run_id = ? ORDER BY account_id').all(r.run_id) as unknown[]).map((w) => {
      const row = writeRow.parse(w);
      return { accountId: row.account_id, name: row.name, changes: plannedChangesSchema.parse(JSON.parse(row.changes_json)) };
    });
    return {
      runId: r.run_id, connectionId: r.connection_id, kind: r.kind, createdAt: r.created_at,
      reasons: z.array(approvalReasonSchema).parse(JSON.parse(r.reasons_json)), accounts: r.accounts,
      estimatedCalls: usageSchema.parse(JSON.parse(r.estimated_calls_json)), writes, approvedAt: r.approved_at, approvedByRun: r.approved_by_run, approvedBy: r.approved_by,
    };
  }
}
