import type { KnownTaskStatus, PlannedTask } from '../../contract/tasks.ts';
import { storedTaskOf } from '../sqlite/tasks.ts';
import { TASK_STATUSES, type StoredTask, type TaskOutcomeUpdate } from '../task-types.ts';
import type { Db } from './db.ts';

/** The PostgreSQL side of sqlite/tasks.ts: the same table and answers. */
export const TASKS_PG_MIGRATION = `
  CREATE TABLE crm_tasks (
    connection_id TEXT COLLATE "C" NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    task_key TEXT COLLATE "C" NOT NULL,
    run_id TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    family_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    due_date TEXT NOT NULL,
    priority TEXT NOT NULL,
    detail TEXT,
    status TEXT NOT NULL,
    task_id TEXT,
    message TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, task_key)
  );
  CREATE INDEX crm_tasks_by_run ON crm_tasks (run_id);
`;

export class PgTasks {
  constructor(private readonly db: Db) {}

  async statuses(connectionId: string, keys: readonly string[]): Promise<Map<string, KnownTaskStatus>> {
    const out = new Map<string, KnownTaskStatus>();
    if (keys.length === 0) return out;
    const { rows } = await this.db.query('SELECT task_key, status FROM crm_tasks WHERE connection_id = $1 AND task_key = ANY($2::text[])', [connectionId, [...keys]]);
    for (const r of rows as { task_key: string; status: string }[]) {
      const status = TASK_STATUSES.find((s) => s === r.status);
      if (status) out.set(r.task_key, status);
    }
    return out;
  }

  async saveSending(connectionId: string, runId: string, tasks: readonly PlannedTask[], at: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const t of tasks) {
        await tx.query(
          `INSERT INTO crm_tasks (connection_id, task_key, run_id, kind, family_id, account_id, owner_id, subject, body, due_date, priority, detail, status, task_id, message, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'sending', NULL, NULL, $13)
           ON CONFLICT (connection_id, task_key) DO UPDATE SET run_id = excluded.run_id, owner_id = excluded.owner_id, subject = excluded.subject, body = excluded.body,
             due_date = excluded.due_date, priority = excluded.priority, status = 'sending', task_id = NULL, message = NULL, updated_at = excluded.updated_at
           WHERE crm_tasks.status = 'failed'`,
          [connectionId, t.key, runId, t.kind, t.familyId, t.accountId, t.ownerId, t.subject, t.body, t.dueDate, t.priority, t.detail, at],
        );
      }
    });
  }

  async recordOutcomes(connectionId: string, updates: readonly TaskOutcomeUpdate[], at: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const u of updates) {
        await tx.query(
          'UPDATE crm_tasks SET status = $1, task_id = COALESCE($2, task_id), message = $3, updated_at = $4 WHERE connection_id = $5 AND task_key = $6',
          [u.status, u.taskId ?? null, u.message ?? null, at, connectionId, u.key],
        );
      }
    });
  }

  async forRun(runId: string): Promise<StoredTask[]> {
    const { rows } = await this.db.query('SELECT * FROM crm_tasks WHERE run_id = $1 ORDER BY task_key', [runId]);
    return rows.map(storedTaskOf);
  }
}
