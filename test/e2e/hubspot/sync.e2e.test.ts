import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../../connectors/index.ts';
import { OUTPUT_FIELDS } from '../../../src/model/output-fields.ts';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import { analysisOfMirror, CONNECTION, familyOf, kamValues, mirrorIds, startWorld, type World } from './harness.ts';

/**
 * One HubSpot portal's life, step by step, through @hubspot/api-client against the sandbox:
 * provisioning, full sync with write-back, an unchanged run, edits, deletes and a rollback.
 * Each step builds on the state the previous one left in the sandbox.
 */

let w: World;
beforeAll(async () => {
  w = await startWorld({ accounts: 80 });
});
afterAll(async () => {
  await w.close();
});

async function provision() {
  const connection = await w.store.getConnection(CONNECTION);
  if (!connection) throw new Error('connection missing');
  const connector = createConnector(connection, await w.store.loadCredentials(CONNECTION), () => Promise.resolve());
  return connector.provision();
}

/** Accounts whose Kamflow properties differ between two readings of the sandbox. */
function changedAccounts(before: Map<string, Record<string, string | null>>, after: Map<string, Record<string, string | null>>): string[] {
  return [...after.keys()].filter((id) => JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id))).sort();
}

describe('HubSpot end to end', () => {
  it('provisions the kamflow group and properties, and a second time changes nothing', async () => {
    const first = await provision();
    expect(first.steps).toEqual([{ name: 'property group kamflow', status: 'created' }]);
    expect(first.fields.map((f) => [f.crmName, f.status])).toEqual(OUTPUT_FIELDS.map((f) => [f.key, 'created']));
    const client = new Client({ accessToken: w.sb.hubspot.privateAppToken, basePath: w.sb.hubspot.baseUrl });
    const props = await client.crm.properties.coreApi.getAll('companies');
    const ours = props.results.filter((p) => p.groupName === 'kamflow');
    expect(ours.map((p) => [p.name, p.type])).toEqual([
      ['kam_tier', 'enumeration'], ['kam_key_account', 'bool'], ['kam_score', 'number'], ['kam_revenue_share', 'number'],
      ['kam_penetration', 'number'], ['kam_whitespace_value', 'number'], ['kam_next_best_offers', 'string'], ['kam_reasons', 'string'],
      ['kam_contact_coverage', 'string'], ['kam_risks', 'string'], ['kam_ultimate_parent', 'string'], ['kam_updated_at', 'datetime'],
    ]);
    expect(ours.find((p) => p.name === 'kam_tier')?.options.map((o) => o.value)).toEqual(['Key', 'Develop', 'Maintain', 'Standard']);

    w.sb.resetCalls();
    const second = await provision();
    expect(second.steps).toEqual([{ name: 'property group kamflow', status: 'exists' }]);
    expect(second.fields.every((f) => f.status === 'exists')).toBe(true);
    expect(w.writeCalls()).toBe(0);
  });

  it('a full sync writes the analysis to every company', async () => {
    w.sb.resetCalls();
    const r = await w.sync({ full: true });
    expect(r.run.status).toBe('succeeded');
    expect(r.run.counts.pulled).toEqual({ users: 5, products: w.org.products.length, accounts: 80, contacts: w.org.contacts.length, opportunities: w.org.opportunities.length, lineItems: w.org.opportunities.reduce((n, o) => n + o.lineItems.length, 0) });
    expect(r.run.counts.written).toBe(80);
    expect(r.run.counts.failed).toBe(0);
    // 80 companies fit one batch update of 100.
    expect(w.sb.calls()['hubspot.batchUpdate']).toBe(1);

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

  it('a second, unchanged run writes nothing', async () => {
    const before = kamValues(w);
    w.sb.resetCalls();
    const r = await w.sync();
    expect(r.run.status).toBe('succeeded');
    expect(r.run.mode).toBe('incremental');
    expect(r.plan?.writes).toEqual([]);
    expect(r.run.counts.written).toBe(0);
    expect(w.writeCalls()).toBe(0);
    expect(w.sb.calls()['hubspot.search']).toBeGreaterThan(0);
    expect(changedAccounts(before, kamValues(w))).toEqual([]);
  });
});
