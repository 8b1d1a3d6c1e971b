import { afterEach, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { CONNECTION_ID, sampleOrg, startWorld, type World } from './harness.ts';

/**
 * What the Kamflow card needs in the org, against the simulator through the real clients: the
 * KAM fields on the Account page layout (Metadata API), and the run status in KAM_Run__c.
 */

const SEED = sampleOrg(40);
let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

const LAYOUT = 'Account-Account Layout';
const parser = new XMLParser({ isArray: (name) => ['layoutSections', 'layoutColumns', 'layoutItems', 'relatedLists', 'fields'].includes(name) });

interface Section { label: string; style: string; layoutColumns?: ({ layoutItems?: { field: string; behavior: string }[] } | string)[] }

function sections(w: World): Section[] {
  const xml = w.sb.sf.layout(LAYOUT);
  if (xml === undefined) throw new Error('no layout');
  const parsed = parser.parse(`<Layout>${xml}</Layout>`) as { Layout: { layoutSections: Section[] } };
  return parsed.Layout.layoutSections;
}

function fieldsOf(section: Section | undefined): string[] {
  return (section?.layoutColumns ?? []).flatMap((c) => (typeof c === 'string' ? [] : (c.layoutItems ?? []).map((i) => i.field)));
}

describe('Salesforce end to end: the KAM fields on the Account page layout', () => {
  it('adds a Kamflow section with every field, keeps what the admin put there, and leaves a complete layout alone', async () => {
    world = await startWorld(SEED);
    const w = world;
    const before = w.sb.sf.layout(LAYOUT) ?? '';
    const report = await (await w.connector()).provision();
    expect(report.steps.find((s) => s.name === `page-layout ${LAYOUT}`)).toMatchObject({ status: 'created' });

    const after = sections(w);
    expect(after.map((s) => s.label)).toEqual(['Account Information', 'Key Accounts (Sales Ops)', 'Kamflow', 'Custom Links']);
    const kamflow = after.find((s) => s.label === 'Kamflow');
    expect(kamflow?.style).toBe('TwoColumnsTopToBottom');
    expect(fieldsOf(kamflow)).toEqual([
      'KAM_Tier__c', 'KAM_Key_Account__c', 'KAM_Score__c', 'KAM_Revenue_Share__c', 'KAM_Penetration__c', 'KAM_Whitespace_Value__c', 'KAM_Next_Best_Offers__c',
      'KAM_Reasons__c', 'KAM_Why__c', 'KAM_Contact_Coverage__c', 'KAM_Risks__c', 'KAM_Ultimate_Parent__c', 'KAM_Updated_At__c',
      'KAM_Override_Tier__c', 'KAM_Override_Reason__c', 'KAM_Override_Until__c', 'KAM_Override_By__c',
    ]);
    // Nine in the left column, eight in the right; Kamflow's own read-only, the override fields editable.
    expect((kamflow?.layoutColumns ?? []).map((c) => (typeof c === 'string' ? 0 : (c.layoutItems ?? []).length))).toEqual([9, 8]);
    const items = (kamflow?.layoutColumns ?? []).flatMap((c) => (typeof c === 'string' ? [] : c.layoutItems ?? []));
    expect(items.filter((i) => i.behavior === 'Edit').map((i) => i.field)).toEqual(['KAM_Override_Tier__c', 'KAM_Override_Reason__c', 'KAM_Override_Until__c', 'KAM_Override_By__c']);
    // The admin's sections, items, related lists and settings are all still there, unchanged.
    expect(fieldsOf(after[0])).toEqual(['OwnerId', 'Name', 'ParentId', 'Industry', 'NumberOfEmployees', 'AnnualRevenue']);
    expect(fieldsOf(after[1])).toEqual(['Key_Account__c', 'BillingCountry']);
    const now = w.sb.sf.layout(LAYOUT) ?? '';
    expect(now.replace(/<layoutSections><customLabel>true<\/customLabel><detailHeading>true<\/detailHeading><editHeading>true<\/editHeading><label>Kamflow<\/label>.*?<\/layoutSections>/, '')).toBe(before);

    w.sb.resetCalls();
    const again = await (await w.connector()).provision();
    expect(again.steps.find((s) => s.name === `page-layout ${LAYOUT}`)).toMatchObject({ status: 'exists' });
    expect(w.sb.calls()['salesforce.metadata.updateMetadata'] ?? 0).toBe(0);
    expect(w.sb.sf.layout(LAYOUT)).toBe(now);
  });

  it('leaves a field where the admin moved it and adds only what is missing to the Kamflow section', async () => {
    world = await startWorld(SEED);
    const w = world;
    await (await w.connector()).provision();
    // The admin moves the tier into their own section and takes the risks off the layout.
    const edited = (w.sb.sf.layout(LAYOUT) ?? '')
      .replace('<layoutItems><behavior>Readonly</behavior><field>KAM_Tier__c</field></layoutItems>', '')
      .replace('<layoutItems><behavior>Readonly</behavior><field>KAM_Risks__c</field></layoutItems>', '')
      .replace('<field>Key_Account__c</field></layoutItems>', '<field>Key_Account__c</field></layoutItems><layoutItems><behavior>Readonly</behavior><field>KAM_Tier__c</field></layoutItems>');
    w.sb.sf.setLayout(LAYOUT, edited);

    const report = await (await w.connector()).provision();
    expect(report.steps.find((s) => s.name === `page-layout ${LAYOUT}`)).toEqual({ name: `page-layout ${LAYOUT}`, status: 'created', message: 'added to the Kamflow section: KAM_Risks__c' });
    const after = sections(w);
    expect(fieldsOf(after[1])).toEqual(['Key_Account__c', 'KAM_Tier__c', 'BillingCountry']);
    const kamflow = fieldsOf(after.find((s) => s.label === 'Kamflow'));
    expect(kamflow.filter((f) => f === 'KAM_Risks__c')).toHaveLength(1);
    expect(kamflow).not.toContain('KAM_Tier__c');
  });

  it('reports a layout the org does not have, and places nothing when told to place nothing', async () => {
    world = await startWorld(SEED, {}, { pageLayouts: ['Account-Key Account Layout'] });
    const report = await (await world.connector()).provision();
    expect(report.steps.find((s) => s.name.startsWith('page-layout'))).toMatchObject({ name: 'page-layout Account-Key Account Layout', status: 'skipped' });
    await world.close();
    world = await startWorld(SEED, {}, { pageLayouts: [] });
    const none = await (await world.connector()).provision();
    expect(none.steps.find((s) => s.name.startsWith('page-layout'))).toMatchObject({ status: 'skipped' });
    expect(fieldsOf(sections(world).find((s) => s.label === 'Kamflow'))).toEqual([]);
  });
});

describe('Salesforce end to end: the run status for the card', () => {
  it('creates KAM_Run__c at provisioning and upserts one record per finished run, none for a dry run', async () => {
    world = await startWorld(SEED);
    const w = world;
    await (await w.connector()).provision();
    expect(w.sb.sf.query('SELECT Id FROM KAM_Run__c')).toEqual([]);

    const dry = await w.sync({ dryRun: true });
    expect(dry.runStatus).toMatchObject({ connectionKey: CONNECTION_ID, nextRunDueBy: null });
    expect(w.sb.sf.query('SELECT Id FROM KAM_Run__c')).toEqual([]);

    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    const rows = w.sb.sf.query('SELECT Name, Connection_Key__c, Last_Run_Finished_At__c, Next_Run_Due_By__c FROM KAM_Run__c');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ Name: 'Kamflow', Connection_Key__c: CONNECTION_ID, Next_Run_Due_By__c: null });
    expect(Date.parse(String(rows[0]?.['Last_Run_Finished_At__c']))).toBe(Date.parse(first.runStatus?.lastRunFinishedAt ?? ''));

    // A scheduled connection: due by the next tick after the run (06:00 in Berlin is 04:00 UTC in
    // summer) plus an hour, this run having taken a few simulated minutes.
    await w.store.updateConnection(CONNECTION_ID, { schedule: '0 6 * * *', timezone: 'Europe/Berlin' });
    const second = await w.sync({ confirm: true });
    expect(second.runStatus?.nextRunDueBy).toBe('2026-07-01T05:00:00.000Z');
    const after = w.sb.sf.query('SELECT Connection_Key__c, Last_Run_Finished_At__c, Next_Run_Due_By__c FROM KAM_Run__c');
    expect(after).toHaveLength(1);
    expect(Date.parse(String(after[0]?.['Next_Run_Due_By__c']))).toBe(Date.parse('2026-07-01T05:00:00.000Z'));
    expect(Date.parse(String(after[0]?.['Last_Run_Finished_At__c']))).toBeGreaterThan(Date.parse(String(rows[0]?.['Last_Run_Finished_At__c'])));
  });

  it('finishes the run with a run issue when the run status cannot be written (the card then reads the values as stale)', async () => {
    world = await startWorld(SEED);
    const w = world;
    await (await w.connector()).provision();
    // An admin takes Kamflow's access to KAM_Run__c away.
    for (const row of w.sb.sf.query("SELECT Id FROM ObjectPermissions WHERE SobjectType = 'KAM_Run__c'")) w.sb.sf.delete('ObjectPermissions', String(row['Id']));
    const result = await w.sync({ confirm: true });
    expect(result.run.status).toBe('succeeded');
    expect(result.run.counts.written).toBeGreaterThan(0);
    const issues = await w.store.listRunIssues(result.run.id);
    expect(issues.filter((i) => i.kind === 'run-status')).toEqual([
      expect.objectContaining({ stage: 'push', recordId: CONNECTION_ID }),
    ]);
  });
});

