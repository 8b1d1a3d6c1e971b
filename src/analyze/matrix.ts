import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { FamilyContacts, Suggestion } from '../model/insights.ts';
import { FamilyMatrix } from '../model/matrix.ts';
import { type ContactCounts, coverageText } from './coverage.ts';
import { type CellFacts, stateCode, WON_IN_WINDOW } from './facts.ts';
import { roundFraction, roundMoney } from './format.ts';
import type { Families } from './hierarchy.ts';
import { familySuggestions, type PeerIndex } from './peers.ts';
import { preferredSuggestion, sisterSuggestions } from './sisters.ts';

/** A family's matrix with what it implies: penetration, whitespace, offers and coverage. */
export interface FamilyMatrixOutcome {
  matrix: FamilyMatrix;
  penetration: number;
  whitespaceValue: number;
  contacts: FamilyContacts;
}

/** Per-account texts filled in while the family's matrix is built. */
export interface EntityTexts {
  nextBestOffers: string[];
  coverage: string[];
  /** The coverage text per contact count: most accounts share a handful of them. */
  coverageByCount: Map<number, string>;
}

export function nextBestOffersText(offers: readonly { name: string; s: Suggestion }[]): string {
  return offers.map((x) => `${x.name}: ${x.s.reason}`).join('\n');
}

/**
 * The family's rows of the cell arrays become its matrix in place: sums rounded to cents and
 * flags turned into states once the family's suggestions, which need the exact values, are
 * worked out (peers keep their own copy of the revenues). No cell is copied.
 */
export function buildFamilyMatrix(
  family: number,
  familyName: string,
  entityIds: readonly string[],
  families: Families,
  cells: CellFacts,
  peers: PeerIndex,
  offeringNames: readonly string[],
  contacts: ContactCounts,
  config: AnalysisConfig,
  texts: EntityTexts,
): FamilyMatrixOutcome {
  const O = cells.offerings;
  const suggestions = familySuggestions(family, families, peers, cells, offeringNames, config);
  const sisters = sisterSuggestions(family, familyName, families, cells, offeringNames, config);
  const from = families.start[family] as number;
  const to = families.start[family + 1] as number;
  const suggestedCells: number[] = [];
  const suggested: Suggestion[] = [];
  let activeCells = 0;
  let whitespace = 0;
  let activeContacts = 0;
  let referenceable = 0;
  const underCovered: string[] = [];
  const singleThreaded: string[] = [];
  const limit = config.peers.nextBestOffers;
  const offers: { name: string; s: Suggestion }[] = [];
  for (let k = from; k < to; k++) {
    const e = families.entities[k] as number;
    const entityId = entityIds[k - from] as string;
    const slotBase = (suggestions.slotOfGroup.get(peers.groupOf[e] as number) ?? 0) * O;
    let buys = false;
    let entityWhitespace = 0;
    offers.length = 0;
    for (let o = 0; o < O; o++) {
      const c = k * O + o;
      const flags = cells.flags[c] as number;
      const active = (flags & WON_IN_WINDOW) !== 0;
      const suggestion = active ? null : preferredSuggestion(suggestions.bySlot[slotBase + o] ?? null, sisters[o] ?? null);
      if (active) {
        buys = true;
        activeCells++;
      }
      if (suggestion !== null) {
        entityWhitespace += suggestion.estimatedValue;
        offers.push({ name: offeringNames[o] ?? '', s: suggestion });
        suggestedCells.push(c - from * O);
        suggested.push(suggestion);
      }
      cells.flags[c] = stateCode(flags);
      cells.revenue[c] = roundMoney(cells.revenue[c] as number);
      cells.lifetime[c] = roundMoney(cells.lifetime[c] as number);
      cells.openAmount[c] = roundMoney(cells.openAmount[c] as number);
    }
    whitespace += entityWhitespace;
    // Offerings arrive in name order and the sort is stable, so ties stay by name.
    offers.sort((x, y) => y.s.estimatedValue - x.s.estimatedValue);
    texts.nextBestOffers[e] = nextBestOffersText(offers.slice(0, limit));
    const count = contacts.active[e] as number;
    let coverage = texts.coverageByCount.get(count);
    if (coverage === undefined) {
      coverage = coverageText(count, config.coverage);
      texts.coverageByCount.set(count, coverage);
    }
    texts.coverage[e] = coverage;
    activeContacts += count;
    referenceable += contacts.referenceable[e] as number;
    if (buys && count < config.coverage.min) underCovered.push(entityId);
    if (buys && count <= config.risk.singleThreadedMaxContacts) singleThreaded.push(entityId);
  }
  const total = (to - from) * O;
  const a = from * O;
  const b = to * O;
  const matrix = new FamilyMatrix(
    entityIds, offeringNames, cells.flags.subarray(a, b), cells.revenue.subarray(a, b), cells.lifetime.subarray(a, b),
    cells.openAmount.subarray(a, b), cells.lastWon.subarray(a, b), Int32Array.from(suggestedCells), suggested,
  );
  return {
    matrix,
    penetration: total === 0 ? 0 : roundFraction(activeCells / total),
    whitespaceValue: roundMoney(whitespace),
    contacts: {
      active: activeContacts,
      referenceable,
      underCoveredEntities: underCovered,
      singleThreadedEntities: singleThreaded,
    },
  };
}
