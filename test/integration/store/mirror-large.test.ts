import { expect, it } from 'vitest';
import type { Account } from '../../../src/model/snapshot.ts';
import { MIRROR_BATCH_SIZE } from '../../../src/store/types.ts';
import { describeStores } from '../../support/stores.ts';
import { account, accountsPage } from './records.ts';

const COUNT = 200_000;
const PAGE = 5_000;

const idOf = (i: number): string => `A${String(i).padStart(7, '0')}`;

describeStores('store contract: a large mirror', (h) => {
  it(`reads ${COUNT.toLocaleString('en-US')} records back in batches of ${MIRROR_BATCH_SIZE}, no statement returning more than one batch`, async () => {
    const statements: { text: string; rows: number }[] = [];
    const store = await h.open({ onQuery: (e) => statements.push(e) });
    for (let start = 0; start < COUNT; start += PAGE) {
      const records: Account[] = [];
      for (let i = start; i < start + PAGE; i++) records.push(account(idOf(i)));
      await store.checkpointPage(accountsPage(records, { cursor: { page: start / PAGE } }));
    }
    statements.length = 0;
    const sizes: number[] = [];
    let expected = 0;
    let inOrder = true;
    for await (const batch of store.mirrorRecords('c1', 'accounts')) {
      sizes.push(batch.length);
      for (const r of batch) inOrder &&= (r as { id: string }).id === idOf(expected++);
    }
    expect(inOrder).toBe(true);
    expect(expected).toBe(COUNT);
    expect(sizes).toEqual(Array.from({ length: COUNT / MIRROR_BATCH_SIZE }, () => MIRROR_BATCH_SIZE));
    if (h.kind === 'postgres') {
      // Every statement of the read, as the database saw it: one per batch and a last empty one.
      expect(statements).toHaveLength(COUNT / MIRROR_BATCH_SIZE + 1);
      expect(Math.max(...statements.map((s) => s.rows))).toBe(MIRROR_BATCH_SIZE);
    }
  }, 180_000);
});
