import { z } from 'zod';
import { approvalReasonSchema, plannedChangesSchema, usageSchema } from '../codecs.ts';
import type { NewStoredPlan, RunKind, StoredPlan } from '../types.ts';
import type { Db } from './db.ts';

/** The schema of kept plans (one row per run, one per planned account). */
export const PLANS_PG_MIGRATION = `
  CREATE TABLE run_plans (
    seq BIGSERIAL NOT NULL UNIQUE,
    run_id TEXT COLLATE "C" PRIMARY KEY,
    connection_id TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    reasons JSON NOT NULL,
    accounts INTEGER NOT NULL,
    estimated_calls JSON NOT NULL,
    approved_at TEXT,
    approved_by_run TEXT
  );
  CREATE INDEX run_plans_by_connection ON run_plans (connection_id, created_at);
  CREATE TABLE run_plan_writes (
    run_id TEXT COLLATE "C" NOT NULL,
    account_id TEXT COLLATE "C" NOT NULL,
    name TEXT,
    changes JSON NOT NULL,
    PRIMARY KEY (run_id, account_id)
  );
`;

/** Who approved a plan (a console user, the CLI's OS user). */
export const PLAN_APPROVER_PG_MIGRATION = 'ALTER TABLE run_plans ADD COLUMN approved_by TEXT;';

const planRow = z.object({
  run_id: z.string(), connection_id: z.string(), kind: z.enum(['sync', 'rollback']), created_at: z.string(), reasons: z.unknown(),
  accounts: z.number(), estimated_calls: z.unknown(), approved_at: z.string().nullable(), approved_by_run: z.string().nullable(),
  approved_by: z.string().nullable(),
});
const writeRow = z.object({ account_id: z.string(), name: z.string().nullable(), changes: z.unknown() });
const PLAN_COLUMNS = 'run_id, connection_id, kind, created_at, reasons, accounts, estimated_calls, approved_at, approved_by_run, approved_by';

export class PgPlans {
  constructor(private readonly db: Db) {}

  async save(plan: NewStoredPlan): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM run_plan_writes WHERE run_id = $1', [plan.runId]);
      await tx.query('DELETE FROM run_plans WHERE run_id = $1', [plan.runId]);
      await tx.query(
        'INSERT INTO run_plans (run_id, connection_id, kind, created_at, reasons, accounts, estimated_calls) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [plan.runId, plan.connectionId, plan.kind, plan.createdAt, JSON.stringify(plan.reasons), plan.accounts, JSON.stringify(plan.estimatedCalls)],
      );
      if (plan.writes.length === 0) return;
      await tx.query(
        `INSERT INTO run_plan_writes (run_id, account_id, name, changes)
         SELECT $1, u.account_id, u.name, u.changes::json FROM unnest($2::text[], $3::text[], $4::text[]) AS u (account_id, name, changes)`,
        [plan.runId, plan.writes.map((w) => w.accountId), plan.writes.map((w) => w.name), plan.writes.map((w) => JSON.stringify(w.changes))],
      );
    });
  }

  async get(runId: string): Promise<StoredPlan | null> {
    const { rows } = await this.db.query(`SELECT ${PLAN_COLUMNS} FROM run_plans WHERE run_id = $1`, [runId]);
    return rows.length === 0 ? null : this.toPlan(rows[0]);
  }

  async latestOpen(connectionId: string, kind: RunKind): Promise<StoredPlan | null> {
    const { rows } = await this.db.query(
      `SELECT ${PLAN_COLUMNS} FROM run_plans WHERE connection_id = $1 AND kind = $2 AND approved_at IS NULL ORDER BY created_at DESC, seq DESC LIMIT 1`,
      [connectionId, kind],
    );
    return rows.length === 0 ? null : this.toPlan(rows[0]);
  }

  async approve(runId: string, byRun: string, at: string, by: string | null): Promise<boolean> {
    return (await this.db.query('UPDATE run_plans SET approved_at = $1, approved_by_run = $2, approved_by = $3 WHERE run_id = $4 AND approved_at IS NULL', [at, byRun, by, runId])).rowCount === 1;
  }

  async hasWritten(connectionId: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `SELECT 1 FROM run_plans WHERE connection_id = $1 AND kind = 'sync' AND approved_at IS NOT NULL
       UNION ALL
       SELECT 1 FROM runs WHERE connection_id = $1 AND kind = 'sync' AND NOT dry_run AND (counts->>'written')::numeric > 0
       LIMIT 1`,
      [connectionId],
    );
    return rows.length > 0;
  }

  private async toPlan(raw: unknown): Promise<StoredPlan> {
    const r = planRow.parse(raw);
    const { rows } = await this.db.query('SELECT account_id, name, changes FROM run_plan_writes WHERE run_id = $1 ORDER BY account_id', [r.run_id]);
    const writes = rows.map((w) => {
      const row = writeRow.parse(w);
      return { accountId: row.account_id, name: row.name, changes: plannedChangesSchema.parse(row.changes) };
    });
    return {
      runId: r.run_id, connectionId: r.connection_id, kind: r.kind, createdAt: r.created_at,
      reasons: z.array(approvalReasonSchema).parse(r.reasons), accounts: r.accounts,
      estimatedCalls: usageSchema.parse(r.estimated_calls), writes, approvedAt: r.approved_at, approvedByRun: r.approved_by_run, approvedBy: r.approved_by,
    };
  }
}
