import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import { parseSnapshot } from '../../../src/model/snapshot.ts';
import { generateSampleOrg, MIN_ACCOUNTS, PLANTED } from '../../../src/sandbox/generate.ts';
import { SAMPLE_FIXTURE_OPTIONS, SAMPLE_FIXTURE_PATH, sampleFixtureJson } from '../../fixtures/sample-org.ts';

const AS_OF = '2026-06-30';
// Worked out by hand from DOMAIN.md: the 12 months ending 2026-06-30, and the 12 before.
const WINDOW = { from: '2025-07-01', to: '2026-06-30' };
const PRIOR = { from: '2024-07-01', to: '2025-06-30' };

/** Ultimate parent by walking parentId; a missing parent or a revisited id ends the walk. */
function rootOf(snapshot: Snapshot): (id: string) => string {
  const parent = new Map(snapshot.accounts.map((a) => [a.id, a.parentId]));
  return (id) => {
    const seen = new Set<string>();
    let current = id;
    for (;;) {
      seen.add(current);
      const p = parent.get(current) ?? null;
      if (p === null || !parent.has(p) || seen.has(p)) return current;
      current = p;
    }
  };
}

function revenueByFamily(snapshot: Snapshot, range: { from: string; to: string }): { total: number; byFamily: Map<string, number> } {
  const root = rootOf(snapshot);
  const byFamily = new Map<string, number>();
  let total = 0;
  for (const o of snapshot.opportunities) {
    const day = o.closeDate.slice(0, 10);
    if (o.status !== 'won' || day < range.from || day > range.to) continue;
    const value = o.amount ?? o.lineItems.reduce((s, l) => s + l.totalPrice, 0);
    total += value;
    const family = root(o.accountId);
    byFamily.set(family, (byFamily.get(family) ?? 0) + value);
  }
  return { total, byFamily };
}

