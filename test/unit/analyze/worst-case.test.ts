import { describe, expect, it } from 'vitest';
import { account, opp, product, run, snapshot } from './builders.ts';

/**
 * Four one-account families, 1,100 of revenue: X 500 and Y 300 (all U1's), Z 200 (100 U1's,
 * 100 U2's), Q 100 (U2's). X, Y and Z pass 10% share, so they are Key; Q (9.1%) is not.
 */
function org() {
  const won = (id: string, acc: string, amount: number, owner: string) =>
    opp(id, acc, 'won', '2026-03-01', [['Services', amount]], { ownerId: owner });
  return snapshot({
    accounts: ['Q', 'X', 'Y', 'Z'].map((id) => account(id)),
    products: [product('Services')],
    opportunities: [
      won('O1', 'X', 500, 'U1'), won('O2', 'Y', 300, 'U1'), won('O3', 'Z', 100, 'U1'), won('O4', 'Z', 100, 'U2'), won('O5', 'Q', 100, 'U2'),
    ],
    users: [{ id: 'U1', name: 'Ann', active: true }],
  });
}

describe('the worst case', () => {
  it('loses the top 2 and top 3 key families together', () => {
    const r = run(org());
    expect(r.portfolio.keyFamilies).toBe(3);
    expect(r.worstCase?.keyFamilies).toEqual([
      // 800 of 1,100; left: Z 200 and Q 100, HHI (200² + 100²) / 300² = 0.555556.
      { families: ['X', 'Y'], revenueLost: 800, shareLost: 0.727273, hhiAfter: 0.555556 },
      // 1,000 of 1,100; only Q is left: HHI 1.
      { families: ['X', 'Y', 'Z'], revenueLost: 1000, shareLost: 0.909091, hhiAfter: 1 },
    ]);
  });

  it('loses an owner: every family whose won revenue is all theirs', () => {
    expect(run(org()).worstCase?.owners).toEqual([
      // Z is shared, so U1 holds X and Y.
      { owner: 'U1', name: 'Ann', families: ['X', 'Y'], revenueLost: 800, shareLost: 0.727273, hhiAfter: 0.555556 },
      // Q alone; left X 500, Y 300, Z 200: (250,000 + 90,000 + 40,000) / 1,000² = 0.38.
      { owner: 'U2', name: null, families: ['Q'], revenueLost: 100, shareLost: 0.090909, hhiAfter: 0.38 },
    ]);
  });

  it('leaves out a scenario without enough key families', () => {
    const one = org();
    one.opportunities = one.opportunities.filter((o) => o.id === 'O1');
    expect(run(one).worstCase?.keyFamilies).toEqual([]);
  });
});
