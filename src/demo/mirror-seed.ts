import type { Snapshot } from '../model/snapshot.ts';
import type { ObjectKind, RecordsByKind } from '../contract/connector.ts';
import type { Store } from '../store/types.ts';

/**
 * Puts a snapshot into a store as one connection's mirror, as a full pull would leave it, with
 * one succeeded sync run as of the snapshot's date: the console then analyses it like any
 * synced connection. For the console bench and the browser test, which need an org without a CRM.
 */
export async function seedMirror(store: Store, org: Snapshot, opts: { connectionId: string; name: string; asOf: string }): Promise<void> {
  await store.createConnection({
    id: opts.connectionId, crm: 'salesforce', baseUrl: 'https://bench.invalid', options: { name: opts.name }, schedule: null,
  });
  const page = async <K extends ObjectKind>(object: K, records: RecordsByKind[K][]): Promise<void> => {
    const size = 2000;
    await store.startFullPull(opts.connectionId, object, 'bench');
    for (let i = 0; i === 0 || i < records.length; i += size) {
      await store.checkpointPage({
        connectionId: opts.connectionId, object, records: records.slice(i, i + size), deletedIds: [], cursor: {},
        phase: 'full', sweepToken: 'bench', sweep: i + size >= records.length,
      });
    }
  };
  await page('users', org.users);
  await page('products', org.products);
  await page('accounts', org.accounts);
  await page('contacts', org.contacts);
  await page('opportunities', org.opportunities.map(({ lineItems: _items, ...o }) => o));
  await page('lineItems', org.opportunities.flatMap((o) => o.lineItems.map((li) => ({ ...li, opportunityId: o.id }))));
  const startedAt = `${opts.asOf}T02:00:00.000Z`;
  const runId = 'run-bench-seed';
  await store.createRun({ id: runId, connectionId: opts.connectionId, kind: 'sync', mode: 'full', dryRun: false, asOf: opts.asOf, startedAt });
  await store.updateRun(runId, { status: 'succeeded', finishedAt: `${opts.asOf}T02:05:00.000Z` });
}
