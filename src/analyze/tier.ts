import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AbcClass, CriterionResult } from '../model/insights.ts';
import { TIERS, type Tier } from '../model/output-fields.ts';
import { isFractionCriterion } from './criteria.ts';
import { roundHalfUp1 } from './format.ts';
import { criterionLine, nearestSentence, REASON_MARKS, summaryLine, type ThresholdFlip } from './reasons.ts';

export interface TierDecision {
  tier: Tier;
  score: number;
}

/** 100 × Σ passing weights / Σ weights with data, half up to one decimal; 0 without data. */
export function scoreOf(criteria: readonly CriterionResult[], passed: readonly (boolean | null)[]): number {
  let withData = 0;
  let passing = 0;
  criteria.forEach((c, i) => {
    const p = passed[i];
    if (p === null || p === undefined) return;
    withData += c.weight;
    if (p) passing += c.weight;
  });
  return withData === 0 ? 0 : roundHalfUp1((100 * passing) / withData);
}

/** First match wins: Key, Develop, Maintain, Standard. */
export function decideTier(
  criteria: readonly CriterionResult[],
  passed: readonly (boolean | null)[],
  abcClass: AbcClass,
  config: AnalysisConfig,
): TierDecision {
  const score = scoreOf(criteria, passed);
  const knockedOut = criteria.some((c, i) => c.knockout && passed[i] === false);
  const sufficient = criteria.some((c, i) => c.sufficient && passed[i] === true);
  if (!knockedOut && (sufficient || score >= config.tiers.key)) return { tier: 'Key', score };
  const potential = criteria.findIndex((c) => c.id === 'potential');
  // With the potential criterion switched off, Develop rests on the score alone.
  const potentialPasses = potential === -1 || passed[potential] === true;
  if (score >= config.tiers.develop && potentialPasses) return { tier: 'Develop', score };
  if (abcClass === 'A' || abcClass === 'B') return { tier: 'Maintain', score };
  return { tier: 'Standard', score };
}

/** How far a value is from its threshold, relative, so different units compare; categorical ones come last. */
function gap(c: CriterionResult): number {
  if (typeof c.value !== 'number' || typeof c.threshold !== 'number') return Number.POSITIVE_INFINITY;
  const unit = isFractionCriterion(c.id) ? 0.01 : 1;
  return Math.abs(c.value - c.threshold) / Math.max(Math.abs(c.threshold), unit);
}

/**
 * The one criterion nearest its threshold whose flip alone would change the tier; null when no
 * single flip would.
 */
export function nearestFlip(
  criteria: readonly CriterionResult[],
  abcClass: AbcClass,
  current: Tier,
  config: AnalysisConfig,
): ThresholdFlip | null {
  const passed = criteria.map((c) => c.passed);
  let best: { c: CriterionResult; tier: Tier; gap: number } | null = null;
  criteria.forEach((c, i) => {
    if (c.passed === null) return;
    const flipped = passed.slice();
    flipped[i] = !c.passed;
    const { tier } = decideTier(criteria, flipped, abcClass, config);
    if (tier === current) return;
    const g = gap(c);
    if (best === null || g < best.gap) best = { c, tier, gap: g };
  });
  if (best === null) return null;
  const { c, tier } = best as { c: CriterionResult; tier: Tier };
  return { criterion: c, tier, drop: TIERS.indexOf(tier) > TIERS.indexOf(current), current };
}

/** "Drops below Key under 10% revenue share; now 12.4%"; null when no single flip would change the tier. */
export function nearestThreshold(
  criteria: readonly CriterionResult[],
  abcClass: AbcClass,
  current: Tier,
  config: AnalysisConfig,
): string | null {
  const flip = nearestFlip(criteria, abcClass, current, config);
  return flip === null ? null : nearestSentence(flip);
}

/** The `kam_reasons` lines: the summary, one line per criterion, and the nearest threshold. */
export function tierReasons(
  criteria: readonly CriterionResult[],
  decision: TierDecision,
  abcClass: AbcClass,
  config: AnalysisConfig,
): string[] {
  const lines = [summaryLine(criteria, decision, abcClass, config)];
  for (const c of criteria) lines.push(criterionLine(c));
  const nearest = nearestThreshold(criteria, abcClass, decision.tier, config);
  if (nearest !== null) lines.push(`${REASON_MARKS.nearest} ${nearest}`);
  return lines;
}
