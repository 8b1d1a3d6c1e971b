import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceProfile } from '../../../connectors/registry.ts';
import { silentLogger } from '../../../src/log.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { approvePlan, rollbackRun, runSync } from '../../../src/sync/pipeline.ts';
import type { SyncDeps } from '../../../src/sync/types.ts';
import { account, FakeCrm, product, user, wonOpp } from './fake-crm.ts';
import { fakeAnalyze } from './fake-analyze.ts';

/**
 * The write engine never strands a write and never overwrites a person: writes in flight at a
 * stop are settled against the CRM, rollbacks and syncs keep people's edits, writes the CRM
 * refuses for good are held back, texts are cut to fit. Values worked out from fake-analyze:
 * family A1+A2 has 5000 of won revenue (score 50, Standard), B1 2000 (score 20).
 */

const KEY = Buffer.alloc(32, 5).toString('base64');
let store: SqliteStore;
let crm: FakeCrm;
let clock: Date;

function deps(): SyncDeps {
  return { store, connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze: fakeAnalyze, logger: silentLogger, now: () => clock };
}
function tick(minutes = 60): void {
  clock = new Date(clock.getTime() + minutes * 60_000);
}
const NOTHING = {
  kam_tier: null, kam_key_account: null, kam_score: null, kam_revenue_share: null, kam_penetration: null, kam_whitespace_value: null, kam_reasons: null, kam_why: null,
  kam_contact_coverage: null, kam_ultimate_parent: null, kam_updated_at: null,
};

beforeEach(async () => {
  clock = new Date('2026-06-30T08:00:00.000Z');
  store = new SqliteStore({ path: ':memory:', encryptionKey: KEY, now: () => clock });
  await store.createConnection({ id: 'c1', crm: 'salesforce', baseUrl: 'https://example.my.salesforce.com', tokens: { accessToken: 'tok' }, options: { safetyGateShare: 1 } });
  crm = new FakeCrm();
  crm.put('users', user('U1'));
  crm.put('products', product('P1'));
  crm.put('accounts', account('A1'));
  crm.put('accounts', account('A2', 'A1'));
  crm.put('accounts', account('B1'));
  crm.put('opportunities', wonOpp('O1', 'A1', 5000));
  crm.put('opportunities', wonOpp('O2', 'B1', 2000));
});
afterEach(() => store.close());

describe('writes in flight when a run stops', () => {
  it('are found applied on resume: ok with their previous values, reported truthfully, and rolled back', async () => {
    await store.updateConnection('c1', { options: { safetyGateShare: 1, pushBatchSize: 2 } });
    crm.loseAnswerOnPush = 1; // A1 and A2 reach the CRM; the run never learns it
    const first = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(first.run.status).toBe('failed');
    tick();
    const second = await runSync(deps(), { connectionId: 'c1' });
    expect(second.run.status).toBe('succeeded');
    expect(crm.pushes.map((p) => p.map((w) => w.accountId))).toEqual([['A1', 'A2'], ['B1']]);
    const writes = await store.listWrites(first.run.id);
    expect(writes.map((w) => [w.accountId, w.status, w.code])).toEqual([['A1', 'ok', 'CONFIRMED_AFTER_STOP'], ['A2', 'ok', 'CONFIRMED_AFTER_STOP'], ['B1', 'pending', null]]);
    expect(writes[0]?.previous).toEqual(NOTHING);
    expect((await store.getRun(first.run.id))?.counts).toMatchObject({ written: 2, failed: 0, unconfirmed: 0 });
    expect((await store.listRunIssues(second.run.id)).filter((i) => i.kind === 'in-flight-applied').map((i) => i.recordId)).toEqual(['A1', 'A2']);
    // Rolling back the first run restores what A1 and A2 held before it: they were its writes.
    tick();
    const rb = await rollbackRun(deps(), { runId: first.run.id });
    expect(rb.run.status).toBe('succeeded');
    expect(crm.account('A1').fields).toEqual(NOTHING);
    expect(crm.account('A2').fields).toEqual(NOTHING);
    expect(crm.account('B1').fields['kam_score']).toBe(20);
  });

  it('are never sent twice after a dropped answer: the run goes on, the next one settles them', async () => {
    await store.updateConnection('c1', { options: { safetyGateShare: 1, pushBatchSize: 2 } });
    crm.dropAnswerOnPush = 1;
    const first = await runSync(deps(), { connectionId: 'c1', confirm: true });
    // The lost chunk stays in flight and the next chunk still goes out.
    expect(first.run.status).toBe('succeeded');
    expect(first.run.counts).toMatchObject({ written: 1, failed: 0, unconfirmed: 2 });
    expect(first.message).toMatch(/2 unconfirmed/);
    expect((await store.listWrites(first.run.id)).map((w) => [w.accountId, w.status])).toEqual([['A1', 'sending'], ['A2', 'sending'], ['B1', 'ok']]);
    tick();
    const second = await runSync(deps(), { connectionId: 'c1' });
    expect(second.plan?.writes).toEqual([]);
    expect(crm.pushes.map((p) => p.map((w) => w.accountId))).toEqual([['A1', 'A2'], ['B1']]);
    expect((await store.listWrites(first.run.id)).map((w) => w.status)).toEqual(['ok', 'ok', 'ok']);
    expect((await store.getRun(first.run.id))?.counts).toMatchObject({ written: 3, unconfirmed: 0 });
    expect(await store.checkIntegrity()).toEqual([]);
  });
});

