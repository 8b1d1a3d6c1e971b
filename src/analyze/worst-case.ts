import type { GroupLoss, OwnerLoss, WorstCase } from '../model/insights.ts';
import type { User } from '../model/snapshot.ts';
import { type AnalysisWindows, inRange } from './dates.ts';
import { compareStrings, roundFraction, roundMoney } from './format.ts';
import { type AnalysisInput, STATUS_WON } from './input.ts';
import type { RevenueRanking } from './portfolio.ts';

/**
 * The worst case, beyond losing one key family: losing the top 2 and the top 3 key families
 * together, and losing an owner, that is every family whose won revenue in the window that one
 * user owns (every won deal of the family in the window is theirs). Each: revenue lost, its
 * share, and the HHI of what remains.
 */

/** Revenue, share and HHI after losing the families `lost` (family indexes) together. */
export function lossOfFamilies(lost: readonly number[], revenue: Float64Array, ranking: RevenueRanking): { revenueLost: number; shareLost: number; hhiAfter: number } {
  let sum = 0;
  // Shares count only positive family revenue, as the ranking does.
  let counted = 0;
  let squares = 0;
  for (const f of lost) {
    const r = revenue[f] as number;
    sum += r;
    const c = Math.max(0, r);
    counted += c;
    squares += c * c;
  }
  const rest = ranking.total - counted;
  const hhiAfter = rest <= 0 || rest * rest === 0 ? 0 : (ranking.sumSquares - squares) / (rest * rest);
  return {
    revenueLost: roundMoney(sum),
    shareLost: ranking.total <= 0 ? 0 : roundFraction(Math.min(1, counted / ranking.total)),
    hhiAfter: roundFraction(Number.isFinite(hhiAfter) ? Math.min(1, Math.max(0, hhiAfter)) : 0),
  };
}

/** Per family, the one owner of every won opportunity in the window: an owner number, -1 for none or several. */
function soleWinner(input: AnalysisInput, accountOf: Int32Array, familyOf: Int32Array, families: number, windows: AnalysisWindows): Int32Array {
  const NONE_YET = -2;
  const out = new Int32Array(families).fill(NONE_YET);
  const opps = input.opportunities;
  for (let i = 0; i < opps.id.length; i++) {
    if (opps.status[i] !== STATUS_WON) continue;
    const a = accountOf[opps.account[i] as number] as number;
    const day = opps.day[i] as number;
    if (a === -1 || day > windows.asOf || !inRange(day, windows.window)) continue;
    const f = familyOf[a] as number;
    const owner = opps.owner[i] as number;
    const was = out[f] as number;
    out[f] = was === NONE_YET ? owner : was === owner ? owner : -1;
  }
  for (let f = 0; f < families; f++) if (out[f] === NONE_YET) out[f] = -1;
  return out;
}

export function worstCase(
  input: AnalysisInput,
  accountOf: Int32Array,
  familyOf: Int32Array,
  windows: AnalysisWindows,
  revenue: Float64Array,
  ranking: RevenueRanking,
  familyIds: readonly string[],
  keyFamilies: readonly number[],
  users: ReadonlyMap<string, User>,
): WorstCase {
  const byRevenue = [...keyFamilies].sort((a, b) => (revenue[b] as number) - (revenue[a] as number) || a - b);
  const groups: GroupLoss[] = [];
  for (const n of [2, 3]) {
    if (byRevenue.length < n) continue;
    const lost = byRevenue.slice(0, n);
    groups.push({ families: lost.map((f) => familyIds[f] ?? ''), ...lossOfFamilies(lost, revenue, ranking) });
  }
  const winner = soleWinner(input, accountOf, familyOf, revenue.length, windows);
  const held = new Map<number, number[]>();
  for (let f = 0; f < revenue.length; f++) {
    const o = winner[f] as number;
    if (o < 0 || !((revenue[f] as number) > 0)) continue;
    const list = held.get(o);
    if (list) list.push(f);
    else held.set(o, [f]);
  }
  const owners: OwnerLoss[] = [...held].map(([o, fams]) => {
    const owner = input.owners[o] ?? '';
    return { owner, name: users.get(owner)?.name ?? null, families: fams.map((f) => familyIds[f] ?? ''), ...lossOfFamilies(fams, revenue, ranking) };
  });
  owners.sort((a, b) => b.revenueLost - a.revenueLost || compareStrings(a.owner, b.owner));
  return { keyFamilies: groups, owners };
}
