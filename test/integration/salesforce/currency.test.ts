import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/contract/errors.ts';
import { INSTANCE, V, collect, limitHeader, makeConnector, mockSingleCurrency, queryMatching, rec, setupNock, soqlOf, teardownNock } from './helpers.ts';

/**
 * Where the corporate currency comes from (documented sources only), what happens when none
 * answers (a fallback and a data issue, never a stopped sync), dated rates, and re-reading a
 * money stream when the org's rates change.
 */

beforeEach(setupNock);
afterEach(teardownNock);

const USERS = /FROM User ORDER BY Id$/;
const user = rec('User', { Id: '005Kf0000000001AAA', Name: 'Ann', IsActive: true, SystemModstamp: '2026-06-30T10:00:00.000+0000' });

function currencyTypeRows(rows: { IsoCode: string; ConversionRate: number; IsCorporate: boolean }[]) {
  return { totalSize: rows.length, done: true, records: rows.map((r, i) => rec('CurrencyType', { Id: `02cKf000000000${i}AAA`, ...r })) };
}

describe('the corporate currency', () => {
  it('never asks Organization, which documents no currency field', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope, 'CHF');
    const sf = makeConnector();
    expect(await sf.currency()).toBe('CHF');
    expect(sf.usage()).toEqual({ query: 1, getUserInfo: 1 });
  });

  it('falls back to the currency option when getUserInfo faults, and says so once as a data issue', async () => {
    const scope = nock(INSTANCE);
    scope
      .get(`${V}/query`).query(queryMatching(/FROM CurrencyType/))
      .reply(400, [{ message: "sObject type 'CurrencyType' is not supported.", errorCode: 'INVALID_TYPE' }], limitHeader(1))
      .post('/services/Soap/u/62.0')
      .reply(500, '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>sf:API_DISABLED_FOR_ORG</faultcode><faultstring>API_DISABLED_FOR_ORG: API is not enabled</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>', { 'Content-Type': 'text/xml' })
      .get(`${V}/query`).query(queryMatching(USERS)).reply(200, { totalSize: 1, done: true, records: [user] }, limitHeader(3))
      .get(`${V}/query`).query(queryMatching(/FROM Product2 ORDER BY Id$/)).reply(200, { totalSize: 0, done: true, records: [] }, limitHeader(4));
    const sf = makeConnector({ currency: 'EUR' });
    expect(await sf.currency()).toBe('EUR');
    const pages = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['users', 'products'] }));
    const issues = pages.flatMap((p) => p.issues);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ object: 'users', recordId: null, kind: 'currency-fallback' });
    expect(issues[0]?.message).toContain('API_DISABLED_FOR_ORG');
    expect(issues[0]?.message).toContain('taken to be in EUR, from the connection option "currency"');
    // A SOAP fault is an answer, not an outage: asked once, not retried.
    expect(sf.usage()).toEqual({ query: 3, getUserInfo: 1 });
  });

  it('falls back to USD without the option when CurrencyType is refused for another reason', async () => {
    nock(INSTANCE)
      .get(`${V}/query`).query(queryMatching(/FROM CurrencyType/))
      .reply(403, [{ message: 'insufficient access rights on object id', errorCode: 'INSUFFICIENT_ACCESS' }], limitHeader(1));
    const sf = makeConnector();
    expect(await sf.currency()).toBe('USD');
  });

  it('still stops at the API limit: a limit is no currency problem', async () => {
    nock(INSTANCE)
      .get(`${V}/query`).query(queryMatching(/FROM CurrencyType/))
      .reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], limitHeader(15000));
    const e = await makeConnector().currency().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CrmError);
    expect((e as CrmError).kind).toBe('api-limit');
  });
});

