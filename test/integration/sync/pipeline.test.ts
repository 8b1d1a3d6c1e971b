import { sourceProfile } from '../../../connectors/registry.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { rollbackRun, runSync } from '../../../src/sync/pipeline.ts';
import type { SyncDeps } from '../../../src/sync/types.ts';
import { ConnectionBusyError } from '../../../src/contract/errors.ts';
import { account, contact, FakeCrm, product, user, wonOpp } from './fake-crm.ts';
import { fakeAnalyze } from './fake-analyze.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';

const KEY = Buffer.alloc(32, 3).toString('base64');
let store: SqliteStore;
let crm: FakeCrm;
let clock: Date;

function deps(): SyncDeps {
  return { store, connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze: fakeAnalyze, logger: silentLogger, now: () => clock };
}
function tick(minutes = 60): void {
  clock = new Date(clock.getTime() + minutes * 60_000);
}

beforeEach(async () => {
  clock = new Date('2026-06-30T08:00:00.000Z');
  store = new SqliteStore({ path: ':memory:', encryptionKey: KEY, now: () => clock });
  await store.createConnection({ id: 'c1', crm: 'salesforce', baseUrl: 'https://example.my.salesforce.com', tokens: { accessToken: 'tok' } });
  crm = new FakeCrm();
  crm.put('users', user('U1'));
  crm.put('products', product('P1'));
  crm.put('accounts', account('A1'));
  crm.put('accounts', account('A2', 'A1'));
  crm.put('accounts', account('B1'));
  crm.put('contacts', contact('C1', 'A1'));
  crm.put('opportunities', wonOpp('O1', 'A1', 5000));
  crm.put('opportunities', wonOpp('O2', 'B1', 2000));
  crm.put('lineItems', { id: 'L1', opportunityId: 'O1', productId: 'P1', quantity: 1, totalPrice: 5000, cost: null });
});
afterEach(() => store.close());

// Family A1+A2 has 5000 of won revenue: score 50, whitespace 1666.67; B1 has 2000: score 20.
const RUN1_A1 = {
  kam_tier: 'Standard', kam_key_account: false, kam_score: 50, kam_revenue_share: 0, kam_penetration: 0,
  kam_whitespace_value: 1666.67, kam_reasons: 'family revenue 5000', kam_why: 'Standard: score 50', kam_contact_coverage: '1 contacts (target 3-5)',
  kam_ultimate_parent: 'A1 Account A1', kam_updated_at: '2026-06-30T08:00:00.000Z',
};

