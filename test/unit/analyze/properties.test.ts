import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import { account, contact, opp, product, run, snapshot } from './builders.ts';

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
const days = ['2024-02-29', '2025-06-30', '2025-07-01', '2026-01-15', '2026-06-30', '2026-07-01'];

/** Small random portfolios: any parent links (cycles and missing parents included), any products. */
const portfolioArb = fc
  .record({
    accounts: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...ids),
        parent: fc.option(fc.constantFrom(...ids, 'missing'), { nil: null }),
        industry: fc.option(fc.constantFrom('Retail', 'Energy'), { nil: null }),
        employees: fc.option(fc.constantFrom(50, 500, 5000), { nil: null }),
      }),
      { minLength: 1, maxLength: 10, selector: (a) => a.id },
    ),
    products: fc.uniqueArray(
      fc.record({ name: fc.constantFrom('p1', 'p2', 'p3', 'p4'), family: fc.option(fc.constantFrom('F1', 'F2'), { nil: null }), active: fc.boolean() }),
      { maxLength: 4, selector: (p) => p.name },
    ),
    opps: fc.array(
      fc.record({
        account: fc.constantFrom(...ids),
        status: fc.constantFrom('won' as const, 'lost' as const, 'open' as const),
        day: fc.constantFrom(...days),
        amount: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
        items: fc.array(fc.tuple(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'unknown'), fc.integer({ min: 0, max: 5000 })), { maxLength: 3 }),
      }),
      { maxLength: 25 },
    ),
    contacts: fc.array(fc.constantFrom(...ids), { maxLength: 10 }),
  })
  .map(({ accounts, products, opps, contacts }): Snapshot =>
    snapshot({
      accounts: accounts.map((a) => account(a.id, { parentId: a.parent, industry: a.industry, employees: a.employees })),
      products: products.map((p) => product(p.name, { family: p.family, active: p.active })),
      opportunities: opps.map((o, i) => opp(`o${i}`, o.account, o.status, o.day, o.items.map(([n, v]) => [n, v] as [string, number]), { amount: o.amount })),
      contacts: contacts.map((c, i) => contact(`c${i}`, c)),
    }),
  );

/** The offerings the matrix must have, worked out independently of the analysis. */
function expectedOfferings(s: Snapshot): number {
  const used = new Set(s.opportunities.flatMap((o) => o.lineItems.map((l) => l.productId)));
  return new Set(s.products.filter((p) => p.active || used.has(p.id)).map((p) => p.family ?? p.name)).size;
}

describe('analysis properties', () => {
  it('gives every family entities x offerings cells, every account one family, and shares summing to 1', () => {
    fc.assert(
      fc.property(portfolioArb, (s) => {
        const r = run(s);
        const offerings = expectedOfferings(s);
        for (const f of r.families) {
          expect(f.matrix.cellCount).toBe(f.entityIds.length * offerings);
          for (const entity of f.entityIds) expect(f.matrix.cells().filter((c) => c.entityId === entity)).toHaveLength(offerings);
          expect(f.penetration).toBeGreaterThanOrEqual(0);
          expect(f.penetration).toBeLessThanOrEqual(1);
        }
        expect(r.families.flatMap((f) => f.entityIds).sort()).toEqual(s.accounts.map((a) => a.id).sort());
        expect(r.accounts).toHaveLength(s.accounts.length);
        if (r.portfolio.totalRevenue > 0) {
          const sum = r.families.reduce((t, f) => t + (f.revenueShare ?? 0), 0);
          expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
        } else {
          expect(r.families.every((f) => f.revenueShare === null)).toBe(true);
        }
      }),
      { numRuns: 300, seed: 20260630 },
    );
  });
});
