import { sourceProfile } from '../../../connectors/registry.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { runSync } from '../../../src/sync/pipeline.ts';
import type { SyncDeps } from '../../../src/sync/types.ts';
import { account, contact, FakeCrm, product } from './fake-crm.ts';

/** The pipeline with the product's analysis: idempotent write-back on real computed values. */

let store: SqliteStore;
let crm: FakeCrm;
let clock: Date;
const deps = (): SyncDeps => ({ store, connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze: analyzeWithStoredConfig, logger: silentLogger, now: () => clock });

beforeEach(async () => {
  clock = new Date('2026-06-30T08:00:00.000Z');
  store = new SqliteStore({ path: ':memory:' });
  await store.createConnection({ id: 'c1', crm: 'salesforce', baseUrl: 'https://example.my.salesforce.com' });
  crm = new FakeCrm();
  crm.pageSize = 3;
  for (const p of ['P1', 'P2', 'P3']) crm.put('products', { ...product(p), family: p === 'P3' ? 'Services' : 'Hardware' });
  const amounts = [120_000, 45_000, 30_000, 12_500, 9_999, 3_333];
  amounts.forEach((amount, i) => {
    const root = `F${i}`;
    crm.put('accounts', { ...account(root), industry: 'Manufacturing', employees: 1500 });
    crm.put('accounts', { ...account(`${root}-BU`, root), industry: 'Manufacturing', employees: 1500 });
    crm.put('contacts', contact(`C${i}`, root));
    crm.put('opportunities', { id: `O${i}`, accountId: root, name: '', status: 'won', amount, closeDate: '2026-01-15', ownerId: null });
    crm.put('lineItems', { id: `L${i}`, opportunityId: `O${i}`, productId: i % 2 ? 'P1' : 'P3', quantity: 1, totalPrice: amount, cost: amount * 0.7 });
    crm.put('opportunities', { id: `Q${i}`, accountId: `${root}-BU`, name: '', status: 'won', amount: amount / 3, closeDate: '2025-03-01', ownerId: null });
  });
});
afterEach(() => store.close());

describe('pipeline with the analysis', () => {
  it('writes computed values once; the next run on unchanged data writes nothing', async () => {
    const first = await runSync(deps(), { connectionId: 'c1', asOf: '2026-06-30', confirm: true });
    expect(first.run.status).toBe('succeeded');
    expect(first.run.counts.written).toBe(12);
    expect(crm.account('F0').fields['kam_tier']).toBe('Key');
    expect(crm.account('F0-BU').fields['kam_ultimate_parent']).toBe('F0 Account F0');
    clock = new Date('2026-06-30T09:00:00.000Z');
    const second = await runSync(deps(), { connectionId: 'c1', asOf: '2026-06-30' });
    expect(second.run.status).toBe('succeeded');
    expect(second.plan?.writes).toEqual([]);
    expect(crm.pushes).toHaveLength(1);
  });

  it('an invalid stored analysis config fails the run with the path named, before any write', async () => {
    await store.updateConnection('c1', { analysisConfig: { criteria: { nonsense: {} } } });
    const r = await runSync(deps(), { connectionId: 'c1', asOf: '2026-06-30', confirm: true });
    expect(r.run.status).toBe('failed');
    expect(r.run.error).toMatch(/criteria\.nonsense: unknown criterion/);
    expect(crm.pushes).toHaveLength(0);
  });
});
