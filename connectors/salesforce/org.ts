import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { DatedRate, SalesforceRateTable } from '../../mappings/salesforce-money.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { SalesforceHttpError, stopError, type SalesforceClient } from './client.ts';
import { queryAllPages } from './query.ts';

/** Facts about the org the pulls depend on: its currency setup and the fields it shows us. */

export interface CurrencyInfo extends SalesforceRateTable {
  multiCurrency: boolean;
  /** Where the corporate currency came from, for logs and the run's issues. */
  source: string;
  /** Set when no documented source answered and a fallback currency was taken (a data issue of the run). */
  fallback: string | null;
}

const currencyTypeRow = z.object({ IsoCode: z.string().min(3), ConversionRate: z.number().positive(), IsCorporate: z.boolean() });
const datedRateRow = z.object({ IsoCode: z.string().min(3), ConversionRate: z.number().positive(), StartDate: z.string(), NextStartDate: z.string().nullable() });
const userInfoResult = z.object({ orgDefaultCurrencyIsoCode: z.string().regex(/^[A-Z]{3}$/), organizationMultiCurrency: z.literal('false') });

/** Errors of the lookup itself fall back; a limit, revoked credentials or an unreachable org stop the run as always. */
function stopsTheRun(e: unknown): boolean {
  return e instanceof CrmError && (e.kind === 'api-limit' || e.kind === 'auth' || e.kind === 'unavailable');
}

