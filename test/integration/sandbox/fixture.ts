import type { Snapshot } from '../../../src/model/snapshot.ts';

/** A small hand-written org: a three-level family, a single company, an orphan, a lost deal. */
export function smallSnapshot(): Snapshot {
  return {
    version: 1,
    source: 'file',
    currency: 'USD',
    users: [
      { id: 'u1', name: 'Alice Smith', active: true },
      { id: 'u2', name: 'Bob Jones', active: false },
    ],
    products: [
      { id: 'p1', name: 'Widget', family: 'Hardware', active: true },
      { id: 'p2', name: 'Support', family: 'Services', active: true },
      { id: 'p3', name: 'Legacy', family: null, active: false },
    ],
    accounts: [
      { id: 'a1', name: 'Acme Holding', parentId: null, industry: 'Manufacturing', employees: 5000, annualRevenue: 1e9, country: 'US', ownerId: 'u1', markedKey: true, fields: {}, extra: {} },
      { id: 'a2', name: 'Acme West', parentId: 'a1', industry: 'Manufacturing', employees: 800, annualRevenue: null, country: 'US', ownerId: 'u1', markedKey: null, fields: {}, extra: {} },
      { id: 'a3', name: "Acme West Lab's", parentId: 'a2', industry: null, employees: null, annualRevenue: null, country: null, ownerId: null, markedKey: null, fields: {}, extra: {} },
      { id: 'a4', name: 'Globex', parentId: null, industry: 'Retail', employees: 150, annualRevenue: 2e6, country: 'DE', ownerId: 'u2', markedKey: false, fields: {}, extra: {} },
      { id: 'a5', name: 'Orphan Co', parentId: 'gone', industry: 'Retail', employees: 10, annualRevenue: null, country: 'FR', ownerId: null, markedKey: null, fields: {}, extra: {} },
    ],
    contacts: [
      { id: 'c1', accountId: 'a1', name: 'Carol Diaz', email: 'carol@acme.test', title: 'CFO', active: true, referenceable: false },
      { id: 'c2', accountId: 'a2', name: 'Dan Eve', email: 'dan@acme.test', title: null, active: true, referenceable: true },
      { id: 'c3', accountId: 'a4', name: 'Erin', email: null, title: 'Buyer', active: false, referenceable: false },
      { id: 'c4', accountId: null, name: 'Floating Person', email: null, title: null, active: true, referenceable: false },
    ],
    opportunities: [
      {
        id: 'o1', accountId: 'a1', name: 'Acme 2026', status: 'won', amount: 1000, closeDate: '2026-03-01', ownerId: 'u1',
        lineItems: [
          { id: 'li1', productId: 'p1', quantity: 2, totalPrice: 800, cost: 500 },
          { id: 'li2', productId: 'p2', quantity: 1, totalPrice: 200, cost: null },
        ],
      },
      { id: 'o2', accountId: 'a2', name: 'West expansion', status: 'lost', amount: 500, closeDate: '2026-01-15', ownerId: 'u2', lineItems: [] },
      {
        id: 'o3', accountId: 'a4', name: 'Globex pilot', status: 'open', amount: null, closeDate: '2026-09-30', ownerId: null,
        lineItems: [{ id: 'li3', productId: 'p1', quantity: 1, totalPrice: 300, cost: 120 }],
      },
    ],
  };
}

/** `n` root accounts named `Bulk 00001`..., for paging tests. */
export function manyAccounts(n: number): Snapshot {
  const accounts = Array.from({ length: n }, (_, i) => ({
    id: `b${i + 1}`, name: `Bulk ${String(i + 1).padStart(5, '0')}`, parentId: null, industry: i % 2 === 0 ? 'Retail' : 'Energy',
    employees: i, annualRevenue: null, country: null, ownerId: null, markedKey: null, fields: {}, extra: {},
  }));
  return { version: 1, source: 'file', currency: 'USD', users: [], products: [], accounts, contacts: [], opportunities: [] };
}
