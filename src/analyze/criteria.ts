import {
  type AnalysisConfig,
  COMPUTED_CRITERIA,
  type CriterionId,
  FIELD_CRITERIA,
  type FieldCriterionConfig,
  ROLE_CRITERIA,
} from '../config/analysis-config.ts';
import type { AbcClass, AnalysisIssue, CriterionDirection, CriterionResult } from '../model/insights.ts';
import type { Account, FieldValue } from '../model/snapshot.ts';

/** What the computed criteria measure for one family; null where data is missing. */
export interface FamilyMeasures {
  revenueShare: number | null;
  abcClass: AbcClass;
  growth: number | null;
  margin: number | null;
  potential: number | null;
  relationships: number;
  /** Buying entities with a known decision maker / buying entities; null without roles or buyers. */
  decisionMakers: number | null;
}

const ABC_RANK: Record<AbcClass, number> = { A: 0, B: 1, C: 2 };
// Keeps values like 0.1 computed as 0.09999999999999998 on the side a reader expects.
const EPS = 1e-9;

function compareNumber(value: number, threshold: number, direction: CriterionDirection): boolean {
  if (direction === 'atLeast') return value >= threshold - EPS;
  if (direction === 'atMost') return value <= threshold + EPS;
  return Math.abs(value - threshold) <= EPS;
}

function compareClass(value: AbcClass, threshold: AbcClass, direction: CriterionDirection): boolean {
  if (direction === 'atLeast') return ABC_RANK[value] <= ABC_RANK[threshold];
  if (direction === 'atMost') return ABC_RANK[value] >= ABC_RANK[threshold];
  return value === threshold;
}

function normalise(v: string | number | boolean): string {
  return String(v).trim().toLowerCase();
}

interface FieldOutcome {
  value: FieldValue;
  passed: boolean | null;
  threshold: number | string | boolean;
  direction: CriterionDirection;
  issue: string | null;
}

/** A field criterion on the family's root account: a numeric threshold, or a list of passing values. */
export function evaluateField(raw: FieldValue | undefined, cfg: FieldCriterionConfig): FieldOutcome {
  const value = raw === undefined || raw === '' ? null : raw;
  if ('values' in cfg.pass) {
    const allowed = cfg.pass.values;
    const threshold = allowed.length === 1 ? (allowed[0] as string | number | boolean) : allowed.map(String).join(' | ');
    if (value === null) return { value: null, passed: null, threshold, direction: 'equals', issue: null };
    const v = normalise(value);
    return { value, passed: allowed.some((a) => normalise(a) === v), threshold, direction: 'equals', issue: null };
  }
  const { threshold, direction } = cfg.pass;
  if (value === null) return { value: null, passed: null, threshold, direction, issue: null };
  const num = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(num)) {
    return { value, passed: null, threshold, direction, issue: `value ${JSON.stringify(value)} is not a number` };
  }
  return { value: num, passed: compareNumber(num, threshold, direction), threshold, direction, issue: null };
}

/** Applies the missing-data policy: left out (null) or counted as failed. */
function withPolicy(passed: boolean | null, policy: 'exclude' | 'fail'): boolean | null {
  return passed === null && policy === 'fail' ? false : passed;
}

/** The enabled criteria of one family, in the configured order. */
export function evaluateCriteria(
  measures: FamilyMeasures,
  root: Account,
  config: AnalysisConfig,
  issues: AnalysisIssue[],
): CriterionResult[] {
  const out: CriterionResult[] = [];
  for (const id of COMPUTED_CRITERIA) {
    const cfg = config.criteria[id];
    if (!cfg.enabled) continue;
    const rest = { weight: cfg.weight, sufficient: cfg.sufficient, knockout: cfg.knockout };
    if (id === 'abcClass') {
      const c = config.criteria.abcClass;
      const passed = compareClass(measures.abcClass, c.threshold, c.direction);
      out.push({ id, value: measures.abcClass, threshold: c.threshold, direction: c.direction, passed, ...rest });
      continue;
    }
    const c = config.criteria[id];
    const value = measures[id];
    const passed = withPolicy(value === null ? null : compareNumber(value, c.threshold, c.direction), c.missingData);
    out.push({ id, value, threshold: c.threshold, direction: c.direction, passed, ...rest });
  }
  for (const id of ROLE_CRITERIA) {
    const c = config.criteria[id];
    if (!c.enabled) continue;
    const value = measures[id];
    const passed = withPolicy(value === null ? null : compareNumber(value, c.threshold, c.direction), c.missingData);
    out.push({ id, value, threshold: c.threshold, direction: c.direction, passed, weight: c.weight, sufficient: c.sufficient, knockout: c.knockout });
  }
  for (const id of FIELD_CRITERIA) {
    const cfg = config.criteria[id];
    if (!cfg.enabled) continue;
    const r = evaluateField(root.extra[cfg.field], cfg);
    if (r.issue !== null) {
      issues.push({ kind: 'bad-field-value', recordId: root.id, message: `account ${root.id} field ${cfg.field} (criterion ${id}): ${r.issue}; left out` });
    }
    out.push({
      id,
      value: r.value,
      threshold: r.threshold,
      direction: r.direction,
      passed: withPolicy(r.passed, cfg.missingData),
      weight: cfg.weight,
      sufficient: cfg.sufficient,
      knockout: cfg.knockout,
    });
  }
  return out;
}

/** Criteria whose value is a fraction, shown as a percentage. */
export function isFractionCriterion(id: string): boolean {
  return id === 'revenueShare' || id === 'growth' || id === 'margin' || id === 'potential' || id === 'decisionMakers';
}
