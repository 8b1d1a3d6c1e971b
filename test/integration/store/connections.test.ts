import { expect, it } from 'vitest';
import { EncryptionKeyError } from '../../../src/store/crypto.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { describeStores } from '../../support/stores.ts';
import { account, accountsPage, KEY_A, KEY_B } from './records.ts';

const SF = { crm: 'salesforce' as const, baseUrl: 'https://acme.my.salesforce.com' };
const HS = { crm: 'hubspot' as const, baseUrl: 'https://api.hubapi.com', idPrefix: 'hs' };

describeStores('store contract: connections', (h) => {
  it('creates, gets, lists in id order, updates and deletes connections', async () => {
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const store = await h.open({ now: () => new Date(clock) });
    const b = await store.createConnection({ ...SF, id: 'b-sf', options: { clientId: 'cid', limits: { reserve: 0.2 } }, schedule: '0 6 * * *', timezone: 'Europe/Berlin', analysisConfig: { version: 1, weights: { share: 3 } } });
    expect(b).toEqual({
      id: 'b-sf', crm: 'salesforce', baseUrl: 'https://acme.my.salesforce.com', options: { clientId: 'cid', limits: { reserve: 0.2 } },
      schedule: '0 6 * * *', timezone: 'Europe/Berlin', analysisConfig: { version: 1, weights: { share: 3 } }, hasTokens: false, accountId: null,
      createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:00:00.000Z',
    });
    const generated = await store.createConnection(HS);
    expect(generated.id).toMatch(/^hs-[0-9a-f]{8}$/);
    expect(generated).toMatchObject({ options: {}, schedule: null, timezone: null, analysisConfig: null });
    await store.createConnection({ ...HS, id: 'A-hs' });
    // By bytes: capitals before lower case, as SQLite orders.
    expect((await store.listConnections()).map((c) => c.id)).toEqual(['A-hs', 'b-sf', generated.id]);

    clock += 60_000;
    const updated = await store.updateConnection('b-sf', { schedule: null, analysisConfig: null, options: { clientId: 'other' } });
    expect(updated).toMatchObject({ schedule: null, timezone: 'Europe/Berlin', analysisConfig: null, options: { clientId: 'other' }, createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-01T10:01:00.000Z' });
    expect(await store.getConnection('b-sf')).toEqual(updated);
    expect(await store.getConnection('nope')).toBeNull();

    await store.deleteConnection('b-sf');
    expect(await store.getConnection('b-sf')).toBeNull();
    expect((await store.listConnections()).map((c) => c.id)).toEqual(['A-hs', generated.id]);
  });

  it('refuses a second connection with the same id and an update of an unknown one, naming the id', async () => {
    const store = await h.open();
    await store.createConnection({ ...SF, id: 'dup' });
    await expect(store.createConnection({ ...HS, id: 'dup' })).rejects.toThrow('a connection with id dup already exists');
    expect((await store.getConnection('dup'))?.crm).toBe('salesforce');
    await expect(store.updateConnection('ghost', { schedule: null })).rejects.toThrow('no connection with id ghost');
    await expect(store.loadCredentials('ghost')).rejects.toThrow('no connection with id ghost');
  });

  it('deleting a connection removes its mirror, streams, lock and marks but keeps its run history', async () => {
    const store = await h.open();
    await store.createConnection({ ...SF, id: 'c1' });
    await store.createConnection({ ...SF, id: 'c2' });
    for (const id of ['c1', 'c2']) {
      await store.checkpointPage(accountsPage([account('A1')], { connectionId: id }));
      await store.acquireLock(id, 'run-x', new Date(), 60_000);
      await store.markChanged(id, [{ object: 'accounts', id: 'A1', deleted: false, markedAt: '2026-01-01T00:00:00.000Z' }]);
      await store.createRun({ id: `run-${id}`, connectionId: id, kind: 'sync', mode: 'full', dryRun: false, asOf: null, startedAt: '2026-01-01T00:00:00.000Z' });
    }
    await store.deleteConnection('c1');
    expect((await loadMirror(store, 'c1')).accounts).toEqual([]);
    expect(await store.getStreamStates('c1')).toEqual({});
    expect(await store.listChangeMarks('c1')).toEqual([]);
    expect(await store.acquireLock('c1', 'run-y', new Date(), 60_000)).toEqual({ acquired: true });
    expect(await store.getRun('run-c1')).not.toBeNull();
    // The other connection is untouched.
    expect((await loadMirror(store, 'c2')).accounts).toHaveLength(1);
    expect(await store.listChangeMarks('c2')).toHaveLength(1);
    expect((await store.acquireLock('c2', 'run-y', new Date(), 60_000)).acquired).toBe(false);
  });

  it('disconnecting drops credentials and schedule, keeping or deleting the pulled data; runs stay either way', async () => {
    const store = await h.open({ encryptionKey: KEY_A });
    for (const id of ['keep', 'drop']) {
      await store.createConnection({ ...SF, id, accountId: `org-${id}`, schedule: '0 6 * * *', tokens: { accessToken: 'SECRET' }, clientSecret: 'S' });
      await store.checkpointPage(accountsPage([account('A1')], { connectionId: id }));
      await store.createRun({ id: `run-${id}`, connectionId: id, kind: 'sync', mode: 'full', dryRun: false, asOf: null, startedAt: '2026-01-01T00:00:00.000Z' });
    }
    await store.disconnectConnection('keep', { deleteData: false });
    await store.disconnectConnection('drop', { deleteData: true });
    for (const id of ['keep', 'drop']) {
      expect(await store.getConnection(id)).toMatchObject({ hasTokens: false, schedule: null });
      expect(await store.loadCredentials(id)).toEqual({ tokens: null, clientSecret: null });
      expect(await store.getRun(`run-${id}`)).not.toBeNull();
    }
    expect((await loadMirror(store, 'keep')).accounts).toHaveLength(1);
    expect((await loadMirror(store, 'drop')).accounts).toEqual([]);
    expect(await store.getStreamStates('drop')).toEqual({});
    await expect(store.disconnectConnection('nope', { deleteData: false })).rejects.toThrow(/no connection with id nope/);
  });

  it('replaces tokens and client secret together, for a known connection only', async () => {
    const store = await h.open({ encryptionKey: KEY_A });
    await store.createConnection({ ...SF, id: 'sf-r', tokens: { accessToken: 'SECRET-OLD', refreshToken: 'R-OLD' }, clientSecret: 'C-OLD' });
    await store.saveCredentials('sf-r', { tokens: { accessToken: '', refreshToken: 'R-NEW' }, clientSecret: 'C-NEW' });
    expect(await store.loadCredentials('sf-r')).toEqual({ tokens: { accessToken: '', refreshToken: 'R-NEW' }, clientSecret: 'C-NEW' });
    await expect(store.saveCredentials('nope', { tokens: null, clientSecret: null })).rejects.toThrow(/no connection with id nope/);
  });

  it('seals tokens and the client secret, never storing them in the clear, and keeps the secret when tokens change', async () => {
    const store = await h.open({ encryptionKey: KEY_A });
    const c = await store.createConnection({ ...SF, id: 'sf-1', tokens: { accessToken: 'SECRET-ACCESS', refreshToken: 'SECRET-REFRESH', expiresAt: 1_800_000_000_000, instanceUrl: 'https://acme.my.salesforce.com' }, clientSecret: 'SECRET-CLIENT' });
    expect(c.hasTokens).toBe(true);
    expect(await store.loadCredentials('sf-1')).toEqual({
      tokens: { accessToken: 'SECRET-ACCESS', refreshToken: 'SECRET-REFRESH', expiresAt: 1_800_000_000_000, instanceUrl: 'https://acme.my.salesforce.com' },
      clientSecret: 'SECRET-CLIENT',
    });
    await store.saveTokens('sf-1', { accessToken: 'SECRET-NEW', refreshToken: 'SECRET-REFRESH' });
    expect(await store.loadCredentials('sf-1')).toEqual({ tokens: { accessToken: 'SECRET-NEW', refreshToken: 'SECRET-REFRESH' }, clientSecret: 'SECRET-CLIENT' });
    const sealed = await h.sealedCredentials();
    expect(sealed).toHaveLength(1);
    expect(sealed[0]).toMatch(/^v1:[0-9a-f]{16}:/);
    expect(sealed[0]).not.toContain('SECRET');
    // A connection without credentials needs no key at all.
    await store.createConnection({ ...HS, id: 'hs-bare' });
    expect(await store.loadCredentials('hs-bare')).toEqual({ tokens: null, clientSecret: null });
  });

  it('refuses to store tokens without a key, and to read them without the key or with another key', async () => {
    const keyless = await h.open();
    await expect(keyless.createConnection({ ...HS, id: 'hs-0', tokens: { accessToken: 'pat-0' } })).rejects.toThrow(EncryptionKeyError);
    expect(await keyless.getConnection('hs-0')).toBeNull();

    const withA = await h.open({ encryptionKey: KEY_A });
    await withA.createConnection({ ...HS, id: 'hs-1', tokens: { accessToken: 'pat-1' } });
    const noKey = await h.open();
    await expect(noKey.loadCredentials('hs-1')).rejects.toThrow(EncryptionKeyError);
    await expect(noKey.loadCredentials('hs-1')).rejects.toThrow(/KAMFLOW_ENCRYPTION_KEY/);
    await expect(noKey.saveTokens('hs-1', { accessToken: 'x' })).rejects.toThrow(EncryptionKeyError);
    // A second key is refused when the store opens, before anything could be sealed under it.
    await expect(h.open({ encryptionKey: KEY_B })).rejects.toThrow(EncryptionKeyError);
    await expect(h.open({ encryptionKey: KEY_B })).rejects.toThrow(/not the key this store was set up with/);
    // Nothing was lost: the right key still reads them.
    expect((await withA.loadCredentials('hs-1')).tokens?.accessToken).toBe('pat-1');
  });

  it('refuses a malformed key before touching the database', async () => {
    await expect(h.open({ encryptionKey: 'c2hvcnQ=' })).rejects.toThrow(/32 bytes, got 5/);
  });
});