describe('rollback keeps what changed after the run', () => {
  async function twoRuns(): Promise<string> {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tick();
    crm.put('opportunities', wonOpp('O3', 'A2', 3000)); // family A to 8000: Key, score 80
    const second = await runSync(deps(), { connectionId: 'c1' });
    expect(crm.account('A1').fields['kam_tier']).toBe('Key');
    tick();
    return second.run.id;
  }

  it('restores only fields that still hold what the run wrote, and reports the others as conflicts', async () => {
    const runId = await twoRuns();
    // A rep sets A1's tier after run 2, and nudges A2's score below the field's precision.
    crm.editAsPerson('A1', { kam_tier: 'Develop' });
    crm.editAsPerson('A2', { kam_score: 80.04 });
    const dry = await rollbackRun(deps(), { runId, dryRun: true });
    expect(dry.plan?.conflicts).toEqual([
      { accountId: 'A1', field: 'kam_tier', current: 'Develop', kamflowValue: 'Key', proposed: 'Standard', changedBy: null, changedAt: null, source: 'memory', resolution: 'kept' },
    ]);
    const rb = await rollbackRun(deps(), { runId });
    expect(rb.run.counts.conflicts).toBe(1);
    expect(crm.account('A1').fields).toMatchObject({ kam_tier: 'Develop', kam_score: 50, kam_key_account: false, kam_updated_at: '2026-06-30T08:00:00.000Z' });
    expect(crm.account('A2').fields).toMatchObject({ kam_tier: 'Standard', kam_score: 50 });
    expect(await store.listFieldConflicts(rb.run.id)).toEqual(dry.plan?.conflicts);
    expect((await store.listRunIssues(rb.run.id)).find((i) => i.kind === 'conflict-kept')).toMatchObject({ recordId: 'A1', message: expect.stringContaining('kam_tier: now "Develop"') });
  });

  it('with force restores them anyway, still reporting each', async () => {
    const runId = await twoRuns();
    crm.editAsPerson('A1', { kam_tier: 'Develop' });
    const rb = await rollbackRun(deps(), { runId, force: true });
    expect(rb.plan?.conflicts.map((c) => [c.accountId, c.field, c.resolution])).toEqual([['A1', 'kam_tier', 'overwritten']]);
    expect(crm.account('A1').fields['kam_tier']).toBe('Standard');
  });
});

describe('syncs keep what a person typed into a Kamflow field', () => {
  async function editedThenChanged(): Promise<void> {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tick();
    crm.editAsPerson('A1', { kam_tier: 'Maintain', kam_reasons: 'our biggest prospect' });
    crm.put('opportunities', wonOpp('O3', 'A2', 3000)); // the analysis now wants Key for family A
    tick();
  }

  it('by default keeps the edit, writes the other fields, and reports a conflict', async () => {
    await editedThenChanged();
    const r = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(r.run.status).toBe('succeeded');
    expect(crm.account('A1').fields).toMatchObject({ kam_tier: 'Maintain', kam_reasons: 'our biggest prospect', kam_score: 80, kam_key_account: true });
    expect(crm.account('A2').fields).toMatchObject({ kam_tier: 'Key', kam_reasons: 'family revenue 8000' });
    expect(r.plan?.conflicts.map((c) => [c.accountId, c.field, c.current, c.kamflowValue, c.proposed, c.resolution])).toEqual([
      ['A1', 'kam_tier', 'Maintain', 'Standard', 'Key', 'kept'],
      ['A1', 'kam_reasons', 'our biggest prospect', 'family revenue 5000', 'family revenue 8000', 'kept'],
    ]);
    expect(r.run.counts.conflicts).toBe(2);
    // The next run keeps them too, and sends nothing for them.
    tick();
    const again = await runSync(deps(), { connectionId: 'c1' });
    expect(again.plan?.writes).toEqual([]);
    expect(again.plan?.conflicts).toHaveLength(2);
    expect(crm.account('A1').fields['kam_tier']).toBe('Maintain');
  });

  it('writes again once the admin chooses: for one run, or per field with kamflow-owns', async () => {
    await editedThenChanged();
    await store.updateConnection('c1', { options: { safetyGateShare: 1, fieldPolicy: { kam_reasons: 'kamflow-owns' } } });
    const r = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(crm.account('A1').fields).toMatchObject({ kam_tier: 'Maintain', kam_reasons: 'family revenue 8000' });
    expect(r.plan?.conflicts.map((c) => [c.field, c.resolution])).toEqual([['kam_tier', 'kept'], ['kam_reasons', 'overwritten']]);
    tick();
    const chosen = await runSync(deps(), { connectionId: 'c1', overwriteEdits: true });
    expect(chosen.plan?.conflicts.map((c) => [c.field, c.resolution])).toEqual([['kam_tier', 'overwritten']]);
    // Writing over a person's value waits for the admin to see it in the plan and approve it.
    expect(chosen.run.status).toBe('awaiting-approval');
    expect(crm.account('A1').fields['kam_tier']).toBe('Maintain');
    tick();
    await approvePlan(deps(), { planRunId: chosen.run.id });
    expect(crm.account('A1').fields['kam_tier']).toBe('Key');
    // Written by Kamflow again: no longer a conflict.
    tick();
    expect((await runSync(deps(), { connectionId: 'c1' })).plan?.conflicts).toEqual([]);
  });
});

