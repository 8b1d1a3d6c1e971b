import { expect, it } from 'vitest';
import { describeStores } from '../../support/stores.ts';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

describeStores('store contract: locks', (h) => {
  it('takes a free lock, refuses a live one held by another with its holder and expiry, and takes over an expired one', async () => {
    const store = await h.open();
    expect(await store.acquireLock('c1', 'run-1', T0, 60_000)).toEqual({ acquired: true });
    expect(await store.acquireLock('c1', 'run-2', at(30_000), 60_000)).toEqual({ acquired: false, holder: 'run-1', expiresAt: at(60_000) });
    // Live until its expiry instant, free from then on.
    expect(await store.acquireLock('c1', 'run-2', at(59_999), 60_000)).toMatchObject({ acquired: false });
    expect(await store.acquireLock('c1', 'run-2', at(60_000), 60_000)).toEqual({ acquired: true });
    expect(await store.acquireLock('c1', 'run-1', at(60_001), 60_000)).toEqual({ acquired: false, holder: 'run-2', expiresAt: at(120_000) });
    // Locks are per connection.
    expect(await store.acquireLock('c2', 'run-1', at(60_001), 60_000)).toEqual({ acquired: true });
  });

  it('lets the holder take its own lock again and renew it; a holder that lost it cannot renew', async () => {
    const store = await h.open();
    await store.acquireLock('c1', 'run-1', T0, 60_000);
    expect(await store.acquireLock('c1', 'run-1', at(10_000), 60_000)).toEqual({ acquired: true });
    expect(await store.renewLock('c1', 'run-1', at(50_000), 60_000)).toBe(true);
    // Renewed to 110 s: another holder is still refused at 100 s.
    expect(await store.acquireLock('c1', 'run-2', at(100_000), 60_000)).toEqual({ acquired: false, holder: 'run-1', expiresAt: at(110_000) });
    expect(await store.acquireLock('c1', 'run-2', at(110_000), 60_000)).toEqual({ acquired: true });
    expect(await store.renewLock('c1', 'run-1', at(111_000), 60_000)).toBe(false);
    expect(await store.renewLock('c9', 'run-1', at(111_000), 60_000)).toBe(false);
  });

  it('releases only the holder\'s lock', async () => {
    const store = await h.open();
    await store.acquireLock('c1', 'run-1', T0, 60_000);
    await store.releaseLock('c1', 'run-2');
    expect(await store.acquireLock('c1', 'run-2', at(1_000), 60_000)).toMatchObject({ acquired: false, holder: 'run-1' });
    await store.releaseLock('c1', 'run-1');
    expect(await store.acquireLock('c1', 'run-2', at(1_000), 60_000)).toEqual({ acquired: true });
  });

  it('gives a free lock to exactly one of many stores racing for it', async () => {
    const stores = await Promise.all([1, 2, 3, 4].map(() => h.open()));
    const results = await Promise.all(stores.flatMap((s, i) => [0, 1].map((j) => s.acquireLock('c1', `run-${i}-${j}`, T0, 60_000))));
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const holders = new Set(results.flatMap((r) => (r.acquired ? [] : [r.holder])));
    expect(holders.size).toBe(1);
  });
});
