import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { Cursor, Mapped, ObjectKind, PullPage, RecordIssue, RecordsByKind } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import {
  BASE_FIELDS,
  MONEY_FIELDS,
  SALESFORCE_OUTPUT_FIELDS,
  SALESFORCE_OVERRIDE_FIELDS,
  mapAccount,
  mapContact,
  mapLineItem,
  mapOpportunity,
  mapProduct,
  mapUser,
  mapContactRole,
  sameCurrency,
  type MappingSettings,
} from '../../mappings/salesforce.ts';
import { opportunityConverter, rateFingerprint, staticConverter } from '../../mappings/salesforce-money.ts';
import type { MoneyConverter } from '../../mappings/money.ts';
import type { SalesforceClient } from './client.ts';
import { guardKept } from './currency-cache.ts';
import type { CurrencyInfo, DescribeField } from './org.ts';
import type { SalesforceOptions } from './options.ts';
import type { RawRecord } from './query.ts';

/** What a Salesforce stream pull works with: its context, cursor, field plan and page building. */

export interface PullContext {
  client: SalesforceClient;
  options: SalesforceOptions;
  currency(): Promise<CurrencyInfo>;
  /** The setup in use was kept from a cursor (not read this run): an unknown currency stops the stream (see currency-cache.ts). */
  currencyKept?: () => boolean;
  accountFields(): Promise<Map<string, DescribeField>>;
  now(): number;
  logger: Logger;
}

/**
 * `rates`: the fingerprint of the rates a money stream's records were converted with. When the
 * org's rates change, the records are converted again: the stream is read anew.
 */
export const cursorSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('full'), afterId: z.string(), startedAt: z.string(), rates: z.string().optional(), currency: z.string().optional() }),
  z.object({ phase: z.literal('bulk'), jobId: z.string().min(1), locator: z.string(), startedAt: z.string(), rates: z.string().optional(), currency: z.string().optional() }),
  z.object({ phase: z.literal('incremental'), ts: z.string(), id: z.string(), complete: z.boolean(), rates: z.string().optional(), currency: z.string().optional() }),
]);
export type StreamCursor = z.infer<typeof cursorSchema>;

/** Streams whose amounts are converted into the corporate currency. */
export const MONEY_STREAMS: ReadonlySet<ObjectKind> = new Set(['accounts', 'opportunities', 'lineItems']);

export function withRates<T extends StreamCursor>(cursor: T, rates: string | undefined): T {
  return rates === undefined ? cursor : { ...cursor, rates };
}

export function doneCursor(ts: string, id: string, rates?: string): StreamCursor {
  return withRates({ phase: 'incremental', ts, id, complete: true }, rates);
}

export interface StreamPlan {
  fields: string[];
  settings: MappingSettings;
  /** The fingerprint of the rates a money stream converts with (undefined for other streams). */
  rates: string | undefined;
  /** Line items convert at their opportunity's close date (advanced currency management). */
  dated: boolean;
}

/**
 * Amounts are read as the org holds them, in each record's CurrencyIsoCode, and converted with
 * the org's own rates into the corporate currency. (SOQL's convertCurrency() would convert into
 * the integration user's currency, which need not be the corporate one.)
 */
