import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeColumns, AnalysisInputBuilder } from '../../../src/analyze/index.ts';
import { inputFromSnapshot } from '../../../src/analyze/input.ts';
import { analysisJson } from '../../../src/cli/output-json.ts';
import { renderReport, reportContext } from '../../../src/cli/report.ts';
import { parseAnalysisConfig } from '../../../src/config/analysis-config.ts';
import type { AnalysisResult } from '../../../src/model/insights.ts';
import { MAX_AMOUNT, parseSnapshot, type Snapshot } from '../../../src/model/snapshot.ts';
import { desiredFromAnalysis, normalizeForField } from '../../../src/sync/planner.ts';
import { account, contact, opp, product, run, snapshot } from './builders.ts';

/**
 * Amounts, quantities and prices are bounded (±1e15 money, ±1e12 units): a record beyond its
 * bound is rejected with its id and the bound; a sum that is not finite is a data issue; a
 * negative amount is a data issue; and no Infinity or NaN ever reaches the report, the JSON or a
 * value written to a CRM field.
 */

const raw = (over: { amount?: unknown; quantity?: unknown; totalPrice?: unknown; cost?: unknown }) => ({
  version: 1,
  accounts: [{ id: 'A', name: 'A Inc' }, { id: 'B', name: 'B Inc' }],
  products: [{ id: 'P', name: 'P' }],
  opportunities: [
    { id: 'O-HUGE-1', accountId: 'A', status: 'won', amount: over.amount ?? 100, closeDate: '2026-03-01', lineItems: [{ id: 'L1', productId: 'P', quantity: over.quantity ?? 1, totalPrice: over.totalPrice ?? 100, cost: over.cost ?? null }] },
    { id: 'O-HUGE-2', accountId: 'A', status: 'won', amount: over.amount ?? 100, closeDate: '2026-04-01' },
    { id: 'O-OK', accountId: 'B', status: 'won', amount: 500, closeDate: '2026-04-01' },
  ],
});

/** Every number in a value, recursively (typed-array views included through JSON). */
function numbers(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) for (const x of v) numbers(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) numbers(x, out);
  return out;
}

function expectNothingNonFinite(result: AnalysisResult, snap: Pick<Snapshot, 'accounts'>, report = true): void {
  const json = analysisJson(result);
  expect(json).not.toMatch(/Infinity|NaN/);
  expect(numbers(JSON.parse(json)).every(Number.isFinite)).toBe(true);
  if (report) expect(renderReport(result, reportContext(snap), { color: false, limit: 50 })).not.toMatch(/Infinity|NaN|In,fin|∞/);
  for (const d of desiredFromAnalysis(result)) {
    for (const [field, value] of Object.entries(d.fields)) {
      const sent = normalizeForField(field as Parameters<typeof normalizeForField>[0], value);
      if (typeof sent === 'number') expect(Number.isFinite(sent), `${d.accountId} ${field} = ${sent}`).toBe(true);
      if (typeof sent === 'string') expect(sent, `${d.accountId} ${field}`).not.toMatch(/Infinity|NaN/);
    }
  }
}

