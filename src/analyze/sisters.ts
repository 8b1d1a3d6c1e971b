import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { Suggestion } from '../model/insights.ts';
import { type CellFacts, WON_IN_WINDOW } from './facts.ts';
import { formatWhole, roundFraction, roundMoney } from './format.ts';
import type { Families } from './hierarchy.ts';

/** The median of ascending values (the mean of the two middle ones for an even count). */
function median(sorted: readonly number[]): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Sister suggestions of one family, one per offering (null where the rule does not hold): the
 * sisters of an entity without the offering active are all the family's other entities, so every
 * such entity has the same sisters adopting it and the same estimate. Needs the cells' exact
 * window revenues, before the matrix rounds them.
 */
export function sisterSuggestions(
  family: number,
  familyName: string,
  families: Families,
  cells: CellFacts,
  offeringNames: readonly string[],
  config: AnalysisConfig,
): (Suggestion | null)[] {
  const O = cells.offerings;
  const out = new Array<Suggestion | null>(O).fill(null);
  const rule = config.suggestions.sisters;
  const from = families.start[family] as number;
  const to = families.start[family + 1] as number;
  const sisters = to - from - 1;
  if (!rule.enabled || sisters < 1) return out;
  const revenues: number[] = [];
  for (let o = 0; o < O; o++) {
    revenues.length = 0;
    // Family entities lie in consecutive rows: entity k of `families.entities` is row k.
    for (let k = from; k < to; k++) {
      const c = k * O + o;
      if ((cells.flags[c] as number) & WON_IN_WINDOW) revenues.push(cells.revenue[c] as number);
    }
    const adopters = revenues.length;
    // Every entity buys it: no cell to suggest it to.
    if (adopters > sisters || adopters < rule.minAdopters) continue;
    // The epsilon keeps 3 of 10 passing 0.3, whatever 0.3 * 10 rounds to.
    if (adopters < rule.minAdoption * sisters - 1e-9) continue;
    revenues.sort((x, y) => x - y);
    const estimated = roundMoney(median(revenues));
    out[o] = {
      rule: 'sister',
      peers: sisters,
      adopters,
      adoption: roundFraction(adopters / sisters),
      estimatedValue: estimated,
      reason: `${adopters} of ${sisters} other ${familyName} entities buy ${offeringNames[o] ?? ''}; est. ${formatWhole(estimated)}/yr`,
    };
  }
  return out;
}

/** The suggestion a cell carries when both rules hold: the higher estimate, the sister rule on a tie. */
export function preferredSuggestion(peer: Suggestion | null, sister: Suggestion | null): Suggestion | null {
  if (peer === null) return sister;
  if (sister === null) return peer;
  return sister.estimatedValue >= peer.estimatedValue ? sister : peer;
}
