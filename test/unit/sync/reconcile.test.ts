import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import type { ConnectionRecord, RunStatus } from '../../../src/store/types.ts';
import { fullReconcileDue, fullSyncPeriodHours } from '../../../src/sync/reconcile.ts';

let store: SqliteStore;
let seq = 0;
beforeEach(() => {
  store = new SqliteStore({ path: ':memory:' });
});
afterEach(() => store.close());

async function connection(crm: 'hubspot' | 'salesforce', options: Record<string, unknown> = {}): Promise<ConnectionRecord> {
  return store.createConnection({ id: `c-${crm}-${++seq}`, crm, baseUrl: 'https://example.test', options });
}

async function run(c: ConnectionRecord, startedAt: string, mode: 'full' | 'incremental', status: RunStatus = 'succeeded', extra: { kind?: 'sync' | 'rollback'; dryRun?: boolean } = {}): Promise<void> {
  const id = `r${++seq}`;
  await store.createRun({ id, connectionId: c.id, kind: extra.kind ?? 'sync', mode, dryRun: extra.dryRun ?? false, asOf: null, startedAt });
  await store.updateRun(id, { status, finishedAt: startedAt });
}

const at = (iso: string): Date => new Date(iso);

describe('periodic full reconcile', () => {
  it('period: the option when positive, off for 0 or null, else 24 h for HubSpot and none for Salesforce', async () => {
    const base = await connection('hubspot');
    expect(fullSyncPeriodHours(base)).toBe(24);
    expect(fullSyncPeriodHours(await connection('salesforce'))).toBeNull();
    expect(fullSyncPeriodHours({ ...base, options: { fullSyncEveryHours: 6 } })).toBe(6);
    expect(fullSyncPeriodHours({ ...base, options: { fullSyncEveryHours: 0 } })).toBeNull();
    expect(fullSyncPeriodHours({ ...base, options: { fullSyncEveryHours: null } })).toBeNull();
    expect(fullSyncPeriodHours({ ...base, options: { fullSyncEveryHours: 'daily' } })).toBe(24);
  });

  it('is due once the period has passed since the last successful full sync', async () => {
    const c = await connection('hubspot');
    expect(await fullReconcileDue(store, c, at('2026-06-30T00:00:00Z'))).toBe(false);
    await run(c, '2026-06-01T00:00:00Z', 'full');
    await run(c, '2026-06-01T12:00:00Z', 'incremental');
    expect(await fullReconcileDue(store, c, at('2026-06-01T23:59:59Z'))).toBe(false);
    expect(await fullReconcileDue(store, c, at('2026-06-02T00:00:00Z'))).toBe(true);
    // Failed, dry-run and rollback runs do not count as a reconcile.
    await run(c, '2026-06-02T01:00:00Z', 'full', 'failed');
    await run(c, '2026-06-02T02:00:00Z', 'full', 'succeeded', { dryRun: true });
    await run(c, '2026-06-02T03:00:00Z', 'incremental', 'succeeded', { kind: 'rollback' });
    expect(await fullReconcileDue(store, c, at('2026-06-02T04:00:00Z'))).toBe(true);
    await run(c, '2026-06-02T05:00:00Z', 'full');
    expect(await fullReconcileDue(store, c, at('2026-06-02T06:00:00Z'))).toBe(false);
  });

  it('without any full sync, counts from the first successful sync; never for Salesforce by default', async () => {
    const hs = await connection('hubspot', { fullSyncEveryHours: 2 });
    await run(hs, '2026-06-01T00:00:00Z', 'incremental');
    await run(hs, '2026-06-01T01:30:00Z', 'incremental');
    expect(await fullReconcileDue(store, hs, at('2026-06-01T01:59:00Z'))).toBe(false);
    expect(await fullReconcileDue(store, hs, at('2026-06-01T02:00:00Z'))).toBe(true);
    const sf = await connection('salesforce');
    await run(sf, '2020-01-01T00:00:00Z', 'full');
    expect(await fullReconcileDue(store, sf, at('2026-06-01T00:00:00Z'))).toBe(false);
  });
});
