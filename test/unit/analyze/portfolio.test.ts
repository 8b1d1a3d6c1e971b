import { describe, expect, it } from 'vitest';
import type { Account, Opportunity } from '../../../src/model/snapshot.ts';
import { account, family, opp, run, snapshot } from './builders.ts';

/** Revenues: A 50, B 30, C 10, D 10 (total 100). */
function four(extraAccounts: Account[] = []) {
  const revenue: Record<string, number> = { A: 50, B: 30, C: 10, D: 10 };
  const opportunities: Opportunity[] = Object.entries(revenue).map(([id, amount]) => opp(`O${id}`, id, 'won', '2026-03-01', [], { amount }));
  return snapshot({ accounts: [...Object.keys(revenue).map((id) => account(id)), ...extraAccounts], opportunities });
}

describe('portfolio', () => {
  it('reports top shares and HHI', () => {
    const r = run(four([account('E')]));
    // HHI = 0.5² + 0.3² + 0.1² + 0.1² + 0² = 0.25 + 0.09 + 0.01 + 0.01 = 0.36; A..D have >= 10% share: 4 Key.
    expect(r.portfolio).toEqual({
      totalRevenue: 100, families: 5, top1Share: 0.5, top5Share: 1, top10Share: 1, hhi: 0.36, keyFamilies: 4,
    });
  });

  it('gives each Key family its loss scenario', () => {
    const r = run(four());
    // A, B (>= 10% share, sufficient) and C, D (exactly 10%) are Key.
    // Losing A: 50 lost (50%), rest 30, 10, 10 of 50: 0.6² + 0.2² + 0.2² = 0.44.
    expect(family(r, 'A').lossScenario).toEqual({ revenueLost: 50, shareLost: 0.5, hhiAfter: 0.44 });
    // Losing B: rest 50, 10, 10 of 70: (2500 + 100 + 100) / 4900 = 0.551020...
    expect(family(r, 'B').lossScenario).toEqual({ revenueLost: 30, shareLost: 0.3, hhiAfter: 0.55102 });
  });

  it('gives no loss scenario to a family that is not Key', () => {
    const r = run(four(), { criteria: { revenueShare: { threshold: 0.2 } } });
    // C: share fails (10% < 20%); ABC: before C is 80%, so B. Score: abc fails (threshold A),
    // potential and relationships fail: 0 -> Maintain.
    expect([family(r, 'C').tier, family(r, 'C').abcClass, family(r, 'C').lossScenario]).toEqual(['Maintain', 'B', null]);
  });

  it('has zero shares when there is no revenue', () => {
    const r = run(snapshot({ accounts: [account('A'), account('B')] }));
    expect(r.portfolio).toEqual({ totalRevenue: 0, families: 2, top1Share: 0, top5Share: 0, top10Share: 0, hhi: 0, keyFamilies: 0 });
    expect(r.families.map((f) => f.abcClass)).toEqual(['C', 'C']);
  });
});