describe('runSync', () => {
  it('a first run writes every account its changed fields, in one call', async () => {
    const r = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(r.run.status).toBe('succeeded');
    expect(crm.pushes).toHaveLength(1);
    expect(crm.pushes[0]?.map((w) => w.accountId)).toEqual(['A1', 'A2', 'B1']);
    expect(crm.account('A1').fields).toEqual(RUN1_A1);
    expect(crm.account('B1').fields['kam_score']).toBe(20);
    expect(crm.account('B1').fields['kam_whitespace_value']).toBe(666.67);
    expect(r.run.counts).toMatchObject({ accounts: 3, plannedAccounts: 3, plannedFields: 33, written: 3, failed: 0 });
    expect(r.run.counts.pulled).toEqual({ users: 1, products: 1, accounts: 3, contacts: 1, opportunities: 2, lineItems: 1, contactRoles: 0 });
    expect(r.run.apiUsage).toEqual({ query: 8, collectionsUpdate: 1 });
  });

  it('a second run on unchanged data writes nothing and makes no write call', async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tick();
    const r = await runSync(deps(), { connectionId: 'c1' });
    expect(r.run.status).toBe('succeeded');
    expect(r.plan?.writes).toEqual([]);
    expect(crm.pushes).toHaveLength(1);
    expect(r.run.apiUsage['collectionsUpdate']).toBeUndefined();
    // Our own three writes came back holding what the mirror holds after them: no change taken.
    expect(r.run.counts.pulled.accounts).toBe(0);
    expect(r.run.counts.unchangedAccounts).toBe(3);
  });

  it("after one account's opportunity changes, writes only that family's changed fields", async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tick();
    crm.put('opportunities', wonOpp('O3', 'A2', 3000));
    // Two of three accounts change: past the default safety gate, so it is raised here.
    const r = await runSync(deps(), { connectionId: 'c1', safetyGateShare: 1 });
    expect(r.run.status).toBe('succeeded');
    const stamp = '2026-06-30T09:00:00.000Z';
    const familyChange = { kam_tier: 'Key', kam_key_account: true, kam_score: 80, kam_whitespace_value: 2666.67, kam_reasons: 'family revenue 8000', kam_why: 'Key: score 80', kam_updated_at: stamp };
    expect(crm.pushes[1]).toEqual([{ accountId: 'A1', fields: familyChange }, { accountId: 'A2', fields: familyChange }]);
    expect(r.plan?.writes[0]?.previous).toEqual({ kam_tier: 'Standard', kam_key_account: false, kam_score: 50, kam_whitespace_value: 1666.67, kam_reasons: 'family revenue 5000', kam_why: 'Standard: score 50', kam_updated_at: '2026-06-30T08:00:00.000Z' });
    expect(crm.account('B1').fields['kam_updated_at']).toBe('2026-06-30T08:00:00.000Z');
  });

  it('a dry run plans and estimates calls but writes nothing', async () => {
    const r = await runSync(deps(), { connectionId: 'c1', dryRun: true });
    expect(r.run.dryRun).toBe(true);
    expect(r.plan?.writes.map((w) => w.accountId)).toEqual(['A1', 'A2', 'B1']);
    expect(r.estimatedCalls).toEqual({ collectionsUpdate: 1 });
    expect(crm.pushes).toHaveLength(0);
    expect(await store.hasSucceededRun('c1')).toBe(false);
  });

  it('a run killed mid-pull resumes from its checkpoint with a correct mirror', async () => {
    crm.failAfterPages = 3; // users, products, first accounts page; dies on the second accounts page
    const first = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(first.run.status).toBe('failed');
    expect(first.run.error).toMatch(/connection reset/);
    expect((await loadMirror(store, 'c1')).accounts.map((a) => (a as { id: string }).id)).toEqual(['A1', 'A2']);
    expect((await store.getStreamStates('c1')).accounts?.phase).toBe('full');
    crm.failAfterPages = null;
    tick();
    const second = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(second.run.status).toBe('succeeded');
    expect(second.run.counts.pulled.accounts).toBe(1); // only B1: A1 and A2 were checkpointed
    expect(second.run.counts.pulled.users ?? 0).toBe(0);
    const mirror = await loadMirror(store, 'c1');
    expect(mirror.accounts.map((a) => (a as { id: string }).id)).toEqual(['A1', 'A2', 'B1']);
    expect(mirror.opportunities).toHaveLength(2);
    expect(crm.pushes[0]?.map((w) => w.accountId)).toEqual(['A1', 'A2', 'B1']);
  });

  it('tells the connector, with each stream, the later streams that will pull in full and where they start', async () => {
    crm.failAfterPages = 3; // dies on the second accounts page
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    const later = (objects: string[]) => objects.map((object) => ({ object, cursor: null }));
    expect(crm.pullCalls.map((c) => [c.objects, c.mode, c.readAhead])).toEqual([
      [['users'], 'full', later(['products', 'accounts', 'contacts', 'opportunities', 'lineItems', 'contactRoles'])],
      [['products'], 'full', later(['accounts', 'contacts', 'opportunities', 'lineItems', 'contactRoles'])],
      [['accounts'], 'full', later(['contacts', 'opportunities', 'lineItems', 'contactRoles'])],
    ]);
    const accountsCursor = (await store.getStreamStates('c1')).accounts?.cursor;
    expect(accountsCursor).toMatchObject({ after: expect.any(String) });
    crm.failAfterPages = null;
    crm.pullCalls = [];
    tick();
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    // The accounts' full pull resumes from its checkpoint; users and products pull incrementally.
    expect(crm.pullCalls[0]).toEqual({
      objects: ['users'], mode: 'incremental',
      readAhead: [{ object: 'accounts', cursor: accountsCursor }, ...later(['contacts', 'opportunities', 'lineItems', 'contactRoles'])],
    });
    expect(crm.pullCalls.find((c) => c.objects[0] === 'lineItems')?.readAhead).toEqual(later(['contactRoles']));
    crm.pullCalls = [];
    tick();
    await runSync(deps(), { connectionId: 'c1' });
    expect(crm.pullCalls.every((c) => c.mode === 'incremental' && c.readAhead.length === 0)).toBe(true);
  });

  it('a completed full pull removes records the CRM no longer has, deletions arrive incrementally', async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    crm.remove('contacts', 'C1');
    crm.tables.opportunities.delete('O2'); // gone without a trace: only a full pull can notice
    tick();
    const inc = await runSync(deps(), { connectionId: 'c1' });
    expect(inc.run.counts.deleted).toBe(1);
    expect((await loadMirror(store, 'c1')).opportunities).toHaveLength(2);
    tick();
    const full = await runSync(deps(), { connectionId: 'c1', full: true });
    expect(full.run.counts.swept).toBe(1);
    expect((await loadMirror(store, 'c1')).opportunities.map((o) => (o as { id: string }).id)).toEqual(['O1']);
  });

  it('a push interrupted mid-way resumes without sending a write twice', async () => {
    await store.updateConnection('c1', { options: { pushBatchSize: 1 } });
    crm.crashOnPush = 2;
    const first = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(first.run.status).toBe('failed');
    // A2's chunk was on its way when the run died: it stays in flight, B1's was never sent.
    expect((await store.listWrites(first.run.id)).map((w) => [w.accountId, w.status])).toEqual([['A1', 'ok'], ['A2', 'sending'], ['B1', 'pending']]);
    tick();
    // The rest of the approved plan: not held again.
    const second = await runSync(deps(), { connectionId: 'c1' });
    expect(second.run.status).toBe('succeeded');
    // The CRM does not hold A2's values: the write did not land, and the new plan made it again.
    expect((await store.listWrites(first.run.id)).map((w) => [w.accountId, w.status, w.code])).toEqual([['A1', 'ok', null], ['A2', 'failed', 'NOT_APPLIED'], ['B1', 'pending', null]]);
    expect(crm.pushes.map((p) => p.map((w) => w.accountId))).toEqual([['A1'], ['A2'], ['B1']]);
  });

  it('writes the CRM applied before the answer was lost are not sent again', async () => {
    await store.updateConnection('c1', { options: { pushBatchSize: 2 } });
    crm.loseAnswerOnPush = 1; // A1 and A2 reach the CRM, the run never learns it
    const first = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(first.run.status).toBe('failed');
    tick();
    const second = await runSync(deps(), { connectionId: 'c1' });
    expect(second.run.status).toBe('succeeded');
    // The incremental pull brought the applied values back, so only B1 was still to write.
    expect(crm.pushes.map((p) => p.map((w) => w.accountId))).toEqual([['A1', 'A2'], ['B1']]);
  });

  it('a run whose lock was taken over stops at its next heartbeat and leaves the new lock alone', async () => {
    crm.onPage = () => {
      if (crm.pagesServed !== 3) return;
      clock = new Date(clock.getTime() + 11 * 60_000); // past the 10-minute lock
      void store.acquireLock('c1', 'run-newer', clock, 60_000);
    };
    const r = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(r.run.status).toBe('failed');
    expect(r.run.error).toMatch(/lost the lock of connection c1/);
    expect(await store.acquireLock('c1', 'run-third', clock, 60_000)).toMatchObject({ acquired: false, holder: 'run-newer' });
  });

  it('tokens refreshed by the connector are stored encrypted', async () => {
    const d = deps();
    const r = await runSync({ ...d, connectorFactory: (_c, creds, onTokens) => {
      expect(creds.tokens).toEqual({ accessToken: 'tok' });
      void onTokens({ accessToken: 'tok-2', refreshToken: 'r-2' });
      return crm.connector();
    } }, { connectionId: 'c1', confirm: true });
    expect(r.run.status).toBe('succeeded');
    expect(await store.loadCredentials('c1')).toEqual({ tokens: { accessToken: 'tok-2', refreshToken: 'r-2' }, clientSecret: null });
  });

  it('failed writes are planned again on the next run', async () => {
    crm.rejectAccounts.add('B1');
    const first = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(first.run.counts).toMatchObject({ written: 2, failed: 1 });
    const failed = (await store.listWrites(first.run.id)).find((w) => w.accountId === 'B1');
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'bad-data', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
    crm.rejectAccounts.clear();
    tick();
    await runSync(deps(), { connectionId: 'c1' });
    expect(crm.pushes[1]?.map((w) => w.accountId)).toEqual(['B1']);
  });

  it('an API limit stops the run as resumable with cursors kept', async () => {
    crm.apiLimitOnPush = 1;
    const first = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(first.run.status).toBe('stopped-by-limit');
    expect(first.run.error).toMatch(/API limit/);
    expect((await store.getStreamStates('c1')).accounts?.phase).toBe('incremental');
    tick();
    // The rest of the approved plan: not held again.
    const second = await runSync(deps(), { connectionId: 'c1' });
    expect(second.run.status).toBe('succeeded');
    expect(second.run.counts.written).toBe(3);
  });

  it('the safety gate holds a plan changing over half the accounts after the first run', async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    crm.put('opportunities', wonOpp('O3', 'A1', 1000));
    crm.put('opportunities', wonOpp('O4', 'B1', 1000));
    tick();
    const dry = await runSync(deps(), { connectionId: 'c1', dryRun: true });
    expect(dry.run.status).toBe('succeeded');
    expect(dry.message).toMatch(/^dry run: 3 account\(s\) would change, nothing written; a real run would wait for approval \(it changes more accounts than the safety gate allows\)/);
    const held = await runSync(deps(), { connectionId: 'c1' });
    expect(held.run.status).toBe('awaiting-approval');
    expect(held.message).toMatch(/3 of 3 accounts \(100%, over the safety gate's 50%\)/);
    expect(crm.pushes).toHaveLength(1);
    tick();
    const confirmed = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(confirmed.run.status).toBe('succeeded');
    expect(crm.pushes[1]).toHaveLength(3);
  });

  it('a locked connection refuses a second run; a stale lock is taken over', async () => {
    await store.acquireLock('c1', 'run-other', clock, 60_000);
    await expect(runSync(deps(), { connectionId: 'c1', confirm: true })).rejects.toThrow(ConnectionBusyError);
    await expect(runSync(deps(), { connectionId: 'c1' })).rejects.toThrow(/busy: run run-other \(process \d+ on [^)]+\) holds its lock/);
    expect(crm.pushes).toHaveLength(0);
    tick(2);
    const r = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(r.run.status).toBe('succeeded');
  });

  it('marks a run whose process died as interrupted when the next run starts', async () => {
    await store.createRun({ id: 'run-dead', connectionId: 'c1', kind: 'sync', mode: 'incremental', dryRun: false, asOf: null, startedAt: clock.toISOString() });
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect((await store.getRun('run-dead'))?.status).toBe('interrupted');
  });
});

