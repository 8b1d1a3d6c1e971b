import type { CellState } from '../model/insights.ts';
import { compareStrings } from './format.ts';
import { type AnalysisWindows, inRange } from './dates.ts';
import { type AnalysisInput, STATUS_LOST, STATUS_OPEN, STATUS_WON } from './input.ts';

/**
 * One pass over the opportunities, accumulating into flat typed arrays: cells are indexed
 * `row * offerings + offering`, families by family index. Opportunities and line items are
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
  /** Owner number of the one owner of all of them, or -1 once they differ or one has none. */
  soleOwner: Int32Array;
}

export interface Facts {
  cells: CellFacts;
  families: FamilyFacts;
  portfolioCostedPrice: number;
  portfolioCost: number;
}

/** The index into CELL_STATES of `cellState(flags)`. */
export function stateCode(flags: number): number {
  if (flags & WON_IN_WINDOW) return 0;
  if (flags & OPEN) return 1;
  if (flags & WON_BEFORE) return 2;
  if (flags & LOST) return 3;
  return 4;
}

/** First match wins: active, open, lapsed, lost, whitespace. */
export function cellState(flags: number): CellState {
  if (flags & WON_IN_WINDOW) return 'active';
  if (flags & OPEN) return 'open';
  if (flags & WON_BEFORE) return 'lapsed';
  if (flags & LOST) return 'lost';
  return 'whitespace';
}

/** Opportunity numbers in id order, so that floating-point sums do not depend on the file's order. */
function idOrder(ids: readonly string[]): Int32Array {
  const n = ids.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = compareStrings(ids[i - 1] as string, ids[i] as string) <= 0;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (sorted) return order;
  // A plain array: the engine's sort with a comparator is fastest there, and mostly-sorted runs merge cheaply.
  const list = Array.from(order);
  list.sort((a, b) => compareStrings(ids[a] as string, ids[b] as string));
  order.set(list);
  return order;
}

/**
 * The opportunities family by family, in id order within each (a stable counting sort of the
 * id order), leaving out those of unknown accounts. Every sum of the facts is per cell or per
 * family, so each still adds up in id order; visiting a family's rows together keeps the cell
 * arrays (gigabytes at a million accounts) from being read all over at random.
 */
function familyOrder(byId: Int32Array, accountRef: Int32Array, accountOf: Int32Array, familyOf: Int32Array, familyCount: number): Int32Array {
  const start = new Int32Array(familyCount + 1);
  let known = 0;
  for (let k = 0; k < byId.length; k++) {
    const a = accountOf[accountRef[byId[k] as number] as number] as number;
    if (a === -1) continue;
    const f = familyOf[a] as number;
    start[f + 1] = (start[f + 1] as number) + 1;
    known++;
  }
  for (let f = 0; f < familyCount; f++) start[f + 1] = (start[f + 1] as number) + (start[f] as number);
  const order = new Int32Array(known);
  for (let k = 0; k < byId.length; k++) {
    const i = byId[k] as number;
    const a = accountOf[accountRef[i] as number] as number;
    if (a === -1) continue;
    const f = familyOf[a] as number;
    order[start[f] as number] = i;
    start[f] = (start[f] as number) + 1;
  }
  return order;
}

/**
 * `rowOf[account]` is the account's row in the cell arrays: families' entities lie in
 * consecutive rows, so a family's matrix is a view of them. `offeringOf[productRef]` is -1 for
 * an unknown product.
 */
