import type { ConnectionHealth, RecordError, RunDetail, RunKind, RunStatus, RunSummary } from '../server/backend.ts';
import type { SourceModule } from '../../connectors/shared/source-module.ts';
import type { ConnectionRecord, FieldConflict, RunIssue, RunRecord, StoredPlan, StoredWrite } from '../store/types.ts';
import type { RunPlanView } from '../server/backend.ts';
import { REASON_TEXT, showChange, summarizePlan } from '../sync/plan-review.ts';
import type { RunProgress } from '../contract/runs.ts';

export type Trigger = RunSummary['trigger'];

/** What an admin needs to know of a stored run status, in the console's words. */
export function consoleStatus(run: RunRecord): RunStatus {
  switch (run.status) {
    case 'running': return 'running';
    case 'succeeded': return run.counts.failed > 0 ? 'partial' : 'succeeded';
    case 'stopped-by-limit': return 'stopped-api-limit';
    case 'awaiting-approval': return 'awaiting-approval';
    case 'failed':
    case 'interrupted': return 'failed';
  }
}

/** Where a running run is, in a sentence: "writing: 400 of 1,200 accounts sent (at 10:04:12 UTC)". */
export function progressText(p: RunProgress): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const what = p.stage === 'pull' ? `pulling ${p.object ?? 'records'}: ${n(p.done)} read`
    : p.stage === 'analyze' ? `analysing ${n(p.done)} accounts`
    : p.stage === 'plan' ? `planned: ${n(p.done)} of ${n(p.total ?? p.done)} accounts to change`
    : `writing: ${n(p.done)} of ${n(p.total ?? p.done)} accounts sent`;
  return `${what} (at ${p.at.slice(11, 19)} UTC)`;
}

export function consoleKind(run: RunRecord): RunKind {
  return run.kind === 'rollback' ? 'rollback' : run.dryRun ? 'dry-run' : 'sync';
}

function errorOf(run: RunRecord): string | null {
  if (run.status === 'interrupted') return 'The process stopped before the run finished; the next run resumes from its checkpoints.';
  return run.error;
}

export function runSummary(run: RunRecord, trigger: Trigger): RunSummary {
  return {
    id: run.id, kind: consoleKind(run), status: consoleStatus(run), trigger, startedAt: run.startedAt, finishedAt: run.finishedAt,
    written: run.counts.written, unchanged: run.counts.unchangedAccounts, failed: run.counts.failed, error: errorOf(run),
  };
}

export function recordErrors(writes: StoredWrite[], issues: RunIssue[]): RecordError[] {
  const out: RecordError[] = writes
    .filter((w) => w.status === 'failed')
    .map((w) => ({ recordId: w.accountId, kind: w.errorKind ?? 'failed', message: [w.code, w.message].filter((x) => x).join(': ') || 'write failed' }));
  for (const i of issues) out.push({ recordId: i.recordId ?? '(none)', kind: `${i.stage}: ${i.kind}`, message: i.message });
  return out;
}

/** A run's writes can be undone while it wrote something and no rollback of it has succeeded. */
export function canRollback(run: RunRecord, writes: StoredWrite[], later: RunRecord[]): boolean {
  if (run.kind !== 'sync' || run.dryRun || run.status === 'running') return false;
  if (!writes.some((w) => w.status === 'ok')) return false;
  return !later.some((r) => r.rollbackOf === run.id && r.status === 'succeeded' && !r.dryRun);
}

/** Accounts of a kept plan the run page lists; the CLI's `kamflow plan RUN --all` lists every one. */
export const PLAN_PAGE_ACCOUNTS = 50;

/**
 * A kept plan for the run page: its figures, and each account's fields current -> new (long
 * texts cut to where they differ, as the CLI shows them). A sync's plan can be approved while
 * no run wrote it and the run that made it planned (a dry run) or waits.
 */
