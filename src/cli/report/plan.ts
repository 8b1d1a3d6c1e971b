import type { PlannedAccount, StoredPlan } from '../../store/types.ts';
import { accountLabel, REASON_TEXT, showChange, summarizePlan } from '../../sync/plan-review.ts';

export { showChange };

/**
 * A plan as the admin reads it in the terminal: what it amounts to (per field, per tier move,
 * substance against wording, the calls it costs), then each account by name and id with each
 * field's current value and the new one. A long text shows where it differs, on both sides.
 */

export function formatCalls(calls: Record<string, number>): string {
  const parts = Object.entries(calls).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** The plan's figures, one line each. */
export function planSummaryLines(plan: Pick<StoredPlan, 'writes' | 'accounts' | 'estimatedCalls'>): string[] {
  const s = summarizePlan(plan.writes, plan.accounts);
  const out = [
    `  accounts to change: ${s.changedAccounts} of ${s.accounts} (${s.changedFields} fields)`,
    `    tier, flags or numbers change: ${s.substantiveAccounts}; reasons' wording only: ${s.wordingOnlyAccounts}`,
  ];
  const tiers = Object.entries(s.tierChanges).sort(([a], [b]) => (a < b ? -1 : 1));
  if (tiers.length) out.push(`    tier changes: ${tiers.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (s.keyFlag.on + s.keyFlag.off > 0) out.push(`    key account flag: ${s.keyFlag.on} set, ${s.keyFlag.off} cleared`);
  const fields = Object.entries(s.byField).sort(([a], [b]) => (a < b ? -1 : 1));
  if (fields.length) out.push(`    per field: ${fields.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out.push(`  write calls it takes: ${formatCalls(plan.estimatedCalls)}`);
  return out;
}

/** Each account by name and id, each field current -> new; `limit` accounts at most. */
export function planAccountLines(writes: readonly PlannedAccount[], limit = Infinity): string[] {
  const out: string[] = [];
  for (const w of writes.slice(0, limit)) {
    out.push(`  ${accountLabel(w)}`);
    for (const c of w.changes) {
      const [from, to] = showChange(c.from, c.to);
      out.push(`    ${c.field}: ${from} -> ${to}`);
    }
  }
  if (writes.length > limit) out.push(`  ... and ${writes.length - limit} more account(s) (--all lists every one)`);
  return out;
}

/** The whole plan: state, why it waits, figures, accounts. */
export function renderPlan(plan: StoredPlan, options: { limit?: number } = {}): string[] {
  const state = plan.approvedAt !== null
    ? `approved${plan.approvedBy ? ` by ${plan.approvedBy}` : ''} at ${plan.approvedAt}, written by run ${plan.approvedByRun ?? '?'}`
    : plan.kind === 'rollback' ? 'preview of a rollback, not approved yet' : 'not approved yet';
  const out = [`Plan of run ${plan.runId} (${plan.kind}, connection ${plan.connectionId}), made ${plan.createdAt}: ${state}`];
  if (plan.reasons.length > 0) out.push(`  waits for approval because ${plan.reasons.map((r) => REASON_TEXT[r]).join('; ')}`);
  out.push(...planSummaryLines(plan));
  out.push(...planAccountLines(plan.writes, options.limit));
  return out;
}
