import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SALESFORCE_OUTPUT_FIELDS,
  mapAccount,
  mapContact,
  mapLineItem,
  mapOpportunity,
  mapProduct,
  mapUser,
  readOutputValue,
  salesforceOutputField,
  sameCurrency,
  toIsoDateTime,
  toSalesforceValue,
  type MappingSettings,
} from '../../../mappings/salesforce.ts';
import { opportunityConverter, staticConverter, type SalesforceRateTable } from '../../../mappings/salesforce-money.ts';
import { roundMoney } from '../../../mappings/money.ts';
import { OUTPUT_FIELD_KEYS } from '../../../src/model/output-fields.ts';
import { accountSchema, contactSchema, lineItemSchema, productSchema, userSchema } from '../../../src/model/snapshot.ts';
import type { Mapped } from '../../../src/contract/connector.ts';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/salesforce/rest-records.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
const raw = (name: string): Record<string, unknown> => {
  const r = fixture[name];
  if (!r) throw new Error(`no fixture ${name}`);
  return r;
};

const settings: MappingSettings = {
  costField: 'Unit_Cost__c',
  extraAccountFields: ['Payment_Score__c'],
  referenceableField: 'Reference_Given__c',
  markedKeyField: 'Key_Account__c',
  offeringFamilyField: 'Family',
  visibleOutputFields: ['kam_tier', 'kam_key_account', 'kam_score', 'kam_revenue_share', 'kam_next_best_offers', 'kam_updated_at'],
  convert: sameCurrency,
  convertStatic: sameCurrency,
};

function ok<T>(r: Mapped<T>): T {
  if (r.record === null) throw new Error(`expected a mapped record: ${JSON.stringify(r.issues)}`);
  return r.record;
}