export function collectFacts(
  input: AnalysisInput,
  accountOf: Int32Array,
  rowOf: Int32Array,
  familyOf: Int32Array,
  familyCount: number,
  offeringOf: Int32Array,
  O: number,
  windows: AnalysisWindows,
): Facts {
  const n = familyOf.length;
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
    soleOwner: new Int32Array(familyCount).fill(-1),
  };
  let portfolioCostedPrice = 0;
  let portfolioCost = 0;
  const { window, prior, recent, asOf } = windows;
  const opps = input.opportunities;
  const { product, totalPrice, cost } = input.lineItems;
  const byId = idOrder(opps.id);
  const order = familyOrder(byId, opps.account, accountOf, familyOf, familyCount);

  // Portfolio sums run over every family at once, so they go in plain id order.
  for (let k = 0; k < byId.length; k++) {
    const i = byId[k] as number;
    if (opps.status[i] !== STATUS_WON || accountOf[opps.account[i] as number] === -1) continue;
    const day = opps.day[i] as number;
    if (day > asOf || !inRange(day, window)) continue;
    for (let j = opps.lineStart[i] as number; j < (opps.lineStart[i + 1] as number); j++) {
      const c0 = cost[j] as number;
      if (Number.isNaN(c0)) continue;
      portfolioCostedPrice += totalPrice[j] as number;
      portfolioCost += c0;
    }
  }

  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    const account = accountOf[opps.account[i] as number] as number;
    const from = opps.lineStart[i] as number;
    const to = opps.lineStart[i + 1] as number;
    const f = familyOf[account] as number;
    const day = opps.day[i] as number;
    const base = (rowOf[account] as number) * O;
    const status = opps.status[i] as number;

    if (status === STATUS_OPEN) {
      for (let j = from; j < to; j++) {
        const o = offeringOf[product[j] as number] as number;
        if (o === -1) continue;
        cells.flags[base + o] = (cells.flags[base + o] as number) | OPEN;
        cells.openAmount[base + o] = (cells.openAmount[base + o] as number) + (totalPrice[j] as number);
      }
      continue;
    }
    // Closed after the analysis date: not yet known at asOf.
    if (day > asOf) continue;
    const inWindow = inRange(day, window);

    if (inWindow) {
      const closed = fam.closedInWindow[f] as number;
      const owner = opps.owner[i] as number;
      if (closed === 0) fam.soleOwner[f] = owner;
      else if (fam.soleOwner[f] !== owner) fam.soleOwner[f] = -1;
      fam.closedInWindow[f] = closed + 1;
    }

    if (status === STATUS_LOST) {
      for (let j = from; j < to; j++) {
        const o = offeringOf[product[j] as number] as number;
        if (o !== -1) cells.flags[base + o] = (cells.flags[base + o] as number) | LOST;
      }
      continue;
    }

    // Won.
    let amount = opps.amount[i] as number;
    if (Number.isNaN(amount)) {
      amount = 0;
      for (let j = from; j < to; j++) amount += totalPrice[j] as number;
    }
    if (inWindow) fam.revenue[f] = (fam.revenue[f] as number) + amount;
    else if (inRange(day, prior)) fam.prior[f] = (fam.prior[f] as number) + amount;
    if (inRange(day, recent)) fam.recentWin[f] = 1;
    if (day > (fam.lastWon[f] as number)) fam.lastWon[f] = day;

    const flag = inWindow ? WON_IN_WINDOW : day < window.from ? WON_BEFORE : 0;
    for (let j = from; j < to; j++) {
      const price = totalPrice[j] as number;
      const c0 = cost[j] as number;
      if (inWindow && !Number.isNaN(c0)) {
        fam.costedPrice[f] = (fam.costedPrice[f] as number) + price;
        fam.cost[f] = (fam.cost[f] as number) + c0;
      }
      const o = offeringOf[product[j] as number] as number;
      if (o === -1) continue;
      const c = base + o;
      cells.flags[c] = (cells.flags[c] as number) | flag;
      cells.lifetime[c] = (cells.lifetime[c] as number) + price;
      if (inWindow) cells.revenue[c] = (cells.revenue[c] as number) + price;
      if (day > (cells.lastWon[c] as number)) cells.lastWon[c] = day;
    }
  }
  return { cells, families: fam, portfolioCostedPrice, portfolioCost };
}
