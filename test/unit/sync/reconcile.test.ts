import { sourceProfile } from '../../../connectors/registry.ts';
import { splitConnectionOptions } from '../../../src/contract/sync-options.ts';
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
const due = (c: ConnectionRecord): number | null => fullSyncPeriodHours(splitConnectionOptions(c.options).sync, sourceProfile(c.crm).fullSyncEveryHours);

describe('periodic full reconcile', () => {
  it('period: the option when positive, off for 0 or null, else 24 h for HubSpot and a week for Salesforce', async () => {
    const period = (crm: string, options: Record<string, unknown>): number | null =>
      fullSyncPeriodHours(splitConnectionOptions(options).sync, sourceProfile(crm).fullSyncEveryHours);
    expect(period('hubspot', {})).toBe(24);
    expect(period('salesforce', {})).toBe(168);
    expect(period('hubspot', { fullSyncEveryHours: 6 })).toBe(6);
    expect(period('hubspot', { fullSyncEveryHours: 0 })).toBeNull();
    expect(period('hubspot', { fullSyncEveryHours: null })).toBeNull();
    // A value that does not parse is left unset (and named): the source's default applies.
    expect(splitConnectionOptions({ fullSyncEveryHours: 'daily' }).problems).toEqual(['fullSyncEveryHours: Invalid input: expected number, received string']);
    expect(period('hubspot', { fullSyncEveryHours: 'daily' })).toBe(24);
  });

  it('finds the last full sync behind more incremental runs than a run listing shows', async () => {
    const c = await connection('salesforce');
    await run(c, '2026-06-01T00:00:00Z', 'full');
    for (let h = 1; h <= 120; h++) await run(c, new Date(Date.parse('2026-06-01T00:00:00Z') + h * 3_600_000).toISOString(), 'incremental');
    // A week (168 h) after the full sync, not after the oldest of the latest runs.
    expect(await fullReconcileDue(store, c, due(c), at('2026-06-07T23:00:00Z'))).toBe(false);
    expect(await fullReconcileDue(store, c, due(c), at('2026-06-08T00:00:00Z'))).toBe(true);
  });

  it('is due once the period has passed since the last successful full sync', async () => {
    const c = await connection('hubspot');
    expect(await fullReconcileDue(store, c, due(c), at('2026-06-30T00:00:00Z'))).toBe(false);
    await run(c, '2026-06-01T00:00:00Z', 'full');
    await run(c, '2026-06-01T12:00:00Z', 'incremental');
    expect(await fullReconcileDue(store, c, due(c), at('2026-06-01T23:59:59Z'))).toBe(false);
    expect(await fullReconcileDue(store, c, due(c), at('2026-06-02T00:00:00Z'))).toBe(true);
    // Failed, dry-run and rollback runs do not count as a reconcile.
    await run(c, '2026-06-02T01:00:00Z', 'full', 'failed');
    await run(c, '2026-06-02T02:00:00Z', 'full', 'succeeded', { dryRun: true });
    await run(c, '2026-06-02T03:00:00Z', 'incremental', 'succeeded', { kind: 'rollback' });
    expect(await fullReconcileDue(store, c, due(c), at('2026-06-02T04:00:00Z'))).toBe(true);
    await run(c, '2026-06-02T05:00:00Z', 'full');
    expect(await fullReconcileDue(store, c, due(c), at('2026-06-02T06:00:00Z'))).toBe(false);
  });

  it('without any full sync, counts from the first successful sync; never when turned off', async () => {
    const hs = await connection('hubspot', { fullSyncEveryHours: 2 });
    await run(hs, '2026-06-01T00:00:00Z', 'incremental');
    await run(hs, '2026-06-01T01:30:00Z', 'incremental');
    expect(await fullReconcileDue(store, hs, due(hs), at('2026-06-01T01:59:00Z'))).toBe(false);
    expect(await fullReconcileDue(store, hs, due(hs), at('2026-06-01T02:00:00Z'))).toBe(true);
    const sf = await connection('salesforce', { fullSyncEveryHours: 0 });
    await run(sf, '2020-01-01T00:00:00Z', 'full');
    expect(await fullReconcileDue(store, sf, due(sf), at('2026-06-01T00:00:00Z'))).toBe(false);
  });
});
