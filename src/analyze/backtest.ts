import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { Tier } from '../model/output-fields.ts';
import type { Account } from '../model/snapshot.ts';
import { addMonths, fromDayNumber, toDayNumber } from './dates.ts';
import { compareStrings, formatPercentShort, formatWhole, roundFraction, roundMoney } from './format.ts';
import { analyzeColumns } from './index.ts';
import { type AnalysisInput, STATUS_OPEN } from './input.ts';
import { OVERRIDE_KEYS } from './overrides.ts';

/**
 * The backtest: tier every family as of a past date D with the current criteria, from only what
 * was known by then, and set that against the 12 months after.
 *
 * Known at D: opportunities won or lost on or before D. Open opportunities and those closing
 * after D are left out, since the snapshot does not say when a deal was created. Accounts,
 * hierarchy, products and contacts are today's (the snapshot holds no history of them), and
 * managers' tier overrides are left out, so that the criteria alone are judged.
 *
 * What happened: per family, won revenue in the 12 months up to D (before, B) and in the 12
 * months after D up to D + 12 months (after, A); both from the same analysis run as of D + 12
 * months (its window and prior window). Outcome: churned (B > 0, A = 0), shrank (A < 90% of B),
 * kept (within 10% of B), grew (A > 110% of B), new (B = 0, A > 0), none (both 0). Money per tier:
 * kept = sum of min(A, B), grown = sum of A - B where A > B (new revenue included), lost = sum of
 * B - A where 0 < A < B, churned = sum of B where A = 0.
 */

export type BacktestOutcome = 'grew' | 'kept' | 'shrank' | 'churned' | 'new' | 'none';
export const BACKTEST_OUTCOMES: readonly BacktestOutcome[] = ['grew', 'kept', 'shrank', 'churned', 'new', 'none'];
/** Change within this fraction of the revenue before counts as kept. */
export const KEPT_BAND = 0.1;

export interface BacktestFamily {
  id: string;
  name: string;
  /** The tier as of D; null when the family was not tiered then. */
  tier: Tier | null;
  score: number;
  declining: boolean;
  revenueBefore: number;
  revenueAfter: number;
  outcome: BacktestOutcome;
}

export interface BacktestTierRow {
  /** null: the families not tiered as of D. */
  tier: Tier | null;
  families: number;
  revenueBefore: number;
  revenueAfter: number;
  kept: number;
  grown: number;
  lost: number;
  churned: number;
  outcomes: Record<BacktestOutcome, number>;
}

export interface BacktestResult {
  asOf: string;
  /** D + 12 months, the last day of the period looked at. */
  followEnd: string;
  configVersion: number;
  currency: string;
  tiers: BacktestTierRow[];
  key: {
    families: number;
    /** Key families' share of all revenue after D; null without revenue after. */
    shareOfRevenueAfter: number | null;
    /**
     * The N families with the most revenue after D (N = Key families, fewer when fewer families
     * had revenue after), and how many of them were Key.
     */
    topAfter: number;
    inTopAfter: number;
  };
  declining: {
    flagged: number;
    /** Flagged families that shrank or churned. */
    flaggedLost: number;
    /** Families with revenue before D, not flagged. */
    others: number;
    othersLost: number;
  };
  /** Plain sentences: the verdict. */
  verdict: string[];
  /** Largest revenue before D first. */
  families: BacktestFamily[];
}

function withoutOverrides(accounts: readonly Account[]): Account[] {
  const keys = Object.values(OVERRIDE_KEYS);
  return accounts.map((a) => {
    if (!keys.some((k) => k in a.extra)) return a;
    const extra = { ...a.extra };
    for (const k of keys) delete extra[k];
    return { ...a, extra };
  });
}

