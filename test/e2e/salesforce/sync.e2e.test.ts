import { afterEach, describe, expect, it } from 'vitest';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import { CONNECTION_ID, expectWrittenAsAnalysed as expectAnalysed, familyIds, kamOf, sampleOrg, startWorld, writeCalls, type World } from './harness.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';
import { approvePlan } from '../../../src/sync/pipeline.ts';

/**
 * The whole product against the local Salesforce simulator, through jsforce over HTTP: provision,
 * full sync with write-back, incremental sync, deletes, rollback, and recovery from injected
 * faults. Assertions are on what the simulator holds afterwards.
 */

const SEED = sampleOrg(80);
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function provisioned(seed: Snapshot = SEED, sandbox: Parameters<typeof startWorld>[1] = {}): Promise<World> {
  world = await startWorld(seed, sandbox);
  const report = await (await world.connector()).provision();
  expect(report.fields.every((f) => f.status === 'created')).toBe(true);
  return world;
}

function sfId(w: World, seedId: string): string {
  const id = w.sb.ids.salesforce.accounts[seedId];
  if (!id) throw new Error(`no seeded account ${seedId}`);
  return id;
}

describe('Salesforce end to end: provisioning', () => {
  it('creates the KAM fields, grants them to the integration user, and does nothing the second time', async () => {
    world = await startWorld(SEED);
    const w = world;
    expect(() => w.sb.sf.query('SELECT KAM_Tier__c FROM Account LIMIT 1')).toThrow(/KAM_Tier__c/);

    const first = await (await w.connector()).provision();
    expect(first.fields).toHaveLength(13);
    expect(first.fields.filter((f) => f.status !== 'created')).toEqual([]);
    expect(first.steps.map((s) => [s.name, s.status])).toEqual([
      ['custom object KAM_Run__c', 'created'], ['permission-set', 'created'], ['override fields', 'created'], ['field-permissions', 'created'],
      ['KAM_Run__c permissions', 'created'], ['permission-set-assignment', 'created'], ['page-layout Account-Account Layout', 'created'],
    ]);
    const grants = w.sb.sf.query("SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE SobjectType = 'Account'");
    // The 13 fields Kamflow writes and the 4 override fields managers type into.
    expect(grants).toHaveLength(17);
    expect(grants.every((g) => g['PermissionsRead'] === true && g['PermissionsEdit'] === true)).toBe(true);
    expect(w.sb.sf.query(`SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${w.sb.salesforce.userId}'`)).toHaveLength(1);
    expect(w.sb.sf.query('SELECT KAM_Tier__c, KAM_Score__c FROM Account LIMIT 1')[0]).toMatchObject({ KAM_Tier__c: null, KAM_Score__c: null });

    w.sb.resetCalls();
    const second = await (await w.connector()).provision();
    expect(second.fields.filter((f) => f.status !== 'exists')).toEqual([]);
    expect(second.steps.map((s) => s.status)).toEqual(['exists', 'exists', 'exists', 'exists', 'exists', 'exists', 'exists']);
    const calls = w.sb.calls();
    expect(calls['salesforce.tooling'] ?? 0).toBe(0);
    expect(calls['salesforce.sobjectPOST'] ?? 0).toBe(0);
    expect(calls['salesforce.metadata.createMetadata'] ?? 0).toBe(0);
    expect(calls['salesforce.metadata.updateMetadata'] ?? 0).toBe(0);
    expect(w.sb.sf.query('SELECT Id FROM PermissionSet')).toHaveLength(1);
  });
});

describe('Salesforce end to end: provisioning over fields made earlier', () => {
  it('grants a field that existed but was hidden, and reports one of the wrong type at once', async () => {
    world = await startWorld(SEED);
    const w = world;
    const tooling = async (fullName: string, metadata: Record<string, unknown>): Promise<number> => {
      const res = await fetch(`${w.sb.url}/services/data/v62.0/tooling/sobjects/CustomField`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${w.sb.salesforce.accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ FullName: fullName, Metadata: metadata }),
      });
      return res.status;
    };
    // Made by someone else, with no field-level security for the integration user.
    expect(await tooling('Account.KAM_Ultimate_Parent__c', { type: 'Text', label: 'KAM Ultimate Parent', length: 255 })).toBe(201);
    expect(await tooling('Account.KAM_Score__c', { type: 'Text', label: 'KAM Score', length: 10 })).toBe(201);

    const report = await (await w.connector()).provision();
    const byName = new Map(report.fields.map((f) => [f.crmName, f]));
    expect(byName.get('KAM_Ultimate_Parent__c')).toMatchObject({ status: 'exists' });
    expect(byName.get('KAM_Score__c')).toMatchObject({ status: 'wrong-type', message: 'Account.KAM_Score__c is string, expected double; left as it is' });
    expect(report.fields.filter((f) => f.status === 'created')).toHaveLength(11);
    expect(w.sb.sf.query('SELECT KAM_Ultimate_Parent__c FROM Account LIMIT 1')).toHaveLength(1);
  });
});

