import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { Suggestion } from '../model/insights.ts';
import type { Account } from '../model/snapshot.ts';
import { type CellFacts, WON_IN_WINDOW } from './facts.ts';
import { formatWhole, roundFraction, roundMoney } from './format.ts';
import type { Families } from './hierarchy.ts';

/**
 * Peer adoption without comparing every cell with every peer: per peer group (industry, size
 * band) and offering, the number of adopting entities and their window revenues, sorted. A
 * family's view subtracts its own entities, since peers belong to other families.
 */
export interface PeerIndex {
  groupOf: Int32Array;
  groupLabel: string[];
  groupSize: Int32Array;
  /** CSR by `group * offerings + offering`: sorted revenues of the adopting entities. */
  adoptStart: Int32Array;
  adoptRevenue: Float64Array;
}

export function sizeBandLabels(bounds: readonly number[]): string[] {
  const labels = [`<${bounds[0] ?? 0}`];
  for (let i = 1; i < bounds.length; i++) labels.push(`${bounds[i - 1] ?? 0}-${(bounds[i] ?? 0) - 1}`);
  labels.push(`${bounds[bounds.length - 1] ?? 0}+`);
  return labels;
}

function sizeBand(employees: number | null, bounds: readonly number[]): number {
  if (employees === null) return -1;
  let b = 0;
  while (b < bounds.length && employees >= (bounds[b] as number)) b++;
  return b;
}

/** `rowOf[account]` is the account's row in the cell arrays. */
export function buildPeerIndex(accounts: readonly Account[], cells: CellFacts, rowOf: Int32Array, config: AnalysisConfig): PeerIndex {
  const n = accounts.length;
  const O = cells.offerings;
  const bounds = config.peers.sizeBands;
  const labels = sizeBandLabels(bounds);
  const groupIds = new Map<string, number>();
  const groupLabel: string[] = [];
  const groupOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = accounts[i] as Account;
    const industry = a.industry === null || a.industry.trim() === '' ? null : a.industry.trim();
    const band = sizeBand(a.employees, bounds);
    // \u0000 cannot occur in a real industry name, so the unknown industry only matches itself.
    const key = `${industry ?? '\u0000'}\u0001${band}`;
    let g = groupIds.get(key);
    if (g === undefined) {
      g = groupLabel.length;
      groupIds.set(key, g);
      const size = band === -1 ? 'unknown size' : `${labels[band] ?? ''} employees`;
      groupLabel.push(`${industry ?? 'unknown-industry'} peers (${size})`);
    }
    groupOf[i] = g;
  }
  const G = groupLabel.length;
  const groupSize = new Int32Array(G);
  const adoptStart = new Int32Array(G * O + 1);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i] as number;
    groupSize[g] = (groupSize[g] as number) + 1;
    const base = (rowOf[i] as number) * O;
    for (let o = 0; o < O; o++) {
      if ((cells.flags[base + o] as number) & WON_IN_WINDOW) adoptStart[g * O + o + 1] = (adoptStart[g * O + o + 1] as number) + 1;
    }
  }
  for (let k = 0; k < G * O; k++) adoptStart[k + 1] = (adoptStart[k + 1] as number) + (adoptStart[k] as number);
  const adoptRevenue = new Float64Array(adoptStart[G * O] as number);
  const fill = adoptStart.slice(0, G * O);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i] as number;
    const base = (rowOf[i] as number) * O;
    for (let o = 0; o < O; o++) {
      const c = base + o;
      if ((cells.flags[c] as number) & WON_IN_WINDOW) {
        const k = g * O + o;
        adoptRevenue[fill[k] as number] = cells.revenue[c] as number;
        fill[k] = (fill[k] as number) + 1;
      }
    }
  }
  for (let k = 0; k < G * O; k++) adoptRevenue.subarray(adoptStart[k], adoptStart[k + 1]).sort();
  return { groupOf, groupLabel, groupSize, adoptStart, adoptRevenue };
}