/** The input as known at `cutoff`: only opportunities won or lost by then, with their line items and roles. */
export function inputKnownAt(input: AnalysisInput, cutoff: string): AnalysisInput {
  const day = toDayNumber(cutoff);
  const o = input.opportunities;
  const keep: number[] = [];
  for (let i = 0; i < o.id.length; i++) if (o.status[i] !== STATUS_OPEN && (o.day[i] as number) <= day) keep.push(i);
  const n = keep.length;
  const newIndex = new Int32Array(o.id.length).fill(-1);
  let lines = 0;
  for (const i of keep) lines += (o.lineStart[i + 1] as number) - (o.lineStart[i] as number);
  const id: string[] = new Array<string>(n);
  const account = new Int32Array(n);
  const status = new Uint8Array(n);
  const amount = new Float64Array(n);
  const dayCol = new Int32Array(n);
  const owner = new Int32Array(n);
  const unconverted = new Uint8Array(n);
  const lineStart = new Int32Array(n + 1);
  const product = new Int32Array(lines);
  const totalPrice = new Float64Array(lines);
  const cost = new Float64Array(lines);
  let l = 0;
  keep.forEach((i, k) => {
    newIndex[i] = k;
    id[k] = o.id[i] as string;
    account[k] = o.account[i] as number;
    status[k] = o.status[i] as number;
    amount[k] = o.amount[i] as number;
    dayCol[k] = o.day[i] as number;
    owner[k] = o.owner[i] as number;
    unconverted[k] = o.unconverted[i] as number;
    lineStart[k] = l;
    for (let j = o.lineStart[i] as number; j < (o.lineStart[i + 1] as number); j++, l++) {
      product[l] = input.lineItems.product[j] as number;
      totalPrice[l] = input.lineItems.totalPrice[j] as number;
      cost[l] = input.lineItems.cost[j] as number;
    }
  });
  lineStart[n] = l;
  const r = input.roles;
  const roleKeep: number[] = [];
  for (let k = 0; k < r.opportunity.length; k++) if ((newIndex[r.opportunity[k] as number] as number) !== -1) roleKeep.push(k);
  return {
    ...input,
    accounts: withoutOverrides(input.accounts),
    opportunities: { id, account, status, amount, day: dayCol, owner, lineStart, unconverted },
    lineItems: { product, totalPrice, cost },
    roles: {
      known: r.known,
      contact: Int32Array.from(roleKeep.map((k) => r.contact[k] as number)),
      opportunity: Int32Array.from(roleKeep.map((k) => newIndex[r.opportunity[k] as number] as number)),
      role: roleKeep.map((k) => r.role[k] as string),
      primary: Uint8Array.from(roleKeep.map((k) => r.primary[k] as number)),
    },
  };
}

/** The latest date a backtest can be as of on `today`: the 12 months after it must be over. */
export function latestBacktestDate(today: string): string {
  return fromDayNumber(addMonths(toDayNumber(today), -12));
}

export function outcomeOf(before: number, after: number): BacktestOutcome {
  if (before <= 0) return after > 0 ? 'new' : 'none';
  if (after <= 0) return 'churned';
  if (after > before * (1 + KEPT_BAND) + 1e-9) return 'grew';
  if (after < before * (1 - KEPT_BAND) - 1e-9) return 'shrank';
  return 'kept';
}

const TIER_ORDER: readonly (Tier | null)[] = ['Key', 'Develop', 'Maintain', 'Standard', null];

function emptyRow(tier: Tier | null): BacktestTierRow {
  const outcomes = Object.fromEntries(BACKTEST_OUTCOMES.map((o) => [o, 0])) as Record<BacktestOutcome, number>;
  return { tier, families: 0, revenueBefore: 0, revenueAfter: 0, kept: 0, grown: 0, lost: 0, churned: 0, outcomes };
}

const share = (part: number, whole: number): string => formatPercentShort(whole === 0 ? 0 : part / whole);

function verdict(r: Omit<BacktestResult, 'verdict'>): string[] {
  const out: string[] = [];
  const all = r.tiers.reduce((s, t) => s + t.revenueAfter, 0);
  const key = r.tiers.find((t) => t.tier === 'Key');
  if (all === 0) {
    out.push(`Nothing was won in the 12 months after ${r.asOf} (up to ${r.followEnd}): there is no outcome to judge the tiers by.`);
  } else if (!key || key.families === 0) {
    out.push(`No family was Key as of ${r.asOf}, so the Key tier cannot be judged; lower tiers.key or look at the criteria.`);
  } else {
    const n = key.families;
    const t = r.key.topAfter;
    const found = r.key.inTopAfter;
    const judgement = found * 3 >= t * 2 ? 'The Key tier picked the families that mattered'
      : found * 3 >= t ? 'The Key tier picked some of the families that mattered'
        : 'The Key tier missed most of the families that mattered';
    const picked = t === 1
      ? `the family with the most revenue in the 12 months after ${r.asOf} ${found === 1 ? 'was' : 'was not'} Key then`
      : `${found} of the ${t} families with the most revenue in the 12 months after ${r.asOf} ${found === 1 ? 'was' : 'were'} Key then`;
    out.push(`${judgement}: ${picked}, `
      + `and the ${n} Key ${n === 1 ? 'family' : 'families'} brought ${share(key.revenueAfter, all)} of that revenue `
      + `(kept ${formatWhole(key.kept)}, grown ${formatWhole(key.grown)}, lost ${formatWhole(key.lost)}, churned ${formatWhole(key.churned)}).`);
  }
  const d = r.declining;
  if (d.flagged === 0) {
    out.push(`No family was flagged declining as of ${r.asOf}, so whether declining precedes losses cannot be told from this date.`);
  } else {
    const flaggedRate = d.flaggedLost / d.flagged;
    const otherRate = d.others === 0 ? 0 : d.othersLost / d.others;
    const yes = flaggedRate > otherRate;
    out.push(`${yes ? 'Declining preceded losses' : 'Declining did not precede losses'}: ${d.flaggedLost} of ${d.flagged} declining `
      + `${d.flagged === 1 ? 'family' : 'families'} (${share(d.flaggedLost, d.flagged)}) shrank or churned in the next 12 months, `
      + `against ${d.othersLost} of ${d.others} other families with revenue (${formatPercentShort(otherRate)}).`);
  }
  return out;
}

