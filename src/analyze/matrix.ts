import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { FamilyContacts, MatrixCell, Suggestion } from '../model/insights.ts';
import type { Account } from '../model/snapshot.ts';
import type { ContactCounts } from './coverage.ts';
import { coverageText } from './coverage.ts';
import { fromDayNumber } from './dates.ts';
import { type CellFacts, cellState, WON_IN_WINDOW } from './facts.ts';
import { roundFraction, roundMoney } from './format.ts';
import type { Families } from './hierarchy.ts';
import { familySuggestions, type PeerIndex } from './peers.ts';

/** A family's matrix with what it implies: penetration, whitespace, offers and coverage. */
export interface FamilyMatrix {
  matrix: MatrixCell[];
  penetration: number;
  whitespaceValue: number;
  contacts: FamilyContacts;
}

/** Per-account texts filled in while the family's matrix is built. */
export interface EntityTexts {
  nextBestOffers: string[];
  coverage: string[];
}

export function nextBestOffersText(offers: readonly { name: string; s: Suggestion }[]): string {
  return offers.map((x) => `${x.name}: ${x.s.reason}`).join('\n');
}

export function buildFamilyMatrix(
  family: number,
  accounts: readonly Account[],
  families: Families,
  cells: CellFacts,
  peers: PeerIndex,
  offeringNames: readonly string[],
  contacts: ContactCounts,
  config: AnalysisConfig,
  texts: EntityTexts,
): FamilyMatrix {
  const O = cells.offerings;
  const suggestions = familySuggestions(family, families, peers, cells, offeringNames, config);
  const from = families.start[family] as number;
  const to = families.start[family + 1] as number;
  const matrix: MatrixCell[] = new Array<MatrixCell>((to - from) * O);
  let activeCells = 0;
  let whitespace = 0;
  let activeContacts = 0;
  let referenceable = 0;
  const underCovered: string[] = [];
  const singleThreaded: string[] = [];
  const limit = config.peers.nextBestOffers;
  const offers: { name: string; s: Suggestion }[] = [];
  let out = 0;
  for (let k = from; k < to; k++) {
    const e = families.entities[k] as number;
    const entityId = (accounts[e] as Account).id;
    const slotBase = (suggestions.slotOfGroup.get(peers.groupOf[e] as number) ?? 0) * O;
    let buys = false;
    let entityWhitespace = 0;
    offers.length = 0;
    for (let o = 0; o < O; o++) {
      const c = e * O + o;
      const flags = cells.flags[c] as number;
      const active = (flags & WON_IN_WINDOW) !== 0;
      const suggestion = active ? null : (suggestions.bySlot[slotBase + o] ?? null);
      if (active) {
        buys = true;
        activeCells++;
      }
      if (suggestion !== null) {
        entityWhitespace += suggestion.estimatedValue;
        offers.push({ name: offeringNames[o] ?? '', s: suggestion });
      }
      const lastWon = cells.lastWon[c] as number;
      matrix[out++] = {
        entityId,
        offering: offeringNames[o] ?? '',
        state: cellState(flags),
        revenue: roundMoney(cells.revenue[c] as number),
        lifetimeRevenue: roundMoney(cells.lifetime[c] as number),
        lastWonDate: lastWon === 0 ? null : fromDayNumber(lastWon),
        openAmount: roundMoney(cells.openAmount[c] as number),
        suggestion,
      };
    }
    whitespace += entityWhitespace;
    // Offerings arrive in name order and the sort is stable, so ties stay by name.
    offers.sort((x, y) => y.s.estimatedValue - x.s.estimatedValue);
    texts.nextBestOffers[e] = nextBestOffersText(offers.slice(0, limit));
    const count = contacts.active[e] as number;
    texts.coverage[e] = coverageText(count, config.coverage);
    activeContacts += count;
    referenceable += contacts.referenceable[e] as number;
    if (buys && count < config.coverage.min) underCovered.push(entityId);
    if (buys && count <= config.risk.singleThreadedMaxContacts) singleThreaded.push(entityId);
  }
  const total = (to - from) * O;
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
