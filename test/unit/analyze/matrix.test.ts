import { describe, expect, it } from 'vitest';
import { account, cell, family, opp, product, run, snapshot } from './builders.ts';

const offerings = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8'];

/** One entity E; asOf 2026-06-30, so the window is 2025-07-01 .. 2026-06-30. */
function scenario() {
  return snapshot({
    accounts: [account('E')],
    products: offerings.map((o) => product(o)),
    opportunities: [
      // o1: won in the window, also won before and open: active wins.
      opp('W1', 'E', 'won', '2026-01-10', [['o1', 100], ['ghost', 1000]]),
      opp('W0', 'E', 'won', '2024-05-01', [['o1', 50]]),
      opp('OP1', 'E', 'open', '2026-03-01', [['o1', 70], ['o2', 70]]),
      // o2: open and won the day before the window: open beats lapsed.
      // o3: won the day before the window and lost later: lapsed beats lost.
      opp('W2', 'E', 'won', '2025-06-30', [['o2', 40], ['o3', 30]]),
      opp('L1', 'E', 'lost', '2026-02-01', [['o3', 20], ['o4', 25]]),
      // o6: won and lost after asOf: ignored, so whitespace.
      opp('W3', 'E', 'won', '2026-07-01', [['o6', 500]]),
      opp('L2', 'E', 'lost', '2026-07-02', [['o6', 5]]),
      // o7: won on the first day of the window.
      opp('W4', 'E', 'won', '2025-07-01', [['o7', 10]]),
      // o8: open, closing after asOf: open counts whatever its date.
      opp('OP2', 'E', 'open', '2027-01-01', [['o8', 5]]),
    ],
  });
}

describe('matrix', () => {
  const r = run(scenario());
  const f = family(r, 'E');

  it('has every entity x offering cell, in entity then offering order', () => {
    expect(f.matrix.cells().map((c) => c.offering)).toEqual(offerings);
  });

  it('gives each cell its state, first match wins', () => {
    expect(f.matrix.cells().map((c) => c.state)).toEqual(['active', 'open', 'lapsed', 'lost', 'whitespace', 'whitespace', 'active', 'open']);
  });

  it('carries window revenue, lifetime revenue, last won date and open amount', () => {
    // o1: 100 in the window; lifetime 100 + 50; open 70.
    expect(cell(f, 'E', 'o1')).toMatchObject({ revenue: 100, lifetimeRevenue: 150, lastWonDate: '2026-01-10', openAmount: 70 });
    expect(cell(f, 'E', 'o2')).toMatchObject({ revenue: 0, lifetimeRevenue: 40, lastWonDate: '2025-06-30', openAmount: 70 });
    expect(cell(f, 'E', 'o4')).toMatchObject({ revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 0 });
    expect(cell(f, 'E', 'o6')).toMatchObject({ revenue: 0, lifetimeRevenue: 0, lastWonDate: null });
    expect(cell(f, 'E', 'o7')).toMatchObject({ revenue: 10, lastWonDate: '2025-07-01' });
  });

  it('computes penetration as active cells over all cells', () => {
    // Active: o1 and o7 of 8 cells.
    expect(f.penetration).toBe(0.25);
    expect(r.accounts[0]?.kam_penetration).toBe(25);
  });

  it('counts an unknown product in revenue but leaves it out of the matrix, with an issue', () => {
    // W1 has no amount: 100 + 1000 from its line items; W4 adds 10. Prior (2024-07-01 .. 2025-06-30): W2 = 40 + 30.
    expect(f.revenue).toBe(1110);
    expect(f.priorRevenue).toBe(70);
    // (1110 - 70) / 70 = 14.857142857... -> 6 decimals.
    expect(f.growth).toBe(14.857143);
    expect(f.matrix.cells().some((c) => c.offering === 'ghost')).toBe(false);
    expect(r.issues).toEqual([
      { kind: 'unknown-product', recordId: 'W1-L2', message: 'line item W1-L2 of opportunity W1 refers to unknown product P-ghost; left out of the matrix' },
    ]);
  });

  it('prefers the opportunity amount over its line items for revenue', () => {
    const r2 = run(snapshot({
      accounts: [account('E')],
      products: [product('o1')],
      opportunities: [opp('W', 'E', 'won', '2026-01-10', [['o1', 100]], { amount: 250 })],
    }));
    expect(family(r2, 'E').revenue).toBe(250);
    // The cell still carries the line item's price.
    expect(cell(family(r2, 'E'), 'E', 'o1').revenue).toBe(100);
  });

  it('builds offerings from product families, falling back to the name, or from products', () => {
    const snap = snapshot({
      accounts: [account('E')],
      products: [
        product('Widget S', { id: 'p1', family: 'Hardware' }),
        product('Widget L', { id: 'p2', family: 'Hardware' }),
        product('Support', { id: 'p3', family: '' }),
        product('Old', { id: 'p4', active: false }),
        product('Old but sold', { id: 'p5', active: false }),
      ],
      opportunities: [opp('W', 'E', 'won', '2026-01-10', [], { lineItems: [{ id: 'L', productId: 'p5', quantity: 1, totalPrice: 5, cost: null }] })],
    });
    // The inactive, never-sold product p4 has no offering; p5 was sold, so it has one.
    expect(family(run(snap), 'E').matrix.cells().map((c) => c.offering)).toEqual(['Hardware', 'Old but sold', 'Support']);
    expect(family(run(snap, { offeringLevel: 'product' }), 'E').matrix.cells().map((c) => c.offering)).toEqual([
      'Old but sold', 'Support', 'Widget L', 'Widget S',
    ]);
  });

  it('reports an opportunity of an unknown account and leaves it out', () => {
    const r3 = run(snapshot({ accounts: [account('E')], opportunities: [opp('X', 'NOPE', 'won', '2026-01-10', [], { amount: 5 })] }));
    expect(r3.portfolio.totalRevenue).toBe(0);
    expect(r3.issues).toEqual([{ kind: 'unknown-account', recordId: 'X', message: 'opportunity X points at unknown account NOPE; left out' }]);
  });
});

