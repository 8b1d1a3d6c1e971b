import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { smallSnapshot } from './fixture.ts';

let sb: Sandbox | undefined;

afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('seeding both CRMs from one snapshot', () => {
  it('loads current Kamflow field values when the org is already provisioned', async () => {
    const seed = smallSnapshot();
    const a1 = seed.accounts[0];
    if (!a1) throw new Error('fixture changed');
    a1.fields = { kam_tier: 'Key', kam_key_account: true, kam_score: 81.25, kam_updated_at: '2026-05-01T10:00:00Z' };
    sb = await startSandbox({ seed, provisioned: true });
    const [row] = sb.sf.query(`SELECT KAM_Tier__c, KAM_Key_Account__c, KAM_Score__c, KAM_Updated_At__c, KAM_Risks__c FROM Account WHERE Id = '${sb.ids.salesforce.accounts['a1']}'`);
    expect(row).toMatchObject({ KAM_Tier__c: 'Key', KAM_Key_Account__c: true, KAM_Score__c: 81.3, KAM_Updated_At__c: '2026-05-01T10:00:00.000+0000', KAM_Risks__c: null });
    const [other] = sb.sf.query(`SELECT KAM_Key_Account__c FROM Account WHERE Id = '${sb.ids.salesforce.accounts['a4']}'`);
    expect(other?.['KAM_Key_Account__c']).toBe(false);
    const hs = sb.hs.object('companies', sb.ids.hubspot.accounts['a1'] as string);
    expect(hs?.properties).toMatchObject({ kam_tier: 'Key', kam_key_account: 'true', kam_score: '81.25', kam_updated_at: '2026-05-01T10:00:00.000Z' });
  });

  it('maps every seed record to an id in each CRM and keeps HubSpot values as strings', async () => {
    sb = await startSandbox({ seed: smallSnapshot(), multiCurrency: true });
    expect(Object.keys(sb.ids.salesforce.lineItems).sort()).toEqual(['li1', 'li2', 'li3']);
    expect(Object.values(sb.ids.salesforce.accounts).every((id) => /^001[A-Za-z0-9]{15}$/.test(id))).toBe(true);
    expect(Object.values(sb.ids.hubspot.accounts).every((id) => /^\d+$/.test(id))).toBe(true);
    const li1 = sb.hs.object('line_items', sb.ids.hubspot.lineItems['li1'] as string);
    expect(li1?.properties).toMatchObject({ quantity: '2', price: '400', amount: '800', hs_cost_of_goods_sold: '250', hs_product_id: sb.ids.hubspot.products['p1'] });
    const product = sb.hs.object('products', sb.ids.hubspot.products['p3'] as string);
    expect(product?.properties).toMatchObject({ name: 'Legacy', product_family: null, active: 'false' });
    const contact = sb.hs.object('contacts', sb.ids.hubspot.contacts['c3'] as string);
    expect(contact?.properties).toMatchObject({ firstname: '', lastname: 'Erin', active: 'false', referenceable: 'false' });
    const [opp] = sb.sf.query(`SELECT CurrencyIsoCode, Owner.Name FROM Opportunity WHERE Id = '${sb.ids.salesforce.opportunities['o2']}'`);
    expect(opp).toMatchObject({ CurrencyIsoCode: 'USD', Owner: expect.objectContaining({ Name: 'Bob Jones' }) });
    const [open] = sb.sf.query(`SELECT OwnerId FROM Opportunity WHERE Id = '${sb.ids.salesforce.opportunities['o3']}'`);
    expect(open?.['OwnerId']).toBe(sb.salesforce.userId);
  });

  it('rejects invalid options with a clear message', async () => {
    await expect(startSandbox({ latencyMs: -1 })).rejects.toThrow('invalid sandbox options: latencyMs');
    await expect(startSandbox({ faults: { hubspot: { rate5xx: 1.5 } } })).rejects.toThrow('invalid sandbox options: faults.hubspot.rate5xx');
    await expect(startSandbox({ clockStart: 'yesterday' })).rejects.toThrow('clockStart: not a date');
  });
});
