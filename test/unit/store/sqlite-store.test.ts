import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EncryptionKeyError, parseEncryptionKey, seal, unseal } from '../../../src/store/crypto.ts';
import { MIGRATIONS } from '../../../src/store/migrations.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { snapshotFromMirror } from '../../../src/store/snapshot-from-mirror.ts';

const KEY_A = Buffer.alloc(32, 7).toString('base64');
const KEY_B = Buffer.alloc(32, 9).toString('base64');

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-store-'));
  dirs.push(dir);
  return join(dir, 'k.db');
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop() ?? '', { recursive: true, force: true });
});

describe('SqliteStore migrations', () => {
  it('applies every migration once, in WAL mode, and reopens without reapplying', () => {
    const path = tempDb();
    const s1 = new SqliteStore({ path });
    expect(s1.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    s1.close();
    const s2 = new SqliteStore({ path });
    const rows = s2.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    s2.close();
  });

  it('refuses a database from a newer schema', () => {
    const path = tempDb();
    new SqliteStore({ path }).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run();
    db.close();
    expect(() => new SqliteStore({ path })).toThrow(/schema version 999/);
  });
});

describe('token encryption', () => {
  it('round-trips tokens and never stores them in the clear', async () => {
    const path = tempDb();
    const store = new SqliteStore({ path, encryptionKey: KEY_A });
    const c = await store.createConnection({ id: 'sf-1', crm: 'salesforce', baseUrl: 'https://x.my.salesforce.com', tokens: { accessToken: 'SECRET-ACCESS', refreshToken: 'SECRET-REFRESH' }, clientSecret: 'SECRET-CLIENT' });
    expect(c.hasTokens).toBe(true);
    expect(await store.loadCredentials('sf-1')).toEqual({ tokens: { accessToken: 'SECRET-ACCESS', refreshToken: 'SECRET-REFRESH' }, clientSecret: 'SECRET-CLIENT' });
    await store.saveTokens('sf-1', { accessToken: 'SECRET-NEW', refreshToken: 'SECRET-REFRESH' });
    expect(await store.loadCredentials('sf-1')).toEqual({ tokens: { accessToken: 'SECRET-NEW', refreshToken: 'SECRET-REFRESH' }, clientSecret: 'SECRET-CLIENT' });
    const raw = store.db.prepare('SELECT tokens_sealed FROM connections').get() as { tokens_sealed: string };
    expect(raw.tokens_sealed).not.toContain('SECRET');
    store.close();
  });

  it('without the key a connection with tokens cannot load them, and the message names the variable', async () => {
    const path = tempDb();
    const s1 = new SqliteStore({ path, encryptionKey: KEY_A });
    await s1.createConnection({ id: 'hs-1', crm: 'hubspot', baseUrl: 'https://api.hubapi.com', tokens: { accessToken: 'pat-1' } });
    s1.close();
    const s2 = new SqliteStore({ path });
    await expect(s2.loadCredentials('hs-1')).rejects.toThrow(/KAMFLOW_ENCRYPTION_KEY/);
    await expect(s2.saveTokens('hs-1', { accessToken: 'x' })).rejects.toThrow(/KAMFLOW_ENCRYPTION_KEY/);
    s2.close();
  });

  it('detects a wrong key instead of decrypting garbage', async () => {
    const path = tempDb();
    const s1 = new SqliteStore({ path, encryptionKey: KEY_A });
    await s1.createConnection({ id: 'hs-1', crm: 'hubspot', baseUrl: 'https://api.hubapi.com', tokens: { accessToken: 'pat-1' } });
    s1.close();
    const s2 = new SqliteStore({ path, encryptionKey: KEY_B });
    await expect(s2.loadCredentials('hs-1')).rejects.toThrow(/not the key/);
    s2.close();
  });

  it('rejects a tampered value and a malformed key without echoing it', () => {
    const key = parseEncryptionKey(KEY_A);
    const sealed = seal(key!, 'hello');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('hellp').toString('base64');
    expect(() => unseal(key, parts.join(':'), 'x')).toThrow(EncryptionKeyError);
    expect(() => parseEncryptionKey('c2hvcnQ=')).toThrow(/32 bytes, got 5/);
    expect(() => parseEncryptionKey('not base64!!')).toThrow(/not valid base64/);
  });
});

describe('locks', () => {
  it('refuses a live lock held by another and takes over an expired one', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(await store.acquireLock('c', 'run-1', t0, 60_000)).toEqual({ acquired: true });
    const refused = await store.acquireLock('c', 'run-2', new Date(t0.getTime() + 30_000), 60_000);
    expect(refused).toEqual({ acquired: false, holder: 'run-1', expiresAt: new Date(t0.getTime() + 60_000) });
    expect(await store.acquireLock('c', 'run-2', new Date(t0.getTime() + 60_001), 60_000)).toEqual({ acquired: true });
    expect(await store.renewLock('c', 'run-1', t0, 60_000)).toBe(false);
    store.close();
  });
});

