import type { Connector } from '../contract/connector.ts';
import { isCrmError, OutcomeUnknownError } from '../contract/errors.ts';
import type { ConnectionSyncOptions } from '../contract/sync-options.ts';
import { taskConnectorOf, type CrmTaskState, type TaskConnector } from '../contract/tasks.ts';
import type { Logger } from '../log.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { Account } from '../model/snapshot.ts';
import type { RunIssue, Store, StoredTask, TaskOutcomeUpdate } from '../store/types.ts';
import type { WritePlan } from './planner.ts';
import { dedupeTasks, estimateTaskCalls, proposeTasks, taskSettings, type PlannedTask, type TaskPlan } from './tasks.ts';

/**
 * The run's side of tasks: planned with the field writes (and shown with them in a dry run),
 * created after the fields are pushed, each under its dedupe key in the store before it is
 * sent; rolled back with the run that made them.
 */

export interface TaskRunContext {
  store: Store;
  connector: Connector;
  connectionId: string;
  runId: string;
  logger: Logger;
  now: () => Date;
}

/** The tasks a sync run makes, or null when the source keeps no tasks. */
export async function planSyncTasks(
  ctx: Pick<TaskRunContext, 'store' | 'connector' | 'connectionId'>,
  input: { syncOptions: ConnectionSyncOptions; analysis: AnalysisResult; accounts: readonly Pick<Account, 'id' | 'name' | 'ownerId' | 'fields'>[]; plan: WritePlan; asOf: string },
): Promise<TaskPlan | null> {
  if (!taskConnectorOf(ctx.connector)) return null;
  const proposed = proposeTasks({ connectionId: ctx.connectionId, settings: taskSettings(input.syncOptions), analysis: input.analysis, accounts: input.accounts, plan: input.plan, asOf: input.asOf });
  const known = await ctx.store.taskStatuses(ctx.connectionId, proposed.map((t) => t.key));
  return dedupeTasks(proposed, known);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates the planned tasks. Each chunk is recorded `sending` first; an answer that was lost
 * leaves its tasks `unknown` (never sent again: a rerun skips them); a refusal is `failed` and
 * is planned again next run. An API limit stops the run as it does for field writes; any other
 * failure is a run issue and the run goes on.
 */
export async function pushTasks(ctx: TaskRunContext, plan: TaskPlan): Promise<{ created: number; failed: number; unconfirmed: number }> {
  const result = { created: 0, failed: 0, unconfirmed: 0 };
  const connector = taskConnectorOf(ctx.connector);
  if (!connector || plan.tasks.length === 0) return result;
  const stamp = (): string => ctx.now().toISOString();
  for (const chunk of chunks(plan.tasks, connector.taskProfile.createBatchMax)) {
    await ctx.store.saveTasksSending(ctx.connectionId, ctx.runId, chunk, stamp());
    let updates: TaskOutcomeUpdate[];
    try {
      const outcomes = new Map((await connector.createTasks(chunk)).map((o) => [o.key, o]));
      updates = chunk.map((t): TaskOutcomeUpdate => {
        const o = outcomes.get(t.key);
        if (o?.ok && o.taskId) return { key: t.key, status: 'created', taskId: o.taskId, message: null };
        if (!o || o.errorKind === 'unknown') return { key: t.key, status: 'unknown', message: o?.message ?? 'the CRM returned no outcome for this task' };
        return { key: t.key, status: 'failed', message: [o.code, o.message].filter(Boolean).join(': ') || 'refused' };
      });
    } catch (error) {
      const unknown = error instanceof OutcomeUnknownError;
      updates = chunk.map((t) => ({ key: t.key, status: unknown ? 'unknown' : 'failed', message: errorText(error) }));
      await ctx.store.recordTaskOutcomes(ctx.connectionId, updates, stamp());
      await ctx.store.addRunIssues(ctx.runId, taskIssues(chunk, updates));
      if (isCrmError(error) && (error.kind === 'api-limit' || error.kind === 'auth')) throw error;
      ctx.logger.warn({ runId: ctx.runId, err: errorText(error) }, 'tasks not created');
      tally(result, updates);
      continue;
    }
    await ctx.store.recordTaskOutcomes(ctx.connectionId, updates, stamp());
    const issues = taskIssues(chunk, updates);
    if (issues.length > 0) await ctx.store.addRunIssues(ctx.runId, issues);
    tally(result, updates);
  }
  return result;
}

function tally(result: { created: number; failed: number; unconfirmed: number }, updates: readonly TaskOutcomeUpdate[]): void {
  for (const u of updates) {
    if (u.status === 'created') result.created++;
    else if (u.status === 'unknown') result.unconfirmed++;
    else result.failed++;
  }
}

function taskIssues(tasks: readonly PlannedTask[], updates: readonly TaskOutcomeUpdate[]): RunIssue[] {
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  return updates
    .filter((u) => u.status !== 'created')
    .map((u) => ({
      stage: 'push' as const, object: 'tasks', recordId: byKey.get(u.key)?.accountId ?? null,
      kind: u.status === 'unknown' ? 'task-unconfirmed' : 'task-failed',
      message: u.status === 'unknown'
        ? `task "${byKey.get(u.key)?.subject ?? u.key}" was sent but the answer was lost (${u.message ?? ''}); it is never sent again`
        : `task "${byKey.get(u.key)?.subject ?? u.key}" was refused (${u.message ?? ''}); planned again next run`,
    }));
}

/** A task the rollback leaves in place because a person changed or completed it since the run made it. */
export interface TaskConflict {
  key: string;
  taskId: string;
  accountId: string;
  subject: string;
  /** What differs: completed, subject, description, owner, due date. */
  changed: string[];
  resolution: 'kept' | 'removed';
}

export interface TaskRollbackPlan {
  /** The tasks to delete or archive. */
  remove: StoredTask[];
  /** Tasks already gone from the CRM: recorded as removed, no call made. */
  gone: StoredTask[];
  conflicts: TaskConflict[];
}

function plain(text: string | null): string {
  // A rich-text body may come back with its lines as paragraphs or breaks.
  return (text ?? '').replace(/<\/?(?:p|div|br)\b[^>]*>/gi, ' ').replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim();
}

/** What a person changed on a task Kamflow made, compared with what Kamflow sent. */
export function taskChanges(sent: Pick<StoredTask, 'subject' | 'body' | 'ownerId' | 'dueDate'>, now: CrmTaskState): string[] {
  const changed: string[] = [];
  if (now.completed) changed.push('completed');
  if (plain(now.subject) !== plain(sent.subject)) changed.push('subject');
  if (plain(now.body) !== plain(sent.body)) changed.push('description');
  if ((now.ownerId ?? '') !== sent.ownerId) changed.push('owner');
  if ((now.dueDate ?? '') !== sent.dueDate) changed.push('due date');
  return changed;
}

/** Reads back the tasks a run created and sorts them into removable, gone and changed by a person. */
export async function planTaskRollback(ctx: Pick<TaskRunContext, 'store' | 'connector'>, targetRunId: string, force: boolean): Promise<TaskRollbackPlan | null> {
  const connector = taskConnectorOf(ctx.connector);
  if (!connector) return null;
  const made = (await ctx.store.listRunTasks(targetRunId)).filter((t) => t.status === 'created' && t.taskId !== null);
  const plan: TaskRollbackPlan = { remove: [], gone: [], conflicts: [] };
  if (made.length === 0) return plan;
  const states = new Map<string, CrmTaskState>();
  for (const chunk of chunks(made, connector.taskProfile.removeBatchMax)) {
    for (const s of await connector.readTasks(chunk.map((t) => t.taskId as string))) states.set(s.taskId, s);
  }
  for (const t of made) {
    const state = states.get(t.taskId as string);
    if (!state || !state.exists) {
      plan.gone.push(t);
      continue;
    }
    const changed = taskChanges(t, state);
    if (changed.length > 0) {
      plan.conflicts.push({ key: t.key, taskId: t.taskId as string, accountId: t.accountId, subject: t.subject, changed, resolution: force ? 'removed' : 'kept' });
      if (!force) continue;
    }
    plan.remove.push(t);
  }
  return plan;
}

/** Deletes (or archives) the tasks of a rollback plan and records what happened to each. */
export async function rollBackTasks(ctx: TaskRunContext, plan: TaskRollbackPlan): Promise<{ removed: number; failed: number }> {
  const connector = taskConnectorOf(ctx.connector) as TaskConnector | null;
  const result = { removed: 0, failed: 0 };
  if (!connector) return result;
  const at = (): string => ctx.now().toISOString();
  if (plan.gone.length > 0) {
    await ctx.store.recordTaskOutcomes(ctx.connectionId, plan.gone.map((t) => ({ key: t.key, status: 'removed', message: 'already gone from the CRM' })), at());
  }
  const kept = plan.conflicts.filter((c) => c.resolution === 'kept');
  if (kept.length > 0) {
    await ctx.store.recordTaskOutcomes(ctx.connectionId, kept.map((c) => ({ key: c.key, status: 'kept', message: `changed since: ${c.changed.join(', ')}` })), at());
  }
  if (plan.conflicts.length > 0) await ctx.store.addRunIssues(ctx.runId, conflictIssues(plan.conflicts));
  for (const chunk of chunks(plan.remove, connector.taskProfile.removeBatchMax)) {
    const answers = new Map((await connector.removeTasks(chunk.map((t) => t.taskId as string))).map((a) => [a.taskId, a]));
    const updates: TaskOutcomeUpdate[] = [];
    const issues: RunIssue[] = [];
    for (const t of chunk) {
      const a = answers.get(t.taskId as string);
      if (a?.ok) {
        updates.push({ key: t.key, status: 'removed', message: null });
        result.removed++;
      } else {
        result.failed++;
        issues.push({ stage: 'push', object: 'tasks', recordId: t.taskId, kind: 'task-remove-failed', message: `task "${t.subject}" not removed: ${a?.message ?? 'no answer for it'}` });
      }
    }
    await ctx.store.recordTaskOutcomes(ctx.connectionId, updates, at());
    if (issues.length > 0) await ctx.store.addRunIssues(ctx.runId, issues);
  }
  return result;
}

function conflictIssues(conflicts: readonly TaskConflict[]): RunIssue[] {
  return conflicts.map((c) => ({
    stage: 'plan', object: 'tasks', recordId: c.taskId, kind: 'task-conflict',
    message: c.resolution === 'kept'
      ? `task "${c.subject}" was changed by a person since the run made it (${c.changed.join(', ')}); left in place`
      : `task "${c.subject}" was changed by a person since the run made it (${c.changed.join(', ')}); removed anyway (forced)`,
  }));
}

/** The task calls a dry run counts beside the field writes. */
export function taskCallEstimate(connector: Connector | null, tasks: TaskPlan | null, rollback: TaskRollbackPlan | null): Record<string, number> {
  const tc = connector ? taskConnectorOf(connector) : null;
  if (!tc) return {};
  const out = estimateTaskCalls(tasks?.tasks.length ?? 0, tc.taskProfile);
  if (rollback && rollback.remove.length > 0) out[tc.taskProfile.removeCallName] = Math.ceil(rollback.remove.length / tc.taskProfile.removeBatchMax);
  return out;
}
