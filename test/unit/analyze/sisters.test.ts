import { describe, expect, it } from 'vitest';
import { ConfigError, parseAnalysisConfig } from '../../../src/config/analysis-config.ts';
import type { Account, Opportunity } from '../../../src/model/snapshot.ts';
import { account, cell, family, opp, product, run, snapshot } from './builders.ts';

/**
 * Atlas (R) with children A, B, C, D: five entities, so each has 4 sisters.
 *   Consulting: A 100, B 300, C 200 (3 of 4 for R and D, median 200)
 *   Data:       A 10, B 30          (2 of 4 for R, C and D, median 20)
 *   Cloud:      A 5                 (1 adopter: below the 2 needed)
 */
function atlas() {
  const accounts = [
    account('R', { name: 'Atlas' }),
    ...['A', 'B', 'C', 'D'].map((id) => account(id, { parentId: 'R' })),
  ];
  const opportunities: Opportunity[] = [
    opp('O1', 'A', 'won', '2026-03-01', [['Consulting', 100], ['Data', 10], ['Cloud', 5]]),
    opp('O2', 'B', 'won', '2026-04-01', [['Consulting', 300], ['Data', 30]]),
    opp('O3', 'C', 'won', '2026-05-01', [['Consulting', 200]]),
  ];
  return snapshot({ accounts, products: [product('Cloud'), product('Consulting'), product('Data')], opportunities });
}

