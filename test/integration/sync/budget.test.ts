import { expect, it } from 'vitest';
import { sourceProfile } from '../../../connectors/registry.ts';
import { silentLogger } from '../../../src/log.ts';
import type { KamflowStore } from '../../../src/store/open.ts';
import { runSync } from '../../../src/sync/pipeline.ts';
import type { SyncDeps } from '../../../src/sync/types.ts';
import { describeStores } from '../../support/stores.ts';
import { account, FakeCrm, product, user, wonOpp } from './fake-crm.ts';
import { fakeAnalyze } from './fake-analyze.ts';

const KEY = Buffer.alloc(32, 3).toString('base64');
const NOW = new Date('2026-06-30T08:00:00.000Z');

function deps(store: KamflowStore, crm: FakeCrm): SyncDeps {
  return { store, connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze: fakeAnalyze, logger: silentLogger, now: () => NOW, orgOf: () => 'org-acme' };
}

function org(): FakeCrm {
  const crm = new FakeCrm();
  crm.put('users', user('U1'));
  crm.put('products', product('P1'));
  crm.put('accounts', account('A1'));
  crm.put('opportunities', wonOpp('O1', 'A1', 5000));
  return crm;
}

describeStores('the API budget of an org, shared by every worker', (h) => {
  it('adds every worker\'s calls to the org\'s day, and a reading past the reserve stops the other workers at their first checkpoint', async () => {
    // Two workers (two processes, each its own store), two connections of one org.
    const [w1, w2] = [await h.open({ encryptionKey: KEY }), await h.open({ encryptionKey: KEY })];
    await w1.createConnection({ id: 'c1', crm: 'salesforce', baseUrl: 'https://acme.my.salesforce.com', tokens: { accessToken: 't' } });
    await w1.createConnection({ id: 'c2', crm: 'salesforce', baseUrl: 'https://acme.my.salesforce.com', tokens: { accessToken: 't' } });
    const crm1 = org();
    const crm2 = org();

    const first = await runSync(deps(w1, crm1), { connectionId: 'c1', confirm: true });
    expect(first.run.status).toBe('succeeded');
    const calls1 = Object.values(crm1.calls).reduce((a, b) => a + b, 0);
    expect(await w2.apiBudget('org-acme', '2026-06-30')).toMatchObject({ used: calls1, reportedUsed: null });

    // The org has used 810 of its 1,000 calls today (other clients too): past the 20% reserve.
    // The first worker's CRM says so; its connector keeps its own reserve.
    crm1.allowance = { used: 810, max: 1000 };
    expect((await runSync(deps(w1, crm1), { connectionId: 'c1' })).run.status).toBe('succeeded');

    // The other worker's CRM sends no reading of its own: the shared one stops it before it writes.
    const other = await runSync(deps(w2, crm2), { connectionId: 'c2' });
    expect(other.run.status).toBe('stopped-by-limit');
    expect(other.run.error).toContain('810 of 1000 daily API calls used by all clients');
    expect(crm2.pushes).toEqual([]);
    const day = await w1.apiBudget('org-acme', '2026-06-30');
    expect(day).toMatchObject({ reportedUsed: 810, reportedMax: 1000 });
    expect(day?.used).toBe(Object.values(crm1.calls).reduce((a, b) => a + b, 0) + Object.values(crm2.calls).reduce((a, b) => a + b, 0));
  });

  it('keeps a connection whose option sets a smaller reserve going, and goes on once the CRM reads lower again', async () => {
    const store = await h.open({ encryptionKey: KEY });
    await store.createConnection({ id: 'reader', crm: 'salesforce', baseUrl: 'https://acme.my.salesforce.com', tokens: { accessToken: 't' } });
    await store.createConnection({ id: 'c1', crm: 'salesforce', baseUrl: 'https://acme.my.salesforce.com', tokens: { accessToken: 't' }, options: { apiReserve: 0.1 } });
    const reader = org();
    const crm = org();
    const read = async (used: number): Promise<void> => {
      reader.allowance = { used, max: 1000 };
      expect((await runSync(deps(store, reader), { connectionId: 'reader', confirm: true })).run.status).toBe('succeeded');
    };
    await read(810);
    expect((await runSync(deps(store, crm), { connectionId: 'c1', confirm: true })).run.status).toBe('succeeded');
    await read(900);
    expect((await runSync(deps(store, crm), { connectionId: 'c1' })).run.status).toBe('stopped-by-limit');
    // The CRM's count was reset (a new day in its own time zone, or its window rolled): runs go on.
    await read(5);
    expect((await runSync(deps(store, crm), { connectionId: 'c1' })).run.status).toBe('succeeded');
  });
});
