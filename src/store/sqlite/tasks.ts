import type Database from 'better-sqlite3';
import { z } from 'zod';
import { TASK_KINDS } from '../../contract/tasks.ts';
import type { KnownTaskStatus, PlannedTask } from '../../contract/tasks.ts';
import { TASK_STATUSES, type StoredTask, type TaskOutcomeUpdate } from '../task-types.ts';

/** The tasks table (one migration of its own, see TASKS_SQLITE_MIGRATION). */
export const TASKS_SQLITE_MIGRATION = `
  CREATE TABLE crm_tasks (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    task_key TEXT NOT NULL,
    run_id TEXT NOT NULL,
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

const statusSchema = z.enum(TASK_STATUSES as [KnownTaskStatus, ...KnownTaskStatus[]]);
const row = z.object({
  task_key: z.string(), run_id: z.string(), kind: z.enum(TASK_KINDS as ['became-key', 'left-key', 'risk', 'reminder']), family_id: z.string(), account_id: z.string(),
  owner_id: z.string(), subject: z.string(), body: z.string(), due_date: z.string(), priority: z.enum(['high', 'normal']), detail: z.string().nullable(),
  status: statusSchema, task_id: z.string().nullable(), message: z.string().nullable(), updated_at: z.string(),
});

export function storedTaskOf(raw: unknown): StoredTask {
  const r = row.parse(raw);
  return {
    key: r.task_key, runId: r.run_id, kind: r.kind, familyId: r.family_id, accountId: r.account_id, ownerId: r.owner_id, subject: r.subject, body: r.body,
    dueDate: r.due_date, priority: r.priority, detail: r.detail, status: r.status, taskId: r.task_id, message: r.message, updatedAt: r.updated_at,
  };
}

export class TaskTables {
  constructor(private readonly db: Database.Database) {}

  statuses(connectionId: string, keys: readonly string[]): Map<string, KnownTaskStatus> {
    const out = new Map<string, KnownTaskStatus>();
    const get = this.db.prepare('SELECT status FROM crm_tasks WHERE connection_id = ? AND task_key = ?');
    for (const key of keys) {
      const r = get.get(connectionId, key) as { status: string } | undefined;
      if (r) out.set(key, statusSchema.parse(r.status));
    }
    return out;
  }

  saveSending(connectionId: string, runId: string, tasks: readonly PlannedTask[], at: string): void {
    const upsert = this.db.prepare(
      `INSERT INTO crm_tasks (connection_id, task_key, run_id, kind, family_id, account_id, owner_id, subject, body, due_date, priority, detail, status, task_id, message, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', NULL, NULL, ?)
       ON CONFLICT (connection_id, task_key) DO UPDATE SET run_id = excluded.run_id, owner_id = excluded.owner_id, subject = excluded.subject, body = excluded.body,
         due_date = excluded.due_date, priority = excluded.priority, status = 'sending', task_id = NULL, message = NULL, updated_at = excluded.updated_at
       WHERE crm_tasks.status = 'failed'`,
    );
    this.db.transaction(() => {
      for (const t of tasks) upsert.run(connectionId, t.key, runId, t.kind, t.familyId, t.accountId, t.ownerId, t.subject, t.body, t.dueDate, t.priority, t.detail, at);
    })();
  }

  recordOutcomes(connectionId: string, updates: readonly TaskOutcomeUpdate[], at: string): void {
    const set = this.db.prepare(
      'UPDATE crm_tasks SET status = ?, task_id = COALESCE(?, task_id), message = ?, updated_at = ? WHERE connection_id = ? AND task_key = ?',
    );
    this.db.transaction(() => {
      for (const u of updates) set.run(u.status, u.taskId ?? null, u.message ?? null, at, connectionId, u.key);
    })();
  }

  forRun(runId: string): StoredTask[] {
    return this.db.prepare('SELECT * FROM crm_tasks WHERE run_id = ? ORDER BY task_key').all(runId).map(storedTaskOf);
  }
}
