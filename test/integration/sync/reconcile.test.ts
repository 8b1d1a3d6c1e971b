import { sourceProfile } from '../../../connectors/registry.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { runSync } from '../../../src/sync/pipeline.ts';
import type { SyncDeps } from '../../../src/sync/types.ts';
import { account, contact, FakeCrm, user, wonOpp } from './fake-crm.ts';
import { fakeAnalyze } from './fake-analyze.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';

const KEY = Buffer.alloc(32, 5).toString('base64');
let store: SqliteStore;
let crm: FakeCrm;
let clock: Date;

function deps(): SyncDeps {
  return { store, connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze: fakeAnalyze, logger: silentLogger, now: () => clock };
}
function tickHours(hours: number): void {
  clock = new Date(clock.getTime() + hours * 3_600_000);
}
async function mirroredContactIds(): Promise<string[]> {
  return (await loadMirror(store, 'c1')).contacts.map((c) => (c as { id: string }).id).sort();
}

beforeEach(async () => {
  clock = new Date('2026-06-30T08:00:00.000Z');
  store = new SqliteStore({ path: ':memory:', encryptionKey: KEY, now: () => clock });
  await store.createConnection({ id: 'c1', crm: 'hubspot', baseUrl: 'https://api.hubapi.com', tokens: { accessToken: 'tok' }, options: { fullSyncEveryHours: 24 } });
  crm = new FakeCrm();
  crm.put('users', user('U1'));
  crm.put('accounts', account('A1'));
  crm.put('contacts', contact('C1', 'A1'));
  crm.put('contacts', contact('C2', 'A1'));
  crm.put('opportunities', wonOpp('O1', 'A1', 5000));
});
afterEach(() => store.close());

describe('periodic full reconcile', () => {
  it('pulls in full once the last full pull is older than fullSyncEveryHours, and sweeps what incremental pulls missed', async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    // Gone from the CRM without any trace an incremental pull could see (no tombstone).
    crm.tables.contacts.delete('C2');

    tickHours(23);
    const early = await runSync(deps(), { connectionId: 'c1' });
    expect(early.run.mode).toBe('incremental');
    expect(await mirroredContactIds()).toEqual(['C1', 'C2']);

    tickHours(1);
    // Losing C2 changes the one account's coverage: past the default safety gate, raised here.
    const due = await runSync(deps(), { connectionId: 'c1', safetyGateShare: 1 });
    expect(due.run.mode).toBe('full');
    expect(due.run.status).toBe('succeeded');
    expect(await mirroredContactIds()).toEqual(['C1']);

    // The full run resets the clock: the next one is incremental again.
    tickHours(1);
    expect((await runSync(deps(), { connectionId: 'c1' })).run.mode).toBe('incremental');
  });

  it('never turns a run into a full pull when fullSyncEveryHours is 0', async () => {
    await store.updateConnection('c1', { options: { fullSyncEveryHours: 0 } });
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tickHours(24 * 365);
    expect((await runSync(deps(), { connectionId: 'c1' })).run.mode).toBe('incremental');
  });
});


describe('webhook marks', () => {
  it('a sync applies deletion marks to the mirror before it pulls, and clears change marks once the pull went through', async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    const markedAt = clock.toISOString();
    await store.markChanged('c1', [
      { object: 'contacts', id: 'C2', deleted: true, markedAt },
      { object: 'contacts', id: 'C1', deleted: false, markedAt },
    ]);
    tickHours(1);
    // The CRM still lists C2 to a full pull, but nothing moved its stamp: only the mark removes it.
    const r = await runSync(deps(), { connectionId: 'c1', safetyGateShare: 1 });
    expect(r.run.status).toBe('succeeded');
    expect(await mirroredContactIds()).toEqual(['C1']);
    expect(await store.listChangeMarks('c1')).toEqual([]);
  });
});