describe('dated rates and changed rates', () => {
  it('reads line items with their opportunity close date and converts them at the dated rate', async () => {
    const scope = nock(INSTANCE);
    scope
      .get(`${V}/query`).query(queryMatching(/FROM CurrencyType/))
      .reply(200, currencyTypeRows([{ IsoCode: 'USD', ConversionRate: 1, IsCorporate: true }, { IsoCode: 'EUR', ConversionRate: 0.8, IsCorporate: false }]), limitHeader(1))
      .get(`${V}/query`).query(queryMatching(/FROM DatedConversionRate ORDER BY IsoCode, StartDate$/))
      .reply(200, {
        totalSize: 2, done: true,
        records: [
          rec('DatedConversionRate', { Id: '04wKf0000000001AAA', IsoCode: 'EUR', ConversionRate: 0.9, StartDate: '2025-01-01', NextStartDate: '2026-01-01' }),
          rec('DatedConversionRate', { Id: '04wKf0000000002AAA', IsoCode: 'EUR', ConversionRate: 0.5, StartDate: '2026-01-01', NextStartDate: null }),
        ],
      }, limitHeader(2));
    let soql = '';
    scope
      .get(`${V}/query`)
      .query((q) => {
        soql = soqlOf(q);
        return soql.includes('FROM OpportunityLineItems');
      })
      .reply(200, {
        totalSize: 1, done: true,
        records: [rec('Opportunity', {
          Id: '006Kf0000000001AAA',
          OpportunityLineItems: { totalSize: 1, done: true, records: [rec('OpportunityLineItem', {
            Id: '00kKf0000000001AAA', OpportunityId: '006Kf0000000001AAA', Product2Id: '01tKf0000000001AAA', Quantity: 1, TotalPrice: 450,
            SystemModstamp: '2026-06-30T10:00:00.000+0000', CurrencyIsoCode: 'EUR', Opportunity: { attributes: { type: 'Opportunity' }, CloseDate: '2025-06-30' },
          })] },
        })],
      }, limitHeader(3));
    const pages = await collect(makeConnector().pull({ mode: 'full', cursors: {}, objects: ['lineItems'] }));
    expect(soql).toBe('SELECT Id, (SELECT Id, OpportunityId, Product2Id, Quantity, TotalPrice, SystemModstamp, CurrencyIsoCode, Opportunity.CloseDate FROM OpportunityLineItems) FROM Opportunity ORDER BY Id');
    // 450 EUR at 0.9 EUR per USD (the rate of 2025) is 500 USD, not 562.50 (CurrencyType) or 900 (2026).
    expect(pages[0]?.records).toEqual([{
      id: '00kKf0000000001AAA', opportunityId: '006Kf0000000001AAA', productId: '01tKf0000000001AAA', quantity: 1, totalPrice: 500, cost: null,
      conversion: { currency: 'EUR', amount: 450, rate: 1.11111111111, source: 'Salesforce DatedConversionRate from 2025-01-01' },
    }]);
  });

  it('reads a money stream again from the start when the org rates changed since its cursor', async () => {
    const scope = nock(INSTANCE);
    scope
      .get(`${V}/query`).query(queryMatching(/FROM CurrencyType/))
      .reply(200, currencyTypeRows([{ IsoCode: 'USD', ConversionRate: 1, IsCorporate: true }, { IsoCode: 'EUR', ConversionRate: 0.5, IsCorporate: false }]), limitHeader(1))
      .get(`${V}/query`).query(queryMatching(/FROM DatedConversionRate/))
      .reply(400, [{ message: "sObject type 'DatedConversionRate' is not supported.", errorCode: 'INVALID_TYPE' }], limitHeader(2));
    const seen: string[] = [];
    scope
      .get(`${V}/queryAll`)
      .query((q) => {
        seen.push(soqlOf(q));
        return true;
      })
      .reply(200, { totalSize: 0, done: true, records: [] }, limitHeader(3));
    const stale = { phase: 'incremental', ts: '2026-06-30T10:00:00.000Z', id: '006Kf0000000009AAA', complete: true, rates: 'converted-at-older-rates' };
    const pages = await collect(makeConnector().pull({ mode: 'incremental', cursors: { opportunities: stale }, objects: ['opportunities'] }));
    expect(seen[0]).toContain('WHERE SystemModstamp >= 1970-01-01T00:00:00Z ORDER BY SystemModstamp, Id');
    expect(pages.at(-1)?.cursor['rates']).toMatch(/^[0-9a-f]{16}$/);
    expect(pages.at(-1)?.cursor['rates']).not.toBe('converted-at-older-rates');
  });
});
