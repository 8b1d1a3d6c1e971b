import type { AnalysisConfig, FieldCriterionId } from '../config/analysis-config.ts';
import type { AbcClass, CriterionResult, FamilyQuality } from '../model/insights.ts';
import { confidenceText, issueShort } from './quality.ts';
import type { Tier } from '../model/output-fields.ts';
import { formatPercentShort } from './format.ts';

/**
 * The words reps read: `kam_reasons` as one sentence per line and `kam_why` as one line for list
 * views. Locale-free like the rest of the analysis, so every run writes byte-identical text.
 *
 * Line format of `kam_reasons` (the CRM cards parse it, so it is a contract): each line is a mark,
 * one space and a sentence. A line with any other first character is plain text.
 */
export const REASON_MARKS = {
  /** The tier and score with the rule that decided them; always the first line. */
  summary: '★',
  /** A manager's tier override in force ("Overridden by X until Y: reason"), after the summary. */
  override: '⚑',
  pass: '✓',
  fail: '✗',
  /** A criterion left out for missing data. */
  noData: '○',
  /** The one threshold whose crossing alone would change the tier; last, at most once. */
  nearest: '→',
  /** A data issue that keeps the family from being tiered, and what would fix it (after the summary). */
  dataIssue: '!',
} as const;

const FIELD_LABELS: Record<FieldCriterionId, string> = {
  paymentTimeliness: 'Payment timeliness',
  creditworthiness: 'Creditworthiness',
  accessToGoals: 'Access to goals',
  openness: 'Openness',
};

const LABELS: Record<string, string> = {
  revenueShare: 'Revenue share',
  abcClass: 'Revenue class',
  growth: 'Growth',
  margin: 'Margin vs portfolio',
  potential: 'Potential',
  relationships: 'Active contacts',
  decisionMakers: 'Buying entities with a known decision maker',
  ...FIELD_LABELS,
};