describe('writes the CRM refuses for good', () => {
  it('are quarantined with the CRM message, held back, and tried again when the record, the config or the backoff says so', async () => {
    crm.rejectAccounts.add('B1');
    const first = await runSync(deps(), { connectionId: 'c1', confirm: true });
    expect(first.run.counts).toMatchObject({ written: 2, failed: 1 });
    tick(30);
    const held = await runSync(deps(), { connectionId: 'c1' });
    expect(crm.pushes).toHaveLength(1);
    expect(await store.listQuarantine('c1')).toMatchObject([{ accountId: 'B1', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'rejected (injected)', attempts: 1, retryAfter: '2026-06-30T09:00:00.000Z' }]);
    expect(held.run.counts.quarantined).toBe(1);
    expect(held.plan?.held).toEqual([{ accountId: 'B1', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'rejected (injected)', since: '2026-06-30T08:00:00.000Z', retryAfter: '2026-06-30T09:00:00.000Z', attempts: 1 }]);
    expect((await store.listRunIssues(held.run.id)).find((i) => i.kind === 'quarantined')?.message).toMatch(/refused this account's write 1 time\(s\).*FIELD_CUSTOM_VALIDATION_EXCEPTION: rejected \(injected\)/);

    // Someone edits the record in the CRM (its stamp moves): tried again, refused again.
    crm.put('accounts', { ...crm.account('B1'), name: 'B1 fixed' });
    tick(1);
    await runSync(deps(), { connectionId: 'c1' });
    expect(crm.pushes.map((p) => p.map((w) => w.accountId))).toEqual([['A1', 'A2', 'B1'], ['B1']]);
    expect((await store.listQuarantine('c1'))[0]).toMatchObject({ attempts: 2, retryAfter: '2026-06-30T12:31:00.000Z' });
    tick(1);
    await runSync(deps(), { connectionId: 'c1' });
    expect(crm.pushes).toHaveLength(2);

    // The configuration changes: tried again, and this time the CRM takes it.
    crm.rejectAccounts.clear();
    await store.updateConnection('c1', { options: { safetyGateShare: 1, pushBatchSize: 100 } });
    tick(1);
    const retried = await runSync(deps(), { connectionId: 'c1' });
    expect(crm.pushes[2]?.map((w) => w.accountId)).toEqual(['B1']);
    expect(retried.run.counts).toMatchObject({ written: 1, quarantined: 0 });
    expect(await store.listQuarantine('c1')).toEqual([]);
  });

  it('are tried again once the backoff runs out', async () => {
    crm.rejectAccounts.add('B1');
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tick(61);
    await runSync(deps(), { connectionId: 'c1' });
    expect(crm.pushes.map((p) => p.map((w) => w.accountId))).toEqual([['A1', 'A2', 'B1'], ['B1']]);
  });
});

describe('texts longer than their field', () => {
  it('are cut at a word boundary with a marker, and recorded as a data issue', async () => {
    const long = `Holding ${'very '.repeat(60)}long name`;
    crm.put('accounts', { ...account('A1'), name: long });
    const r = await runSync(deps(), { connectionId: 'c1', confirm: true });
    const parent = crm.account('A1').fields['kam_ultimate_parent'];
    expect(typeof parent).toBe('string');
    expect((parent as string).length).toBeLessThanOrEqual(255);
    expect(parent).toMatch(/^A1 Holding (very )+very…$/);
    expect(r.run.counts.truncated).toBe(2);
    const issues = (await store.listRunIssues(r.run.id)).filter((i) => i.kind === 'truncated');
    expect(issues.map((i) => i.recordId)).toEqual(['A1', 'A2']);
    expect(issues[0]?.message).toBe(`kam_ultimate_parent: ${`A1 ${long}`.length} characters cut to the field's 255 at a word boundary, ending in "…"`);
    // The cut value is what the CRM holds: the next run plans nothing for it.
    tick();
    expect((await runSync(deps(), { connectionId: 'c1' })).plan?.writes).toEqual([]);
  });
});