function describeError(e: unknown): string {
  if (e instanceof SalesforceHttpError) return `${e.errorCode}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** The value under the first key ending in `suffix` (SOAP envelopes come with namespace prefixes). */
function child(node: unknown, suffix: string): unknown {
  if (!node || typeof node !== 'object') return undefined;
  const key = Object.keys(node).find((k) => k === suffix || k.endsWith(`:${suffix}`));
  return key === undefined ? undefined : (node as Record<string, unknown>)[key];
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * SOAP API getUserInfo, whose GetUserInfoResult.orgDefaultCurrencyIsoCode is the documented
 * currency of a single-currency org (developer.salesforce.com, SOAP API Developer Guide,
 * getUserInfoResult; the REST identity and userinfo resources document no currency). The
 * envelope carries the session, so it is built for each attempt.
 */
async function orgDefaultCurrency(client: SalesforceClient): Promise<string> {
  const version = client.versionPath.replace(/^.*\/v/, '');
  const res = await client.send('getUserInfo', {
    method: 'POST',
    path: `/services/Soap/u/${version}`,
    headers: { 'Content-Type': 'text/xml; charset=UTF-8', SOAPAction: '""' },
    body: (sessionId) =>
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com">'
      + `<soapenv:Header><SessionHeader><sessionId>${escapeXml(sessionId)}</sessionId></SessionHeader></soapenv:Header>`
      + '<soapenv:Body><getUserInfo/></soapenv:Body></soapenv:Envelope>',
  });
  const result = child(child(child(child(res.body, 'Envelope'), 'Body'), 'getUserInfoResponse'), 'result');
  const parsed = userInfoResult.safeParse(result);
  if (!parsed.success) throw new CrmError('bad-response', 'getUserInfo gave no orgDefaultCurrencyIsoCode of a single-currency org', { crm: 'salesforce' });
  return parsed.data.orgDefaultCurrencyIsoCode;
}

/**
 * Advanced currency management is on exactly when DatedConversionRate exists ("not available in
 * single-currency organizations, nor ... if the organization hasn't enabled advanced currency
 * management"; Object Reference, DatedConversionRate): elsewhere the query answers INVALID_TYPE.
 */
async function datedRates(client: SalesforceClient): Promise<DatedRate[] | null> {
  try {
    const rows = z.array(datedRateRow).parse(
      await queryAllPages(client, 'SELECT IsoCode, ConversionRate, StartDate, NextStartDate FROM DatedConversionRate ORDER BY IsoCode, StartDate'),
    );
    return rows.map((r) => ({ code: r.IsoCode, rate: r.ConversionRate, start: r.StartDate.slice(0, 10), next: r.NextStartDate ? r.NextStartDate.slice(0, 10) : null }));
  } catch (e) {
    if (e instanceof SalesforceHttpError && e.errorCode === 'INVALID_TYPE') return null;
    throw e;
  }
}

/**
 * The corporate currency and the org's rates, from documented sources only: CurrencyType
 * (IsCorporate) in a multi-currency org, getUserInfo's org default currency otherwise. When
 * neither answers, the connection's `currency` option (else USD) is taken, and `fallback` says
 * so: the lookup never stops a sync by itself.
 */
export async function detectCurrency(client: SalesforceClient, fallbackCode: string | undefined, logger: Logger): Promise<CurrencyInfo> {
  const fallback = (why: string): CurrencyInfo => {
    const code = fallbackCode ?? 'USD';
    const from = fallbackCode ? 'the connection option "currency"' : 'the default USD (set the connection option "currency" to choose)';
    const message = `the org's corporate currency could not be read (${why}); amounts are taken to be in ${code}, from ${from}`;
    logger.warn({ currency: code }, message);
    return { corporate: code, multiCurrency: false, rates: new Map(), dated: null, source: 'fallback', fallback: message };
  };
  let rows: z.infer<typeof currencyTypeRow>[] | null = null;
  try {
    rows = z.array(currencyTypeRow).parse(await queryAllPages(client, 'SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType'));
  } catch (e) {
    if (stopsTheRun(e)) throw e;
    // CurrencyType exists only in multi-currency orgs; elsewhere the query answers INVALID_TYPE.
    if (!(e instanceof SalesforceHttpError && e.errorCode === 'INVALID_TYPE')) return fallback(`CurrencyType query: ${describeError(e)}`);
  }
  if (rows) {
    const corporate = rows.find((r) => r.IsCorporate);
    if (!corporate) return fallback('CurrencyType has no corporate currency');
    const rates = new Map(rows.map((r) => [r.IsoCode, r.ConversionRate]));
    try {
      const dated = await datedRates(client);
      return { corporate: corporate.IsoCode, multiCurrency: true, rates, dated, source: 'CurrencyType (IsCorporate)', fallback: null };
    } catch (e) {
      if (stopsTheRun(e)) throw e;
      const message = `DatedConversionRate could not be read (${describeError(e)}); CurrencyType rates are used for every date`;
      logger.warn({}, message);
      return { corporate: corporate.IsoCode, multiCurrency: true, rates, dated: null, source: 'CurrencyType (IsCorporate)', fallback: message };
    }
  }
  try {
    const code = await orgDefaultCurrency(client);
    return { corporate: code, multiCurrency: false, rates: new Map(), dated: null, source: 'getUserInfo (orgDefaultCurrencyIsoCode)', fallback: null };
  } catch (e) {
    if (stopsTheRun(e)) throw e;
    return fallback(`getUserInfo: ${describeError(e)}`);
  }
}

export const describeFieldSchema = z.object({
  name: z.string(),
  label: z.string().optional(),
  type: z.string(),
  length: z.number().nullable().optional(),
  precision: z.number().nullable().optional(),
  scale: z.number().nullable().optional(),
  picklistValues: z.array(z.object({ value: z.string() }).passthrough()).nullable().optional(),
});
export type DescribeField = z.infer<typeof describeFieldSchema>;
const describeSchema = z.object({ fields: z.array(describeFieldSchema) });

/** The fields of an object the integration user can see (fields without FLS are absent). */
export async function describeFields(client: SalesforceClient, sobject: string): Promise<Map<string, DescribeField>> {
  try {
    const res = await client.json('describe', { method: 'GET', path: `${client.versionPath}/sobjects/${sobject}/describe` }, describeSchema);
    return new Map(res.fields.map((f) => [f.name, f]));
  } catch (e) {
    throw stopError(`describe ${sobject}`, e);
  }
}