describe('window edges in revenue', () => {
  const revenueAt = (asOf: string, days: string[]) =>
    run(snapshot({
      accounts: [account('E')],
      opportunities: days.map((d, i) => opp(`W${i}`, 'E', 'won', d, [], { amount: 10 ** i })),
    }), {}, asOf).families[0]?.revenue;

  it('counts 2025-07-01 .. 2026-06-30 for asOf 2026-06-30', () => {
    // 1: 2025-06-30 (out), 10: 2025-07-01 (in), 100: 2026-06-30 (in), 1000: 2026-07-01 (after asOf).
    expect(revenueAt('2026-06-30', ['2025-06-30', '2025-07-01', '2026-06-30', '2026-07-01'])).toBe(110);
  });

  it('counts 2023-03-01 .. 2024-02-29 for asOf 2024-02-29', () => {
    // 1: 2023-02-28 (out), 10: 2023-03-01 (in), 100: 2024-02-29T23:30:00Z (in), 1000: 2024-03-01 (after).
    expect(revenueAt('2024-02-29', ['2023-02-28', '2023-03-01', '2024-02-29T23:30:00Z', '2024-03-01'])).toBe(110);
  });
});

describe('the matrix in columns', () => {
  it('writes the documented JSON (rows per entity) exactly as JSON.stringify of the matrix does', async () => {
    const { CompactJsonWriter, JsonBytes } = await import('../../../src/analyze/json.ts');
    const { FamilyMatrix } = await import('../../../src/model/matrix.ts');
    const m = FamilyMatrix.fromCells([
      { entityId: 'E1', offering: 'Cloud', state: 'active', revenue: 1200.5, lifetimeRevenue: 3000, lastWonDate: '2026-01-02', openAmount: 0, suggestion: null },
      { entityId: 'E1', offering: 'Support', state: 'open', revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 50, suggestion: null },
      { entityId: 'E2', offering: 'Cloud', state: 'whitespace', revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 0,
        suggestion: { rule: 'peer', peers: 5, adopters: 3, adoption: 0.6, estimatedValue: 900, reason: '3 of 5 peers buy Cloud; est. 900/yr' } },
      { entityId: 'E2', offering: 'Support', state: 'lost', revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 0, suggestion: null },
    ]);
    const json = JSON.parse(JSON.stringify(m)) as unknown;
    expect(json).toEqual({
      entities: ['E1', 'E2'], offerings: ['Cloud', 'Support'], states: ['AO', '.X'],
      revenue: [[1200.5, 0], [0, 0]], lifetimeRevenue: [[3000, 0], [0, 0]], openAmount: [[0, 50], [0, 0]],
      lastWonDate: [['2026-01-02', null], [null, null]],
      suggestions: [{ entity: 'E2', offering: 'Cloud', rule: 'peer', peers: 5, adopters: 3, adoption: 0.6, estimatedValue: 900, reason: '3 of 5 peers buy Cloud; est. 900/yr' }],
    });
    const out = new JsonBytes();
    new CompactJsonWriter(out).value(m);
    expect(out.take().toString('utf8')).toBe(JSON.stringify(m));
    expect(m.find('E2', 'Cloud')?.suggestion?.estimatedValue).toBe(900);
    expect(m.find('E1', 'Support')).toMatchObject({ state: 'open', openAmount: 50 });
  });
});

describe('the matrix as bytes', () => {
  it('writes the UTF-8 of JSON.stringify of the matrix: names beyond ASCII, negative, fractional, huge and -0 amounts, empty rows', async () => {
    const { JsonBytes, matrixBytes } = await import('../../../src/analyze/json.ts');
    const { FamilyMatrix } = await import('../../../src/model/matrix.ts');
    const m = FamilyMatrix.fromCells([
      { entityId: 'Zoë — Köln ★', offering: 'Cloud "Pro"', state: 'active', revenue: -0.01, lifetimeRevenue: 1e21, lastWonDate: '2026-01-02', openAmount: -0, suggestion: null },
      { entityId: 'Zoë — Köln ★', offering: 'Support\\n', state: 'lapsed', revenue: 123456789.12, lifetimeRevenue: 5e-7, lastWonDate: null, openAmount: 50, suggestion: null },
      { entityId: 'E2', offering: 'Cloud "Pro"', state: 'whitespace', revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 0,
        suggestion: { rule: 'peer', peers: 5, adopters: 3, adoption: 0.6, estimatedValue: 900, reason: '✓ 3 of 5 peers → buy' } },
      { entityId: 'E2', offering: 'Support\\n', state: 'lost', revenue: 0, lifetimeRevenue: 0, lastWonDate: '1999-12-31', openAmount: 0, suggestion: null },
      { entityId: 'E3', offering: 'Cloud "Pro"', state: 'open', revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 0, suggestion: null },
    ]);
    // A small buffer, so that it has to grow on the way.
    const out = new JsonBytes(8);
    out.text('x');
    matrixBytes(out, m);
    expect(out.take().toString('utf8')).toBe(`x${JSON.stringify(m)}`);
    const empty = FamilyMatrix.fromCells([]);
    matrixBytes(out, empty);
    expect(out.take().toString('utf8')).toBe(JSON.stringify(empty));
  });
});
