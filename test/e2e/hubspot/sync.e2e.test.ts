import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_FIELDS } from '../../../src/model/output-fields.ts';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import type { AccountInsight } from '../../../src/model/insights.ts';
import { analysisOfMirror, AS_OF, familyOf, kamValues, mirrorIds, startWorld, type World } from './harness.ts';

/**
 * One HubSpot portal's life, step by step, through @hubspot/api-client against the sandbox:
 * provisioning, full sync with write-back, an unchanged run, edits, deletes and a rollback.
 * Each step builds on the state the previous one left in the sandbox.
 */

let w: World;
beforeAll(async () => {
  // No search look-back: the sandbox's search is consistent at once, and an incremental pull then
  // reads exactly what changed since the last one (the reconcile step relies on it).
  w = await startWorld({ accounts: 80, options: { searchLookbackMs: 0 } });
});
afterAll(async () => {
  await w.close();
});


/** An account's analysis values as HubSpot shows them: strings, numbers in plain notation, empty as null. */
function writeValues(a: AccountInsight): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of OUTPUT_FIELDS) {
    const v = a[f.key];
    out[f.key] = v === null || v === undefined || v === '' ? null : String(v);
  }
  return out;
}

/** Accounts whose Kamflow properties differ between two readings of the sandbox. */
function changedAccounts(before: Map<string, Record<string, string | null>>, after: Map<string, Record<string, string | null>>): string[] {
  return [...after.keys()].filter((id) => JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id))).sort();
}