describe('bounded amounts, quantities and prices', () => {
  it('rejects opportunities of 1e308 with their id and the bound, and analyses the rest as if they were not there', () => {
    const { snapshot: snap, rejected } = parseSnapshot(raw({ amount: 1e308 }));
    expect(rejected.map((r) => [r.kind, r.id, r.reason])).toEqual([
      ['opportunity', 'O-HUGE-1', 'amount: must be within -1e15..1e15'],
      ['opportunity', 'O-HUGE-2', 'amount: must be within -1e15..1e15'],
    ]);
    const result = analyzeColumns({ input: inputFromSnapshot(snap), config: parseAnalysisConfig({}), asOf: '2026-06-30', rejected });
    expect(result.portfolio.totalRevenue).toBe(500);
    expect(result.portfolio.top1Share).toBe(1);
    expect(result.issues.filter((i) => i.kind === 'rejected-record').map((i) => i.message)).toEqual([
      'opportunity O-HUGE-1 rejected: amount: must be within -1e15..1e15',
      'opportunity O-HUGE-2 rejected: amount: must be within -1e15..1e15',
    ]);
    expectNothingNonFinite(result, snap);
  });

  it('rejects a line item over its quantity or price bound, naming the line item, its opportunity and the bound', () => {
    const cases: [Parameters<typeof raw>[0], string][] = [
      [{ quantity: 1e13 }, 'in opportunity O-HUGE-1: quantity: must be within -1e12..1e12'],
      [{ totalPrice: 2e15 }, 'in opportunity O-HUGE-1: totalPrice: must be within -1e15..1e15'],
      [{ totalPrice: -1e300 }, 'in opportunity O-HUGE-1: totalPrice: must be within -1e15..1e15'],
      [{ cost: 1e16 }, 'in opportunity O-HUGE-1: cost: must be within -1e15..1e15'],
    ];
    for (const [over, reason] of cases) {
      const { rejected } = parseSnapshot(raw(over));
      expect(rejected.map((r) => [r.kind, r.id, r.reason])).toEqual([['lineItem', 'L1', reason]]);
    }
    // At the bound itself the record is taken.
    expect(parseSnapshot(raw({ amount: MAX_AMOUNT, totalPrice: -MAX_AMOUNT, quantity: 1e12 })).rejected).toEqual([]);
  });

  it('raises a data issue for each negative amount or line total, and counts it', () => {
    const result = run(snapshot({
      accounts: [account('A'), account('B')],
      products: [product('x')],
      opportunities: [opp('O1', 'A', 'won', '2026-03-01', [['x', -40]], { amount: -250 }), opp('O2', 'B', 'won', '2026-03-01', [], { amount: 1000 })],
    }));
    expect(result.issues.filter((i) => i.kind === 'negative-amount').map((i) => [i.recordId, i.message])).toEqual([
      ['O1', 'opportunity O1 has a negative amount (-250); counted as it is'],
      [expect.stringMatching(/^O1-L\d+$/), expect.stringMatching(/^line item O1-L\d+ of opportunity O1 has a negative total price \(-40\); counted as it is$/)],
    ]);
    // A's revenue is -250 + ... = net negative: it keeps that figure but has no share, and the
    // portfolio total that shares are taken of is the sum of positive family revenues.
    expect(result.families.find((f) => f.id === 'A')?.revenueShare).toBe(0);
    expect(result.portfolio.totalRevenue).toBe(1000);
  });

  it('a sum that is not finite (input that bypassed the schemas) is a data issue and counted as 0, never Infinity downstream', () => {
    const b = new AnalysisInputBuilder();
    for (const a of [account('A'), account('B')]) b.account(a);
    b.product(product('x'));
    b.opportunity(opp('O1', 'A', 'won', '2026-03-01', [['x', 1e308]], { amount: 1e308 }), [{ id: 'L1', productId: 'P-x', quantity: 1, totalPrice: 1e308, cost: null }]);
    b.opportunity(opp('O2', 'A', 'won', '2026-04-01', [], { amount: 1e308 }), [{ id: 'L2', productId: 'P-x', quantity: 1, totalPrice: 1e308, cost: null }]);
    b.opportunity(opp('O3', 'B', 'won', '2026-04-01', [], { amount: 500 }), []);
    const snap = { accounts: [account('A'), account('B')] };
    const result = analyzeColumns({ input: b.finish('USD'), config: parseAnalysisConfig({}), asOf: '2026-06-30' });
    expect(result.issues.filter((i) => i.kind === 'non-finite-sum').map((i) => [i.recordId, i.message])).toEqual([
      ['A', 'family A: the revenue, offering revenue, lifetime offering revenue sum is not a finite number (or too large to square); counted as 0'],
    ]);
    expect(result.portfolio.totalRevenue).toBe(500);
    expect(result.families.find((f) => f.id === 'B')?.tier).toBeDefined();
    expectNothingNonFinite(result, snap);
  });

  it('a costed price of a few hundred-trillionths of a cent against a cost of 1e15 gives no margin, not Infinity (a case the property found)', () => {
    const snap = snapshot({
      accounts: [account('a'), account('b'), account('c'), account('c-1', { parentId: 'c' })],
      products: [product('p1'), product('p2')],
      opportunities: [
        opp('o0', 'a', 'won', '2026-06-30', [['p1', 0, MAX_AMOUNT]], { amount: null }),
        opp('o1', 'c-1', 'won', '2025-09-01', [['p1', 5.562684646268004e-294, -MAX_AMOUNT]], { amount: null }),
      ],
    });
    const result = run(snap);
    expectNothingNonFinite(result, snap);
    expect(result.families.find((f) => f.id === 'c')?.criteria.find((c) => c.id === 'margin')?.value).toBeNull();
  });

  it('property: any amounts within the bounds, negative (credit notes) and extreme included, give only finite numbers and shares within 0..100% in the JSON, the report and the CRM values', () => {
    const money = fc.oneof(fc.constant(MAX_AMOUNT), fc.constant(-MAX_AMOUNT), fc.double({ min: -MAX_AMOUNT, max: MAX_AMOUNT, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1000, max: 1000 }));
    const arb = fc.record({
      opps: fc.array(fc.record({
        account: fc.constantFrom('a', 'b', 'c', 'c-1'),
        status: fc.constantFrom('won' as const, 'lost' as const, 'open' as const),
        day: fc.constantFrom('2025-01-10', '2025-09-01', '2026-02-01', '2026-06-30'),
        amount: fc.option(money, { nil: null }),
        items: fc.array(fc.tuple(fc.constantFrom('p1', 'p2'), money, fc.option(money, { nil: null })), { maxLength: 3 }),
      }), { maxLength: 20 }),
      contacts: fc.array(fc.constantFrom('a', 'b', 'c-1'), { maxLength: 6 }),
    });
    fc.assert(fc.property(arb, ({ opps, contacts }) => {
      const snap = snapshot({
        accounts: [account('a'), account('b'), account('c'), account('c-1', { parentId: 'c' })],
        products: [product('p1'), product('p2')],
        opportunities: opps.map((o, i) => opp(`o${i}`, o.account, o.status, o.day, o.items.map(([n, v, c]) => [n, v, c]), { amount: o.amount })),
        contacts: contacts.map((c, i) => contact(`k${i}`, c)),
      });
      const result = run(snap);
      expectNothingNonFinite(result, snap);
      const p = result.portfolio;
      for (const share of [p.top1Share, p.top5Share, p.top10Share, p.hhi]) expect(share >= 0 && share <= 1, `portfolio share ${share}`).toBe(true);
      for (const f of result.families) if (f.revenueShare !== null) expect(f.revenueShare >= 0 && f.revenueShare <= 1, `${f.id} share ${f.revenueShare}`).toBe(true);
    }), { numRuns: Number(process.env['KAMFLOW_PROPERTY_RUNS'] ?? 300) });
    // KAMFLOW_PROPERTY_RUNS=20000 searches longer (about a minute).
  }, 600_000);
});