describe('raw Salesforce records to the model', () => {
  it('maps an account with its own KAM fields (converted back), the marked-key checkbox and extra fields', () => {
    const account = ok(mapAccount(raw('account'), settings));
    expect(account).toEqual({
      id: '001000000000001AAA',
      name: 'Nordwerk Holding',
      parentId: null,
      industry: 'Manufacturing',
      employees: 4200,
      annualRevenue: 120000000,
      country: 'Germany',
      ownerId: '005000000000001AAA',
      markedKey: true,
      fields: {
        kam_tier: 'Develop',
        kam_key_account: false,
        kam_score: 55.5,
        kam_revenue_share: 7.25,
        kam_next_best_offers: 'Services (est. 48,000/yr)',
        kam_updated_at: '2026-05-01T20:00:00.000Z',
      },
      extra: { Payment_Score__c: 87 },
    });
    expect(accountSchema.safeParse(account).success).toBe(true);
  });

  it('maps contacts, products, users, opportunities and line items', () => {
    expect(ok(mapContact(raw('contact'), settings))).toEqual({
      id: '003000000000001AAA', accountId: '001000000000001AAA', name: 'Ines Vogel', email: 'ines.vogel@nordwerk.example', title: 'Head of Procurement', active: true, referenceable: true,
    });
    expect(ok(mapProduct(raw('product'), settings))).toEqual({ id: '01t000000000001AAA', name: 'Maintenance Plan Gold', family: 'Services', active: true });
    expect(ok(mapUser(raw('user')))).toEqual({ id: '005000000000001AAA', name: 'Jonas Berg', active: true });
    expect(ok(mapOpportunity(raw('opportunity'), settings))).toEqual({
      id: '006000000000001AAA', accountId: '001000000000001AAA', name: 'Nordwerk - Maintenance 2026', status: 'open', amount: 48000, closeDate: '2026-09-30', ownerId: '005000000000001AAA',
    });
    expect(ok(mapLineItem(raw('lineItem'), settings))).toEqual({
      id: '00k000000000001AAA', opportunityId: '006000000000001AAA', productId: '01t000000000001AAA', quantity: 4, totalPrice: 48000, cost: 9000,
    });
    expect(contactSchema.safeParse(ok(mapContact(raw('contact'), settings))).success).toBe(true);
    expect(productSchema.safeParse(ok(mapProduct(raw('product'), settings))).success).toBe(true);
    expect(userSchema.safeParse(ok(mapUser(raw('user')))).success).toBe(true);
    expect(lineItemSchema.safeParse(ok(mapLineItem(raw('lineItem'), settings))).success).toBe(true);
  });

  it('reads a contact as inactive only when the configured active field says false', () => {
    const s = { ...settings, contactActiveField: 'Active__c' };
    const active = (v: unknown) => ok(mapContact({ ...raw('contact'), Active__c: v }, s)).active;
    expect([active(true), active(false), active('false'), active(null), active(undefined)]).toEqual([true, false, false, true, true]);
    expect(ok(mapContact({ ...raw('contact'), Active__c: false }, settings)).active).toBe(true);
  });

  it('derives won / lost / open from IsWon and IsClosed', () => {
    const status = (IsWon: boolean, IsClosed: boolean) => ok(mapOpportunity({ ...raw('opportunity'), IsWon, IsClosed }, settings)).status;
    expect([status(true, true), status(false, true), status(false, false)]).toEqual(['won', 'lost', 'open']);
  });

  it('reads Bulk API CSV strings the same as REST JSON values', () => {
    const csvRow = { Id: '006B', AccountId: '001A', Name: 'Renewal', StageName: 'Closed Won', IsWon: 'true', IsClosed: 'true', Amount: '1234.5', CloseDate: '2026-01-15', OwnerId: '' };
    expect(ok(mapOpportunity(csvRow, settings))).toEqual({ id: '006B', accountId: '001A', name: 'Renewal', status: 'won', amount: 1234.5, closeDate: '2026-01-15', ownerId: null });
    const accountRow = { Id: '001B', Name: 'Small Co', ParentId: '', Industry: '', NumberOfEmployees: '', AnnualRevenue: '', BillingCountry: 'FR', OwnerId: '005A', Key_Account__c: 'false' };
    expect(ok(mapAccount(accountRow, { ...settings, visibleOutputFields: [] }))).toMatchObject({ parentId: null, industry: null, employees: null, annualRevenue: null, markedKey: false, fields: {} });
  });

  // A multi-currency org in USD: 1 USD = 0.8 EUR (CurrencyType), and with advanced currency
  // management 1 USD = 0.5 EUR from 2026-01-01 on (DatedConversionRate).
  const table: SalesforceRateTable = {
    corporate: 'USD',
    rates: new Map([['USD', 1], ['EUR', 0.8]]),
    dated: [{ code: 'EUR', rate: 0.9, start: '2025-01-01', next: '2026-01-01' }, { code: 'EUR', rate: 0.5, start: '2026-01-01', next: null }],
  };

  it('converts amounts into the corporate currency with the org rates, and notes each conversion', () => {
    const s = { ...settings, convert: opportunityConverter({ ...table, dated: null }), convertStatic: staticConverter(table) };
    // 400 EUR at 0.8 EUR per USD is 500 USD; the 80 EUR cost is 100 USD.
    expect(ok(mapLineItem({ ...raw('lineItem'), TotalPrice: '400', Unit_Cost__c: '80', CurrencyIsoCode: 'EUR' }, s))).toMatchObject({
      totalPrice: 500, cost: 100, conversion: { currency: 'EUR', amount: 400, rate: 1.25, source: 'Salesforce CurrencyType' },
    });
    const usd = ok(mapOpportunity({ ...raw('opportunity'), Amount: 100, CurrencyIsoCode: 'USD' }, s));
    expect(usd.amount).toBe(100);
    expect(usd.conversion).toBeUndefined();
    expect(ok(mapAccount({ ...raw('account'), AnnualRevenue: 8000, CurrencyIsoCode: 'EUR' }, s)).annualRevenue).toBe(10000);
  });

  it('uses the dated rate of the close date with advanced currency management', () => {
    const s = { ...settings, convert: opportunityConverter(table), convertStatic: staticConverter(table) };
    const opp = (CloseDate: string) => ok(mapOpportunity({ ...raw('opportunity'), Amount: 450, CloseDate, CurrencyIsoCode: 'EUR' }, s));
    // 450 EUR at 0.9 (2025) is 500 USD; at 0.5 (2026 on) 900 USD.
    expect([opp('2025-12-31').amount, opp('2026-01-01').amount]).toEqual([500, 900]);
    expect(opp('2026-03-01').conversion).toEqual({ currency: 'EUR', amount: 450, rate: 2, source: 'Salesforce DatedConversionRate from 2026-01-01' });
    // A line item takes its opportunity's close date, nested (REST) or flattened (Bulk CSV).
    expect(ok(mapLineItem({ ...raw('lineItem'), TotalPrice: 90, CurrencyIsoCode: 'EUR', Opportunity: { CloseDate: '2025-06-01' } }, s)).totalPrice).toBe(100);
    expect(ok(mapLineItem({ ...raw('lineItem'), TotalPrice: '90', CurrencyIsoCode: 'EUR', 'Opportunity.CloseDate': '2026-06-01' }, s)).totalPrice).toBe(180);
    // Before the first dated rate, the CurrencyType rate holds.
    expect(opp('2024-06-01').amount).toBe(562.5);
  });

  it('leaves out an amount whose currency has no rate, with an issue, instead of summing it raw', () => {
    const s = { ...settings, convert: opportunityConverter(table), convertStatic: staticConverter(table) };
    const r = mapOpportunity({ ...raw('opportunity'), Amount: 1000, CurrencyIsoCode: 'CHF' }, s);
    expect(ok(r).amount).toBeNull();
    expect(ok(r).conversion).toEqual({ currency: 'CHF', amount: 1000, rate: null, source: null });
    expect(r.issues.map((i) => [i.kind, i.recordId])).toEqual([['no-exchange-rate', '006000000000001AAA']]);
    const line = mapLineItem({ ...raw('lineItem'), TotalPrice: 300, Unit_Cost__c: 100, CurrencyIsoCode: 'CHF' }, s);
    expect([ok(line).totalPrice, ok(line).cost]).toEqual([0, null]);
  });

  it('rounds money half away from zero, alike for a product and the quotient that means the same', () => {
    expect([roundMoney(0.02 / 0.8), roundMoney(0.02 * 1.25), roundMoney(1.005), roundMoney(-2.675), roundMoney(10 / 3)]).toEqual([0.03, 0.03, 1.01, -2.68, 3.33]);
  });

  it('turns an unmappable record into an issue naming the record and the field', () => {
    expect(mapLineItem({ ...raw('lineItem'), Product2Id: null }, settings)).toEqual({
      record: null, issues: [{ object: 'lineItems', recordId: '00k000000000001AAA', kind: 'unmappable', message: 'Product2Id: the line item has no product' }],
    });
    const bad = mapOpportunity({ ...raw('opportunity'), Amount: 'lots' }, settings);
    expect(bad.record).toBeNull();
    expect(bad.issues[0]?.message).toMatch(/^Amount: /);
    expect(mapAccount({ ...raw('account'), NumberOfEmployees: -3 }, settings)).toMatchObject({ record: null, issues: [{ recordId: '001000000000001AAA' }] });
    expect(mapUser({ Name: 'no id' })).toMatchObject({ record: null, issues: [{ recordId: null, object: 'users' }] });
    expect(mapOpportunity({ ...raw('opportunity'), CloseDate: null }, settings)).toMatchObject({ record: null, issues: [{ message: 'CloseDate: expected YYYY-MM-DD, got null' }] });
  });
});

