import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_CONFIG as cfg } from '../../../src/config/analysis-config.ts';
import { decideTier, nearestThreshold, scoreOf } from '../../../src/analyze/tier.ts';
import type { AbcClass, CriterionResult } from '../../../src/model/insights.ts';

function crit(id: string, value: CriterionResult['value'], threshold: CriterionResult['threshold'], passed: boolean | null, weight: number, extra: Partial<CriterionResult> = {}): CriterionResult {
  return { id, value, threshold, direction: 'atLeast', passed, weight, sufficient: id === 'revenueShare', knockout: false, ...extra };
}

/** The six default criteria with chosen outcomes. */
function six(o: { share: [number, boolean]; abc: [AbcClass, boolean]; growth: [number | null, boolean | null]; margin: [number, boolean]; potential: [number, boolean]; rel: [number, boolean] }): CriterionResult[] {
  return [
    crit('revenueShare', o.share[0], 0.1, o.share[1], 30),
    crit('abcClass', o.abc[0], 'A', o.abc[1], 15),
    crit('growth', o.growth[0], 0.1, o.growth[1], 15),
    crit('margin', o.margin[0], 0, o.margin[1], 10),
    crit('potential', o.potential[0], 0.5, o.potential[1], 15),
    crit('relationships', o.rel[0], 3, o.rel[1], 15),
  ];
}
const tierOf = (c: CriterionResult[], abc: AbcClass) => decideTier(c, c.map((x) => x.passed), abc, cfg);

describe('score', () => {
  it('is 100 x passing weight / weight with data, half up to one decimal', () => {
    // 15 / 40 = 37.5.
    expect(scoreOf([crit('a', 1, 1, true, 15), crit('b', 0, 1, false, 25)], [true, false])).toBe(37.5);
    // 1 / 16 = 6.25 -> 6.3 (half up).
    expect(scoreOf([crit('a', 1, 1, true, 1), crit('b', 0, 1, false, 15)], [true, false])).toBe(6.3);
    // 2 / 3 = 66.666... -> 66.7.
    expect(scoreOf([crit('a', 1, 1, true, 2), crit('b', 0, 1, false, 1)], [true, false])).toBe(66.7);
  });
  it('leaves out criteria without data and is 0 when none has data', () => {
    // 10 / (10 + 30): the null one with weight 50 is left out.
    expect(scoreOf([crit('a', 1, 1, true, 10), crit('b', 0, 1, false, 30), crit('c', null, 1, null, 50)], [true, false, null])).toBe(25);
    expect(scoreOf([crit('c', null, 1, null, 50)], [null])).toBe(0);
  });
});

describe('tier', () => {
  it('is Key when a sufficient criterion passes, whatever the score', () => {
    // Only revenueShare passes: 30 / 100 = 30.0.
    const c = six({ share: [0.12, true], abc: ['C', false], growth: [0, false], margin: [-0.1, false], potential: [0, false], rel: [0, false] });
    expect(tierOf(c, 'C')).toEqual({ tier: 'Key', score: 30 });
  });
  it('is Key at score 70 without a sufficient criterion', () => {
    // Everything but revenueShare: 70 / 100.
    const c = six({ share: [0.05, false], abc: ['A', true], growth: [0.2, true], margin: [0.1, true], potential: [1, true], rel: [4, true] });
    expect(tierOf(c, 'A')).toEqual({ tier: 'Key', score: 70 });
  });
  it('is Develop at score 40 with potential passing', () => {
    // growth 15 + margin 10 + potential 15 = 40 of 100.
    const c = six({ share: [0.05, false], abc: ['C', false], growth: [0.15, true], margin: [0.01, true], potential: [0.55, true], rel: [2, false] });
    expect(tierOf(c, 'C')).toEqual({ tier: 'Develop', score: 40 });
  });
  it('is Maintain for class A or B when not Develop, else Standard', () => {
    // growth 15 + margin 10 + relationships 15 = 40, but potential fails.
    const c = six({ share: [0.05, false], abc: ['C', false], growth: [0.15, true], margin: [0.01, true], potential: [0.2, false], rel: [3, true] });
    expect(tierOf(c, 'B').tier).toBe('Maintain');
    expect(tierOf(c, 'C').tier).toBe('Standard');
  });
  it('never gives Key when a knockout criterion fails', () => {
    const c = [
      ...six({ share: [0.3, true], abc: ['A', true], growth: [0.15, true], margin: [0.01, true], potential: [0.6, true], rel: [3, true] }),
      crit('creditworthiness', 'poor', 'good', false, 10, { direction: 'equals', knockout: true }),
    ];
    // 100 of 110 = 90.9, sufficient passes, but the knockout fails: Develop.
    expect(tierOf(c, 'A')).toEqual({ tier: 'Develop', score: 90.9 });
  });
});

describe('nearest threshold', () => {
  it('names the criterion nearest its threshold that would drop the tier', () => {
    const c = six({ share: [0.124, true], abc: ['A', true], growth: [null, null], margin: [0.1, true], potential: [0.2, false], rel: [1, false] });
    // Only losing revenueShare (sufficient) drops Key: 15 + 10 of 70 = 35.7 < 70.
    expect(nearestThreshold(c, 'A', 'Key', cfg)).toBe('Drops below Key under 10% revenue share; now 12.4%');
  });
  it('prefers the smallest relative gap among flips that change the tier', () => {
    const c = six({ share: [0.05, false], abc: ['C', false], growth: [0.15, true], margin: [0.01, true], potential: [0.55, true], rel: [2, false] });
    // Develop. Flips that change it: share (Key, gap 0.05/0.1 = 0.5), growth (gap 0.05/0.1 = 0.5),
    // margin (gap 0.01/0.01 = 1), potential (gap 0.05/0.5 = 0.1): potential is nearest.
    expect(nearestThreshold(c, 'C', 'Develop', cfg)).toBe('Drops below Develop under 50% potential; now 55%');
  });
  it('says what would raise the tier', () => {
    const c = six({ share: [0.08, false], abc: ['B', false], growth: [0.05, false], margin: [-0.1, false], potential: [0.1, false], rel: [5, true] });
    // Maintain (class B). Share at 10% would make Key (gap 0.2); relationships already passes; others do not reach 40.
    expect(nearestThreshold(c, 'B', 'Maintain', cfg)).toBe('Reaches Key at 10% revenue share; now 8%');
  });
  it('names a categorical criterion when it alone would change the tier', () => {
    const c = [
      crit('revenueShare', 0.3, 0.1, true, 30),
      crit('creditworthiness', 'poor', 'good', false, 10, { direction: 'equals', knockout: true }),
    ];
    // Score 30 / 40 = 75, below Key and Develop at 100: Standard (class C). Losing the share changes
    // nothing; a good rating would let the sufficient share make Key.
    const strict = { ...cfg, tiers: { key: 100, develop: 100 } };
    expect(tierOf(c, 'C').tier).toBe('Develop');
    expect(decideTier(c, [true, false], 'C', strict).tier).toBe('Standard');
    expect(nearestThreshold(c, 'C', 'Standard', strict)).toBe('Reaches Key if creditworthiness were "good"; now "poor"');
  });

  it('is null when no single flip changes the tier', () => {
    const c = six({ share: [0.01, false], abc: ['C', false], growth: [-0.5, false], margin: [-0.1, false], potential: [0.1, false], rel: [0, false] });
    // Standard; share at 10% would make Key, so disable it to leave no single flip that matters.
    const noShare = c.slice(1);
    expect(nearestThreshold(noShare, 'C', 'Standard', cfg)).toBeNull();
  });
});
