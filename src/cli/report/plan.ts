import type { PlannedAccount, StoredPlan } from '../../store/types.ts';
import { accountLabel, REASON_TEXT, summarizePlan } from '../../sync/plan-review.ts';

/**
 * A plan as the admin reads it in the terminal: what it amounts to (per field, per tier move,
 * substance against wording, the calls it costs), then each account by name and id with each
 * field's current value and the new one. A long text shows where it differs, on both sides.
 */

type Value = string | number | boolean | null;

/** Characters of unchanged text kept either side of the part that differs. */
const CONTEXT = 24;
/** A differing part longer than this is cut (both sides alike). */
const MIDDLE = 100;
/** Texts up to this length are shown whole. */
const WHOLE = 80;

function quote(s: string): string {
  return JSON.stringify(s);
}

function plain(v: Value): string {
  if (v === null || v === '') return '(empty)';
  return typeof v === 'string' ? quote(v) : String(v);
}

function cutMiddle(s: string): string {
  return s.length > MIDDLE ? `${s.slice(0, MIDDLE - 1)}…` : s;
}

/**
 * The two values of a change as shown: whole when short, otherwise the part that differs with
 * a little unchanged text either side (… marks what is left out), so that a changed reason
 * never looks unchanged because both sides were cut at the same prefix.
 */
export function showChange(from: Value, to: Value): [string, string] {
  if (typeof from !== 'string' || typeof to !== 'string' || (from.length <= WHOLE && to.length <= WHOLE)) return [plain(from), plain(to)];
  if (from === '' || to === '') return [plain(from === '' ? from : cutMiddle(from)), plain(to === '' ? to : cutMiddle(to))];
  let p = 0;
  const max = Math.min(from.length, to.length);
  while (p < max && from[p] === to[p]) p++;
  let q = 0;
  while (q < max - p && from[from.length - 1 - q] === to[to.length - 1 - q]) q++;
  const side = (s: string): string => {
    const start = Math.max(0, p - CONTEXT);
    const end = s.length - q;
    const tailEnd = Math.min(s.length, end + CONTEXT);
    return `${start > 0 ? '…' : ''}${s.slice(start, p)}${cutMiddle(s.slice(p, end))}${s.slice(end, tailEnd)}${tailEnd < s.length ? '…' : ''}`;
  };
  return [quote(side(from)), quote(side(to))];
}

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
    ? `approved at ${plan.approvedAt}, written by run ${plan.approvedByRun ?? '?'}`
    : plan.kind === 'rollback' ? 'preview of a rollback' : 'not approved yet';
  const out = [`Plan of run ${plan.runId} (${plan.kind}, connection ${plan.connectionId}), made ${plan.createdAt}: ${state}`];
  if (plan.reasons.length > 0) out.push(`  waits for approval because ${plan.reasons.map((r) => REASON_TEXT[r]).join('; ')}`);
  out.push(...planSummaryLines(plan));
  out.push(...planAccountLines(plan.writes, options.limit));
  return out;
}
