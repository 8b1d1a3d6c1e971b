import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AbcClass, LossScenario, Portfolio } from '../model/insights.ts';
import { roundFraction, roundMoney } from './format.ts';

/**
 * Revenue concentration over families. `revenue` is indexed by family, and families are in id
 * order, so "ties by id" is "ties by index".
 */
export interface RevenueRanking {
  /** Σ of the positive family revenues: a family whose credit notes exceed its sales has no share. */
  total: number;
  /** Family indexes by revenue, highest first, ties by id. */
  order: Int32Array;
  /** Unrounded max(0, revenue) / total, 0 when total is 0: always within 0..1. */
  share: Float64Array;
  /** Σ revenue², for the HHI after losing a family without another pass. */
  sumSquares: number;
}

export function rankRevenue(revenue: Float64Array): RevenueRanking {
  const F = revenue.length;
  const order = new Int32Array(F);
  for (let f = 0; f < F; f++) order[f] = f;
  order.sort((a, b) => (revenue[b] as number) - (revenue[a] as number) || a - b);
  let total = 0;
  let sumSquares = 0;
  for (let k = 0; k < F; k++) {
    const r = Math.max(0, revenue[order[k] as number] as number);
    total += r;
    sumSquares += r * r;
  }
  const share = new Float64Array(F);
  if (total > 0) for (let f = 0; f < F; f++) share[f] = Math.max(0, revenue[f] as number) / total;
  return { total, order, share, sumSquares };
}

/** A while the share before the family is below `abc.a`, B while below `abc.b`, else C; no revenue is C. */
export function abcClasses(revenue: Float64Array, ranking: RevenueRanking, abc: AnalysisConfig['abc']): AbcClass[] {
  const out = new Array<AbcClass>(revenue.length).fill('C');
  if (ranking.total <= 0) return out;
  let before = 0;
  for (let k = 0; k < ranking.order.length; k++) {
    const f = ranking.order[k] as number;
    if ((revenue[f] as number) <= 0) break;
    out[f] = before < abc.a - 1e-12 ? 'A' : before < abc.b - 1e-12 ? 'B' : 'C';
    before += ranking.share[f] as number;
  }
  return out;
}

export function portfolioSummary(ranking: RevenueRanking, keyFamilies: number): Portfolio {
  const F = ranking.order.length;
  let top1 = 0;
  let top5 = 0;
  let top10 = 0;
  let hhi = 0;
  for (let k = 0; k < F; k++) {
    const s = ranking.share[ranking.order[k] as number] as number;
    if (k < 1) top1 += s;
    if (k < 5) top5 += s;
    if (k < 10) top10 += s;
    hhi += s * s;
  }
  return {
    totalRevenue: roundMoney(ranking.total),
    families: F,
    top1Share: roundFraction(top1),
    top5Share: roundFraction(top5),
    top10Share: roundFraction(top10),
    hhi: roundFraction(hhi),
    keyFamilies,
  };
}

/** What losing one family costs: its revenue, its share, and the HHI of the rest. */
export function lossScenario(revenue: number, ranking: RevenueRanking): LossScenario {
  const counted = Math.max(0, revenue);
  const rest = ranking.total - counted;
  // HHI of the others = Σ_{j≠f} r_j² / (T - r_f)².
  const hhiAfter = rest <= 0 || rest * rest === 0 ? 0 : (ranking.sumSquares - counted * counted) / (rest * rest);
  return {
    revenueLost: roundMoney(revenue),
    shareLost: ranking.total <= 0 ? 0 : roundFraction(counted / ranking.total),
    hhiAfter: roundFraction(Number.isFinite(hhiAfter) ? Math.min(1, Math.max(0, hhiAfter)) : 0),
  };
}
