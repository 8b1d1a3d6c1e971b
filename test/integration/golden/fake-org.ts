import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { userInfoXml } from '../salesforce/helpers.ts';

export const SF_INSTANCE = 'https://golden.my.salesforce.test';
const V = '/services/data/v62.0';

export interface OrgData {
  currency: string;
  /** A multi-currency org: CurrencyType rows (units of each currency per corporate unit); records carry CurrencyIsoCode. */
  currencyTypes?: { IsoCode: string; ConversionRate: number; IsCorporate: boolean }[];
  idsInHubSpot: Record<string, string>;
  accountDescribe: { name: string; type: string }[];
  records: Record<'User' | 'Product2' | 'Account' | 'Contact' | 'Opportunity' | 'OpportunityLineItem', Record<string, unknown>[]>;
}

export function loadGoldenOrg(): OrgData {
  const path = fileURLToPath(new URL('../../fixtures/salesforce/golden-salesforce.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as OrgData;
}

function rec(type: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { attributes: { type, url: `${V}/sobjects/${type}/${String(fields['Id'])}` }, ...fields };
}

function limitInfo(): Record<string, string> {
  return { 'Sforce-Limit-Info': 'api-usage=10/15000', 'Content-Type': 'application/json;charset=UTF-8' };
}

/** Keeps only the fields a SELECT list names, as Salesforce does. */
function project(row: Record<string, unknown>, select: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of select) if (f in row) out[f] = row[f];
  return out;
}

function selectList(soql: string): string[] {
  const m = /^SELECT (.*?) FROM /.exec(soql.replace(/\(SELECT .*?\)/, 'CHILD'));
  return (m?.[1] ?? '').split(',').map((s) => s.trim());
}

/**
 * A single-currency org serving the fixture to the Salesforce connector's full pull: every
 * SOQL query answers in one page (`done: true`) with the records of its object, the selected
 * fields only; opportunities carry their line items as the `OpportunityLineItems` child
 * relationship. A query the fake does not know fails the test. Returns the SOQL it received.
 */
export function serveOrg(data: OrgData): string[] {
  const log: string[] = [];
  const scope = nock(SF_INSTANCE).persist();
  scope.get(`${V}/sobjects/Account/describe`).reply(200, { name: 'Account', fields: data.accountDescribe }, limitInfo());
  // SOAP API getUserInfo: the currency of a single-currency org.
  scope.post('/services/Soap/u/62.0').reply(() => {
    log.push('SOAP getUserInfo');
    return [200, userInfoXml(data.currency), { 'Content-Type': 'text/xml;charset=UTF-8' }];
  });
  scope.get(`${V}/query`).query(true).reply((uri) => {
    const soql = new URL(uri, SF_INSTANCE).searchParams.get('q') ?? '';
    log.push(soql);
    if (/FROM CurrencyType/.test(soql)) {
      if (!data.currencyTypes) return [400, [{ message: "sObject type 'CurrencyType' is not supported.", errorCode: 'INVALID_TYPE' }], limitInfo()];
      const rows = data.currencyTypes.map((c) => rec('CurrencyType', c));
      return [200, { totalSize: rows.length, done: true, records: rows }, limitInfo()];
    }
    if (/FROM DatedConversionRate/.test(soql)) {
      return [400, [{ message: "sObject type 'DatedConversionRate' is not supported.", errorCode: 'INVALID_TYPE' }], limitInfo()];
    }
    const child = /\(SELECT (.*?) FROM OpportunityLineItems\) FROM Opportunity/.exec(soql);
    if (child) {
      const fields = (child[1] ?? '').split(',').map((s) => s.trim());
      const records = data.records.Opportunity.map((o) => {
        const items = data.records.OpportunityLineItem.filter((li) => li['OpportunityId'] === o['Id']).map((li) => rec('OpportunityLineItem', project(li, fields)));
        return rec('Opportunity', { Id: o['Id'], OpportunityLineItems: items.length > 0 ? { totalSize: items.length, done: true, records: items } : null });
      });
      return [200, { totalSize: records.length, done: true, records }, limitInfo()];
    }
    // The golden customer base names no contact roles: the object is there, with no rows.
    if (/FROM OpportunityContactRole ORDER BY Id$/.test(soql)) return [200, { totalSize: 0, done: true, records: [] }, limitInfo()];
    const from = /FROM (\w+) ORDER BY Id$/.exec(soql)?.[1] as keyof OrgData['records'] | undefined;
    if (!from || !(from in data.records)) return [400, [{ message: `the golden fake org does not know: ${soql}`, errorCode: 'MALFORMED_QUERY' }], limitInfo()];
    const fields = selectList(soql);
    const records = data.records[from].map((r) => rec(from, project(r, fields)));
    return [200, { totalSize: records.length, done: true, records }, limitInfo()];
  });
  return log;
}