describe('mirror checkpoints and snapshot', () => {
  it('upserts, deletes and sweeps records a completed full pull did not see, and nests line items', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const acc = (id: string) => ({ id, name: id, parentId: null, industry: null, employees: null, annualRevenue: null, country: null, ownerId: null, markedKey: null, fields: {}, extra: {} });
    await store.startFullPull('c', 'accounts', 't1');
    await store.checkpointPage({ connectionId: 'c', object: 'accounts', records: [acc('A'), acc('B'), acc('C')], deletedIds: [], cursor: { p: 1 }, phase: 'incremental', sweepToken: 't1', sweep: true });
    await store.startFullPull('c', 'accounts', 't2');
    await store.checkpointPage({ connectionId: 'c', object: 'accounts', records: [acc('A')], deletedIds: [], cursor: { p: 1 }, phase: 'full', sweepToken: 't2', sweep: false });
    expect((await store.getStreamStates('c')).accounts).toEqual({ object: 'accounts', cursor: { p: 1 }, phase: 'full', sweepToken: 't2' });
    const r = await store.checkpointPage({ connectionId: 'c', object: 'accounts', records: [acc('B')], deletedIds: ['Z'], cursor: { since: 5 }, phase: 'incremental', sweepToken: 't2', sweep: true });
    expect(r).toEqual({ upserted: 1, deleted: 0, swept: 1 });
    await store.checkpointPage({ connectionId: 'c', object: 'opportunities', records: [{ id: 'O1', accountId: 'A', name: '', status: 'won', amount: null, closeDate: '2026-01-01', ownerId: null }], deletedIds: [], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    await store.checkpointPage({ connectionId: 'c', object: 'lineItems', records: [{ id: 'L1', opportunityId: 'O1', productId: 'P', quantity: 1, totalPrice: 5, cost: null }, { id: 'L2', opportunityId: 'GONE', productId: 'P', quantity: 1, totalPrice: 5, cost: null }], deletedIds: [], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    const { snapshot, rejected } = snapshotFromMirror(await store.loadMirror('c'), 'salesforce', 'EUR');
    expect(snapshot.accounts.map((a) => a.id)).toEqual(['A', 'B']);
    expect(snapshot.opportunities[0]?.lineItems.map((l) => l.id)).toEqual(['L1']);
    expect(rejected).toEqual([{ kind: 'lineItem', id: 'L2', index: 0, reason: 'its opportunity GONE is not in the mirror' }]);
    await store.checkpointPage({ connectionId: 'c', object: 'opportunities', records: [], deletedIds: ['O1'], cursor: {}, phase: 'incremental', sweepToken: null, sweep: false });
    expect((await store.loadMirror('c')).lineItems.map((l) => (l as { id: string }).id)).toEqual(['L2']);
    store.close();
  });
});