export function planView(plan: StoredPlan, run: RunRecord, limit = PLAN_PAGE_ACCOUNTS, conflicts: readonly FieldConflict[] = []): RunPlanView {
  const s = summarizePlan(plan.writes, plan.accounts);
  const rows = plan.writes.slice(0, limit).flatMap((w) => w.changes.map((c) => {
    const [from, to] = showChange(c.from, c.to);
    return { accountId: w.accountId, name: w.name, field: c.field, from, to };
  }));
  const open = plan.approvedAt === null && plan.kind === run.kind && plan.writes.length > 0;
  const names = new Map(plan.writes.map((w) => [w.accountId, w.name]));
  const conflictRows = conflicts.slice(0, limit).map((c) => {
    const [now, restore] = showChange(c.current, c.proposed);
    const [, wrote] = showChange(c.current, c.kamflowValue);
    return { accountId: c.accountId, name: names.get(c.accountId) ?? null, field: c.field, now, wrote, restore, resolution: c.resolution };
  });
  // A sync's plan is approved from a dry run or a waiting run; a rollback's from its preview.
  const approvable = plan.kind === 'rollback'
    ? run.dryRun && run.status === 'succeeded'
    : run.status === 'awaiting-approval' || (run.dryRun && run.status === 'succeeded');
  return {
    kind: plan.kind,
    reasons: plan.reasons.map((r) => REASON_TEXT[r]),
    accounts: s.accounts, changedAccounts: s.changedAccounts, changedFields: s.changedFields,
    substantiveAccounts: s.substantiveAccounts, wordingOnlyAccounts: s.wordingOnlyAccounts,
    byField: s.byField, tierChanges: s.tierChanges, keyFlag: s.keyFlag, estimatedCalls: plan.estimatedCalls,
    approvedAt: plan.approvedAt, approvedByRun: plan.approvedByRun, approvedBy: plan.approvedBy,
    canApprove: open && approvable,
    rows, hiddenAccounts: Math.max(0, plan.writes.length - limit),
    conflicts: conflictRows, hiddenConflicts: Math.max(0, conflicts.length - limit),
  };
}

export function runDetail(run: RunRecord, trigger: Trigger, writes: StoredWrite[], issues: RunIssue[], all: RunRecord[], plan: StoredPlan | null = null, conflicts: readonly FieldConflict[] = []): RunDetail {
  const view = plan ? planView(plan, run, PLAN_PAGE_ACCOUNTS, conflicts) : null;
  const summary = runSummary(run, trigger);
  // A rollback's preview that can be written waits for the admin's go, as a held sync does.
  const status = view?.kind === 'rollback' && view.canApprove ? 'awaiting-approval' : summary.status;
  // The conflicts of a rollback's preview are listed with its plan, not again as errors.
  const shown = view?.kind === 'rollback' ? issues.filter((i) => !i.kind.startsWith('conflict-')) : issues;
  return {
    ...summary, status, recordErrors: recordErrors(writes, shown), rollbackOf: run.rollbackOf, canRollback: canRollback(run, writes, all),
    plan: view,
  };
}

const DAY_MS = 24 * 3_600_000;

/**
 * A connection's health from its runs (newest first). API use is what Kamflow's own runs
 * spent in the last 24 hours; the limit is 0 (unknown) because the org's allowance is not kept.
 */
export function connectionHealth(
  c: ConnectionRecord,
  runs: RunRecord[],
  opts: { running: boolean; nextRun: Date | null; now: Date; source: Pick<SourceModule, 'label' | 'describe'> | null },
): ConnectionHealth {
  const last = runs[0] ?? null;
  const name = typeof c.options['name'] === 'string' ? c.options['name'] : c.id;
  const location = opts.source ? opts.source.describe(c).location : c.baseUrl;
  let status: ConnectionHealth['status'];
  if (!c.hasTokens) status = 'disconnected';
  else if (opts.running || last?.status === 'running') status = 'running';
  else if (!last) status = 'never-run';
  else if (last.status === 'awaiting-approval') status = 'awaiting-approval';
  else status = ['failed', 'stopped-by-limit', 'interrupted'].includes(last.status) ? 'failing' : 'ok';
  const since = opts.now.getTime() - DAY_MS;
  const recent = runs.filter((r) => Date.parse(r.startedAt) >= since);
  const used = recent.reduce((sum, r) => sum + Object.values(r.apiUsage).reduce((a, b) => a + b, 0), 0);
  // Errors since the last run that went through: older ones no longer describe the connection.
  const okAt = runs.findIndex((r) => r.status === 'succeeded');
  const recentErrors = runs.slice(0, okAt === -1 ? 10 : Math.min(okAt, 10)).map((r) => errorOf(r)).filter((e): e is string => e !== null).slice(0, 3);
  return {
    id: c.id, crm: c.crm, sourceLabel: opts.source?.label ?? c.crm, name, location, status,
    lastRun: last
      ? { id: last.id, kind: consoleKind(last), status: consoleStatus(last), finishedAt: last.finishedAt, ...(last.status === 'running' && last.counts.progress ? { progress: progressText(last.counts.progress) } : {}) }
      : null,
    nextRun: opts.nextRun ? opts.nextRun.toISOString() : null,
    apiUsage: runs.length > 0 ? { used, limit: 0, period: '24h' } : null,
    recentErrors,
    awaitingConfirmation: last?.status === 'awaiting-approval',
  };
}
