import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AbcClass, CriterionResult } from '../model/insights.ts';
import { TIERS, type Tier } from '../model/output-fields.ts';
import { criterionLabel, isFractionCriterion } from './criteria.ts';
import { formatPercent1, formatPercentShort, roundHalfUp1 } from './format.ts';

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

function formatValue(c: CriterionResult, value: CriterionResult['value']): string {
  if (value === null) return 'no data';
  if (typeof value === 'number' && isFractionCriterion(c.id)) return formatPercent1(value);
  if (typeof value === 'string' && c.id !== 'abcClass') return JSON.stringify(value);
  return String(value);
}

function formatThreshold(c: CriterionResult): string {
  const t = c.threshold;
  if (typeof t === 'number' && isFractionCriterion(c.id)) return formatPercentShort(t);
  if (typeof t === 'string' && c.id !== 'abcClass') return t.includes(' | ') ? t.split(' | ').map((x) => JSON.stringify(x)).join(' or ') : JSON.stringify(t);
  return String(t);
}

const DIRECTION_TEXT = { atLeast: '>=', atMost: '<=', equals: '=' } as const;

/** "revenueShare: 12.4% (threshold >= 10%) pass, weight 30, sufficient". */
export function criterionLine(c: CriterionResult): string {
  const notes = [`weight ${c.weight}`];
  if (c.sufficient) notes.push('sufficient');
  if (c.knockout) notes.push('knockout');
  const outcome = c.passed === null ? 'left out (no data)' : c.passed ? 'pass' : 'fail';
  const threshold = c.direction === 'equals' && c.id !== 'abcClass' ? `one of ${formatThreshold(c)}` : `${DIRECTION_TEXT[c.direction]} ${formatThreshold(c)}`;
  return `${c.id}: ${formatValue(c, c.value)} (threshold ${threshold}) ${outcome}, ${notes.join(', ')}`;
}

/** How far a value is from its threshold, relative, so different units compare; categorical ones come last. */
function gap(c: CriterionResult): number {
  if (typeof c.value !== 'number' || typeof c.threshold !== 'number') return Number.POSITIVE_INFINITY;
  const unit = isFractionCriterion(c.id) ? 0.01 : 1;
  return Math.abs(c.value - c.threshold) / Math.max(Math.abs(c.threshold), unit);
}

function condition(c: CriterionResult, drop: boolean, config: AnalysisConfig): string {
  const label = criterionLabel(c.id, config);
  const t = formatThreshold(c);
  if (c.id === 'abcClass') {
    const cls = `class ${t}${c.direction === 'atLeast' && t !== 'A' ? ' or better' : c.direction === 'atMost' && t !== 'C' ? ' or worse' : ''}`;
    return drop ? `outside ${cls}` : `in ${cls}`;
  }
  if (c.direction === 'equals') return drop ? `if ${label} were not ${t}` : `if ${label} were ${t}`;
  if (c.direction === 'atLeast') return drop ? `under ${t} ${label}` : `at ${t} ${label}`;
  return drop ? `above ${t} ${label}` : `at ${t} ${label} or less`;
}

/**
 * The one criterion nearest its threshold whose flip alone would change the tier, e.g.
 * "would drop below Key under 10% share, now 12.4%"; null when no single flip would.
 */
export function nearestThreshold(
  criteria: readonly CriterionResult[],
  abcClass: AbcClass,
  current: Tier,
  config: AnalysisConfig,
): string | null {
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
  const drop = TIERS.indexOf(tier) > TIERS.indexOf(current);
  const head = drop ? `would drop below ${current}` : `would reach ${tier}`;
  const now = c.id === 'abcClass' ? `class ${String(c.value)}` : formatValue(c, c.value);
  return `${head} ${condition(c, drop, config)}, now ${now}`;
}

/** The summary line, one line per criterion, and the nearest threshold. */
export function tierReasons(
  criteria: readonly CriterionResult[],
  decision: TierDecision,
  abcClass: AbcClass,
  config: AnalysisConfig,
): string[] {
  const why: string[] = [];
  if (decision.tier === 'Key') {
    const suff = criteria.filter((c) => c.sufficient && c.passed === true).map((c) => c.id);
    why.push(suff.length > 0 ? `${suff.join(', ')} suffices` : `score >= ${config.tiers.key}`);
  } else {
    const ko = criteria.filter((c) => c.knockout && c.passed === false).map((c) => c.id);
    if (ko.length > 0) why.push(`knockout ${ko.join(', ')} fails`);
    if (decision.tier === 'Develop') why.push(`score >= ${config.tiers.develop} and potential`);
    if (decision.tier === 'Maintain') why.push(`ABC class ${abcClass}`);
  }
  const lines = [`Tier ${decision.tier}, score ${decision.score.toFixed(1)}${why.length > 0 ? ` (${why.join('; ')})` : ''}`];
  for (const c of criteria) lines.push(criterionLine(c));
  const nearest = nearestThreshold(criteria, abcClass, decision.tier, config);
  if (nearest !== null) lines.push(nearest);
  return lines;
}