/**
 * The k-th smallest (0-based) of the multiset `all` minus `own` (own ⊆ all, both ascending):
 * each removed value at or below the candidate pushes the candidate one place up.
 */
export function kthWithout(all: Float64Array, own: readonly number[], k: number): number {
  let idx = k;
  for (const v of own) {
    if (v <= (all[idx] as number)) idx++;
    else break;
  }
  return all[idx] as number;
}

/** The median of the multiset `all` minus `own`, which has `count` values (> 0). */
export function medianWithout(all: Float64Array, own: readonly number[], count: number): number {
  if (count % 2 === 1) return kthWithout(all, own, (count - 1) / 2);
  return (kthWithout(all, own, count / 2 - 1) + kthWithout(all, own, count / 2)) / 2;
}

/** A family's suggestions: `bySlot[slot * offerings + offering]`, a slot per peer group it has entities in. */
export interface FamilySuggestions {
  slotOfGroup: Map<number, number>;
  bySlot: (Suggestion | null)[];
}

/**
 * Suggestions for one family: every entity of a family in the same peer group shares the same
 * peers, so each (group, offering) is worked out once.
 */
export function familySuggestions(
  family: number,
  families: Families,
  peers: PeerIndex,
  cells: CellFacts,
  offeringNames: readonly string[],
  config: AnalysisConfig,
): FamilySuggestions {
  const O = cells.offerings;
  const ownSize = new Map<number, number>();
  const ownRevenues = new Map<number, number[]>();
  const from = families.start[family] as number;
  const to = families.start[family + 1] as number;
  for (let k = from; k < to; k++) {
    const e = families.entities[k] as number;
    const g = peers.groupOf[e] as number;
    ownSize.set(g, (ownSize.get(g) ?? 0) + 1);
    for (let o = 0; o < O; o++) {
      // Family entities lie in consecutive rows: entity k of `families.entities` is row k.
      const c = k * O + o;
      if (!((cells.flags[c] as number) & WON_IN_WINDOW)) continue;
      const list = ownRevenues.get(g * O + o);
      if (list) list.push(cells.revenue[c] as number);
      else ownRevenues.set(g * O + o, [cells.revenue[c] as number]);
    }
  }
  const slotOfGroup = new Map<number, number>();
  const bySlot: (Suggestion | null)[] = [];
  const { minPeers, minAdoption } = config.peers;
  for (const [g, own] of [...ownSize].sort((a, b) => a[0] - b[0])) {
    slotOfGroup.set(g, slotOfGroup.size);
    const peerCount = (peers.groupSize[g] as number) - own;
    for (let o = 0; o < O; o++) {
      if (peerCount < minPeers) {
        bySlot.push(null);
        continue;
      }
      const key = g * O + o;
      const mine = ownRevenues.get(key) ?? [];
      const a = peers.adoptStart[key] as number;
      const b = peers.adoptStart[key + 1] as number;
      const adopters = b - a - mine.length;
      // The epsilon keeps 2 of 5 passing 0.4, whatever 0.4 * 5 rounds to.
      if (adopters === 0 || adopters < minAdoption * peerCount - 1e-9) {
        bySlot.push(null);
        continue;
      }
      if (mine.length > 1) mine.sort((x, y) => x - y);
      const estimated = roundMoney(medianWithout(peers.adoptRevenue.subarray(a, b), mine, adopters));
      const name = offeringNames[o] ?? '';
      bySlot.push({
        rule: 'peer',
        peers: peerCount,
        adopters,
        adoption: roundFraction(adopters / peerCount),
        estimatedValue: estimated,
        reason: `${adopters} of ${peerCount} ${peers.groupLabel[g] ?? ''} buy ${name}; est. ${formatWhole(estimated)}/yr`,
      });
    }
  }
  return { slotOfGroup, bySlot };
}
