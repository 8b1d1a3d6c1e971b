import nock from 'nock';
import { SalesforceConnector } from '../../../connectors/salesforce/index.ts';
import type { SalesforceOptionsInput } from '../../../connectors/salesforce/options.ts';
import type { PullPage } from '../../../src/contract/connector.ts';

export const INSTANCE = 'https://acme.my.salesforce.test';
export const LOGIN = 'https://login.salesforce.test';
export const V = '/services/data/v62.0';

export function limitHeader(used: number, max = 15000): Record<string, string> {
  return { 'Sforce-Limit-Info': `api-usage=${used}/${max}`, 'Content-Type': 'application/json;charset=UTF-8' };
}

/** A connector with tiny backoff delays so retry tests stay fast. */
export function makeConnector(extra: Partial<SalesforceOptionsInput> = {}, now = () => Date.parse('2026-06-30T12:00:00Z')): SalesforceConnector {
  return new SalesforceConnector(
    {
      instanceUrl: INSTANCE,
      accessToken: 'tok-1',
      retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 },
      bulkPoll: { intervalMs: 1, timeoutMs: 2000 },
      pageSize: 200,
      ...extra,
    },
    { now },
  );
}

/** Decodes the SOQL of a query request. */
export function soqlOf(query: Record<string, unknown>): string {
  return typeof query['q'] === 'string' ? query['q'] : '';
}

export function queryMatching(pattern: RegExp): (q: Record<string, unknown>) => boolean {
  return (q) => pattern.test(soqlOf(q));
}

/** The SOAP API's getUserInfo answer of a single-currency org (partner WSDL, GetUserInfoResult). */
export function userInfoXml(code: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    + '<soapenv:Body><getUserInfoResponse><result><currencySymbol>€</currencySymbol>'
    + `<orgDefaultCurrencyIsoCode>${code}</orgDefaultCurrencyIsoCode><organizationId>00D000000000001AAA</organizationId>`
    + '<organizationMultiCurrency>false</organizationMultiCurrency><userDefaultCurrencyIsoCode xsi:nil="true"/><userId>005000000000001AAA</userId>'
    + '</result></getUserInfoResponse></soapenv:Body></soapenv:Envelope>';
}

/** A multi-currency org without advanced currency management: DatedConversionRate is unknown there. */
export function mockNoDatedRates(scope: nock.Scope): nock.Scope {
  return scope
    .get(`${V}/query`)
    .query(queryMatching(/FROM DatedConversionRate/))
    .reply(400, [{ message: "sObject type 'DatedConversionRate' is not supported.", errorCode: 'INVALID_TYPE' }], limitHeader(2));
}

/**
 * A single-currency org: CurrencyType is not a known type there, and getUserInfo names the
 * currency. Optional: a pull of streams without amounts reads no currency.
 */
export function mockSingleCurrency(scope: nock.Scope, code = 'EUR'): nock.Scope {
  return scope
    .get(`${V}/query`)
    .optionally()
    .query(queryMatching(/FROM CurrencyType/))
    .reply(400, [{ message: "sObject type 'CurrencyType' is not supported.", errorCode: 'INVALID_TYPE' }], limitHeader(1))
    .post('/services/Soap/u/62.0', (body: string) => /<sessionId>[^<]+<\/sessionId>/.test(body) && body.includes('<getUserInfo/>'))
    .optionally()
    .reply(200, userInfoXml(code), { 'Content-Type': 'text/xml;charset=UTF-8' });
}

export function rec(type: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { attributes: { type, url: `${V}/sobjects/${type}/${String(fields['Id'])}` }, ...fields };
}

export async function collect(it: AsyncIterable<PullPage>): Promise<PullPage[]> {
  const out: PullPage[] = [];
  for await (const p of it) out.push(p);
  return out;
}

export function setupNock(): void {
  nock.disableNetConnect();
}

export function teardownNock(): void {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  if (pending.length > 0) throw new Error(`unused mocks: ${pending.join(', ')}`);
}
