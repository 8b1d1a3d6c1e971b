import jsforce from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.ts';
import { smallSnapshot } from './fixture.ts';

/**
 * The simulated org and portal hold only documented fields and answer currency questions as the
 * vendors document: CurrencyType and CurrencyIsoCode only in a multi-currency org,
 * DatedConversionRate only with advanced currency management, getUserInfo's org default currency
 * only in a single-currency org, HubSpot's currencies API with its exchange rates.
 */

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function start(options: SandboxOptions): Promise<{ s: Sandbox; conn: jsforce.Connection }> {
  sb = await startSandbox(options);
  return { s: sb, conn: new jsforce.Connection({ instanceUrl: sb.salesforce.instanceUrl, accessToken: sb.salesforce.accessToken, version: '62.0' }) };
}

async function errorOf(p: PromiseLike<unknown>): Promise<{ errorCode?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { errorCode?: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('simulated Salesforce: documented fields only', () => {
  it.each([
    ['SELECT DefaultCurrencyIsoCode FROM Organization', 'INVALID_FIELD', "No such column 'DefaultCurrencyIsoCode' on entity 'Organization'."],
    ['SELECT Id, IsDeleted FROM User', 'INVALID_FIELD', "No such column 'IsDeleted' on entity 'User'."],
    ['SELECT Id, CreatedDate FROM FieldPermissions', 'INVALID_FIELD', "No such column 'CreatedDate' on entity 'FieldPermissions'."],
    ['SELECT Id, LastModifiedDate FROM PermissionSetAssignment', 'INVALID_FIELD', "No such column 'LastModifiedDate' on entity 'PermissionSetAssignment'."],
    ['SELECT Id, CurrencyIsoCode FROM Opportunity', 'INVALID_FIELD', "No such column 'CurrencyIsoCode' on entity 'Opportunity'."],
    ['SELECT IsoCode FROM CurrencyType', 'INVALID_TYPE', "sObject type 'CurrencyType' is not supported."],
    ['SELECT IsoCode FROM DatedConversionRate', 'INVALID_TYPE', "sObject type 'DatedConversionRate' is not supported."],
  ])('a single-currency org refuses %s (%s)', async (soql, code, message) => {
    const { conn } = await start({ seed: smallSnapshot() });
    const e = await errorOf(conn.query(soql));
    expect(e.errorCode).toBe(code);
    expect(e.message.startsWith(message)).toBe(true);
  });

  it('names its currency through the SOAP API getUserInfo, and faults on a bad session', async () => {
    const { s, conn } = await start({ seed: { ...smallSnapshot(), currency: 'EUR' } });
    const info = await conn.soap.getUserInfo();
    expect(info).toMatchObject({ orgDefaultCurrencyIsoCode: 'EUR', organizationMultiCurrency: false, userDefaultCurrencyIsoCode: null, userId: s.salesforce.userId, organizationId: s.salesforce.orgId });
    const bad = new jsforce.Connection({ instanceUrl: s.salesforce.instanceUrl, accessToken: 'not-a-session', version: '62.0' });
    const e = await errorOf(bad.soap.getUserInfo());
    expect(e.errorCode).toBe('sf:INVALID_SESSION_ID');
    expect(s.calls()['salesforce.getUserInfo']).toBe(2);
  });
});

describe('simulated Salesforce: a multi-currency org', () => {
  it('has CurrencyIsoCode on records, the org default currency only per user, and no dated rates without advanced currency management', async () => {
    const { conn } = await start({ seed: smallSnapshot(), multiCurrency: true });
    const opp = await conn.query<{ CurrencyIsoCode: string }>('SELECT CurrencyIsoCode FROM Opportunity LIMIT 1');
    expect(opp.records[0]?.CurrencyIsoCode).toBe('USD');
    expect((await errorOf(conn.query('SELECT IsoCode FROM DatedConversionRate'))).errorCode).toBe('INVALID_TYPE');
    expect(await conn.soap.getUserInfo()).toMatchObject({ orgDefaultCurrencyIsoCode: null, organizationMultiCurrency: true, userDefaultCurrencyIsoCode: 'USD' });
  });

  it('serves DatedConversionRate with advanced currency management, each row up to the next start', async () => {
    const { conn } = await start({
      seed: smallSnapshot(),
      multiCurrency: { rates: { EUR: 2 }, datedRates: [{ code: 'EUR', rate: 1.25, start: '2025-01-01' }, { code: 'EUR', rate: 2, start: '2026-01-01' }] },
    });
    const rows = await conn.query<{ IsoCode: string; ConversionRate: number; StartDate: string; NextStartDate: string | null }>(
      'SELECT IsoCode, ConversionRate, StartDate, NextStartDate FROM DatedConversionRate ORDER BY StartDate',
    );
    expect(rows.records.map((r) => [r.IsoCode, r.ConversionRate, r.StartDate, r.NextStartDate])).toEqual([
      ['EUR', 0.8, '2025-01-01', '2026-01-01'],
      ['EUR', 0.5, '2026-01-01', null],
    ]);
  });

  it('keeps a line item in its opportunity currency: CurrencyIsoCode cannot be written on it', async () => {
    const { s, conn } = await start({ seed: smallSnapshot(), multiCurrency: true });
    const line = (await conn.query<{ Id: string }>('SELECT Id FROM OpportunityLineItem LIMIT 1')).records[0];
    const e = await errorOf(conn.sobject('OpportunityLineItem').update({ Id: line?.Id ?? '', CurrencyIsoCode: 'EUR' }));
    expect(e.errorCode ?? (e as { errors?: { statusCode: string }[] }).errors?.[0]?.statusCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(s.sf.record('OpportunityLineItem', line?.Id ?? '')?.['CurrencyIsoCode']).toBe('USD');
  });
});

describe('simulated HubSpot: currencies', () => {
  const get = async (s: Sandbox, path: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${s.url}${path}`, { headers: { Authorization: `Bearer ${s.hubspot.privateAppToken}` } });
    return { status: res.status, body: await res.json() };
  };

  it('a single-currency portal has its company currency and no exchange rates', async () => {
    sb = await startSandbox({ seed: { ...smallSnapshot(), currency: 'GBP' } });
    expect((await get(sb, '/settings/v3/currencies/company-currency')).body).toMatchObject({ id: 'GBP' });
    expect((await get(sb, '/settings/v3/currencies/exchange-rates/current')).body).toEqual({ results: [] });
  });

  it('a multi-currency portal gives each rate into the company currency, and converts deal amounts itself', async () => {
    sb = await startSandbox({ seed: smallSnapshot(), multiCurrency: { rates: { EUR: 1.25 } } });
    const rates = (await get(sb, '/settings/v3/currencies/exchange-rates/current')).body as { results: { fromCurrencyCode: string; toCurrencyCode: string; conversionRate: number }[] };
    expect(rates.results.map((r) => [r.fromCurrencyCode, r.toCurrencyCode, r.conversionRate])).toEqual([['EUR', 'USD', 1.25], ['GBP', 'USD', 4], ['JPY', 'USD', 0.00625]]);
    const dealId = sb.ids.hubspot.opportunities['o2'] ?? '';
    sb.hs.update('deals', dealId, { deal_currency_code: 'EUR', amount: '400' });
    // HubSpot's own "Amount in company currency": 400 EUR at 1.25.
    expect(sb.hs.object('deals', dealId)?.properties['amount_in_home_currency']).toBe('500');
    const unauthorized = await fetch(`${sb.url}/settings/v3/currencies/company-currency`);
    expect(unauthorized.status).toBe(401);
  });
});
