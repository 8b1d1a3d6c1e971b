import { describe, expect, it } from 'vitest';
import {
  mapCompany, mapContact, mapDeal, mapLineItem, mapOwner, mapProduct, OUTPUT_PROPERTIES, parseBool, parseDate, parseDateTime,
  parseNumber, propertiesFor, stageStatuses, type HubSpotObject, type MappingSettings,
} from '../../../mappings/hubspot.ts';
import { portalConverter } from '../../../mappings/hubspot-money.ts';
import { OUTPUT_FIELD_KEYS } from '../../../src/model/output-fields.ts';

const settings: MappingSettings = {
  keyProperty: 'hs_is_target_account',
  productFamilyProperty: 'product_line',
  lineItemCostProperty: 'unit_cost_total',
  lineItemCostPer: 'line',
  referenceableProperty: 'gave_reference',
  contactActiveProperty: null,
  extraCompanyProperties: ['payment_score'],
};
const o = (id: string, properties: Record<string, string | null>): HubSpotObject => ({ id, properties });

describe('property values (all strings on the wire)', () => {
  it('numbers: plain decimals and exponents; empty is null; anything else is an error', () => {
    expect(parseNumber('17')).toEqual({ ok: true, value: 17 });
    expect(parseNumber(' -3.25 ')).toEqual({ ok: true, value: -3.25 });
    expect(parseNumber('1e3')).toEqual({ ok: true, value: 1000 });
    expect(parseNumber('')).toEqual({ ok: true, value: null });
    expect(parseNumber(null)).toEqual({ ok: true, value: null });
    expect(parseNumber('1,000')).toEqual({ ok: false, message: 'not a number: "1,000"' });
    expect(parseNumber('12abc').ok).toBe(false);
  });

  it('booleans: "true"/"false" in any case; empty is null', () => {
    expect(parseBool('true')).toEqual({ ok: true, value: true });
    expect(parseBool('FALSE')).toEqual({ ok: true, value: false });
    expect(parseBool('')).toEqual({ ok: true, value: null });
    expect(parseBool('yes')).toEqual({ ok: false, message: 'not true/false: "yes"' });
  });

  it('dates: epoch milliseconds, ISO timestamps and plain dates', () => {
    expect(parseDateTime('1767225600000')).toEqual({ ok: true, value: '2026-01-01T00:00:00.000Z' });
    expect(parseDateTime('2026-03-31T10:15:00+02:00')).toEqual({ ok: true, value: '2026-03-31T08:15:00.000Z' });
    expect(parseDate('2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(parseDate('1735689600000')).toEqual({ ok: true, value: '2025-01-01' });
    expect(parseDate('')).toEqual({ ok: true, value: null });
    expect(parseDate('31/03/2026').ok).toBe(false);
  });
});

describe('mappers', () => {
  it('a company: typed values, own kam_* properties typed back, extra properties, parent', () => {
    const { record, issues } = mapCompany(
      o('7', {
        name: 'Acme', numberofemployees: '250', annualrevenue: '', industry: 'Retail', country: 'France', hubspot_owner_id: '55',
        hs_is_target_account: 'false', kam_tier: 'Develop', kam_score: '41.0', kam_key_account: 'false', kam_updated_at: '2026-06-01T00:00:00Z',
        kam_reasons: '', payment_score: 'A',
      }),
      '3',
      settings,
    );
    expect(issues).toEqual([]);
    expect(record).toEqual({
      id: '7', name: 'Acme', parentId: '3', industry: 'Retail', employees: 250, annualRevenue: null, country: 'France', ownerId: '55', markedKey: false,
      fields: { kam_tier: 'Develop', kam_score: 41, kam_key_account: false, kam_updated_at: '2026-06-01T00:00:00.000Z', kam_reasons: null },
      extra: { payment_score: 'A' },
    });
  });

  it('a bad value is left empty and reported, and the record is kept', () => {
    const { record, issues } = mapCompany(o('8', { name: 'B', numberofemployees: 'many', hs_is_target_account: 'maybe' }), null, settings);
    expect(record?.employees).toBeNull();
    expect(record?.markedKey).toBeNull();
    expect(issues.map((i) => [i.recordId, i.kind, i.message])).toEqual([
      ['8', 'bad-value', 'accounts 8: numberofemployees: not a number: "many" (left empty)'],
      ['8', 'bad-value', 'accounts 8: hs_is_target_account: not true/false: "maybe" (left empty)'],
    ]);
  });

  it('a company associated with itself as parent is a root', () => {
    expect(mapCompany(o('9', { name: 'Loop' }), '9', settings).record?.parentId).toBeNull();
  });

  it('a contact: name from first and last name, company from the association or the primary-company property', () => {
    expect(mapContact(o('1', { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@x.example', jobtitle: 'CTO', gave_reference: 'true' }), '7', settings).record).toEqual({
      id: '1', accountId: '7', name: 'Ada Lovelace', email: 'ada@x.example', title: 'CTO', active: true, referenceable: true,
    });
    const viaProperty = mapContact(o('2', { lastname: 'Solo', associatedcompanyid: '8', gave_reference: 'referral;testimonial' }), null, settings).record;
    expect([viaProperty?.accountId, viaProperty?.name, viaProperty?.referenceable]).toEqual(['8', 'Solo', true]);
    expect(mapContact(o('3', { gave_reference: 'no' }), null, settings).record?.referenceable).toBe(false);
    // With an active property, only an explicit false makes a contact inactive.
    const withActive = { ...settings, contactActiveProperty: 'still_there' };
    expect(propertiesFor('contacts', withActive)).toContain('still_there');
    expect(propertiesFor('contacts', settings)).not.toContain('still_there');
    expect(mapContact(o('4', { lastname: 'Gone', still_there: 'false' }), '7', withActive).record?.active).toBe(false);
    expect(mapContact(o('5', { lastname: 'Here', still_there: 'true' }), '7', withActive).record?.active).toBe(true);
    expect(mapContact(o('6', { lastname: 'Unknown', still_there: '' }), '7', withActive).record?.active).toBe(true);
    expect(mapContact(o('7', { lastname: 'Ignored', still_there: 'false' }), '7', settings).record?.active).toBe(true);
  });

  const stages = stageStatuses([
    { id: 'default', stages: [
      { id: 'won', metadata: { isClosed: 'true', probability: '1.0' } },
      { id: 'lost', metadata: { isClosed: 'true', probability: '0.0' } },
      { id: 'open', metadata: { isClosed: 'false', probability: '0.6' } },
    ] },
    { id: 'p2', stages: [{ id: 'won', metadata: { isClosed: 'false', probability: '0.9' } }] },
  ]);

  it('deal stages: closed won, closed lost, open, per pipeline', () => {
    expect([...stages.entries()]).toEqual([['default:won', 'won'], ['default:lost', 'lost'], ['default:open', 'open'], ['p2:won', 'open']]);
  });

  it('a deal: home-currency amount first, stage from its pipeline, close date as a date', () => {
    const deal = mapDeal(o('40', { dealname: 'Big', pipeline: 'default', dealstage: 'won', amount: '100', amount_in_home_currency: '91.5', closedate: '2026-03-31T23:00:00Z', hubspot_owner_id: '55' }), '7', stages);
    expect(deal).toEqual({ record: { id: '40', accountId: '7', name: 'Big', status: 'won', amount: 91.5, closeDate: '2026-03-31', ownerId: '55' }, issues: [] });
    expect(mapDeal(o('41', { pipeline: 'p2', dealstage: 'won', amount: '5', closedate: '2026-01-01' }), '7', stages).record?.status).toBe('open');
  });

  // A EUR portal: 1 GBP = 1.25 EUR, no rate for CHF.
  const money = { company: 'EUR', convert: portalConverter({ company: 'EUR', rates: new Map([['GBP', 1.25]]) }) };

  it('a deal in another currency: HubSpot\'s own conversion first, else the portal rate, never the raw amount', () => {
    const base = { pipeline: 'default', dealstage: 'won', closedate: '2026-03-31' };
    const byHubSpot = mapDeal(o('60', { ...base, amount: '800', deal_currency_code: 'GBP', amount_in_home_currency: '1000' }), '7', stages, new Set(), money).record;
    expect([byHubSpot?.amount, byHubSpot?.conversion]).toEqual([1000, { currency: 'GBP', amount: 800, rate: null, source: 'HubSpot amount_in_home_currency' }]);
    const byRate = mapDeal(o('61', { ...base, amount: '800', deal_currency_code: 'GBP', amount_in_home_currency: '' }), '7', stages, new Set(), money).record;
    expect([byRate?.amount, byRate?.conversion]).toEqual([1000, { currency: 'GBP', amount: 800, rate: 1.25, source: 'HubSpot exchange rate' }]);
    const inCompany = mapDeal(o('62', { ...base, amount: '800', deal_currency_code: 'EUR' }), '7', stages, new Set(), money).record;
    expect([inCompany?.amount, inCompany?.conversion]).toEqual([800, undefined]);
    const noRate = mapDeal(o('63', { ...base, amount: '800', deal_currency_code: 'CHF' }), '7', stages, new Set(), money);
    expect(noRate.record?.amount).toBeNull();
    expect(noRate.issues.map((i) => i.kind)).toEqual(['no-exchange-rate']);
  });

  it('a line item in another currency is converted at the portal rate, cost too; without a rate it counts nothing', () => {
    const li = mapLineItem(o('64', { hs_product_id: '301', quantity: '2', amount: '400', unit_cost_total: '100', hs_line_item_currency_code: 'GBP' }), '60', settings, money);
    expect(li.record).toMatchObject({ totalPrice: 500, cost: 125, conversion: { currency: 'GBP', amount: 400, rate: 1.25, source: 'HubSpot exchange rate' } });
    const none = mapLineItem(o('65', { hs_product_id: '301', quantity: '1', amount: '400', unit_cost_total: '100', hs_line_item_currency_code: 'CHF' }), '60', settings, money);
    expect([none.record?.totalPrice, none.record?.cost, none.issues.map((i) => i.kind)]).toEqual([0, null, ['no-exchange-rate']]);
  });

  it('a deal that cannot be mapped is left out with its reason', () => {
    const noClose = mapDeal(o('42', { pipeline: 'default', dealstage: 'lost', closedate: '' }), '7', stages);
    expect(noClose.record).toBeNull();
    expect(noClose.issues.map((i) => [i.kind, i.message])).toEqual([['no-close-date', 'opportunities 42: closed deal has no close date']]);
    expect(mapDeal(o('43', { pipeline: 'default', dealstage: 'open' }), null, stages).issues[0]?.kind).toBe('no-account');
  });

  it('a line item: amount is the line total, price x quantity when amount is empty, optional cost', () => {
    expect(mapLineItem(o('50', { hs_product_id: '301', quantity: '3', amount: '270', price: '100', unit_cost_total: '150' }), '40', settings).record).toEqual({
      id: '50', opportunityId: '40', productId: '301', quantity: 3, totalPrice: 270, cost: 150,
    });
    expect(mapLineItem(o('51', { hs_product_id: '301', quantity: '2', amount: '', price: '12.5' }), '40', settings).record?.totalPrice).toBe(25);
    // HubSpot's hs_cost_of_goods_sold is the unit cost: the line costs it times the quantity.
    const unit = { ...settings, lineItemCostProperty: 'hs_cost_of_goods_sold', lineItemCostPer: 'unit' as const };
    expect(mapLineItem(o('54', { hs_product_id: '301', quantity: '3', amount: '270', hs_cost_of_goods_sold: '40.5' }), '40', unit).record?.cost).toBe(121.5);
    expect(mapLineItem(o('55', { hs_product_id: '301', quantity: '3', amount: '270', hs_cost_of_goods_sold: '' }), '40', unit).record?.cost).toBeNull();
    expect(mapLineItem(o('52', { quantity: '1', amount: '5' }), '40', settings).issues[0]?.kind).toBe('no-product');
    expect(mapLineItem(o('53', { hs_product_id: '301' }), '40', settings).issues[0]?.kind).toBe('no-amount');
  });

  it('products and owners', () => {
    expect(mapProduct(o('301', { name: 'Widget', product_line: 'Hardware' }), settings).record).toEqual({ id: '301', name: 'Widget', family: 'Hardware', active: true });
    // No family property configured (HubSpot has no standard one): the family is left empty and not asked for.
    const noFamily = { ...settings, productFamilyProperty: null };
    expect(mapProduct(o('302', { name: 'Gadget', product_line: 'Hardware' }), noFamily).record).toEqual({ id: '302', name: 'Gadget', family: null, active: true });
    expect(propertiesFor('products', noFamily)).toEqual(['name', 'hs_lastmodifieddate']);
    expect(propertiesFor('products', settings)).toEqual(['name', 'product_line', 'hs_lastmodifieddate']);
    expect(mapOwner({ id: '55', email: 'a@b.example', firstName: null, lastName: ' ', archived: true })).toEqual({ id: '55', name: 'a@b.example', active: false });
  });

  it('makes no user of a queue, and gives records a queue owns no owner', () => {
    expect(mapOwner({ id: '56', email: null, firstName: 'Inbound', lastName: null, archived: false, type: 'QUEUE' })).toBeNull();
    expect(mapOwner({ id: '57', email: null, firstName: 'Pat', lastName: null, archived: false, type: 'PERSON' })).toEqual({ id: '57', name: 'Pat', active: true });
    const stages = stageStatuses([{ id: 'default', stages: [{ id: 'closedwon', metadata: { isClosed: 'true', probability: '1.0' } }] }]);
    const deal = { id: '9', properties: { dealstage: 'closedwon', pipeline: 'default', closedate: '2026-01-01', hubspot_owner_id: '56' } };
    expect(mapDeal(deal, '1', stages, new Set(['56'])).record?.ownerId).toBeNull();
    expect(mapDeal(deal, '1', stages, new Set()).record?.ownerId).toBe('56');
    expect(mapCompany({ id: '1', properties: { name: 'X', hubspot_owner_id: '56' } }, null, settings, new Set(['56'])).record?.ownerId).toBeNull();
  });
});

describe('declarations', () => {
  it('every output field has a HubSpot property with a valid type pair', () => {
    expect(OUTPUT_PROPERTIES.map((p) => p.name)).toEqual([...OUTPUT_FIELD_KEYS]);
    const valid = new Set(['enumeration/select', 'bool/booleancheckbox', 'number/number', 'string/text', 'string/textarea', 'datetime/date']);
    for (const p of OUTPUT_PROPERTIES) expect(valid.has(`${p.type}/${p.fieldType}`)).toBe(true);
    expect(OUTPUT_PROPERTIES.find((p) => p.name === 'kam_tier')?.options?.map((x) => x.value)).toEqual(['Key', 'Develop', 'Maintain', 'Standard']);
  });

  it('reads the configured properties, each once', () => {
    const props = propertiesFor('line_items', settings);
    expect(props).toEqual(['hs_product_id', 'quantity', 'amount', 'price', 'name', 'hs_line_item_currency_code', 'unit_cost_total', 'hs_lastmodifieddate']);
    expect(propertiesFor('contacts', settings)).toContain('gave_reference');
    expect(propertiesFor('contacts', settings)).toContain('lastmodifieddate');
  });
});
