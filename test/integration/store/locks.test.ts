import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { currentProcess, describeOwner } from '../../../src/store/holder.ts';
import { describeStores } from '../../support/stores.ts';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

describeStores('store contract: locks', (h) => {
  it('takes a free lock, refuses a live one held by another with its holder and expiry, and takes over an expired one', async () => {
    const store = await h.open();
    expect(await store.acquireLock('c1', 'run-1', T0, 60_000)).toEqual({ acquired: true });
    expect(await store.acquireLock('c1', 'run-2', at(30_000), 60_000)).toMatchObject({ acquired: false, holder: 'run-1', expiresAt: at(60_000) });
    // Live until its expiry instant, free from then on.
    expect(await store.acquireLock('c1', 'run-2', at(59_999), 60_000)).toMatchObject({ acquired: false });
    expect(await store.acquireLock('c1', 'run-2', at(60_000), 60_000)).toMatchObject({ acquired: true, takenOver: { reason: 'expired', previous: { runId: 'run-1' } } });
    expect(await store.acquireLock('c1', 'run-1', at(60_001), 60_000)).toMatchObject({ acquired: false, holder: 'run-2', expiresAt: at(120_000) });
    // Locks are per connection.
    expect(await store.acquireLock('c2', 'run-1', at(60_001), 60_000)).toEqual({ acquired: true });
  });

  it('lets the holder take its own lock again and renew it; a holder that lost it cannot renew', async () => {
    const store = await h.open();
    await store.acquireLock('c1', 'run-1', T0, 60_000);
    expect(await store.acquireLock('c1', 'run-1', at(10_000), 60_000)).toEqual({ acquired: true });
    expect(await store.renewLock('c1', 'run-1', at(50_000), 60_000)).toBe(true);
    // Renewed to 110 s: another holder is still refused at 100 s.
    expect(await store.acquireLock('c1', 'run-2', at(100_000), 60_000)).toMatchObject({ acquired: false, holder: 'run-1', expiresAt: at(110_000) });
    expect(await store.acquireLock('c1', 'run-2', at(110_000), 60_000)).toMatchObject({ acquired: true });
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

/** A pid that no process of this host has: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

describeStores('store contract: lock holders', (h) => {
  const self = currentProcess();

  it('records the holder\'s run, host, process and its start, and names them when refusing', async () => {
    const store = await h.open();
    await store.acquireLock('c1', 'run-1', T0, 60_000);
    const refused = await (await h.open()).acquireLock('c1', 'run-2', at(1_000), 60_000);
    expect(refused).toMatchObject({ acquired: false, holder: 'run-1', owner: { runId: 'run-1', host: self.host, pid: process.pid, startedAt: self.startedAt } });
    if (!refused.acquired) {
      if (h.kind === 'postgres') expect(refused.owner.sessionPid).toEqual(expect.any(Number));
      else expect(refused.owner.sessionPid).toBeNull();
      expect(describeOwner(refused.owner)).toBe(`run run-1 (process ${process.pid} on ${self.host})`);
    }
  });

  it('takes over at once, before the expiry, a lock whose holder process on this host is gone', async () => {
    const pid = deadPid();
    const crashed = await h.open({ processIdentity: { host: self.host, pid, startedAt: 'boot+1' } });
    await crashed.acquireLock('c1', 'run-dead', T0, 60_000);
    const next = await h.open();
    // On PostgreSQL the crashed store's session still lives (it is this test's), so this is the process check.
    const taken = await next.acquireLock('c1', 'run-next', at(1_000), 60_000);
    expect(taken).toMatchObject({ acquired: true, takenOver: { reason: 'process-gone', previous: { runId: 'run-dead', host: self.host, pid } } });
    expect(await crashed.renewLock('c1', 'run-dead', at(2_000), 60_000)).toBe(false);
    expect(await next.renewLock('c1', 'run-next', at(2_000), 60_000)).toBe(true);
  });

  it('takes over at once a holder whose pid now belongs to a process started at another time', async () => {
    const reused = await h.open({ processIdentity: { host: self.host, pid: process.pid, startedAt: `${self.startedAt}-earlier` } });
    await reused.acquireLock('c1', 'run-old', T0, 60_000);
    const taken = await (await h.open()).acquireLock('c1', 'run-new', at(1_000), 60_000);
    expect(taken).toMatchObject({ acquired: true, takenOver: { reason: 'process-gone', previous: { runId: 'run-old' } } });
  });

  it('lets a live holder on this host keep its lock, and an unknown remote holder keep it until its TTL', async () => {
    const remote = await h.open({ processIdentity: { host: 'another-host', pid: 1, startedAt: 'boot+5' } });
    await remote.acquireLock('c1', 'run-remote', T0, 30_000);
    await (await h.open()).acquireLock('c2', 'run-live', T0, 30_000);
    const other = await h.open({ processIdentity: { host: self.host, pid: deadPid(), startedAt: 'boot+7' } });
    expect(await other.acquireLock('c1', 'run-x', at(29_999), 30_000)).toMatchObject({ acquired: false, holder: 'run-remote' });
    expect(await other.acquireLock('c2', 'run-x', at(29_999), 30_000)).toMatchObject({ acquired: false, holder: 'run-live' });
    expect(await other.acquireLock('c1', 'run-x', at(30_000), 30_000)).toMatchObject({ acquired: true, takenOver: { reason: 'expired', previous: { runId: 'run-remote', host: 'another-host' } } });
  });

  it('takes over at once a remote holder whose database session has ended (PostgreSQL); SQLite, which cannot tell, waits for the TTL', async () => {
    const remote = await h.open({ processIdentity: { host: 'another-host', pid: 1, startedAt: 'boot+5' } });
    await remote.acquireLock('c1', 'run-remote', T0, 60_000);
    const next = await h.open();
    expect(await next.acquireLock('c1', 'run-next', at(1_000), 60_000)).toMatchObject({ acquired: false, holder: 'run-remote' });
    // The remote process dies: its sessions end (closing the store ends them as a crash would).
    await remote.close();
    if (h.kind === 'postgres') {
      const taken = await next.acquireLock('c1', 'run-next', at(2_000), 60_000);
      expect(taken).toMatchObject({ acquired: true, takenOver: { reason: 'session-gone', previous: { runId: 'run-remote', host: 'another-host' } } });
      expect(await next.renewLock('c1', 'run-next', at(3_000), 60_000)).toBe(true);
      // Taken only after its expiry (no worker was free before), the lock still says why it could be.
      const late = await h.open({ processIdentity: { host: 'another-host', pid: 2, startedAt: 'boot+6' } });
      await late.acquireLock('c2', 'run-late', T0, 60_000);
      await late.close();
      expect(await next.acquireLock('c2', 'run-after', at(120_000), 60_000)).toMatchObject({ acquired: true, takenOver: { reason: 'session-gone', previous: { runId: 'run-late' } } });
    } else {
      expect(await next.acquireLock('c1', 'run-next', at(59_999), 60_000)).toMatchObject({ acquired: false, holder: 'run-remote' });
      expect(await next.acquireLock('c1', 'run-next', at(60_000), 60_000)).toMatchObject({ acquired: true, takenOver: { reason: 'expired' } });
    }
  });
});