describe('generateSampleOrg', () => {
  const small = { seed: 7, accounts: 60, asOf: AS_OF };

  it('gives byte-identical output for the same seed and a different org for another seed', () => {
    const a = JSON.stringify(generateSampleOrg(small));
    const b = JSON.stringify(generateSampleOrg(small));
    const c = JSON.stringify(generateSampleOrg({ ...small, seed: 8 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('honours the requested sizes exactly', () => {
    const s = generateSampleOrg({
      seed: 3, accounts: 500, asOf: AS_OF, contactsPerAccount: 2.5, opportunities: 900, lineItems: 2500, offerings: 17,
    });
    expect(s.accounts).toHaveLength(500);
    expect(s.contacts).toHaveLength(1250);
    expect(s.opportunities).toHaveLength(900);
    expect(s.opportunities.reduce((n, o) => n + o.lineItems.length, 0)).toBe(2500);
    expect(new Set(s.products.map((p) => p.family)).size).toBe(17);
    expect(s.source).toBe('file');
  });

  it('defaults to 5 contacts, 3 deals and 10 line items per account, 12 offerings', () => {
    const s = generateSampleOrg({ seed: 1, accounts: 90, asOf: AS_OF });
    expect(s.contacts).toHaveLength(450);
    expect(s.opportunities).toHaveLength(270);
    expect(s.opportunities.reduce((n, o) => n + o.lineItems.length, 0)).toBe(900);
    expect(new Set(s.products.map((p) => p.family)).size).toBe(12);
  });

  it('produces a valid snapshot: every record survives parseSnapshot, ids are unique', () => {
    const s = generateSampleOrg({ seed: 11, accounts: 400, asOf: AS_OF });
    const { snapshot, rejected } = parseSnapshot(JSON.parse(JSON.stringify(s)));
    expect(rejected).toEqual([]);
    expect(snapshot.accounts).toHaveLength(400);
    const lineIds = s.opportunities.flatMap((o) => o.lineItems.map((l) => l.id));
    expect(new Set(lineIds).size).toBe(lineIds.length);
    const productIds = new Set(s.products.map((p) => p.id));
    expect(lineIds.length).toBeGreaterThan(0);
    expect(s.opportunities.every((o) => o.lineItems.every((l) => productIds.has(l.productId)))).toBe(true);
    const accountIds = new Set(s.accounts.map((a) => a.id));
    expect(s.opportunities.every((o) => accountIds.has(o.accountId))).toBe(true);
    const userIds = new Set(s.users.map((u) => u.id));
    expect(s.accounts.every((a) => a.ownerId === null || userIds.has(a.ownerId))).toBe(true);
  });

  it('closes won and lost deals within the three years up to asOf, and has open ones', () => {
    const s = generateSampleOrg({ seed: 5, accounts: 300, asOf: AS_OF });
    const closed = s.opportunities.filter((o) => o.status !== 'open');
    expect(closed.every((o) => o.closeDate >= '2023-07-01' && o.closeDate <= AS_OF)).toBe(true);
    const statuses = new Set(s.opportunities.map((o) => o.status));
    expect([...statuses].sort()).toEqual(['lost', 'open', 'won']);
    expect(s.opportunities.some((o) => o.lineItems.some((l) => l.cost !== null))).toBe(true);
    expect(s.contacts.some((c) => c.referenceable)).toBe(true);
    expect(s.contacts.some((c) => !c.active)).toBe(true);
  });

  it('builds families of 1 to 200 entities several levels deep, with peer groups', () => {
    const s = generateSampleOrg({ seed: 21, accounts: 6000, asOf: AS_OF, offerings: 20 });
    const root = rootOf(s);
    const sizes = new Map<string, number>();
    for (const a of s.accounts) sizes.set(root(a.id), (sizes.get(root(a.id)) ?? 0) + 1);
    const values = [...sizes.values()];
    expect(Math.min(...values)).toBe(1);
    expect(Math.max(...values)).toBeLessThanOrEqual(200);
    expect(Math.max(...values)).toBeGreaterThan(80);
    const parent = new Map(s.accounts.map((a) => [a.id, a.parentId]));
    const depth = (id: string) => {
      let d = 0;
      for (let p = parent.get(id) ?? null; p !== null && parent.has(p) && d < 300; p = parent.get(p) ?? null) d++;
      return d;
    };
    expect(Math.max(...s.accounts.filter((a) => !a.id.startsWith('ACC-CYC')).map((a) => depth(a.id)))).toBeGreaterThanOrEqual(4);
    const band = (e: number | null) => (e === null ? '?' : e < 200 ? '<200' : e < 1000 ? '200-999' : e < 5000 ? '1000-4999' : '5000+');
    const groups = new Map<string, number>();
    for (const a of s.accounts) {
      const key = `${a.industry ?? '?'}|${band(a.employees)}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    expect([...groups.values()].filter((n) => n >= 5).length).toBeGreaterThanOrEqual(20);
  });

  it('plants an 18% and a 1% customer and a shrinking key account at their shares (within 0.0001)', () => {
    for (const accounts of [60, 5000]) {
      const s = generateSampleOrg({ seed: 99, accounts, asOf: AS_OF });
      const window = revenueByFamily(s, WINDOW);
      const prior = revenueByFamily(s, PRIOR);
      const share = (id: string) => (window.byFamily.get(id) ?? 0) / window.total;
      expect(Math.abs(share(PLANTED.key18) - 0.18)).toBeLessThan(0.0001);
      expect(Math.abs(share(PLANTED.onePercent) - 0.01)).toBeLessThan(0.0001);
      expect(Math.abs(share(PLANTED.shrinking) - 0.12)).toBeLessThan(0.0001);
      expect(Math.abs(share(PLANTED.singleThreaded) - 0.03)).toBeLessThan(0.0001);
      // The walk from a cycle member ends anywhere on the cycle: sum the three accounts instead.
      const cycle = new Set<string>(PLANTED.cycle);
      const cycleRevenue = s.opportunities
        .filter((o) => cycle.has(o.accountId) && o.status === 'won' && o.closeDate >= WINDOW.from && o.closeDate <= WINDOW.to)
        .reduce((sum, o) => sum + (o.amount ?? 0), 0);
      expect(Math.abs(cycleRevenue / window.total - 0.02)).toBeLessThan(0.0001);
      expect(Math.abs(share(PLANTED.orphan) - 0.005)).toBeLessThan(0.0001);
      const growth = (id: string) => {
        const p = prior.byFamily.get(id) ?? 0;
        return ((window.byFamily.get(id) ?? 0) - p) / p;
      };
      expect(growth(PLANTED.shrinking)).toBeCloseTo(-0.3, 4);
      expect(growth(PLANTED.key18)).toBeCloseTo(0.25, 4);
      expect(growth(PLANTED.onePercent)).toBeCloseTo(0, 4);
      const root = rootOf(s);
      const family = s.accounts.filter((a) => root(a.id) === PLANTED.key18);
      expect(family).toHaveLength(12);
      expect(family.every((a) => a.markedKey === true)).toBe(true);
    }
  });

  it('plants a single-threaded family, a parent cycle and a missing parent', () => {
    const s = generateSampleOrg(small);
    const root = rootOf(s);
    const solo = new Set(s.accounts.filter((a) => root(a.id) === PLANTED.singleThreaded).map((a) => a.id));
    expect(solo.size).toBe(3);
    const soloContacts = s.contacts.filter((c) => c.accountId !== null && solo.has(c.accountId));
    expect(soloContacts.filter((c) => c.active)).toHaveLength(1);
    const wonInWindow = new Set(
      s.opportunities
        .filter((o) => solo.has(o.accountId) && o.status === 'won' && o.closeDate >= WINDOW.from && o.closeDate <= WINDOW.to)
        .map((o) => o.accountId),
    );
    expect(wonInWindow).toEqual(solo);

    const parentOf = (id: string) => s.accounts.find((a) => a.id === id)?.parentId;
    expect(parentOf('ACC-CYC-A')).toBe('ACC-CYC-C');
    expect(parentOf('ACC-CYC-C')).toBe('ACC-CYC-B');
    expect(parentOf('ACC-CYC-B')).toBe('ACC-CYC-A');

    expect(parentOf(PLANTED.orphan)).toBe(PLANTED.missingParent);
    expect(s.accounts.some((a) => a.id === PLANTED.missingParent)).toBe(false);
    const onePercentContacts = s.contacts.filter((c) => c.accountId?.startsWith(PLANTED.onePercent));
    expect(onePercentContacts).toHaveLength(2);
  });

  it('books deals in turn in the org currency and each foreign one, with notes the amounts agree with', () => {
    const org = generateSampleOrg({ seed: 5, accounts: 60, asOf: AS_OF, foreignCurrencies: { GBP: 4, EUR: 2 } });
    const plain = generateSampleOrg({ seed: 5, accounts: 60, asOf: AS_OF });
    // Deal i: USD, EUR, GBP, USD, ... (codes sorted after the org's own); deals without an amount stay in USD.
    const withAmount = org.opportunities.map((o, i) => [i, o] as const).filter(([, o]) => o.amount !== null);
    for (const [i, o] of withAmount.slice(0, 30)) {
      const want = ['USD', 'EUR', 'GBP'][i % 3];
      expect(o.conversion?.currency ?? 'USD').toBe(want);
      if (!o.conversion) continue;
      // The USD amount is the held amount at the rate, exactly; each line item likewise.
      const rate = want === 'EUR' ? 2 : 4;
      expect([o.conversion.rate, o.amount]).toEqual([rate, Math.round(o.conversion.amount * rate * 100) / 100]);
      for (const li of o.lineItems) expect([li.conversion?.currency, li.totalPrice]).toEqual([want, Math.round((li.conversion?.amount ?? NaN) * rate * 100) / 100]);
      // Within a cent or two (per line) of the single-currency org's amounts.
      const twin = plain.opportunities[i];
      expect(Math.abs((o.amount ?? 0) - (twin?.amount ?? 0))).toBeLessThanOrEqual(0.02 * rate);
    }
    expect(parseSnapshot(org).rejected).toEqual([]);
    expect(JSON.stringify(generateSampleOrg({ seed: 5, accounts: 60, asOf: AS_OF, foreignCurrencies: { GBP: 4, EUR: 2 } }))).toBe(JSON.stringify(org));
    expect(plain.opportunities.some((o) => o.conversion !== undefined)).toBe(false);
  });

  it('rejects options it cannot honour, naming the option', () => {
    expect(() => generateSampleOrg({ seed: 1, accounts: MIN_ACCOUNTS - 1, asOf: AS_OF })).toThrow(/accounts: must be at least 40/);
    expect(() => generateSampleOrg({ seed: 1, accounts: 100, asOf: '2026-13-01' })).toThrow(/asOf/);
    expect(() => generateSampleOrg({ seed: -1, accounts: 100, asOf: AS_OF })).toThrow(/seed/);
    expect(() => generateSampleOrg({ seed: 1, accounts: 100, asOf: AS_OF, opportunities: 300, lineItems: 100 })).toThrow(/lineItems must be at least/);
  });
});

describe('test/fixtures/sample-snapshot.json', () => {
  it('is what its generator options produce (npm run fixtures rewrites it)', () => {
    const onDisk = readFileSync(SAMPLE_FIXTURE_PATH, 'utf8');
    expect(onDisk).toBe(sampleFixtureJson(generateSampleOrg(SAMPLE_FIXTURE_OPTIONS)));
  });
});