describe('HubSpot end to end', () => {
  it('provisions the kamflow group and properties, and a second time changes nothing', async () => {
    const first = await w.provision();
    expect(first.steps.map((st) => [st.name, st.status])).toEqual([['property group kamflow', 'created'], ['override properties', 'created']]);
    expect(first.fields.map((f) => [f.crmName, f.status])).toEqual(OUTPUT_FIELDS.map((f) => [f.key, 'created']));
    const client = new Client({ accessToken: w.sb.hubspot.privateAppToken, basePath: w.sb.hubspot.baseUrl });
    const props = await client.crm.properties.coreApi.getAll('companies');
    const ours = props.results.filter((p) => p.groupName === 'kamflow' && !p.name.startsWith('kam_override_'));
    expect(ours.map((p) => [p.name, p.type])).toEqual([
      ['kam_tier', 'enumeration'], ['kam_key_account', 'bool'], ['kam_score', 'number'], ['kam_revenue_share', 'number'],
      ['kam_penetration', 'number'], ['kam_whitespace_value', 'number'], ['kam_next_best_offers', 'string'], ['kam_reasons', 'string'],
      ['kam_why', 'string'], ['kam_contact_coverage', 'string'], ['kam_risks', 'string'], ['kam_ultimate_parent', 'string'], ['kam_updated_at', 'datetime'],
    ]);
    expect(ours.find((p) => p.name === 'kam_tier')?.options.map((o) => o.value)).toEqual(['Key', 'Develop', 'Maintain', 'Standard']);
    // Shown, and in a rep's reading order within the group: tier, why, score first.
    expect(ours.every((p) => p.hidden === false)).toBe(true);
    expect(['kam_tier', 'kam_why', 'kam_score'].map((n) => ours.find((p) => p.name === n)?.displayOrder)).toEqual([0, 1, 2]);

    w.sb.resetCalls();
    const second = await w.provision();
    expect(second.steps).toEqual([{ name: 'property group kamflow', status: 'exists' }, { name: 'override properties', status: 'exists' }]);
    expect(second.fields.every((f) => f.status === 'exists')).toBe(true);
    expect(w.writeCalls()).toBe(0);
  });

  it('a full sync writes the analysis to every company', async () => {
    w.sb.resetCalls();
    const r = await w.sync({ full: true, confirm: true });
    expect([r.run.status, r.run.error]).toEqual(['succeeded', null]);
    expect(r.run.counts.pulled).toEqual({ users: 5, products: w.org.products.length, accounts: 80, contacts: w.org.contacts.length, opportunities: w.org.opportunities.length, lineItems: w.org.opportunities.reduce((n, o) => n + o.lineItems.length, 0), contactRoles: 0 });
    expect(r.run.counts.written).toBe(80);
    expect(r.run.counts.failed).toBe(0);
    // 80 companies fit one batch update of 100.
    expect(w.sb.calls()['hubspot.batchUpdate']).toBe(1);
    // The portal's currency and exchange rates came from the Settings API (no currency option is set).
    expect(w.sb.calls()['hubspot.currencies']).toBe(2);
    expect(r.run.apiUsage['currencies']).toBe(2);

    const analysis = await analysisOfMirror(w);
    const held = kamValues(w);
    expect(held.size).toBe(80);
    for (const [id, values] of held) {
      const a = analysis.get(id);
      expect(a, `analysis of ${id}`).toBeDefined();
      if (!a) continue;
      expect([id, values['kam_tier'], values['kam_key_account'], Number(values['kam_score']), Number(values['kam_revenue_share'])])
        .toEqual([id, a.kam_tier, String(a.kam_key_account), a.kam_score, a.kam_revenue_share]);
      expect(values['kam_ultimate_parent']).toBe(a.kam_ultimate_parent);
      expect(values['kam_updated_at']).not.toBeNull();
    }
    // The planted 18% customer is Key on every entity of its 12-entity family; the 1% one is not.
    const key18 = familyOf(w.org, PLANTED.key18);
    expect(key18).toHaveLength(12);
    for (const id of key18) {
      expect(w.company(id)['kam_tier']).toBe('Key');
      expect(w.company(id)['kam_key_account']).toBe('true');
      expect(w.company(id)['kam_revenue_share']).toBe('18');
    }
    const onePct = familyOf(w.org, PLANTED.onePercent);
    expect(onePct).toHaveLength(3);
    for (const id of onePct) {
      expect(w.company(id)['kam_tier']).not.toBe('Key');
      expect(w.company(id)['kam_key_account']).toBe('false');
      expect(w.company(id)['kam_revenue_share']).toBe('1');
    }
  });

  it('what HubSpot holds is the analysis of the seeded org itself: nothing lost or bent on the way', async () => {
    // The org as generated, analysed directly: the reference for every account's values.
    const reference = analyzeWithStoredConfig({ snapshot: w.org, config: null, asOf: AS_OF, rejected: [] });
    // Texts name owners and ultimate parents by CRM id: map HubSpot's ids back to the seed's.
    const seedIdOf = new Map<string, string>();
    for (const kind of ['users', 'accounts'] as const) for (const [seed, hs] of Object.entries(w.sb.ids.hubspot[kind])) seedIdOf.set(hs, seed);
    const toSeedIds = (v: string | null): string | null => v?.replace(/\b1\d{3}\b/g, (id) => seedIdOf.get(id) ?? id) ?? null;
    const held = kamValues(w);
    expect(reference.accounts).toHaveLength(80);
    for (const a of reference.accounts) {
      const h = held.get(w.hsId(a.id)) ?? {};
      const { kam_updated_at: _at, ...values } = writeValues(a);
      const got = Object.fromEntries(Object.keys(values).map((k) => [k, toSeedIds(h[k] ?? null)]));
      expect([a.id, got]).toEqual([a.id, values]);
    }
  });

  it('a second, unchanged run writes nothing', async () => {
    const before = kamValues(w);
    w.sb.resetCalls();
    const r = await w.sync({ confirm: true });
    expect([r.run.status, r.run.error]).toEqual(['succeeded', null]);
    expect(r.run.mode).toBe('incremental');
    expect(r.plan?.writes).toEqual([]);
    expect(r.run.counts.written).toBe(0);
    expect(w.writeCalls()).toBe(0);
    expect(w.sb.calls()['hubspot.search']).toBeGreaterThan(0);
    expect(changedAccounts(before, kamValues(w))).toEqual([]);
  });

  let editRun = '';
  let beforeEdit = new Map<string, Record<string, string | null>>();
  const edited = 'ACC-000034';

  it('an edited deal rewrites only its family, and our own writes cause no further writes', async () => {
    const family = familyOf(w.org, edited).map(w.hsId).sort();
    expect(family).toHaveLength(5);
    const deal = w.sb.ids.hubspot.opportunities['OPP-0000004'] as string;
    expect(w.sb.hs.object('deals', deal)?.properties['hubspot_owner_id']).toBe('1004');
    beforeEdit = kamValues(w);
    w.sb.hs.update('deals', deal, { hubspot_owner_id: '1001' });

    w.sb.resetCalls();
    const r = await w.sync({ confirm: true });
    expect([r.run.status, r.run.error]).toEqual(['succeeded', null]);
    expect(r.run.counts.written).toBe(5);
    expect(r.plan?.writes.map((x) => x.accountId).sort()).toEqual(family);
    expect(w.sb.calls()['hubspot.batchUpdate']).toBe(1);
    const after = kamValues(w);
    expect(changedAccounts(beforeEdit, after)).toEqual(family);
    // One owner no longer closes every deal of the family: the owner-dependence risk is gone.
    const declining = 'declining: revenue -29.1% against the prior 12 months';
    expect(beforeEdit.get(w.hsId(edited))?.['kam_risks']).toBe(`${declining}\nowner-dependence: all 6 opportunities closed in the window owned by 1004 Ada Costa`);
    for (const id of family) expect(after.get(id)?.['kam_risks']).toBe(declining);
    editRun = r.run.id;

    // Our writes moved hs_lastmodifieddate of the five companies: the search finds them again, each
    // holding exactly what the mirror holds after the write, so none is taken as a change.
    w.sb.resetCalls();
    const again = await w.sync();
    expect([again.run.status, again.run.error]).toEqual(['succeeded', null]);
    expect(again.run.counts.pulled.accounts ?? 0).toBe(0);
    expect(again.run.counts.written).toBe(0);
    expect(w.writeCalls()).toBe(0);
  });

  it('rollback puts back the values the edit run replaced, in the sandbox', async () => {
    w.sb.resetCalls();
    const r = await w.rollback(editRun);
    expect([r.run.status, r.run.error]).toEqual(['succeeded', null]);
    expect(r.run.kind).toBe('rollback');
    expect(r.run.counts.written).toBe(5);
    const now = kamValues(w);
    expect(changedAccounts(beforeEdit, now)).toEqual([]);
    expect(now.get(w.hsId(edited))?.['kam_risks']).toMatch(/owner-dependence/);
    expect(now.get(w.hsId(edited))?.['kam_updated_at']).toBe(beforeEdit.get(w.hsId(edited))?.['kam_updated_at']);

    // The next sync sees the deal as it is and writes the family again.
    const next = await w.sync({ confirm: true });
    expect(next.run.counts.written).toBe(5);
    expect(kamValues(w).get(w.hsId(edited))?.['kam_risks']).toBe('declining: revenue -29.1% against the prior 12 months');
  });

  it('a deleted deal and a deleted contact leave the mirror and the analysis', async () => {
    const family = familyOf(w.org, edited);
    const dealSeed = 'OPP-0000004';
    const deal = w.sb.ids.hubspot.opportunities[dealSeed] as string;
    const contactSeed = w.org.contacts.find((c) => c.accountId === edited)?.id as string;
    const contact = w.sb.ids.hubspot.contacts[contactSeed] as string;
    expect(await mirrorIds(w, 'opportunities')).toContain(deal);
    expect(await mirrorIds(w, 'contacts')).toContain(contact);
    const contactsBefore = (await analysisOfMirror(w)).get(w.hsId(edited))?.kam_contact_coverage;
    const revenueBefore = Number(w.company(edited)['kam_revenue_share']);

    w.sb.hs.archive('deals', deal);
    w.sb.hs.archive('contacts', contact);
    // A won deal less moves every family's revenue share: the safety gate holds the run first.
    w.sb.resetCalls();
    const held = await w.sync();
    expect([held.run.status, held.run.error]).toEqual(['awaiting-approval', null]);
    expect(w.writeCalls()).toBe(0);
    const r = await w.sync({ confirm: true });
    expect([r.run.status, r.run.error]).toEqual(['succeeded', null]);
    expect(held.run.counts.deleted).toBeGreaterThanOrEqual(2);
    expect(await mirrorIds(w, 'opportunities')).not.toContain(deal);
    expect(await mirrorIds(w, 'contacts')).not.toContain(contact);

    const analysis = await analysisOfMirror(w);
    const root = analysis.get(w.hsId(edited));
    expect(root?.kam_contact_coverage).not.toBe(contactsBefore);
    // 189,816.72 of the family's window revenue is gone: its share drops.
    expect(Number(w.company(edited)['kam_revenue_share'])).toBeLessThan(revenueBefore);
    for (const id of family) {
      expect(w.company(id)['kam_revenue_share']).toBe(String(analysis.get(w.hsId(id))?.kam_revenue_share));
      expect(w.company(id)['kam_tier']).toBe(analysis.get(w.hsId(id))?.kam_tier);
    }
    w.sb.resetCalls();
    const again = await w.sync();
    expect(again.run.counts.written).toBe(0);
    expect(w.writeCalls()).toBe(0);
  });

  it('a company moved under another parent is seen by the daily full reconcile, not before', async () => {
    // Moving a company changes an association only: HubSpot moves no modified date.
    const moved = 'ACC-000010';
    expect(w.org.accounts.find((a) => a.id === moved)?.parentId).toBeNull();
    const ownParent = w.company(moved)['kam_ultimate_parent'];
    w.sb.hs.associate('parent-child', w.hsId(PLANTED.key18), w.hsId(moved));

    const incremental = await w.sync({ confirm: true });
    expect([incremental.run.status, incremental.run.mode, incremental.run.counts.written]).toEqual(['succeeded', 'incremental', 0]);
    expect(w.company(moved)['kam_ultimate_parent']).toBe(ownParent);

    // A day after the last full sync, the next run pulls everything again and finds the new parent.
    w.setNow(new Date(Date.now() + 25 * 3_600_000));
    try {
      const r = await w.sync();
      expect([r.run.status, r.run.error, r.run.mode]).toEqual(['succeeded', null, 'full']);
      expect(w.company(moved)['kam_ultimate_parent']).toBe(w.company(PLANTED.key18)['kam_ultimate_parent']);
      expect(w.company(moved)['kam_tier']).toBe('Key');
      // Only the grown family changed: its twelve entities and the moved company.
      expect(r.run.counts.written).toBe(13);
    } finally {
      w.setNow(null);
    }
  });
});