/** What a rep calls the criterion; never its id (an unknown id is spelt out rather than shown raw). */
export function criterionLabel(id: string): string {
  return LABELS[id] ?? id.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

const lower = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

function signedPercent(x: number): string {
  const s = formatPercentShort(x);
  return x > 0 && s !== '0%' ? `+${s}` : s;
}

function points(x: number): string {
  const n = Math.round(x * 1000) / 10 + 0;
  return `${n > 0 ? '+' : ''}${n} pts`;
}

function fieldValueText(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** A criterion's value or threshold as a rep reads it: "18%", "+4.1 pts", "class A", "\"good\"". */
function quantity(c: CriterionResult, v: number | string | boolean): string {
  switch (c.id) {
    case 'revenueShare':
    case 'potential':
    case 'decisionMakers':
      return typeof v === 'number' ? formatPercentShort(v) : String(v);
    case 'growth':
      return typeof v === 'number' ? signedPercent(v) : String(v);
    case 'margin':
      return typeof v === 'number' ? points(v) : String(v);
    case 'abcClass':
      return `class ${String(v)}`;
    case 'relationships':
      return String(v);
    default:
      return fieldValueText(v);
  }
}

/** "10%", "at most 10%", "class B or better", "\"good\" or \"fair\"". */
function requirement(c: CriterionResult): string {
  const t = c.threshold;
  if (c.id === 'abcClass') {
    if (c.direction === 'atLeast') return t === 'A' ? 'class A' : `class ${String(t)} or better`;
    if (c.direction === 'atMost') return t === 'C' ? 'class C' : `class ${String(t)} or worse`;
    return `class ${String(t)}`;
  }
  if (c.direction === 'equals') {
    return typeof t === 'string' && t.includes(' | ') ? t.split(' | ').map((x) => JSON.stringify(x)).join(' or ') : quantity(c, t);
  }
  return c.direction === 'atMost' ? `at most ${quantity(c, t)}` : quantity(c, t);
}

/** The measured part: "Revenue share 18%", "Revenue class A", "Creditworthiness \"poor\"", "Growth" (no data). */
function measured(c: CriterionResult): string {
  const label = criterionLabel(c.id);
  if (c.value === null) return label;
  if (c.id === 'abcClass') return `${label} ${String(c.value)}`;
  if (c.id === 'potential') return `${label} ${quantity(c, c.value)} of revenue`;
  return `${label} ${quantity(c, c.value)}`;
}

function outcome(c: CriterionResult): string {
  if (c.passed === null) return 'no data, left out of the score';
  if (c.passed) {
    if (c.sufficient) return 'passes, enough on its own for Key';
    return c.knockout ? 'passes, required for Key' : 'passes';
  }
  if (c.value === null) return 'no data, counts as failed';
  if (c.knockout) return 'fails, which rules out Key';
  return c.sufficient ? 'fails (would be enough on its own for Key)' : 'fails';
}

/** "✓ Revenue share 18% (needs 10%): passes, enough on its own for Key". */
export function criterionLine(c: CriterionResult): string {
  const mark = c.passed === null ? REASON_MARKS.noData : c.passed ? REASON_MARKS.pass : REASON_MARKS.fail;
  return `${mark} ${measured(c)} (needs ${requirement(c)}): ${outcome(c)}`;
}

/** The short form for the `why` line: "18% of revenue", "score 82.0", "creditworthiness \"poor\"". */
function shortMeasure(c: CriterionResult): string {
  if (c.value === null) return `${lower(criterionLabel(c.id))}: no data`;
  switch (c.id) {
    case 'revenueShare':
      return `${quantity(c, c.value)} of revenue`;
    case 'potential':
      return `potential ${quantity(c, c.value)} of revenue`;
    case 'relationships':
      return `${String(c.value)} active contact${c.value === 1 ? '' : 's'}`;
    case 'abcClass':
      return `revenue class ${String(c.value)}`;
    default:
      return `${lower(criterionLabel(c.id))} ${quantity(c, c.value)}`;
  }
}

const score1 = (s: number): string => s.toFixed(1);

export interface TierOutcome {
  tier: Tier;
  score: number;
}

/** The criteria that decided the tier: the first passing sufficient one, failing knockouts, potential. */
function decisive(criteria: readonly CriterionResult[]) {
  return {
    sufficient: criteria.find((c) => c.sufficient && c.passed === true) ?? null,
    knockouts: criteria.filter((c) => c.knockout && c.passed === false),
    potential: criteria.find((c) => c.id === 'potential') ?? null,
  };
}

/** "★ Key, score 60.0: revenue share alone is enough". */
export function summaryLine(criteria: readonly CriterionResult[], decision: TierOutcome, abcClass: AbcClass, config: AnalysisConfig): string {
  const d = decisive(criteria);
  const why: string[] = [];
  if (decision.tier === 'Key') {
    why.push(d.sufficient ? `${lower(criterionLabel(d.sufficient.id))} alone is enough` : `score reaches ${config.tiers.key}`);
  } else {
    if (d.knockouts.length > 0) why.push(`${d.knockouts.map((c) => lower(criterionLabel(c.id))).join(' and ')} rules out Key`);
    if (decision.tier === 'Develop') why.push(d.potential ? `score reaches ${config.tiers.develop} and potential passes` : `score reaches ${config.tiers.develop}`);
    if (decision.tier === 'Maintain') why.push(`revenue class ${abcClass}`);
    if (decision.tier === 'Standard' && d.knockouts.length === 0) why.push('no other tier applies');
  }
  return `${REASON_MARKS.summary} ${decision.tier}, score ${score1(decision.score)}: ${why.join('; ')}`;
}

/** One line for list views, at most a few dozen characters: "Key: 18% of revenue (needs 10%)". */
export function whyLine(criteria: readonly CriterionResult[], decision: TierOutcome, abcClass: AbcClass, config: AnalysisConfig): string {
  const d = decisive(criteria);
  const { tier, score } = decision;
  if (tier === 'Key') {
    return d.sufficient ? `Key: ${shortMeasure(d.sufficient)} (needs ${requirement(d.sufficient)})` : `Key: score ${score1(score)} (needs ${config.tiers.key})`;
  }
  const knockout = d.knockouts[0];
  const ruledOut = knockout ? `, ${shortMeasure(knockout)} rules out Key` : '';
  if (tier === 'Develop') {
    const potential = d.potential && d.potential.value !== null ? `, ${shortMeasure(d.potential)}` : '';
    return `Develop: score ${score1(score)} (needs ${config.tiers.develop})${potential}${ruledOut}`;
  }
  if (tier === 'Maintain') return `Maintain: revenue class ${abcClass}, score ${score1(score)} (Key needs ${config.tiers.key})${ruledOut}`;
  return `Standard: revenue class ${abcClass}, score ${score1(score)} (Develop needs ${config.tiers.develop})${ruledOut}`;
}

/**
 * The `kam_reasons` lines of a family not tiered: "★ Not tiered, score 55.0: data confidence 40%
 * is below 60%", one "!" line per data issue (what would fix it), then the criteria as computed.
 */
export function notTieredReasons(criteria: readonly CriterionResult[], score: number, quality: FamilyQuality, config: AnalysisConfig): string[] {
  const lines = [`${REASON_MARKS.summary} Not tiered, score ${score1(score)}: ${confidenceText(quality, config)}`];
  for (const i of quality.issues) lines.push(`${REASON_MARKS.dataIssue} ${i.message}`);
  for (const c of criteria) lines.push(criterionLine(c));
  return lines;
}

/** "Not tiered: because no industry or size on 2 of 3 entities; ..." (cut to the field by the caller). */
export function notTieredWhy(quality: FamilyQuality): string {
  return `Not tiered: because ${quality.issues.map(issueShort).join('; ')}`;
}

/** Where crossing one threshold would take the family, as the nearest-threshold line says it. */
export interface ThresholdFlip {
  criterion: CriterionResult;
  /** The tier the family would have. */
  tier: Tier;
  /** True when the flip loses the current tier. */
  drop: boolean;
  current: Tier;
}

function crossing(c: CriterionResult, drop: boolean): string {
  const label = lower(criterionLabel(c.id));
  if (c.id === 'abcClass') return drop ? `outside revenue ${requirement(c)}` : `in revenue ${requirement(c)}`;
  if (c.direction === 'equals') return drop ? `if ${label} were not ${requirement(c)}` : `if ${label} were ${requirement(c)}`;
  const t = quantity(c, c.threshold);
  if (c.direction === 'atLeast') return drop ? `under ${t} ${label}` : `at ${t} ${label}`;
  return drop ? `above ${t} ${label}` : `at ${t} ${label} or less`;
}

/** "Drops below Key under 10% revenue share; now 12.4%" (without its mark). */
export function nearestSentence(flip: ThresholdFlip): string {
  const { criterion: c, tier, drop, current } = flip;
  const head = drop ? `Drops below ${current}` : `Reaches ${tier}`;
  const now = c.value === null ? 'no data' : quantity(c, c.value);
  return `${head} ${crossing(c, drop)}; now ${now}`;
}
