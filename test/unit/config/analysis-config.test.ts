import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_ANALYSIS_CONFIG, parseAnalysisConfig, parseAnalysisConfigText } from '../../../src/config/analysis-config.ts';

function problems(input: unknown): string[] {
  try {
    parseAnalysisConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('analysis config defaults', () => {
  it('fills every default of the domain reference', () => {
    const c = DEFAULT_ANALYSIS_CONFIG;
    expect([c.version, c.offeringLevel, c.driftMarking]).toEqual([1, 'family', 'any']);
    expect(c.peers).toEqual({ minPeers: 5, minAdoption: 0.4, sizeBands: [200, 1000, 5000], nextBestOffers: 3 });
    expect(c.coverage).toEqual({ min: 3, max: 5 });
    expect(c.tiers).toEqual({ key: 70, develop: 40 });
    expect(c.abc).toEqual({ a: 0.8, b: 0.95 });
    expect(c.risk).toEqual({
      decliningGrowth: -0.2, concentrationShare: 0.2, stalledMonths: 6, ownerDependenceMinOpportunities: 3, singleThreadedMaxContacts: 1,
    });
    const summary = Object.entries(c.criteria).map(([id, v]) => [id, v.enabled, 'threshold' in v ? v.threshold : v.pass, v.weight, v.sufficient, v.knockout, v.missingData]);
    expect(summary).toEqual([
      ['revenueShare', true, 0.1, 30, true, false, 'exclude'],
      ['abcClass', true, 'A', 15, false, false, 'exclude'],
      ['growth', true, 0.1, 15, false, false, 'exclude'],
      ['margin', true, 0, 10, false, false, 'exclude'],
      ['potential', true, 0.5, 15, false, false, 'exclude'],
      ['relationships', true, 3, 15, false, false, 'exclude'],
      ['decisionMakers', false, 1, 10, false, false, 'exclude'],
      ['paymentTimeliness', false, { values: ['on time'] }, 10, false, false, 'exclude'],
      ['creditworthiness', false, { values: ['good'] }, 10, false, true, 'exclude'],
      ['accessToGoals', false, { values: [true, 'yes'] }, 5, false, false, 'exclude'],
      ['openness', false, { threshold: 3, direction: 'atLeast' }, 5, false, false, 'exclude'],
    ]);
  });

  it('keeps defaults beside a partial override', () => {
    const c = parseAnalysisConfig({ version: 4, criteria: { growth: { threshold: 0.05 } }, peers: { minPeers: 8 } });
    expect([c.version, c.criteria.growth.threshold, c.criteria.growth.weight, c.peers.minPeers, c.peers.minAdoption]).toEqual([4, 0.05, 15, 8, 0.4]);
  });

  it('treats a missing config as the defaults', () => {
    expect(parseAnalysisConfig(undefined)).toEqual(DEFAULT_ANALYSIS_CONFIG);
  });
});

describe('analysis config errors', () => {
  it('names an unknown criterion and an unknown key by path', () => {
    expect(problems({ criteria: { loyalty: { weight: 5 } } })).toEqual(['criteria.loyalty: unknown criterion']);
    expect(problems({ peers: { minPeer: 5 } })).toEqual(['peers.minPeer: unknown key']);
    expect(problems({ criteria: { growth: { treshold: 1 } } })).toEqual(['criteria.growth.treshold: unknown key']);
    expect(problems({ colour: 'red' })).toEqual(['colour: unknown key']);
  });

  it('rejects negative weights and all-zero weights', () => {
    expect(problems({ criteria: { margin: { weight: -1 } } })).toEqual(['criteria.margin.weight: weight must not be negative']);
    const zero = { weight: 0 };
    expect(problems({ criteria: { revenueShare: zero, abcClass: zero, growth: zero, margin: zero, potential: zero, relationships: zero } })).toEqual([
      'criteria: the weights of the enabled criteria are all zero',
    ]);
    const off = { enabled: false };
    expect(problems({ criteria: { revenueShare: off, abcClass: off, growth: off, margin: off, potential: off, relationships: off } })).toEqual([
      'criteria: at least one criterion must be enabled',
    ]);
  });

  it('rejects thresholds of the wrong type or range', () => {
    expect(problems({ criteria: { revenueShare: { threshold: '10%' } } })).toEqual(['criteria.revenueShare.threshold: threshold must be a number']);
    expect(problems({ criteria: { revenueShare: { threshold: 10 } } })).toEqual(['criteria.revenueShare.threshold: threshold must be within 0..1']);
    expect(problems({ criteria: { relationships: { threshold: 2.5 } } })).toEqual(['criteria.relationships.threshold: threshold must be a whole number of contacts']);
    expect(problems({ criteria: { abcClass: { threshold: 'D' } } })).toEqual(['criteria.abcClass.threshold: threshold must be "A", "B" or "C"']);
    expect(problems({ criteria: { openness: { pass: { threshold: 'high' } } } })[0]).toMatch(/^criteria\.openness\.pass: pass must be/);
    expect(problems({ peers: { minAdoption: 1.5 } })).toEqual(['peers.minAdoption: minAdoption must be within 0..1']);
    expect(problems({ tiers: { key: 30, develop: 40 } })).toEqual(['tiers.develop: must not exceed tiers.key']);
    expect(problems({ coverage: { min: 6 } })).toEqual(['coverage.min: must not exceed coverage.max']);
    expect(problems({ peers: { sizeBands: [1000, 200] } })).toEqual(['peers.sizeBands: sizeBands must be strictly increasing']);
    expect(problems({ offeringLevel: 'sku' })).toEqual(['offeringLevel: offeringLevel must be "family" or "product"']);
  });

  it('lists every problem in one message', () => {
    expect(() => parseAnalysisConfig({ version: 0, criteria: { growth: { weight: -2, direction: 'up' } } })).toThrow(
      'invalid analysis config: version: version must be at least 1; criteria.growth.direction: direction must be "atLeast" or "atMost"; criteria.growth.weight: weight must not be negative',
    );
  });
});

describe('parseAnalysisConfigText', () => {
  it('parses a JSON file and names the file in errors', () => {
    expect(parseAnalysisConfigText('{"version": 2}', 'kam.json').version).toBe(2);
    expect(() => parseAnalysisConfigText('{"version": 2', 'kam.json')).toThrow(/^invalid analysis config: kam\.json: not valid JSON \(/);
    expect(() => parseAnalysisConfigText('{"tiers": {"key": "high"}}', 'kam.json')).toThrow(
      'invalid analysis config: kam.json: tiers.key: tiers.key must be a number',
    );
  });
});