describe('Salesforce end to end: a manager\'s tier override', () => {
  it('is honoured until its end date, shown in the reasons, never written over, and lapses by itself', async () => {
    world = await startWorld(SEED);
    const w = world;
    await (await w.connector()).provision();
    const first = await w.sync({ confirm: true });
    expect(first.run.status).toBe('succeeded');
    // A family the criteria do not make Key: its root gets an override to Key.
    const roots = w.sb.sf.query("SELECT Id, KAM_Tier__c FROM Account WHERE ParentId = null AND KAM_Tier__c = 'Standard' LIMIT 1");
    const rootId = String(roots[0]?.['Id']);
    // The manager edits a minute later (an edit within the second of Kamflow's own last write is
    // left to the periodic full reconcile).
    w.sb.clock.advance(60_000);
    w.sb.sf.update('Account', rootId, { KAM_Override_Tier__c: 'Key', KAM_Override_Until__c: '2026-12-31', KAM_Override_By__c: 'Dana Lee', KAM_Override_Reason__c: 'strategic partner' });

    const second = await w.sync({ confirm: true });
    expect(second.run.status).toBe('succeeded');
    const after = w.sb.sf.record('Account', rootId) ?? {};
    expect(after).toMatchObject({ KAM_Tier__c: 'Key', KAM_Key_Account__c: true, KAM_Why__c: 'Key: overridden by Dana Lee until 2026-12-31: strategic partner' });
    expect(String(after['KAM_Reasons__c']).split('\n')[1]).toBe('⚑ Overridden by Dana Lee until 2026-12-31: strategic partner');
    // What the manager typed is still there, and no planned write touched it.
    expect(after).toMatchObject({ KAM_Override_Tier__c: 'Key', KAM_Override_Until__c: '2026-12-31', KAM_Override_By__c: 'Dana Lee', KAM_Override_Reason__c: 'strategic partner' });
    expect(second.plan?.writes.flatMap((wr) => Object.keys(wr.fields)).some((k) => k.startsWith('kam_override'))).toBe(false);

    // The day after its end date the override lapses: the criteria's tier comes back.
    const lapsed = await w.sync({ asOf: '2027-01-01', confirm: true });
    expect(lapsed.run.status).toBe('succeeded');
    const later = w.sb.sf.record('Account', rootId) ?? {};
    expect(later['KAM_Tier__c']).not.toBe('Key');
    expect(String(later['KAM_Reasons__c'])).not.toContain('⚑');
    expect(later['KAM_Override_Tier__c']).toBe('Key');
  });
});
