import { expect, it } from 'vitest';
import { loadMirror, loadMirrorKind } from '../../../src/store/read-mirror.ts';
import { snapshotFromMirror } from '../../../src/store/snapshot-from-mirror.ts';
import type { Cursor } from '../../../src/contract/connector.ts';
import { describeStores } from '../../support/stores.ts';
import { account, accountsPage, contact, ids, lineItem, opportunity } from './records.ts';

describeStores('store contract: streams and checkpoints', (h) => {
  it('keeps each stream\'s cursor and phase; a full pull forgets the cursor and tags what it sees', async () => {
    const store = await h.open();
    expect(await store.getStreamStates('c1')).toEqual({});
    await store.checkpointPage(accountsPage([account('A')], { cursor: { since: '2026-01-01T00:00:00Z', done: false, n: 3, x: null } }));
    expect(await store.getStreamStates('c1')).toEqual({ accounts: { object: 'accounts', cursor: { since: '2026-01-01T00:00:00Z', done: false, n: 3, x: null }, phase: 'incremental', sweepToken: null } });
    await store.startFullPull('c1', 'accounts', 'sweep-1');
    expect((await store.getStreamStates('c1')).accounts).toEqual({ object: 'accounts', cursor: null, phase: 'full', sweepToken: 'sweep-1' });
    await store.checkpointPage(accountsPage([account('B')], { phase: 'full', sweepToken: 'sweep-1', cursor: { page: 2 } }));
    expect((await store.getStreamStates('c1')).accounts).toEqual({ object: 'accounts', cursor: { page: 2 }, phase: 'full', sweepToken: 'sweep-1' });
    // Other connections and kinds have streams of their own.
    await store.startFullPull('c2', 'contacts', 'sweep-9');
    expect(Object.keys(await store.getStreamStates('c1'))).toEqual(['accounts']);
  });

  it('upserts, deletes and at the end of a full pull sweeps what it did not see, counting each', async () => {
    const store = await h.open();
    await store.startFullPull('c1', 'accounts', 't1');
    expect(await store.checkpointPage(accountsPage([account('A'), account('B'), account('C')], { phase: 'incremental', sweepToken: 't1', sweep: true }))).toEqual({ upserted: 3, unchanged: 0, deleted: 0, swept: 0 });
    await store.startFullPull('c1', 'accounts', 't2');
    await store.checkpointPage(accountsPage([account('A')], { phase: 'full', sweepToken: 't2' }));
    // A page without a sweep token keeps a record's old tag (t1): B stays unseen by this pull.
    await store.checkpointPage(accountsPage([account('B', { kam_tier: 'Key' })], { phase: 'full', sweepToken: null }));
    const last = await store.checkpointPage(accountsPage([account('D')], { deletedIds: ['A', 'Z'], cursor: { since: 5 }, phase: 'incremental', sweepToken: 't2', sweep: true }));
    // A is deleted, Z was never there; B (untagged by t2) and C are swept.
    expect(last).toEqual({ upserted: 1, unchanged: 0, deleted: 1, swept: 2 });
    expect(ids(await loadMirrorKind(store, 'c1', 'accounts'))).toEqual(['D']);
    expect((await store.getStreamStates('c1')).accounts).toEqual({ object: 'accounts', cursor: { since: 5 }, phase: 'incremental', sweepToken: null });
  });

  it('counts a record pulled again with the same values (in any key order) as unchanged, and any difference as a change', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage([account('A', { kam_tier: 'Key', kam_score: 3 }), account('B')]));
    // Kamflow's write merged into the mirror: the fields' keys now come in another order.
    const reordered = { ...account('A'), fields: { kam_score: 3, kam_tier: 'Key' } };
    expect(await store.checkpointPage(accountsPage([reordered, account('B')]))).toEqual({ upserted: 0, unchanged: 2, deleted: 0, swept: 0 });
    // One field of one record differs: that record is a change.
    expect(await store.checkpointPage(accountsPage([account('A', { kam_tier: 'Key', kam_score: 4 }), account('B')]))).toEqual({ upserted: 1, unchanged: 1, deleted: 0, swept: 0 });
    expect(await store.checkpointPage(accountsPage([{ ...account('B'), name: 'Renamed' }]))).toEqual({ upserted: 1, unchanged: 0, deleted: 0, swept: 0 });
    // Unchanged records are still tagged by a full pull under way: the sweep keeps them.
    await store.startFullPull('c1', 'accounts', 't9');
    expect(await store.checkpointPage(accountsPage([account('A', { kam_tier: 'Key', kam_score: 4 })], { phase: 'incremental', sweepToken: 't9', sweep: true }))).toEqual({ upserted: 0, unchanged: 1, deleted: 0, swept: 1 });
    expect(ids(await loadMirrorKind(store, 'c1', 'accounts'))).toEqual(['A']);
  });

  it('stores the last of a record given twice in one page and replaces a record on a later page', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage([account('A', { kam_tier: 'Key' }), account('A', { kam_tier: 'Standard' })]));
    expect(await loadMirrorKind(store, 'c1', 'accounts')).toEqual([account('A', { kam_tier: 'Standard' })]);
    await store.checkpointPage(accountsPage([{ ...account('A'), name: 'Renamed', extra: { Rating__c: 'Hot', Score__c: 7.25, Active__c: true, Empty__c: null } }]));
    expect(await loadMirrorKind(store, 'c1', 'accounts')).toEqual([{ ...account('A'), name: 'Renamed', extra: { Rating__c: 'Hot', Score__c: 7.25, Active__c: true, Empty__c: null } }]);
  });

  it('takes an opportunity\'s line items with it when it is deleted, and nests line items in the snapshot', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage([account('A')]));
    await store.checkpointPage({ connectionId: 'c1', object: 'contacts', records: [contact('K1', 'A')], deletedIds: [], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    await store.checkpointPage({ connectionId: 'c1', object: 'opportunities', records: [opportunity('O1', 'A'), opportunity('O2', 'A')], deletedIds: [], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    await store.checkpointPage({ connectionId: 'c1', object: 'lineItems', records: [lineItem('L1', 'O1'), lineItem('L2', 'O2'), lineItem('L3', 'GONE')], deletedIds: [], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    // The same line item id under another connection is not touched.
    await store.checkpointPage({ connectionId: 'c2', object: 'lineItems', records: [lineItem('L1', 'O1')], deletedIds: [], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    const { snapshot, rejected } = snapshotFromMirror(await loadMirror(store, 'c1'), 'salesforce', 'EUR');
    expect(snapshot.opportunities.map((o) => [o.id, o.lineItems.map((l) => l.id)])).toEqual([['O1', ['L1']], ['O2', ['L2']]]);
    expect(snapshot.contacts.map((c) => c.id)).toEqual(['K1']);
    expect(rejected).toEqual([{ kind: 'lineItem', id: 'L3', index: 0, reason: 'its opportunity GONE is not in the mirror' }]);
    const r = await store.checkpointPage({ connectionId: 'c1', object: 'opportunities', records: [], deletedIds: ['O1'], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    expect(r).toEqual({ upserted: 0, unchanged: 0, deleted: 1, swept: 0 });
    expect(ids(await loadMirrorKind(store, 'c1', 'lineItems'))).toEqual(['L2', 'L3']);
    expect(ids(await loadMirrorKind(store, 'c2', 'lineItems'))).toEqual(['L1']);
  });

  it('a checkpoint that fails leaves the mirror and the stream as they were', async () => {
    const store = await h.open();
    await store.startFullPull('c1', 'accounts', 't1');
    await store.checkpointPage(accountsPage([account('A'), account('B')], { phase: 'full', sweepToken: 't1', cursor: { page: 1 } }));
    const before = { mirror: await loadMirror(store, 'c1'), streams: await store.getStreamStates('c1') };
    // Upserts, a deletion and a sweep, then a stream update the database refuses (an
    // impossible phase): the whole page must roll back.
    const bad = accountsPage([account('A', { kam_tier: 'Key' }), account('C')], { deletedIds: ['B'], phase: 'bogus' as 'full', sweepToken: 't1', sweep: true, cursor: { page: 2 } });
    await expect(store.checkpointPage(bad)).rejects.toThrow();
    expect(await loadMirror(store, 'c1')).toEqual(before.mirror);
    expect(await store.getStreamStates('c1')).toEqual(before.streams);
    // The store still works afterwards.
    expect(await store.checkpointPage(accountsPage([account('C')], { cursor: { page: 2 } }))).toEqual({ upserted: 1, unchanged: 0, deleted: 0, swept: 0 });
  });

  it('a cursor that is not JSON-safe fails the checkpoint before anything is stored', async () => {
    const store = await h.open();
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(store.checkpointPage(accountsPage([account('A')], { cursor: cyclic as unknown as Cursor }))).rejects.toThrow();
    expect(await loadMirrorKind(store, 'c1', 'accounts')).toEqual([]);
    expect(await store.getStreamStates('c1')).toEqual({});
  });
});

describeStores('store contract: reading the mirror in batches', (h) => {
  it('reads one kind in id order (by bytes), in batches of the size asked for, each read when asked for', async () => {
    const store = await h.open();
    const names = ['b', 'B', 'a', 'é', 'A-2', 'A-10', '0', 'z', 'Z'];
    await store.checkpointPage(accountsPage(names.map((n) => account(n))));
    await store.checkpointPage({ connectionId: 'c1', object: 'contacts', records: [contact('K', 'a')], deletedIds: [], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    const batches: string[][] = [];
    for await (const batch of store.mirrorRecords('c1', 'accounts', 4)) {
      batches.push(ids(batch));
      // Written after the first batch was handed over: a later batch sees it, so the batches
      // are separate reads, not slices of one result.
      if (batches.length === 1) await store.checkpointPage(accountsPage([account('zz')]));
    }
    expect(batches).toEqual([['0', 'A-10', 'A-2', 'B'], ['Z', 'a', 'b', 'z'], ['zz', 'é']]);
    expect(ids(await loadMirrorKind(store, 'c1', 'contacts'))).toEqual(['K']);
  });

  it('ends without an empty batch when the count divides evenly, and yields nothing for an empty mirror', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage(['a', 'b', 'c', 'd'].map((n) => account(n))));
    const sizes: number[] = [];
    for await (const batch of store.mirrorRecords('c1', 'accounts', 2)) sizes.push(batch.length);
    expect(sizes).toEqual([2, 2]);
    const none: unknown[][] = [];
    for await (const batch of store.mirrorRecords('c1', 'users')) none.push(batch);
    expect(none).toEqual([]);
  });

  it('refuses a batch size that is not a whole number from 1', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage([account('a')]));
    for (const size of [0, -1, 2.5, Number.NaN]) {
      const read = async (): Promise<void> => {
        for await (const batch of store.mirrorRecords('c1', 'accounts', size)) void batch;
      };
      await expect(read()).rejects.toThrow(RangeError);
    }
  });

  it('counts the records of one kind of one connection, following upserts, deletions and sweeps', async () => {
    const store = await h.open();
    expect(await store.mirrorCount('c1', 'accounts')).toBe(0);
    await store.checkpointPage(accountsPage(['a', 'b', 'c'].map((n) => account(n))));
    await store.checkpointPage({ connectionId: 'c1', object: 'contacts', records: [contact('K', 'a')], deletedIds: [], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    await store.checkpointPage({ ...accountsPage([account('x')]), connectionId: 'c2' });
    expect(await store.mirrorCount('c1', 'accounts')).toBe(3);
    // The same record again is one record; a deleted one is gone.
    await store.checkpointPage(accountsPage([account('a', { kam_tier: 'Key' })], { deletedIds: ['b'] }));
    expect(await store.mirrorCount('c1', 'accounts')).toBe(2);
    expect(await store.mirrorCount('c1', 'contacts')).toBe(1);
    expect(await store.mirrorCount('c2', 'accounts')).toBe(1);
    await store.startFullPull('c1', 'accounts', 's1');
    await store.checkpointPage(accountsPage([account('c')], { phase: 'incremental', sweepToken: 's1', sweep: true }));
    expect(await store.mirrorCount('c1', 'accounts')).toBe(1);
  });

  it('stops reading when the consumer stops early', async () => {
    const store = await h.open();
    await store.checkpointPage(accountsPage(['a', 'b', 'c', 'd', 'e'].map((n) => account(n))));
    let seen = 0;
    for await (const batch of store.mirrorRecords('c1', 'accounts', 2)) {
      seen += batch.length;
      break;
    }
    expect(seen).toBe(2);
    // The store is free for the next statement (nothing left open by the abandoned read).
    expect(ids(await loadMirrorKind(store, 'c1', 'accounts'))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
