import { sourceProfile } from '../../../connectors/registry.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { approvePlan, runSync } from '../../../src/sync/pipeline.ts';
import type { AnalyzeFn, SyncDeps } from '../../../src/sync/types.ts';
import { PlanNotApprovableError } from '../../../src/contract/errors.ts';
import { account, contact, FakeCrm, product, user, wonOpp } from './fake-crm.ts';
import { fakeAnalyze } from './fake-analyze.ts';

const KEY = Buffer.alloc(32, 3).toString('base64');
let store: SqliteStore;
let crm: FakeCrm;
let clock: Date;

function deps(analyze: AnalyzeFn = fakeAnalyze): SyncDeps {
  return { store, connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze, logger: silentLogger, now: () => clock };
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

describe('plan first', () => {
  it("a connection's first plan waits for approval, kept with names and the CRM's values; approval writes exactly it", async () => {
    const held = await runSync(deps(), { connectionId: 'c1' });
    expect(held.run.status).toBe('awaiting-approval');
    expect(held.run.error).toBeNull();
    expect(held.message).toMatch(/^awaiting approval: it is the connection's first plan that writes anything; it changes the tier, flags or numbers of 3 of 3 accounts .*\. Nothing written\. Review it with `kamflow plan run-/);
    expect(held.run.status).toBe('awaiting-approval');
    expect(crm.pushes).toHaveLength(0);
    const kept = await store.getPlan(held.run.id);
    expect(kept).toMatchObject({ connectionId: 'c1', kind: 'sync', reasons: ['first-plan', 'over-gate'], accounts: 3, estimatedCalls: { collectionsUpdate: 1 }, approvedAt: null });
    expect(kept?.writes.map((w) => [w.accountId, w.name])).toEqual([['A1', 'Account A1'], ['A2', 'Account A2'], ['B1', 'Account B1']]);
    expect(kept?.writes[0]?.changes).toContainEqual({ field: 'kam_score', from: null, to: 50 });
    // A later scheduled run plans again and still waits: nothing was approved yet.
    tick();
    const again = await runSync(deps(), { connectionId: 'c1' });
    expect(again.run.status).toBe('awaiting-approval');
    expect((await store.latestOpenPlan('c1'))?.runId).toBe(again.run.id);

    tick();
    const approved = await approvePlan(deps(), { connectionId: 'c1' });
    expect(approved.run.status).toBe('succeeded');
    expect(crm.pushes).toHaveLength(1);
    // Exactly the reviewed values, kam_updated_at as planned (not restamped).
    expect(crm.account('A1').fields).toMatchObject({ kam_score: 50, kam_updated_at: '2026-06-30T09:00:00.000Z' });
    expect(await store.getPlan(again.run.id)).toMatchObject({ approvedByRun: approved.run.id });
    await expect(approvePlan(deps(), { planRunId: again.run.id })).rejects.toThrow(PlanNotApprovableError);
    await expect(approvePlan(deps(), { planRunId: again.run.id })).rejects.toThrow(/already approved .* written by run run-/);
    // Once something was written under review, a plan within the gate is written at once.
    tick();
    crm.put('opportunities', wonOpp('O3', 'B1', 100));
    const next = await runSync(deps(), { connectionId: 'c1' });
    expect(next.run.status).toBe('succeeded');
    expect(next.run.counts.written).toBe(1);
  });

  it('approval reads the records again and refuses, naming account, field and values, when the CRM changed since the plan', async () => {
    const held = await runSync(deps(), { connectionId: 'c1' });
    tick();
    crm.editAsPerson('B1', { kam_tier: 'Gold' });
    const refused = await approvePlan(deps(), { planRunId: held.run.id });
    expect(refused.run.status).toBe('failed');
    expect(refused.run.error).toContain(`the CRM changed since plan ${held.run.id} was made`);
    expect(refused.run.error).toContain('Account B1 (B1) kam_tier: now "Gold", null when planned');
    expect(crm.pushes).toHaveLength(0);
    expect(await store.listRunIssues(refused.run.id)).toContainEqual({ stage: 'plan', object: 'accounts', recordId: 'B1', kind: 'plan-outdated', message: 'kam_tier: now "Gold", null when planned' });
    // The plan stays unapproved; a new plan takes the edit into account.
    expect((await store.getPlan(held.run.id))?.approvedAt).toBeNull();
  });

  it("a dry run keeps its plan, says a real run would wait, and can be approved as reviewed", async () => {
    const dry = await runSync(deps(), { connectionId: 'c1', dryRun: true });
    expect(dry.run.status).toBe('succeeded');
    expect(dry.message).toContain("a real run would wait for approval (it is the connection's first plan that writes anything; it changes more accounts than the safety gate allows)");
    expect(dry.message).toContain(`kamflow plan ${dry.run.id} --approve`);
    expect((await store.getPlan(dry.run.id))?.writes).toHaveLength(3);
    tick();
    const approved = await approvePlan(deps(), { planRunId: dry.run.id });
    expect(approved.run.counts.written).toBe(3);
  });

  it('the gate counts accounts whose tier, flags or numbers change; a change of wording alone never trips it', async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tick();
    const reworded: AnalyzeFn = (input) => {
      const r = fakeAnalyze(input);
      return { ...r, accounts: r.accounts.map((a) => ({ ...a, kam_reasons: `reworded: ${a.kam_reasons}`, kam_why: `${a.kam_why} (new wording)` })) };
    };
    const dry = await runSync(deps(reworded), { connectionId: 'c1', dryRun: true });
    expect(dry.plan?.writes).toHaveLength(3);
    expect((await store.getPlan(dry.run.id))?.reasons).toEqual([]);
    const wording = await runSync(deps(reworded), { connectionId: 'c1' });
    expect(wording.run.status).toBe('succeeded');
    expect(wording.run.counts.written).toBe(3);
    // A change of numbers on every account does trip it.
    tick();
    crm.put('opportunities', wonOpp('O3', 'A1', 1000));
    crm.put('opportunities', wonOpp('O4', 'B1', 1000));
    const held = await runSync(deps(reworded), { connectionId: 'c1' });
    expect(held.run.status).toBe('awaiting-approval');
    expect(held.message).toMatch(/it changes the tier, flags or numbers of 3 of 3 accounts \(100%, over the safety gate's 50%\)/);
  });

  it('a plan that writes over a value a person edited waits (kamflow-owns, --overwrite-edits); respect-edits keeps the edit and writes', async () => {
    await runSync(deps(), { connectionId: 'c1', confirm: true });
    tick();
    crm.editAsPerson('B1', { kam_why: 'hand-written' });
    crm.put('opportunities', wonOpp('O3', 'B1', 100));
    tick();
    const held = await runSync(deps(), { connectionId: 'c1', overwriteEdits: true });
    expect(held.run.status).toBe('awaiting-approval');
    expect(held.message).toContain('it writes over 1 value(s) people edited');
    expect((await store.getPlan(held.run.id))?.writes.find((w) => w.accountId === 'B1')?.changes).toContainEqual({ field: 'kam_why', from: 'hand-written', to: 'Standard: score 21' });
    expect(crm.account('B1').fields['kam_why']).toBe('hand-written');
    tick();
    const kept = await runSync(deps(), { connectionId: 'c1' });
    expect(kept.run.status).toBe('succeeded');
    expect(crm.account('B1').fields['kam_why']).toBe('hand-written');
    expect(crm.account('B1').fields['kam_score']).toBe(21);
  });
});