describe('rollbackRun', () => {
  it("restores the previous values of every field a run wrote", async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tick();
    crm.put('opportunities', wonOpp('O3', 'A2', 3000));
    await store.updateConnection('c1', { options: { safetyGateShare: 0.9 } });
    const changed = await runSync(deps(), { connectionId: 'c1' });
    expect(crm.account('A1').fields['kam_tier']).toBe('Key');
    tick();
    const rb = await rollbackRun(deps(), { runId: changed.run.id });
    expect(rb.run.kind).toBe('rollback');
    expect(rb.run.rollbackOf).toBe(changed.run.id);
    expect(crm.account('A1').fields).toEqual(RUN1_A1);
    expect(crm.pushes[2]?.map((w) => w.accountId)).toEqual(['A1', 'A2']);
  });

  it('refuses to roll back a dry run', async () => {
    const dry = await runSync(deps(), { connectionId: 'c1', dryRun: true });
    await expect(rollbackRun(deps(), { runId: dry.run.id })).rejects.toThrow(/dry run/);
  });
});

describe('tokens', () => {
  it('a connection with stored tokens cannot start without the key', async () => {
    const path = ':memory:';
    const bare = new SqliteStore({ path });
    await bare.createConnection({ id: 'c2', crm: 'hubspot', baseUrl: 'https://api.hubapi.com' });
    bare.db.prepare("UPDATE connections SET tokens_sealed = 'v1:abc:a:b:c' WHERE id = 'c2'").run();
    await expect(runSync({ ...deps(), store: bare }, { connectionId: 'c2', confirm: true })).rejects.toThrow(/KAMFLOW_ENCRYPTION_KEY/);
    await bare.close();
  });
});

describe('push batch size', () => {
  it("sends a plan in the connector's preferred batches (one bulk job), and a connection's pushBatchSize overrides it", async () => {
    crm.preferredPushBatch = (total) => (total > 2 ? { size: total, bulk: true } : { size: 200, bulk: false });
    const r = await runSync(deps(), { connectionId: 'c1', dryRun: true });
    // Three accounts change: past the connector's threshold of 2, so one bulk job.
    expect(r.estimatedCalls).toEqual({ bulkIngestJobs: 1 });
    const real = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(real.run.counts.written).toBe(3);
    expect(crm.pushes.map((p) => p.length)).toEqual([3]);

    await store.updateConnection('c1', { options: { pushBatchSize: 2 } });
    crm.put('opportunities', wonOpp('O4', 'A2', 100));
    crm.put('opportunities', wonOpp('O5', 'B1', 100));
    tick();
    await runSync(deps(), { connectionId: 'c1', safetyGateShare: 1 });
    expect(crm.pushes.slice(1).map((p) => p.length)).toEqual([2, 1]);
  });
});