describe('sister suggestions', () => {
  it('suggests what at least 2 sisters, and at least 30% of them, buy; estimate the median of theirs', () => {
    const f = family(run(atlas()), 'R');
    expect(cell(f, 'R', 'Consulting').suggestion).toEqual({
      rule: 'sister', peers: 4, adopters: 3, adoption: 0.75, estimatedValue: 200,
      reason: '3 of 4 other Atlas entities buy Consulting; est. 200/yr',
    });
    expect(cell(f, 'D', 'Consulting').suggestion?.estimatedValue).toBe(200);
    // (10 + 30) / 2 = 20, for every entity that does not buy Data.
    expect(cell(f, 'C', 'Data').suggestion).toMatchObject({ rule: 'sister', adopters: 2, adoption: 0.5, estimatedValue: 20 });
    expect(cell(f, 'R', 'Data').suggestion?.reason).toBe('2 of 4 other Atlas entities buy Data; est. 20/yr');
    // One sister buying is not enough.
    expect(cell(f, 'B', 'Cloud').suggestion).toBeNull();
    // Active cells are never suggested.
    expect(cell(f, 'A', 'Consulting').suggestion).toBeNull();
  });

  it('counts each suggested cell once in whitespace value and next best offers', () => {
    const r = run(atlas());
    // R: 200 + 20, D: 200 + 20, C: 20.
    expect(family(r, 'R').whitespaceValue).toBe(460);
    expect(family(r, 'R').matrix.suggestions.length).toBe(5);
    expect(r.accounts.find((a) => a.id === 'R')?.kam_next_best_offers).toBe(
      'Consulting: 3 of 4 other Atlas entities buy Consulting; est. 200/yr\nData: 2 of 4 other Atlas entities buy Data; est. 20/yr',
    );
    expect(r.accounts.find((a) => a.id === 'C')?.kam_next_best_offers).toBe('Data: 2 of 4 other Atlas entities buy Data; est. 20/yr');
  });

  it('passes at exactly 30% (3 of 10) and not below; both thresholds configurable', () => {
    // Root S and 10 children; 3 children buy Services, so S has 10 sisters of which 3 buy.
    const accounts: Account[] = [account('S', { name: 'Sol' })];
    const opportunities: Opportunity[] = [];
    for (let i = 0; i < 10; i++) {
      const id = `S${i}`;
      accounts.push(account(id, { parentId: 'S' }));
      if (i < 3) opportunities.push(opp(`O${id}`, id, 'won', '2026-03-01', [['Services', 10 * (i + 1)]]));
    }
    const snap = snapshot({ accounts, products: [product('Services')], opportunities });
    expect(cell(family(run(snap), 'S'), 'S', 'Services').suggestion).toMatchObject({ adopters: 3, peers: 10, adoption: 0.3, estimatedValue: 20 });
    expect(cell(family(run(snap, { suggestions: { sisters: { minAdoption: 0.31 } } }), 'S'), 'S', 'Services').suggestion).toBeNull();
    expect(cell(family(run(snap, { suggestions: { sisters: { minAdopters: 4 } } }), 'S'), 'S', 'Services').suggestion).toBeNull();
    // A child that does not buy has the root among its 10 sisters: still 3 of 10.
    expect(cell(family(run(snap), 'S'), 'S9', 'Services').suggestion?.reason).toBe('3 of 10 other Sol entities buy Services; est. 20/yr');
  });

  it('turns off with suggestions.sisters.enabled false: the peer-only definition', () => {
    const r = run(atlas(), { suggestions: { sisters: { enabled: false } } });
    expect(family(r, 'R').matrix.suggestions).toEqual([]);
    expect(family(r, 'R').whitespaceValue).toBe(0);
  });

  /**
   * T with children S1 (Services 50) and S2 (Services 70): the sister rule gives T 2 of 2, est.
   * 60. Five one-account families in T's peer group (Retail, <200), three of them buying
   * Services for `peerRevenues`: the peer rule gives T 3 of 5, est. their median.
   */
  function both(peerRevenues: [number, number, number]) {
    const retail = (id: string, over: Partial<Account> = {}) => account(id, { industry: 'Retail', employees: 100, ...over });
    const accounts = [retail('T', { name: 'Tess' }), retail('S1', { parentId: 'T' }), retail('S2', { parentId: 'T' })];
    const opportunities = [
      opp('OS1', 'S1', 'won', '2026-03-01', [['Services', 50]]),
      opp('OS2', 'S2', 'won', '2026-03-01', [['Services', 70]]),
    ];
    for (let i = 0; i < 5; i++) {
      accounts.push(retail(`P${i}`));
      const r = peerRevenues[i];
      if (r !== undefined) opportunities.push(opp(`OP${i}`, `P${i}`, 'won', '2026-03-01', [['Services', r]]));
    }
    const r = run(snapshot({ accounts, products: [product('Services')], opportunities }));
    return { suggestion: cell(family(r, 'T'), 'T', 'Services').suggestion, whitespace: family(r, 'T').whitespaceValue };
  }

  it('carries the rule with the higher estimate when both hold, the sister rule on a tie', () => {
    // Peers 100, 200, 300: median 200 beats the sisters' 60.
    expect(both([100, 200, 300]).suggestion).toMatchObject({ rule: 'peer', peers: 5, adopters: 3, estimatedValue: 200 });
    expect(both([100, 200, 300]).whitespace).toBe(200);
    // Peers 10, 20, 30: median 20 loses to 60.
    expect(both([10, 20, 30]).suggestion).toEqual({
      rule: 'sister', peers: 2, adopters: 2, adoption: 1, estimatedValue: 60,
      reason: '2 of 2 other Tess entities buy Services; est. 60/yr',
    });
    // Peers 50, 60, 70: median 60, a tie.
    expect(both([50, 60, 70]).suggestion?.rule).toBe('sister');
    expect(both([50, 60, 70]).whitespace).toBe(60);
  });

  it('validates its settings', () => {
    expect(parseAnalysisConfig({}).suggestions.sisters).toEqual({ enabled: true, minAdopters: 2, minAdoption: 0.3 });
    expect(() => parseAnalysisConfig({ suggestions: { sisters: { minAdoption: 2 } } })).toThrow(ConfigError);
    const problems = (() => {
      try {
        parseAnalysisConfig({ suggestions: { sisters: { minAdopters: 0, colour: 'red' } } });
        return null;
      } catch (e) {
        return e instanceof ConfigError ? e.problems : null;
      }
    })();
    expect(problems).toEqual([
      'suggestions.sisters.minAdopters: suggestions.sisters.minAdopters must be at least 1',
      'suggestions.sisters.colour: unknown key',
    ]);
  });
});
