import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { FamilyHorizon, HorizonItem, OwnerHorizon, PayoffHorizon } from '../model/insights.ts';
import type { Account, User } from '../model/snapshot.ts';
import { addMonths, type DayNumber, fromDayNumber, toDayNumber } from './dates.ts';
import { compareStrings, roundMoney } from './format.ts';
import { type AnalysisInput, STATUS_OPEN } from './input.ts';

/**
 * The payoff horizon: what pays off this fiscal quarter (open pipeline closing by the quarter's
 * end, overdue deals included) against what pays off later, within 12 months of asOf (open
 * pipeline closing after the quarter, and the suggested whitespace, an estimate per year).
 * Per family and per owner: both sums and a short list ranked by value that mixes them.
 */

export interface Quarter {
  fiscalYearStartMonth: number;
  start: DayNumber;
  end: DayNumber;
  /** The last day that counts as "later": 12 months after asOf. */
  laterEnd: DayNumber;
}

/** The fiscal quarter holding `asOf` for a year starting in `startMonth` (1-12). */
export function fiscalQuarter(asOf: string, startMonth: number): Quarter {
  const day = toDayNumber(asOf);
  const month = Math.floor(day / 100) % 100;
  const intoYear = (month - startMonth + 12) % 12;
  const firstOfMonth = Math.floor(day / 100) * 100 + 1;
  const start = addMonths(firstOfMonth, -(intoYear % 3));
  // The quarter's last month on its 31st, which addMonths clamps to that month's last day.
  const end = addMonths(start + 30, 2);
  return { fiscalYearStartMonth: startMonth, start, end, laterEnd: addMonths(day, 12) };
}

/** Open pipeline per account: the items and the two sums, worked out once for all families. */
export interface Pipeline {
  quarter: Quarter;
  /** By account number: open opportunities as items, in id order. */
  byAccount: Map<number, HorizonItem[]>;
}

export function buildPipeline(input: AnalysisInput, accountOf: Int32Array, accounts: readonly Account[], asOf: string, config: AnalysisConfig): Pipeline {
  const startMonth = config.horizon.fiscalYearStartMonth ?? input.fiscalYearStartMonth ?? 1;
  const quarter = fiscalQuarter(asOf, startMonth);
  const opps = input.opportunities;
  const open: number[] = [];
  for (let i = 0; i < opps.id.length; i++) {
    if (opps.status[i] === STATUS_OPEN && accountOf[opps.account[i] as number] !== -1) open.push(i);
  }
  open.sort((a, b) => compareStrings(opps.id[a] as string, opps.id[b] as string));
  const byAccount = new Map<number, HorizonItem[]>();
  for (const i of open) {
    const day = opps.day[i] as number;
    if (day > quarter.laterEnd) continue;
    let amount = opps.amount[i] as number;
    if (Number.isNaN(amount)) {
      amount = 0;
      for (let j = opps.lineStart[i] as number; j < (opps.lineStart[i + 1] as number); j++) amount += input.lineItems.totalPrice[j] as number;
    }
    if (!(amount > 0)) continue;
    const a = accountOf[opps.account[i] as number] as number;
    const owner = opps.owner[i] as number;
    const item: HorizonItem = {
      payoff: day <= quarter.end ? 'thisQuarter' : 'later',
      kind: 'pipeline',
      value: roundMoney(amount),
      entity: (accounts[a] as Account).id,
      opportunity: opps.id[i] as string,
      offering: null,
      closeDate: fromDayNumber(day),
      owner: owner === -1 ? null : (input.owners[owner] ?? null),
    };
    const list = byAccount.get(a);
    if (list) list.push(item);
    else byAccount.set(a, [item]);
  }
  return { quarter, byAccount };
}

/** Highest value first; ties: this quarter first, then pipeline before whitespace, then by entity and what. */
function rank(a: HorizonItem, b: HorizonItem): number {
  return b.value - a.value
    || (a.payoff === b.payoff ? 0 : a.payoff === 'thisQuarter' ? -1 : 1)
    || (a.kind === b.kind ? 0 : a.kind === 'pipeline' ? -1 : 1)
    || compareStrings(a.entity, b.entity)
    || compareStrings(a.opportunity ?? a.offering ?? '', b.opportunity ?? b.offering ?? '');
}

function summarise(items: HorizonItem[], top: number): { thisQuarter: number; later: number; whitespace: number; top: HorizonItem[] } {
  let thisQuarter = 0;
  let later = 0;
  let whitespace = 0;
  for (const it of items) {
    if (it.payoff === 'thisQuarter') thisQuarter += it.value;
    else if (it.kind === 'pipeline') later += it.value;
    else whitespace += it.value;
  }
  return { thisQuarter: roundMoney(thisQuarter), later: roundMoney(later), whitespace: roundMoney(whitespace), top: [...items].sort(rank).slice(0, top) };
}

/**
 * One family's horizon: its entities' open deals and its suggested cells (owned by the
 * entity's account owner). Returns the items too, for the owners' view.
 */
export function familyHorizon(
  pipeline: Pipeline,
  entityAccounts: readonly number[],
  accounts: readonly Account[],
  suggestions: readonly { entity: string; offering: string; estimatedValue: number }[],
  config: AnalysisConfig,
): { horizon: FamilyHorizon; items: HorizonItem[] } {
  const items: HorizonItem[] = [];
  const ownerOf = new Map<string, string | null>();
  for (const a of entityAccounts) {
    const acc = accounts[a] as Account;
    ownerOf.set(acc.id, acc.ownerId);
    for (const it of pipeline.byAccount.get(a) ?? []) items.push(it);
  }
  for (const s of suggestions) {
    items.push({
      payoff: 'later', kind: 'whitespace', value: s.estimatedValue, entity: s.entity, opportunity: null,
      offering: s.offering, closeDate: null, owner: ownerOf.get(s.entity) ?? null,
    });
  }
  const sum = summarise(items, config.horizon.topItems);
  const laterTotal = roundMoney(sum.later + sum.whitespace);
  return { horizon: { thisQuarter: sum.thisQuarter, laterPipeline: sum.later, laterWhitespace: sum.whitespace, later: laterTotal, top: sum.top }, items };
}

/** Per owner over every family: the same sums and list; items without an owner are left out. */
export function ownerHorizons(
  byOwner: ReadonlyMap<string, HorizonItem[]>,
  users: ReadonlyMap<string, User>,
  config: AnalysisConfig,
): OwnerHorizon[] {
  return [...byOwner.keys()].sort(compareStrings).map((owner) => {
    const sum = summarise(byOwner.get(owner) ?? [], config.horizon.topItems);
    return {
      owner,
      name: users.get(owner)?.name ?? null,
      thisQuarter: sum.thisQuarter,
      laterPipeline: sum.later,
      laterWhitespace: sum.whitespace,
      later: roundMoney(sum.later + sum.whitespace),
      top: sum.top,
    };
  });
}

export function horizonSummary(pipeline: Pipeline, owners: OwnerHorizon[]): PayoffHorizon {
  const q = pipeline.quarter;
  return {
    fiscalYearStartMonth: q.fiscalYearStartMonth,
    quarterStart: fromDayNumber(q.start),
    quarterEnd: fromDayNumber(q.end),
    laterEnd: fromDayNumber(q.laterEnd),
    owners,
  };
}