describe('values written to Salesforce', () => {
  it('rounds numbers to the field scale, keeps percent on 0..100, writes booleans and ISO datetimes', () => {
    expect(toSalesforceValue('kam_score', 71.25)).toEqual({ ok: true, value: 71.3 });
    expect(toSalesforceValue('kam_penetration', 33.333333)).toEqual({ ok: true, value: 33.33 });
    expect(toSalesforceValue('kam_whitespace_value', 48000.004)).toEqual({ ok: true, value: 48000 });
    expect(toSalesforceValue('kam_key_account', 'true')).toEqual({ ok: true, value: true });
    expect(toSalesforceValue('kam_key_account', null)).toEqual({ ok: true, value: false });
    expect(toSalesforceValue('kam_updated_at', '2026-06-30T14:00:00+02:00')).toEqual({ ok: true, value: '2026-06-30T12:00:00.000Z' });
    expect(toSalesforceValue('kam_risks', null)).toEqual({ ok: true, value: null });
    expect(toSalesforceValue('kam_contact_coverage', 'x'.repeat(300))).toEqual({ ok: true, value: 'x'.repeat(255) });
  });

  it('refuses values the field cannot hold', () => {
    expect(toSalesforceValue('kam_score', 'high')).toEqual({ ok: false, message: 'kam_score: expected a number, got "high"' });
    expect(toSalesforceValue('kam_key_account', 1)).toEqual({ ok: false, message: 'kam_key_account: expected a boolean, got 1' });
    expect(toSalesforceValue('kam_updated_at', 'yesterday').ok).toBe(false);
    expect(toSalesforceValue('kam_tier', 'Platinum').ok).toBe(false);
  });

  it('reads a written value back to the same model value, so a second run plans no change', () => {
    expect(readOutputValue(salesforceOutputField('kam_updated_at'), '2026-06-30T12:00:00.000+0000')).toBe('2026-06-30T12:00:00.000Z');
    expect(readOutputValue(salesforceOutputField('kam_key_account'), null)).toBe(false);
    expect(readOutputValue(salesforceOutputField('kam_score'), '71.3')).toBe(71.3);
    expect(readOutputValue(salesforceOutputField('kam_tier'), '')).toBeNull();
  });

  it('maps every kam_* key to a KAM_*__c field, once', () => {
    expect(SALESFORCE_OUTPUT_FIELDS.map((f) => f.key)).toEqual([...OUTPUT_FIELD_KEYS]);
    expect(new Set(SALESFORCE_OUTPUT_FIELDS.map((f) => f.apiName)).size).toBe(OUTPUT_FIELD_KEYS.length);
    expect(SALESFORCE_OUTPUT_FIELDS.every((f) => /^KAM_[A-Za-z_]+__c$/.test(f.apiName))).toBe(true);
  });

  it('normalises Salesforce datetimes', () => {
    expect(toIsoDateTime('2026-01-31T10:00:00.000+0000')).toBe('2026-01-31T10:00:00.000Z');
    expect(toIsoDateTime('2026-01-31T10:00:00.000-0130')).toBe('2026-01-31T11:30:00.000Z');
    expect(toIsoDateTime('nope')).toBeNull();
  });
});
