import { z } from 'zod';
import { CrmError } from '../../src/contract/errors.ts';
import { SalesforceHttpError, stopError, type SalesforceClient } from './client.ts';
import { queryAllPages } from './query.ts';

/** Facts about the org the pulls depend on: its currency setup and the fields it shows us. */

export interface CurrencyInfo {
  /** Corporate currency (multi-currency org) or the org default. */
  code: string;
  multiCurrency: boolean;
  /** Conversion rates relative to the corporate currency, by ISO code. */
  rates: Map<string, number>;
}

const currencyTypeRow = z.object({
  IsoCode: z.string(),
  ConversionRate: z.number(),
  IsCorporate: z.boolean(),
});
const organizationRow = z.object({ DefaultCurrencyIsoCode: z.string().min(3) });

export async function detectCurrency(client: SalesforceClient): Promise<CurrencyInfo> {
  try {
    const rows = z.array(currencyTypeRow).parse(await queryAllPages(client, 'SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType'));
    const corporate = rows.find((r) => r.IsCorporate);
    if (!corporate) throw new CrmError('bad-response', 'multi-currency org without a corporate currency in CurrencyType', { crm: 'salesforce' });
    return { code: corporate.IsoCode, multiCurrency: true, rates: new Map(rows.map((r) => [r.IsoCode, r.ConversionRate])) };
  } catch (e) {
    // CurrencyType exists only in multi-currency orgs; elsewhere the query answers INVALID_TYPE.
    if (!(e instanceof SalesforceHttpError && e.errorCode === 'INVALID_TYPE')) throw stopError('CurrencyType query', e);
  }
  let rows: unknown;
  try {
    rows = await queryAllPages(client, 'SELECT DefaultCurrencyIsoCode FROM Organization');
  } catch (e) {
    throw stopError('Organization query', e);
  }
  const org = z.array(organizationRow).min(1).safeParse(rows);
  if (!org.success) throw new CrmError('bad-response', 'Organization query gave no DefaultCurrencyIsoCode', { crm: 'salesforce' });
  const first = org.data[0];
  return { code: first ? first.DefaultCurrencyIsoCode : 'USD', multiCurrency: false, rates: new Map() };
}

export const describeFieldSchema = z.object({
  name: z.string(),
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
