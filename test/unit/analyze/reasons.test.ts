import { describe, expect, it } from 'vitest';
import { criterionLabel, criterionLine, REASON_MARKS, summaryLine, whyLine } from '../../../src/analyze/reasons.ts';
import { DEFAULT_ANALYSIS_CONFIG as cfg } from '../../../src/config/analysis-config.ts';
import { CRITERION_IDS } from '../../../src/config/criteria-config.ts';
import type { CriterionResult } from '../../../src/model/insights.ts';

function crit(id: string, value: CriterionResult['value'], threshold: CriterionResult['threshold'], passed: boolean | null, extra: Partial<CriterionResult> = {}): CriterionResult {
  return { id, value, threshold, direction: 'atLeast', passed, weight: 10, sufficient: false, knockout: false, ...extra };
}

describe('criterion lines', () => {
  it('say value, requirement and outcome in words, with a pass or fail mark', () => {
    expect(criterionLine(crit('revenueShare', 0.18, 0.1, true, { sufficient: true }))).toBe('✓ Revenue share 18% (needs 10%): passes, enough on its own for Key');
    expect(criterionLine(crit('revenueShare', 0.124, 0.1, true))).toBe('✓ Revenue share 12.4% (needs 10%): passes');
    expect(criterionLine(crit('revenueShare', 0.05, 0.1, false, { sufficient: true }))).toBe('✗ Revenue share 5% (needs 10%): fails (would be enough on its own for Key)');
    expect(criterionLine(crit('growth', -0.032, 0.1, false))).toBe('✗ Growth -3.2% (needs +10%): fails');
    expect(criterionLine(crit('growth', 0.125, -0.05, true))).toBe('✓ Growth +12.5% (needs -5%): passes');
    expect(criterionLine(crit('margin', 0.041, 0, true))).toBe('✓ Margin vs portfolio +4.1 pts (needs 0 pts): passes');
    expect(criterionLine(crit('potential', 0.35, 0.5, false))).toBe('✗ Potential 35% of revenue (needs 50%): fails');
    expect(criterionLine(crit('relationships', 2, 3, false))).toBe('✗ Active contacts 2 (needs 3): fails');
    expect(criterionLine(crit('relationships', 2, 3, true, { direction: 'atMost' }))).toBe('✓ Active contacts 2 (needs at most 3): passes');
  });

  it('spell out classes and listed values', () => {
    expect(criterionLine(crit('abcClass', 'A', 'B', true))).toBe('✓ Revenue class A (needs class B or better): passes');
    expect(criterionLine(crit('abcClass', 'C', 'A', false))).toBe('✗ Revenue class C (needs class A): fails');
    expect(criterionLine(crit('abcClass', 'B', 'B', true, { direction: 'atMost' }))).toBe('✓ Revenue class B (needs class B or worse): passes');
    expect(criterionLine(crit('creditworthiness', 'poor', 'good | fair', false, { direction: 'equals', knockout: true }))).toBe(
      '✗ Creditworthiness "poor" (needs "good" or "fair"): fails, which rules out Key',
    );
    expect(criterionLine(crit('creditworthiness', 'good', 'good', true, { direction: 'equals', knockout: true }))).toBe('✓ Creditworthiness "good" (needs "good"): passes, required for Key');
    expect(criterionLine(crit('accessToGoals', true, 'true | yes', true, { direction: 'equals' }))).toBe('✓ Access to goals yes (needs "true" or "yes"): passes');
    expect(criterionLine(crit('openness', 2, 3, false))).toBe('✗ Openness 2 (needs 3): fails');
  });

  it('mark a criterion without data as left out, or as failed under the "fail" policy', () => {
    expect(criterionLine(crit('growth', null, 0.1, null))).toBe('○ Growth (needs +10%): no data, left out of the score');
    expect(criterionLine(crit('margin', null, 0, false))).toBe('✗ Margin vs portfolio (needs 0 pts): no data, counts as failed');
  });

  it('never show an internal criterion id', () => {
    for (const id of CRITERION_IDS) {
      const line = criterionLine(crit(id, id === 'abcClass' ? 'A' : 1, id === 'abcClass' ? 'A' : 1, true));
      expect(line).not.toContain(id);
      expect(line.startsWith(`${REASON_MARKS.pass} ${criterionLabel(id)}`)).toBe(true);
    }
  });
});

describe('summary and why', () => {
  const share = crit('revenueShare', 0.18, 0.1, true, { sufficient: true });
  const potential = crit('potential', 0.8, 0.5, true);
  const knockout = crit('creditworthiness', 'poor', 'good', false, { direction: 'equals', knockout: true });

  it('name the rule that decided a Key tier', () => {
    expect(summaryLine([share], { tier: 'Key', score: 60 }, 'A', cfg)).toBe('★ Key, score 60.0: revenue share alone is enough');
    expect(whyLine([share], { tier: 'Key', score: 60 }, 'A', cfg)).toBe('Key: 18% of revenue (needs 10%)');
    const noShare = [crit('revenueShare', 0.05, 0.1, false, { sufficient: true }), potential];
    expect(summaryLine(noShare, { tier: 'Key', score: 82 }, 'A', cfg)).toBe('★ Key, score 82.0: score reaches 70');
    expect(whyLine(noShare, { tier: 'Key', score: 82 }, 'A', cfg)).toBe('Key: score 82.0 (needs 70)');
  });

  it('explain the lower tiers, with a failing knockout', () => {
    expect(summaryLine([potential], { tier: 'Develop', score: 55 }, 'C', cfg)).toBe('★ Develop, score 55.0: score reaches 40 and potential passes');
    expect(whyLine([potential], { tier: 'Develop', score: 55 }, 'C', cfg)).toBe('Develop: score 55.0 (needs 40), potential 80% of revenue');
    expect(summaryLine([share, knockout], { tier: 'Maintain', score: 50 }, 'B', cfg)).toBe('★ Maintain, score 50.0: creditworthiness rules out Key; revenue class B');
    expect(whyLine([share, knockout], { tier: 'Maintain', score: 50 }, 'B', cfg)).toBe('Maintain: revenue class B, score 50.0 (Key needs 70), creditworthiness "poor" rules out Key');
    expect(summaryLine([potential], { tier: 'Standard', score: 10 }, 'C', cfg)).toBe('★ Standard, score 10.0: no other tier applies');
    expect(whyLine([potential], { tier: 'Standard', score: 10 }, 'C', cfg)).toBe('Standard: revenue class C, score 10.0 (Develop needs 40)');
  });
});