export async function planStream(ctx: PullContext, kind: ObjectKind): Promise<StreamPlan> {
  const o = ctx.options;
  // Streams without amounts do not need the org's currencies (read at most daily, by the first money stream).
  const cur: CurrencyInfo = MONEY_STREAMS.has(kind) ? await ctx.currency() : { corporate: '', multiCurrency: false, rates: new Map(), dated: null, source: '', fallback: null };
  const guard = MONEY_STREAMS.has(kind) && cur.multiCurrency && ctx.currencyKept?.() === true ? (c: MoneyConverter) => guardKept(c, cur) : (c: MoneyConverter) => c;
  const money = new Set(MONEY_FIELDS[kind]);
  const fields = [...BASE_FIELDS[kind]];
  const dated = cur.multiCurrency && cur.dated !== null && kind === 'lineItems';
  if (cur.multiCurrency && money.size > 0) fields.push('CurrencyIsoCode');
  if (dated) fields.push('Opportunity.CloseDate');
  const settings: MappingSettings = {
    costField: o.costField,
    extraAccountFields: [],
    referenceableField: o.referenceableField,
    contactActiveField: o.contactActiveField,
    markedKeyField: o.markedKeyField,
    offeringFamilyField: o.offeringFamilyField,
    visibleOutputFields: [],
    convert: cur.multiCurrency ? guard(opportunityConverter(cur)) : sameCurrency,
    convertStatic: cur.multiCurrency ? guard(staticConverter(cur)) : sameCurrency,
  };
  if (kind === 'products' && !fields.includes(o.offeringFamilyField)) fields.push(o.offeringFamilyField);
  if (kind === 'contacts' && o.referenceableField) fields.push(o.referenceableField);
  if (kind === 'contacts' && o.contactActiveField && !fields.includes(o.contactActiveField)) fields.push(o.contactActiveField);
  if (kind === 'lineItems' && o.costField) fields.push(o.costField);
  if (kind === 'accounts') {
    const visible = await ctx.accountFields();
    const wanted = [...o.extraAccountFields, ...(o.markedKeyField ? [o.markedKeyField] : [])];
    const missing = wanted.filter((f) => !visible.has(f));
    if (missing.length > 0) {
      throw new CrmError('config', `Account field(s) ${missing.join(', ')} not found or not visible to the integration user`, { crm: 'salesforce' });
    }
    for (const f of wanted) if (!fields.includes(f)) fields.push(f);
    const outputs = SALESFORCE_OUTPUT_FIELDS.filter((f) => visible.has(f.apiName));
    fields.push(...outputs.map((f) => f.apiName));
    settings.extraAccountFields = o.extraAccountFields;
    settings.visibleOutputFields = outputs.map((f) => f.key);
    const overrides = SALESFORCE_OVERRIDE_FIELDS.filter((f) => visible.has(f.apiName));
    fields.push(...overrides.map((f) => f.apiName));
    settings.visibleOverrideFields = overrides;
  }
  return { fields, settings, rates: MONEY_STREAMS.has(kind) ? rateFingerprint(cur) : undefined, dated };
}

function mapRecord(kind: ObjectKind, raw: RawRecord, s: MappingSettings): Mapped<RecordsByKind[ObjectKind]> {
  switch (kind) {
    case 'users':
      return mapUser(raw);
    case 'products':
      return mapProduct(raw, s);
    case 'accounts':
      return mapAccount(raw, s);
    case 'contacts':
      return mapContact(raw, s);
    case 'opportunities':
      return mapOpportunity(raw, s);
    case 'lineItems':
      return mapLineItem(raw, s);
    case 'contactRoles':
      return mapContactRole(raw);
  }
}

export function buildPage(kind: ObjectKind, raws: RawRecord[], s: MappingSettings, cursor: StreamCursor, complete: boolean): PullPage {
  const records: RecordsByKind[ObjectKind][] = [];
  const deletedIds: string[] = [];
  const issues: RecordIssue[] = [];
  for (const raw of raws) {
    if (raw['IsDeleted'] === true || raw['IsDeleted'] === 'true') {
      if (typeof raw['Id'] === 'string') deletedIds.push(raw['Id']);
      continue;
    }
    const r = mapRecord(kind, raw, s);
    if (r.record) records.push(r.record);
    issues.push(...r.issues);
  }
  return { object: kind, records, deletedIds, issues, cursor: cursor as Cursor, ...(complete ? { fullPullComplete: true } : {}) };
}

export function lastId(raws: RawRecord[], fallback: string): string {
  const last = raws[raws.length - 1];
  return last && typeof last['Id'] === 'string' ? last['Id'] : fallback;
}