/**
 * The backtest of `input` as of `asOf`; `followEnd` must be on or before the last day the
 * snapshot's data covers (the caller checks it against today).
 */
export function backtest(input: AnalysisInput, config: AnalysisConfig, asOf: string): BacktestResult {
  const followEnd = fromDayNumber(addMonths(toDayNumber(asOf), 12));
  const past = analyzeColumns({ input: inputKnownAt(input, asOf), config, asOf });
  const later = analyzeColumns({ input: inputKnownAt(input, followEnd), config, asOf: followEnd });
  return compareOutcomes(past, later, followEnd);
}

/** The backtest from the analysis as of D and the one as of D + 12 months (same accounts). */
export function compareOutcomes(past: AnalysisResult, later: AnalysisResult, followEnd: string): BacktestResult {
  const after = new Map(later.families.map((f) => [f.id, f]));
  const families: BacktestFamily[] = past.families.map((f) => {
    const l = after.get(f.id);
    const revenueBefore = l ? l.priorRevenue : f.revenue;
    const revenueAfter = l ? l.revenue : 0;
    return {
      id: f.id, name: f.name, tier: f.tier, score: f.score, declining: f.risks.includes('declining'),
      revenueBefore, revenueAfter, outcome: outcomeOf(revenueBefore, revenueAfter),
    };
  });
  const rows = new Map<Tier | null, BacktestTierRow>();
  for (const t of TIER_ORDER) rows.set(t, emptyRow(t));
  for (const f of families) {
    const row = rows.get(f.tier) as BacktestTierRow;
    const b = f.revenueBefore;
    const a = f.revenueAfter;
    row.families += 1;
    row.revenueBefore += b;
    row.revenueAfter += a;
    row.kept += Math.min(a, b);
    if (a > b) row.grown += a - b;
    else if (a > 0) row.lost += b - a;
    else row.churned += b;
    row.outcomes[f.outcome] += 1;
  }
  const tiers = TIER_ORDER.map((t) => rows.get(t) as BacktestTierRow)
    .filter((r) => r.tier !== null || r.families > 0)
    .map((r) => ({
      ...r, revenueBefore: roundMoney(r.revenueBefore), revenueAfter: roundMoney(r.revenueAfter),
      kept: roundMoney(r.kept), grown: roundMoney(r.grown), lost: roundMoney(r.lost), churned: roundMoney(r.churned),
    }));
  const keyCount = families.filter((f) => f.tier === 'Key').length;
  const top = families.filter((f) => f.revenueAfter > 0)
    .sort((x, y) => y.revenueAfter - x.revenueAfter || compareStrings(x.id, y.id)).slice(0, keyCount);
  const inTopAfter = top.filter((f) => f.tier === 'Key').length;
  const allAfter = families.reduce((s, f) => s + f.revenueAfter, 0);
  const keyAfter = families.filter((f) => f.tier === 'Key').reduce((s, f) => s + f.revenueAfter, 0);
  const lost = (f: BacktestFamily) => f.outcome === 'shrank' || f.outcome === 'churned';
  const flagged = families.filter((f) => f.declining);
  const others = families.filter((f) => !f.declining && f.revenueBefore > 0);
  const partial = {
    asOf: past.asOf,
    followEnd,
    configVersion: past.configVersion,
    currency: past.currency,
    tiers,
    key: { families: keyCount, shareOfRevenueAfter: allAfter === 0 ? null : roundFraction(keyAfter / allAfter), topAfter: top.length, inTopAfter },
    declining: { flagged: flagged.length, flaggedLost: flagged.filter(lost).length, others: others.length, othersLost: others.filter(lost).length },
    families: families.sort((x, y) => y.revenueBefore - x.revenueBefore || compareStrings(x.id, y.id)),
  };
  return { ...partial, verdict: verdict(partial) };
}
