import type { AnalysisIssue, CellState } from '../model/insights.ts';
import type { LineItem, Opportunity } from '../model/snapshot.ts';
import { compareStrings } from './format.ts';
import { type AnalysisWindows, inRange, toDayNumber } from './dates.ts';
import type { Offerings } from './offerings.ts';

/**
 * One pass over the opportunities, accumulating into flat typed arrays: cells are indexed
 * `account * offerings + offering`, families by family index. Opportunities and line items are
 * visited in id order so that floating-point sums do not depend on the input order.
 */

export const WON_IN_WINDOW = 1;
export const OPEN = 2;
export const WON_BEFORE = 4;
export const LOST = 8;

export interface CellFacts {
  offerings: number;
  flags: Uint8Array;
  revenue: Float64Array;
  lifetime: Float64Array;
  openAmount: Float64Array;
  /** Day number of the last won date, 0 when never won. */
  lastWon: Int32Array;
}

export interface FamilyFacts {
  revenue: Float64Array;
  prior: Float64Array;
  /** Σ total price and Σ cost of the window's won line items that have a cost. */
  costedPrice: Float64Array;
  cost: Float64Array;
  /** Won something in the recent (stalled) range. */
  recentWin: Uint8Array;
  lastWon: Int32Array;
  /** Won or lost opportunities closed in the window. */
  closedInWindow: Int32Array;
  /** The one owner of all of them, or null once they differ or one has none. */
  soleOwner: (string | null)[];
}

export interface Facts {
  cells: CellFacts;
  families: FamilyFacts;
  portfolioCostedPrice: number;
  portfolioCost: number;
  issues: AnalysisIssue[];
}

/** First match wins: active, open, lapsed, lost, whitespace. */
export function cellState(flags: number): CellState {
  if (flags & WON_IN_WINDOW) return 'active';
  if (flags & OPEN) return 'open';
  if (flags & WON_BEFORE) return 'lapsed';
  if (flags & LOST) return 'lost';
  return 'whitespace';
}

function byId<T extends { id: string }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if (compareStrings((items[i - 1] as T).id, (items[i] as T).id) > 0) {
      return [...items].sort((a, b) => compareStrings(a.id, b.id));
    }
  }
  return items;
}

export function collectFacts(
  opportunities: readonly Opportunity[],
  indexOf: ReadonlyMap<string, number>,
  familyOf: Int32Array,
  familyCount: number,
  offerings: Offerings,
  windows: AnalysisWindows,
): Facts {
  const n = familyOf.length;
  const O = offerings.names.length;
  const cells: CellFacts = {
    offerings: O,
    flags: new Uint8Array(n * O),
    revenue: new Float64Array(n * O),
    lifetime: new Float64Array(n * O),
    openAmount: new Float64Array(n * O),
    lastWon: new Int32Array(n * O),
  };
  const fam: FamilyFacts = {
    revenue: new Float64Array(familyCount),
    prior: new Float64Array(familyCount),
    costedPrice: new Float64Array(familyCount),
    cost: new Float64Array(familyCount),
    recentWin: new Uint8Array(familyCount),
    lastWon: new Int32Array(familyCount),
    closedInWindow: new Int32Array(familyCount),
    soleOwner: new Array<string | null>(familyCount).fill(null),
  };
  const issues: AnalysisIssue[] = [];
  let portfolioCostedPrice = 0;
  let portfolioCost = 0;
  const { window, prior, recent, asOf } = windows;

  // Offering index of each line item of the current opportunity, -1 for an unknown product.
  let offeringOf = new Int32Array(16);
  for (const opp of byId(opportunities)) {
    const items: readonly LineItem[] = byId(opp.lineItems);
    if (items.length > offeringOf.length) offeringOf = new Int32Array(items.length * 2);
    for (let j = 0; j < items.length; j++) {
      const li = items[j] as LineItem;
      const o = offerings.ofProduct.get(li.productId);
      offeringOf[j] = o ?? -1;
      if (o === undefined) {
        issues.push({
          kind: 'unknown-product',
          recordId: li.id,
          message: `line item ${li.id} of opportunity ${opp.id} refers to unknown product ${li.productId}; left out of the matrix`,
        });
      }
    }
    const account = indexOf.get(opp.accountId);
    if (account === undefined) {
      issues.push({
        kind: 'unknown-account',
        recordId: opp.id,
        message: `opportunity ${opp.id} points at unknown account ${opp.accountId}; left out`,
      });
      continue;
    }
    const f = familyOf[account] as number;
    const day = toDayNumber(opp.closeDate);
    const base = account * O;

    if (opp.status === 'open') {
      for (let j = 0; j < items.length; j++) {
        const o = offeringOf[j] as number;
        if (o === -1) continue;
        cells.flags[base + o] = (cells.flags[base + o] as number) | OPEN;
        cells.openAmount[base + o] = (cells.openAmount[base + o] as number) + (items[j] as LineItem).totalPrice;
      }
      continue;
    }
    // Closed after the analysis date: not yet known at asOf.
    if (day > asOf) continue;
    const inWindow = inRange(day, window);

    if (inWindow) {
      const closed = fam.closedInWindow[f] as number;
      const owner = opp.ownerId;
      if (closed === 0) fam.soleOwner[f] = owner;
      else if (fam.soleOwner[f] !== owner) fam.soleOwner[f] = null;
      fam.closedInWindow[f] = closed + 1;
    }

    if (opp.status === 'lost') {
      for (let j = 0; j < items.length; j++) {
        const o = offeringOf[j] as number;
        if (o !== -1) cells.flags[base + o] = (cells.flags[base + o] as number) | LOST;
      }
      continue;
    }

    // Won.
    let amount = opp.amount;
    if (amount === null) {
      amount = 0;
      for (const li of items) amount += li.totalPrice;
    }
    if (inWindow) fam.revenue[f] = (fam.revenue[f] as number) + amount;
    else if (inRange(day, prior)) fam.prior[f] = (fam.prior[f] as number) + amount;
    if (inRange(day, recent)) fam.recentWin[f] = 1;
    if (day > (fam.lastWon[f] as number)) fam.lastWon[f] = day;

    const flag = inWindow ? WON_IN_WINDOW : day < window.from ? WON_BEFORE : 0;
    for (let j = 0; j < items.length; j++) {
      const li = items[j] as LineItem;
      if (inWindow && li.cost !== null) {
        fam.costedPrice[f] = (fam.costedPrice[f] as number) + li.totalPrice;
        fam.cost[f] = (fam.cost[f] as number) + li.cost;
        portfolioCostedPrice += li.totalPrice;
        portfolioCost += li.cost;
      }
      const o = offeringOf[j] as number;
      if (o === -1) continue;
      const c = base + o;
      cells.flags[c] = (cells.flags[c] as number) | flag;
      cells.lifetime[c] = (cells.lifetime[c] as number) + li.totalPrice;
      if (inWindow) cells.revenue[c] = (cells.revenue[c] as number) + li.totalPrice;
      if (day > (cells.lastWon[c] as number)) cells.lastWon[c] = day;
    }
  }
  return { cells, families: fam, portfolioCostedPrice, portfolioCost, issues };
}
