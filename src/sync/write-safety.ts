import type { Connector, FieldEdit } from '../contract/connector.ts';
import type { RunCounts } from '../contract/runs.ts';
import type { ConnectionSyncOptions } from '../contract/sync-options.ts';
import type { Logger } from '../log.ts';
import type { ConnectionRecord, RunIssue, Store } from '../store/types.ts';
import { applyEditPolicy, editPolicyOf, editQueries, indexMemory, type MemoryIndex } from './conflicts.ts';
import type { WritePlan } from './planner.ts';
import { heldIssues, holdQuarantined, loadQuarantine, type QuarantineState } from './quarantine.ts';

/**
 * The steps that keep a run from clobbering or stranding anything, called from the pipeline:
 * settling what a stopped run left open at the source, narrowing a sync's plan to what may be
 * written (people's edits, the quarantine), and recording what was found on the run.
 */

/**
 * Before the pull of a run that follows a stopped one: remote jobs left open are aborted and
 * those still processing waited for, so the pull sees their final effect.
 */
export async function settleOpenWrites(store: Store, connector: Connector, connectionId: string, runId: string, logger: Logger, now: () => Date): Promise<void> {
  const known = await store.listOpenRemoteJobs(connectionId);
  const inFlight = known.length > 0 || (await store.listInFlightWrites(connectionId)).length > 0;
  if (!inFlight || !connector.settleWrites) return;
  const report = await connector.settleWrites(known.map((j) => j.jobId));
  await store.settleRemoteJobs(connectionId, [...new Set([...known.map((j) => j.jobId), ...report.aborted, ...report.finished])], now().toISOString());
  const issues: RunIssue[] = [
    ...report.aborted.map((id): RunIssue => ({ stage: 'push', object: null, recordId: id, kind: 'remote-job-aborted', message: `job ${id} was left open by a stopped run and was aborted: nothing in it was applied` })),
    ...report.finished.map((id): RunIssue => ({ stage: 'push', object: null, recordId: id, kind: 'remote-job-finished', message: `job ${id} of a stopped run was still processing; waited for it before pulling` })),
  ];
  if (issues.length > 0) {
    await store.addRunIssues(runId, issues);
    logger.warn({ connectionId, aborted: report.aborted.length, finished: report.finished.length }, 'settled remote jobs a stopped run left behind');
  }
}

export interface SyncGuard {
  memory: MemoryIndex;
  quarantine: QuarantineState;
}

/** A sync's plan with people's edits kept (or overwritten by policy) and quarantined writes held back. */
export async function guardSyncPlan(
  ctx: { store: Store; connector: Connector; connection: ConnectionRecord; runId: string; syncOptions: ConnectionSyncOptions; overwriteEdits: boolean; now: Date },
  plan: WritePlan,
): Promise<{ plan: WritePlan; guard: SyncGuard }> {
  const memory = indexMemory(await ctx.store.fieldMemory(ctx.connection.id));
  const queries = editQueries(plan, memory);
  let edits: FieldEdit[] = [];
  if (queries.length > 0 && ctx.connector.fieldEdits) edits = await ctx.connector.fieldEdits(queries);
  const { policy, problems } = editPolicyOf(ctx.syncOptions.fieldPolicy, ctx.overwriteEdits);
  if (problems.length > 0) await ctx.store.addRunIssues(ctx.runId, problems.map((message): RunIssue => ({ stage: 'plan', object: null, recordId: null, kind: 'config', message })));
  const guarded = applyEditPolicy(plan, memory, edits, policy);
  const quarantine = await loadQuarantine(ctx.store, ctx.connection, guarded.writes.map((w) => w.accountId));
  return { plan: await holdQuarantined(ctx.store, ctx.connection.id, guarded, quarantine, ctx.now), guard: { memory, quarantine } };
}

/** The plan's conflicts, held writes and cut texts, on the run (counts, issues, conflict rows). */
export async function recordPlanFindings(store: Store, runId: string, plan: WritePlan, counts: RunCounts): Promise<void> {
  counts.conflicts = plan.conflicts.length;
  counts.quarantined = plan.held.length;
  counts.truncated = plan.truncated.length;
  if (plan.conflicts.length > 0) await store.addFieldConflicts(runId, plan.conflicts);
  const issues: RunIssue[] = [
    ...plan.conflicts.map((c): RunIssue => ({
      stage: 'plan', object: 'accounts', recordId: c.accountId, kind: c.resolution === 'kept' ? 'conflict-kept' : 'conflict-overwritten',
      message: `${c.field}: now ${show(c.current)}${c.changedBy ? ` (changed by ${c.changedBy}${c.changedAt ? ` at ${c.changedAt}` : ''})` : ''}, `
        + `${kamflowSide(c)}; ${c.resolution === 'kept' ? `kept, not replaced by ${show(c.proposed)}` : `replaced by ${show(c.proposed)}`}`,
    })),
    ...heldIssues(plan.held),
    ...plan.truncated.map((t): RunIssue => ({
      stage: 'plan', object: 'accounts', recordId: t.accountId, kind: 'truncated',
      message: `${t.field}: ${t.length} characters cut to the field's ${t.limit} at a word boundary, ending in "…"`,
    })),
  ];
  if (issues.length > 0) await store.addRunIssues(runId, issues);
}

function kamflowSide(c: WritePlan['conflicts'][number]): string {
  if (c.source === 'later-run') return 'Kamflow wrote it later';
  if (c.source === 'never-written') return 'Kamflow never wrote it on this connection';
  return `Kamflow wrote ${show(c.kamflowValue)}`;
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}..."` : s;
}
