import type { Account } from '../model/snapshot.ts';
import type { ApprovalReason, PlannedAccount, StoredPlan } from '../store/types.ts';
import { sameFieldValue, type FieldValue, type PlannedAccountWrite, type WritePlan } from './planner.ts';
import type { OutputFieldKey } from '../model/output-fields.ts';

/**
 * What an admin reviews before anything is written: a plan's writes with account names, and
 * what they amount to (per field, per tier change, which accounts change in substance and which
 * only in wording). Pure.
 */

/** Fields that only put the analysis into words: a change of these alone changes no tier, flag or number. */
export const WORDING_FIELDS: ReadonlySet<string> = new Set(['kam_reasons', 'kam_why']);
/** Stamped on every account where another field changes; never a change of its own. */
const STAMP_FIELD = 'kam_updated_at';

/** True when the account's write changes a tier, a flag, a number or a list, not only wording. */
export function changesSubstance(changes: readonly { field: string }[]): boolean {
  return changes.some((c) => c.field !== STAMP_FIELD && !WORDING_FIELDS.has(c.field));
}

/** The plan's writes as kept for review, each with the account's name. */
export function reviewWrites(writes: readonly PlannedAccountWrite[], accounts: readonly Pick<Account, 'id' | 'name'>[]): PlannedAccount[] {
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  return writes.map((w) => ({ accountId: w.accountId, name: names.get(w.accountId) ?? null, changes: w.changes.map((c) => ({ field: c.field, from: c.from, to: c.to })) }));
}

export interface PlanSummary {
  accounts: number;
  changedAccounts: number;
  changedFields: number;
  /** Accounts whose tier, key flag, numbers or lists change: what the safety gate counts. */
  substantiveAccounts: number;
  /** Accounts whose only change is the reasons' wording (listed apart, never gated). */
  wordingOnlyAccounts: number;
  /** Fields changed, by field (kam_updated_at left out: it moves with every other change). */
  byField: Record<string, number>;
  /** Tier moves, "from -> to" (blank as "(none)"), with how many accounts make each. */
  tierChanges: Record<string, number>;
  /** Accounts that become, or stop being, key accounts. */
  keyFlag: { on: number; off: number };
}

function tierName(v: FieldValue): string {
  return v === null || v === '' ? '(none)' : String(v);
}

export function summarizePlan(writes: readonly Pick<PlannedAccount, 'changes'>[], accounts: number): PlanSummary {
  const byField: Record<string, number> = {};
  const tierChanges: Record<string, number> = {};
  const keyFlag = { on: 0, off: 0 };
  let substantive = 0;
  let fields = 0;
  for (const w of writes) {
    fields += w.changes.length;
    if (changesSubstance(w.changes)) substantive++;
    for (const c of w.changes) {
      if (c.field === STAMP_FIELD) continue;
      byField[c.field] = (byField[c.field] ?? 0) + 1;
      if (c.field === 'kam_tier') {
        const key = `${tierName(c.from)} -> ${tierName(c.to)}`;
        tierChanges[key] = (tierChanges[key] ?? 0) + 1;
      }
      if (c.field === 'kam_key_account') {
        const was = sameFieldValue('kam_key_account', c.from, true);
        const is = sameFieldValue('kam_key_account', c.to, true);
        if (is && !was) keyFlag.on++;
        if (was && !is) keyFlag.off++;
      }
    }
  }
  return {
    accounts, changedAccounts: writes.length, changedFields: fields, substantiveAccounts: substantive,
    wordingOnlyAccounts: writes.length - substantive, byField, tierChanges, keyFlag,
  };
}

export const REASON_TEXT: Record<ApprovalReason, string> = {
  'first-plan': "it is the connection's first plan that writes anything",
  'over-gate': 'it changes more accounts than the safety gate allows',
  'overwrites-edits': 'it writes over values people edited',
};

/** Why a plan waits, in words, with the figures behind the gate. */
export function waitingMessage(runId: string, reasons: readonly ApprovalReason[], summary: PlanSummary, plan: Pick<WritePlan, 'conflicts'>, gateShare: number): string {
  const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
  const parts = reasons.map((r) => {
    if (r === 'over-gate') {
      return `it changes the tier, flags or numbers of ${summary.substantiveAccounts} of ${summary.accounts} accounts (${pct(summary.substantiveAccounts / Math.max(1, summary.accounts))}, over the safety gate's ${pct(gateShare)})`;
    }
    if (r === 'overwrites-edits') return `it writes over ${plan.conflicts.filter((c) => c.resolution === 'overwritten').length} value(s) people edited`;
    return REASON_TEXT[r];
  });
  return `awaiting approval: ${parts.join('; ')}. Nothing written. Review it with \`kamflow plan ${runId}\`, then approve it with \`kamflow plan ${runId} --approve\` (or \`kamflow sync --confirm\`)`;
}

/** A field whose CRM value moved since the plan was made: the plan would no longer write what was reviewed. */
export interface PlanDrift {
  accountId: string;
  name: string | null;
  field: string;
  /** What the CRM holds now (null for an account that is gone). */
  now: FieldValue;
  planned: FieldValue;
  gone: boolean;
}

/** Compares the plan's "from" values with the records just read again. */
export function planDrift(plan: Pick<StoredPlan, 'writes'>, accounts: readonly Pick<Account, 'id' | 'fields'>[]): PlanDrift[] {
  const current = new Map(accounts.map((a) => [a.id, a.fields]));
  const drift: PlanDrift[] = [];
  for (const w of plan.writes) {
    const fields = current.get(w.accountId);
    if (fields === undefined) {
      drift.push({ accountId: w.accountId, name: w.name, field: '(the account)', now: null, planned: null, gone: true });
      continue;
    }
    for (const c of w.changes) {
      const have = fields[c.field as OutputFieldKey] ?? null;
      if (!sameFieldValue(c.field as OutputFieldKey, have, c.from)) drift.push({ accountId: w.accountId, name: w.name, field: c.field, now: have, planned: c.from, gone: false });
    }
  }
  return drift;
}

/** The stored plan as the writes the push sends: the reviewed values, nothing recomputed. */
export function writesOfPlan(plan: Pick<StoredPlan, 'writes'>): PlannedAccountWrite[] {
  return plan.writes.map((w) => {
    const fields: Record<string, FieldValue> = {};
    const previous: Record<string, FieldValue> = {};
    for (const c of w.changes) {
      fields[c.field] = c.to;
      previous[c.field] = c.from;
    }
    return { accountId: w.accountId, fields, previous, changes: w.changes.map((c) => ({ field: c.field as OutputFieldKey, from: c.from, to: c.to })) };
  });
}

/** An account as people read it: its name with its id. */
export function accountLabel(a: { accountId: string; name: string | null }): string {
  return a.name ? `${a.name} (${a.accountId})` : a.accountId;
}

/* How a change reads to the admin (the CLI's plan and the console's plan page alike). */

type ShownValue = string | number | boolean | null;

/** Characters of unchanged text kept either side of the part that differs. */
const CONTEXT = 24;
/** A differing part longer than this is cut (both sides alike). */
const MIDDLE = 100;
/** Texts up to this length are shown whole. */
const WHOLE = 80;

function quote(s: string): string {
  return JSON.stringify(s);
}

function plain(v: ShownValue): string {
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
export function showChange(from: ShownValue, to: ShownValue): [string, string] {
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
