import type { KnownTaskStatus, PlannedTask, TaskKind } from '../contract/tasks.ts';

/**
 * A task Kamflow sent (or is sending) to the CRM, kept under its dedupe key per connection:
 * `sending` before the call, then `created` with the CRM's id, `failed` when the CRM refused it
 * (tried again next run), `unknown` when the answer was lost (never sent again), and after a
 * rollback `removed` (deleted or archived) or `kept` (a person had changed or completed it).
 */
export interface StoredTask {
  key: string;
  runId: string;
  kind: TaskKind;
  familyId: string;
  accountId: string;
  ownerId: string;
  subject: string;
  body: string;
  dueDate: string;
  priority: 'high' | 'normal';
  detail: string | null;
  status: KnownTaskStatus;
  taskId: string | null;
  message: string | null;
  updatedAt: string;
}

export interface TaskOutcomeUpdate {
  key: string;
  status: KnownTaskStatus;
  taskId?: string | null;
  message?: string | null;
}

/** The store's side of tasks: one table, its own migration in each store. */
export interface TaskStore {
  /** The status of each key the connection has seen; keys it never saw are left out. */
  taskStatuses(connectionId: string, keys: readonly string[]): Promise<Map<string, KnownTaskStatus>>;
  /** Records tasks as `sending` under this run before the call (a `failed` key is taken over; any other known key is left alone). */
  saveTasksSending(connectionId: string, runId: string, tasks: readonly PlannedTask[], at: string): Promise<void>;
  /** Records what the CRM answered (or what a rollback did). */
  recordTaskOutcomes(connectionId: string, updates: readonly TaskOutcomeUpdate[], at: string): Promise<void>;
  /** The tasks a run sent, in key order. */
  listRunTasks(runId: string): Promise<StoredTask[]>;
}

export const TASK_STATUSES: readonly KnownTaskStatus[] = ['sending', 'created', 'unknown', 'failed', 'removed', 'kept'];