describe('Salesforce end to end: sync and write-back', () => {
  it('writes the analysis to every account; an unchanged second run writes nothing', async () => {
    const w = await provisioned();
    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    expect(first.run.counts).toMatchObject({ accounts: 80, written: 80, failed: 0, rejected: 0, pullIssues: 0 });
    // The org's users include the integration user.
    expect(first.run.counts.pulled).toEqual({ users: SEED.users.length + 1, products: SEED.products.length, accounts: 80, contacts: SEED.contacts.length, opportunities: SEED.opportunities.length, lineItems: SEED.opportunities.reduce((n, o) => n + o.lineItems.length, 0), contactRoles: 0 });
    expectAnalysed(w, SEED);

    const key18 = familyIds(SEED, PLANTED.key18);
    expect(key18).toHaveLength(12);
    for (const id of key18) expect(kamOf(w.sb, id)).toMatchObject({ KAM_Tier__c: 'Key', KAM_Key_Account__c: true, KAM_Revenue_Share__c: 18 });
    expect(kamOf(w.sb, `${PLANTED.key18}-05`)['KAM_Ultimate_Parent__c']).toBe(`${sfId(w, PLANTED.key18)} Atlas Global Holdings`);
    for (const id of familyIds(SEED, PLANTED.onePercent)) expect(kamOf(w.sb, id)).toMatchObject({ KAM_Key_Account__c: false, KAM_Revenue_Share__c: 1 });
    expect(kamOf(w.sb, PLANTED.onePercent)['KAM_Tier__c']).not.toBe('Key');
    // Needs the contact active field: one active contact in the whole family.
    expect(String(kamOf(w.sb, PLANTED.singleThreaded)['KAM_Risks__c'])).toContain('single-threaded');
    expect(String(kamOf(w.sb, PLANTED.shrinking)['KAM_Risks__c'])).toContain('declining');
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Updated_At__c']).toMatch(/^2026-06-30T/);
    expect(writeCalls(w.sb.calls())).toBe(1);

    w.sb.resetCalls();
    const second = await w.sync();
    expect(second.run.status).toBe('succeeded');
    expect(second.plan?.writes).toEqual([]);
    expect(second.run.counts).toMatchObject({ written: 0, failed: 0, unchangedAccounts: 80 });
    expect(writeCalls(w.sb.calls())).toBe(0);
  });

  it('reads a deal with more line items than one child page (200) in full', async () => {
    world = await startWorld(SEED);
    const w = world;
    await (await w.connector()).provision();
    const product = Object.values(w.sb.ids.salesforce.products)[0] ?? '';
    const deal = w.sb.sf.insert('Opportunity', { AccountId: sfId(w, PLANTED.orphan), Name: 'Big framework', StageName: 'Closed Won', Amount: 250_000, CloseDate: '2026-05-15' });
    const lines = Array.from({ length: 250 }, () => w.sb.sf.insert('OpportunityLineItem', { OpportunityId: deal, Product2Id: product, Quantity: 1, UnitPrice: 1000, TotalPrice: 1000, Cost__c: 600 }));
    const run = await w.sync({ confirm: true });
    expect(run.run.status).toBe('succeeded');
    const mirrored = new Set((await loadMirror(w.store, CONNECTION_ID)).lineItems.map((l) => (l as { id: string }).id));
    expect(lines.filter((id) => !mirrored.has(id))).toEqual([]);
    expect(run.run.counts.pulled['lineItems']).toBe(SEED.opportunities.reduce((n, o) => n + o.lineItems.length, 0) + 250);
    expect(run.run.apiUsage['queryMore']).toBeGreaterThan(0);
  });

  it('after an edit in the org, an incremental run rewrites only that family, and then nothing', async () => {
    const w = await provisioned();
    expect((await w.sync({ confirm: true })).run.status).toBe('succeeded');
    const family = familyIds(SEED, PLANTED.key18).map((id) => sfId(w, id));
    const opps = w.sb.sf.query(`SELECT Id, Amount, CloseDate FROM Opportunity WHERE IsWon = true AND CloseDate >= 2024-07-01 AND CloseDate < 2025-07-01 AND AccountId IN ('${family.join("','")}') ORDER BY Id`);
    const target = opps[0];
    if (!target) throw new Error('the planted family has no prior-window deal');
    const scoreBefore = kamOf(w.sb, PLANTED.key18)['KAM_Score__c'];
    // Tripling a prior-window deal changes the family's growth only; shares stay as they are.
    w.sb.sf.update('Opportunity', String(target['Id']), { Amount: Number(target['Amount']) * 3 });

    w.sb.resetCalls();
    const second = await w.sync();
    expect(second.run.mode).toBe('incremental');
    expect(second.run.status).toBe('succeeded');
    expect(new Set(second.plan?.writes.map((x) => x.accountId))).toEqual(new Set(family));
    expect(second.run.counts.written).toBe(12);
    expect(writeCalls(w.sb.calls())).toBe(1);
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Score__c']).toBeLessThan(Number(scoreBefore));
    expect(String(kamOf(w.sb, PLANTED.key18)['KAM_Reasons__c'])).toMatch(/^✗ Growth [+-]?\d+(\.\d)?% \(needs \+10%\): fails$/m);

    // Our own writes moved SystemModstamp on those 12 accounts: they come back, and nothing more is written.
    w.sb.resetCalls();
    const third = await w.sync();
    expect(third.run.status).toBe('succeeded');
    expect(third.plan?.writes).toEqual([]);
    expect(writeCalls(w.sb.calls())).toBe(0);

    // Someone overwrites a Kamflow field by hand: the person's value stays, reported as a conflict.
    const edited = sfId(w, `${PLANTED.key18}-04`);
    w.sb.sf.update('Account', edited, { KAM_Tier__c: 'Standard' });
    const fourth = await w.sync();
    expect(fourth.plan?.writes).toEqual([]);
    expect(fourth.plan?.conflicts.map((c) => [c.accountId, c.field, c.current, c.proposed, c.resolution])).toEqual([[edited, 'kam_tier', 'Standard', 'Key', 'kept']]);
    expect(kamOf(w.sb, `${PLANTED.key18}-04`)['KAM_Tier__c']).toBe('Standard');
    // Once the admin chooses to write over it, only that field (and the stamp) is put back.
    const fifth = await w.sync({ overwriteEdits: true });
    expect(fifth.plan?.writes.map((x) => [x.accountId, Object.keys(x.fields).sort()])).toEqual([[edited, ['kam_tier', 'kam_updated_at']]]);
    // Writing over a person's value waits for the admin's approval of that plan.
    expect(fifth.run.status).toBe('awaiting-approval');
    expect(kamOf(w.sb, `${PLANTED.key18}-04`)['KAM_Tier__c']).toBe('Standard');
    const approved = await approvePlan(w.deps, { planRunId: fifth.run.id });
    expect(approved.run.counts.written).toBe(1);
    expect(kamOf(w.sb, `${PLANTED.key18}-04`)['KAM_Tier__c']).toBe('Key');
  });

  it('a contact, an opportunity and an account deleted in the org leave the mirror and the analysis', async () => {
    const w = await provisioned();
    expect((await w.sync({ confirm: true })).run.status).toBe('succeeded');
    const root = sfId(w, PLANTED.key18);
    const contacts = w.sb.sf.query(`SELECT Id FROM Contact WHERE AccountId = '${root}' ORDER BY Id`);
    const contact = String(contacts[0]?.['Id']);
    const coverageBefore = String(kamOf(w.sb, PLANTED.key18)['KAM_Contact_Coverage__c']);
    expect(coverageBefore).toBe(`${contacts.length} contacts (target 3-5)`);
    const opp = w.sb.sf.query(`SELECT Id FROM Opportunity WHERE AccountId = '${root}' AND IsWon = true AND CloseDate >= 2025-07-01 ORDER BY Id LIMIT 1`)[0];
    const oppId = String(opp?.['Id']);
    const lines = w.sb.sf.query(`SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '${oppId}'`).map((l) => String(l['Id']));
    expect(lines.length).toBeGreaterThan(0);
    w.sb.sf.delete('Contact', contact);
    w.sb.sf.delete('Opportunity', oppId);

    const run = await w.sync();
    expect(run.run.status).toBe('succeeded');
    const mirror = await loadMirror(w.store, CONNECTION_ID);
    const ids = (xs: unknown[]): string[] => xs.map((x) => (x as { id: string }).id);
    expect(ids(mirror.contacts)).not.toContain(contact);
    expect(ids(mirror.opportunities)).not.toContain(oppId);
    for (const l of lines) expect(ids(mirror.lineItems)).not.toContain(l);
    expect(mirror.contacts).toHaveLength(SEED.contacts.length - 1);
    expect(kamOf(w.sb, PLANTED.key18)['KAM_Contact_Coverage__c']).toBe(`${contacts.length - 1} contact${contacts.length - 1 === 1 ? '' : 's'} (target 3-5)`);
    // The family lost window revenue: its share fell below the planted 18%.
    expect(Number(kamOf(w.sb, PLANTED.key18)['KAM_Revenue_Share__c'])).toBeLessThan(18);

    // A deleted account takes its contacts and deals with it (Salesforce cascades), and is not written to.
    const leaf = sfId(w, `${PLANTED.onePercent}-02`);
    const leafContacts = w.sb.sf.query(`SELECT Id FROM Contact WHERE AccountId = '${leaf}'`).map((c) => String(c['Id']));
    const leafDeals = w.sb.sf.query(`SELECT Id FROM Opportunity WHERE AccountId = '${leaf}'`).map((o) => String(o['Id']));
    expect(leafDeals.length).toBeGreaterThan(0);
    w.sb.sf.delete('Account', leaf);
    const afterAccount = await w.sync();
    expect(afterAccount.run.status).toBe('succeeded');
    expect(afterAccount.run.counts.failed).toBe(0);
    expect(afterAccount.plan?.writes.map((x) => x.accountId)).not.toContain(leaf);
    const mirror2 = await loadMirror(w.store, CONNECTION_ID);
    expect(ids(mirror2.accounts)).not.toContain(leaf);
    expect(mirror2.accounts).toHaveLength(79);
    for (const c of leafContacts) expect(ids(mirror2.contacts)).not.toContain(c);
    for (const o of leafDeals) expect(ids(mirror2.opportunities)).not.toContain(o);
    expect(afterAccount.run.counts.accounts).toBe(79);
  });

  it('a full run reconciles: records gone from the org are swept from the mirror', async () => {
    const w = await provisioned();
    expect((await w.sync({ confirm: true })).run.status).toBe('succeeded');
    const contact = String(w.sb.sf.query(`SELECT Id FROM Contact WHERE AccountId = '${sfId(w, PLANTED.singleThreaded)}' ORDER BY Id LIMIT 1`)[0]?.['Id']);
    w.sb.sf.delete('Contact', contact);
    const full = await w.sync({ full: true });
    expect(full.run.status).toBe('succeeded');
    expect(full.run.mode).toBe('full');
    // A full pull reads live records only: the contact is not reported deleted but swept as unseen.
    expect(full.run.counts).toMatchObject({ deleted: 0, swept: 1 });
    const mirror = await loadMirror(w.store, CONNECTION_ID);
    expect(mirror.contacts.map((c) => (c as { id: string }).id)).not.toContain(contact);
    expect(mirror.contacts).toHaveLength(SEED.contacts.length - 1);
  });

  it('rollback puts back the values the run replaced', async () => {
    const w = await provisioned();
    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    const growthDeal = w.sb.sf.query(`SELECT Id, Amount FROM Opportunity WHERE IsWon = true AND CloseDate >= 2024-07-01 AND CloseDate < 2025-07-01 AND AccountId = '${sfId(w, PLANTED.key18)}' ORDER BY Id LIMIT 1`)[0];
    w.sb.sf.update('Opportunity', String(growthDeal?.['Id']), { Amount: Number(growthDeal?.['Amount']) * 3 });
    const afterFirst = Object.fromEntries(SEED.accounts.map((a) => [a.id, kamOf(w.sb, a.id)]));
    const second = await w.sync();
    expect(second.run.counts.written).toBe(12);
    expect(kamOf(w.sb, PLANTED.key18)).not.toEqual(afterFirst[PLANTED.key18]);

    w.sb.resetCalls();
    const rollback = await w.rollback(second.run.id);
    expect(rollback.run.status).toBe('succeeded');
    expect(rollback.run.counts.written).toBe(12);
    expect(writeCalls(w.sb.calls())).toBe(1);
    for (const a of SEED.accounts) expect(kamOf(w.sb, a.id)).toEqual(afterFirst[a.id]);

    // Rolling back the first run empties the fields it filled.
    const back = await w.rollback(first.run.id);
    expect(back.run.status).toBe('succeeded');
    expect(kamOf(w.sb, `${PLANTED.key18}-03`)).toMatchObject({ KAM_Tier__c: null, KAM_Score__c: null, KAM_Key_Account__c: false, KAM_Reasons__c: null });
  });
});
