/**
 * Tasks Kamflow creates for account owners in the CRM (a Salesforce Task, a HubSpot task), the
 * part of the connector contract that carries them. Only connectors know the CRM's objects; the
 * sync engine plans, records and rolls back tasks through these shapes.
 */

/** What a task is about: a family became Key, stopped being Key, gained a risk, or the catalogue reminder. */
export type TaskKind = 'became-key' | 'left-key' | 'risk' | 'reminder';

export const TASK_KINDS: readonly TaskKind[] = ['became-key', 'left-key', 'risk', 'reminder'];

/** One task as the connector creates it. */
export interface CrmTaskInput {
  /**
   * Kamflow's dedupe key: the same change (or reminder period) of the same family always has the
   * same key, so a rerun or a lost answer never makes a second task. Carried on the task where
   * the CRM has room for it.
   */
  key: string;
  /** The account (company) the task is on: the family's ultimate parent. */
  accountId: string;
  /** The account owner, the user (HubSpot owner) the task is assigned to. */
  ownerId: string;
  subject: string;
  body: string;
  /** YYYY-MM-DD. */
  dueDate: string;
  priority: 'high' | 'normal';
}

export type TaskErrorKind = 'transient' | 'bad-data' | 'config' | 'unknown';

/** The CRM's answer for one task: its id when created, else why not. */
export interface CrmTaskOutcome {
  key: string;
  ok: boolean;
  taskId?: string;
  errorKind?: TaskErrorKind;
  code?: string;
  message?: string;
}

/** A task as the CRM holds it now, read back before a rollback removes it. */
export interface CrmTaskState {
  taskId: string;
  /** False when the task is gone (deleted or archived). */
  exists: boolean;
  subject: string | null;
  body: string | null;
  ownerId: string | null;
  dueDate: string | null;
  completed: boolean;
}

/** The CRM's answer for removing one task. */
export interface CrmTaskRemoval {
  taskId: string;
  ok: boolean;
  message?: string;
}

/** What a source that keeps tasks declares beside its connector (the estimate's call names and batch sizes). */
export interface TaskProfile {
  /** Tasks per create call at most. */
  createBatchMax: number;
  /** The call kind of one create batch, as the connector counts it in its usage. */
  createCallName: string;
  /** Tasks per read and per delete call at most. */
  removeBatchMax: number;
  readCallName: string;
  removeCallName: string;
}

/** The connector's side: create, read back, remove. */
export interface TaskConnector {
  readonly taskProfile: TaskProfile;
  /** Creates tasks, at most createBatchMax per call; one outcome per task, never an exception per task. */
  createTasks(tasks: readonly CrmTaskInput[]): Promise<CrmTaskOutcome[]>;
  /** Reads tasks by id; a task that is gone comes back with exists false. */
  readTasks(taskIds: readonly string[]): Promise<CrmTaskState[]>;
  /** Deletes (Salesforce) or archives (HubSpot) tasks; one answer per id. */
  removeTasks(taskIds: readonly string[]): Promise<CrmTaskRemoval[]>;
}

/** True when the connector can carry tasks. */
export function taskConnectorOf(connector: object): TaskConnector | null {
  const c = connector as Partial<TaskConnector>;
  return typeof c.createTasks === 'function' && typeof c.readTasks === 'function' && typeof c.removeTasks === 'function' && c.taskProfile !== undefined
    ? (c as TaskConnector)
    : null;
}

/** A task the engine planned: what the connector gets, and what it is about. */
export interface PlannedTask extends CrmTaskInput {
  kind: TaskKind;
  familyId: string;
  /** The risk, for `risk` tasks; the new tier, for `left-key`; the reminder's period, for `reminder`. */
  detail: string | null;
}

/** Where a task stands in Kamflow's store (see src/store/task-types.ts). */
export type KnownTaskStatus = 'sending' | 'created' | 'unknown' | 'failed' | 'removed' | 'kept';
