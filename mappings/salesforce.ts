import { z } from 'zod';
import type { OutputFieldKey } from '../src/model/output-fields.ts';
import { OUTPUT_FIELD_KEYS } from '../src/model/output-fields.ts';
import { salesforceOutputField, type SalesforceOutputField, type SalesforceOverrideField } from './salesforce-output.ts';
import type { Account, Contact, ContactRole, Product, User } from '../src/model/snapshot.ts';
import type { Mapped, ObjectKind, PulledLineItem, PulledOpportunity, RecordIssue } from '../src/contract/connector.ts';
import type { Converted, MoneyConverter } from './money.ts';

export { sameCurrency, type MoneyConverter } from './money.ts';
export {
  customFieldMetadata,
  SALESFORCE_OUTPUT_FIELDS,
  SALESFORCE_OVERRIDE_FIELDS,
  salesforceOutputField,
  toSalesforceValue,
  type SalesforceFieldType,
  type SalesforceOutputField,
  type SalesforceOverrideField,
  type WriteValue,
} from './salesforce-output.ts';

/**
 * Salesforce <-> model mapping: which fields are read from which object, how a raw record becomes
 * a model record, and Kamflow's own Account fields with their Salesforce names and types.
 */

/** The Salesforce object behind each stream. */
export const SOBJECT_BY_KIND: Record<ObjectKind, string> = {
  users: 'User',
  products: 'Product2',
  accounts: 'Account',
  contacts: 'Contact',
  opportunities: 'Opportunity',
  lineItems: 'OpportunityLineItem',
  contactRoles: 'OpportunityContactRole',
};

/** Objects without `IsDeleted` (their removals never show up in `queryAll`). */
export const NO_DELETE_FLAG: ReadonlySet<ObjectKind> = new Set(['users']);

/** Standard fields read per stream (custom fields from the options are added to these). */
export const BASE_FIELDS: Record<ObjectKind, readonly string[]> = {
  users: ['Id', 'Name', 'IsActive', 'SystemModstamp'],
  products: ['Id', 'Name', 'IsActive', 'SystemModstamp'],
  accounts: ['Id', 'Name', 'ParentId', 'Industry', 'NumberOfEmployees', 'AnnualRevenue', 'BillingCountry', 'OwnerId', 'SystemModstamp'],
  contacts: ['Id', 'AccountId', 'Name', 'Email', 'Title', 'SystemModstamp'],
  opportunities: ['Id', 'AccountId', 'Name', 'StageName', 'IsWon', 'IsClosed', 'Amount', 'CloseDate', 'OwnerId', 'SystemModstamp'],
  lineItems: ['Id', 'OpportunityId', 'Product2Id', 'Quantity', 'TotalPrice', 'SystemModstamp'],
  // Object Reference, OpportunityContactRole: Role is a picklist (nillable), IsPrimary defaults to false.
  contactRoles: ['Id', 'OpportunityId', 'ContactId', 'Role', 'IsPrimary', 'SystemModstamp'],
};

/** Money fields that are read in the corporate currency in a multi-currency org. */
export const MONEY_FIELDS: Record<ObjectKind, readonly string[]> = {
  users: [],
  products: [],
  accounts: ['AnnualRevenue'],
  contacts: [],
  opportunities: ['Amount'],
  lineItems: ['TotalPrice'],
  contactRoles: [],
};

// ---- reading raw values: REST gives typed JSON, Bulk 2.0 gives CSV strings ("" for null) ----

const blankToNull = (v: unknown): unknown => (v === '' || v === undefined ? null : v);
const rawText = z.preprocess(blankToNull, z.string().nullable());
const rawId = z.string().min(1);
const rawNumber = z.preprocess((v) => {
  const b = blankToNull(v);
  return typeof b === 'string' ? Number(b) : b;
}, z.number().finite().nullable());
const rawBool = z.preprocess((v) => {
  const b = blankToNull(v);
  if (b === 'true') return true;
  if (b === 'false') return false;
  return b;
}, z.boolean().nullable());

/** Salesforce writes `2026-01-31T10:00:00.000+0000`; the model wants ISO with `Z`. */
export function toIsoDateTime(value: string): string | null {
  const d = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export interface MappingSettings {
  costField?: string | undefined;
  extraAccountFields: readonly string[];
  referenceableField?: string | undefined;
  /** Contact checkbox for "still active"; a contact counts as active unless it says false. */
  contactActiveField?: string | undefined;
  markedKeyField?: string | undefined;
  offeringFamilyField: string;
  /** Output fields visible on Account in this org (others are not selected). */
  visibleOutputFields: readonly OutputFieldKey[];
  /** Override fields visible on Account: read into `extra` under their neutral keys. */
  visibleOverrideFields?: readonly SalesforceOverrideField[];
  /** Opportunity and line-item amounts into the corporate currency (dated rates by close date). */
  convert: MoneyConverter;
  /** Account.AnnualRevenue into the corporate currency (CurrencyType rates). */
  convertStatic: MoneyConverter;
}

/** A mapped record may still carry issues (an amount left out for want of a rate). */
function noRateIssue(object: ObjectKind, id: string, field: string, c: Converted): { issues: RecordIssue[] } {
  const n = c.conversion;
  if (!n || n.source !== null) return { issues: [] };
  return {
    issues: [{
      object, recordId: id, kind: 'no-exchange-rate',
      message: `${field} ${n.amount} ${n.currency} has no conversion rate in the org (CurrencyType / DatedConversionRate); left out of the amounts`,
    }],
  };
}

type RawRecord = Record<string, unknown>;

function issueFrom(object: ObjectKind, raw: RawRecord, error: z.ZodError | string): Mapped<never> {
  const id = typeof raw['Id'] === 'string' && raw['Id'] !== '' ? raw['Id'] : null;
  const message =
    typeof error === 'string'
      ? error
      : error.issues.map((i) => `${i.path.map(String).join('.') || 'record'}: ${i.message}`).join('; ');
  return { record: null, issues: [{ object, recordId: id, kind: 'unmappable', message }] };
}

function fieldValue(v: unknown): string | number | boolean | null {
  if (v === undefined || v === '') return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return JSON.stringify(v);
}

/** Reads an output field's CRM value back into the model's form (the planner diffs against it). */
export function readOutputValue(field: SalesforceOutputField, v: unknown): string | number | boolean | null {
  const b = blankToNull(v);
  if (b === null) return field.type === 'Checkbox' ? false : null;
  switch (field.type) {
    case 'Checkbox':
      return b === true || b === 'true';
    case 'Number':
    case 'Percent':
    case 'Currency': {
      const n = typeof b === 'number' ? b : Number(b);
      return Number.isFinite(n) ? n : null;
    }
    case 'DateTime':
      return typeof b === 'string' ? toIsoDateTime(b) : null;
    default:
      return typeof b === 'string' ? b : String(b);
  }
}

const userRaw = z.object({ Id: rawId, Name: rawText, IsActive: rawBool });
export function mapUser(raw: RawRecord): Mapped<User> {
  const r = userRaw.safeParse(raw);
  if (!r.success) return issueFrom('users', raw, r.error);
  return { record: { id: r.data.Id, name: r.data.Name ?? '', active: r.data.IsActive ?? true }, issues: [] };
}

const productRaw = z.object({ Id: rawId, Name: rawText, IsActive: rawBool });
export function mapProduct(raw: RawRecord, s: MappingSettings): Mapped<Product> {
  const r = productRaw.safeParse(raw);
  if (!r.success) return issueFrom('products', raw, r.error);
  const family = rawText.safeParse(raw[s.offeringFamilyField]);
  return {
    issues: [],
    record: {
      id: r.data.Id,
      name: r.data.Name ?? '',
      family: family.success ? family.data : null,
      active: r.data.IsActive ?? true,
    },
  };
}

const accountRaw = z.object({
  Id: rawId,
  Name: rawText,
  ParentId: rawText,
  Industry: rawText.optional(),
  NumberOfEmployees: rawNumber.optional(),
  AnnualRevenue: rawNumber.optional(),
  BillingCountry: rawText.optional(),
  OwnerId: rawText.optional(),
  CurrencyIsoCode: rawText.optional(),
});
export function mapAccount(raw: RawRecord, s: MappingSettings): Mapped<Account> {
  const r = accountRaw.safeParse(raw);
  if (!r.success) return issueFrom('accounts', raw, r.error);
  const d = r.data;
  if (d.NumberOfEmployees != null && d.NumberOfEmployees < 0) {
    return issueFrom('accounts', raw, `NumberOfEmployees: must not be negative (got ${d.NumberOfEmployees})`);
  }
  const fields: Record<string, string | number | boolean | null> = {};
  for (const key of s.visibleOutputFields) {
    const spec = salesforceOutputField(key);
    if (spec.apiName in raw) fields[key] = readOutputValue(spec, raw[spec.apiName]);
  }
  const extra: Record<string, string | number | boolean | null> = {};
  for (const name of s.extraAccountFields) if (name in raw) extra[name] = fieldValue(raw[name]);
  for (const f of s.visibleOverrideFields ?? []) if (f.apiName in raw) extra[f.key] = fieldValue(raw[f.apiName]);
  let markedKey: boolean | null = null;
  if (s.markedKeyField && s.markedKeyField in raw) {
    const m = rawBool.safeParse(raw[s.markedKeyField]);
    markedKey = m.success ? m.data : null;
  }
  const revenue = s.convertStatic(d.AnnualRevenue ?? null, d.CurrencyIsoCode ?? null, null);
  return {
    ...noRateIssue('accounts', d.Id, 'AnnualRevenue', revenue),
    record: {
      id: d.Id,
      name: d.Name ?? '',
      parentId: d.ParentId,
      industry: d.Industry ?? null,
      employees: d.NumberOfEmployees ?? null,
      annualRevenue: revenue.value,
      country: d.BillingCountry ?? null,
      ownerId: d.OwnerId ?? null,
      markedKey,
      fields,
      extra,
    },
  };
}

const contactRaw = z.object({ Id: rawId, AccountId: rawText, Name: rawText, Email: rawText.optional(), Title: rawText.optional() });
export function mapContact(raw: RawRecord, s: MappingSettings): Mapped<Contact> {
  const r = contactRaw.safeParse(raw);
  if (!r.success) return issueFrom('contacts', raw, r.error);
  let referenceable = false;
  if (s.referenceableField) {
    const v = rawBool.safeParse(raw[s.referenceableField]);
    // A text or picklist field counts as referenceable when it holds anything.
    referenceable = v.success ? v.data === true : blankToNull(raw[s.referenceableField]) !== null;
  }
  let active = true;
  if (s.contactActiveField) {
    const v = rawBool.safeParse(raw[s.contactActiveField]);
    // Contacts count as active unless marked otherwise (DOMAIN.md): only an explicit false says no.
    active = !(v.success && v.data === false);
  }
  return {
    issues: [],
    record: {
      id: r.data.Id,
      accountId: r.data.AccountId,
      name: r.data.Name ?? '',
      email: r.data.Email ?? null,
      title: r.data.Title ?? null,
      active,
      referenceable,
    },
  };
}

const opportunityRaw = z.object({
  Id: rawId,
  AccountId: rawText,
  Name: rawText,
  IsWon: rawBool,
  IsClosed: rawBool,
  Amount: rawNumber,
  CloseDate: rawText,
  OwnerId: rawText.optional(),
  CurrencyIsoCode: rawText.optional(),
});
export function mapOpportunity(raw: RawRecord, s: MappingSettings): Mapped<PulledOpportunity> {
  const r = opportunityRaw.safeParse(raw);
  if (!r.success) return issueFrom('opportunities', raw, r.error);
  const d = r.data;
  if (!d.AccountId) return issueFrom('opportunities', raw, 'AccountId: the opportunity has no account');
  if (!d.CloseDate || !/^\d{4}-\d{2}-\d{2}/.test(d.CloseDate)) {
    return issueFrom('opportunities', raw, `CloseDate: expected YYYY-MM-DD, got ${JSON.stringify(d.CloseDate)}`);
  }
  const status = d.IsWon ? 'won' : d.IsClosed ? 'lost' : 'open';
  const closeDate = d.CloseDate.slice(0, 10);
  const amount = s.convert(d.Amount, d.CurrencyIsoCode ?? null, closeDate);
  return {
    ...noRateIssue('opportunities', d.Id, 'Amount', amount),
    record: {
      id: d.Id,
      accountId: d.AccountId,
      name: d.Name ?? '',
      status,
      amount: amount.value,
      closeDate,
      ownerId: d.OwnerId ?? null,
      ...(amount.conversion ? { conversion: amount.conversion } : {}),
    },
  };
}

const lineItemRaw = z.object({
  Id: rawId,
  OpportunityId: rawText,
  Product2Id: rawText,
  Quantity: rawNumber,
  TotalPrice: rawNumber,
  CurrencyIsoCode: rawText.optional(),
});

/** The opportunity's close date a line item was read with: nested (REST) or flattened (Bulk CSV). */
function parentCloseDate(raw: RawRecord): string | null {
  const nested = raw['Opportunity'];
  const v = nested && typeof nested === 'object' ? (nested as RawRecord)['CloseDate'] : raw['Opportunity.CloseDate'];
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
}
export function mapLineItem(raw: RawRecord, s: MappingSettings): Mapped<PulledLineItem> {
  const r = lineItemRaw.safeParse(raw);
  if (!r.success) return issueFrom('lineItems', raw, r.error);
  const d = r.data;
  if (!d.OpportunityId) return issueFrom('lineItems', raw, 'OpportunityId: missing');
  if (!d.Product2Id) return issueFrom('lineItems', raw, 'Product2Id: the line item has no product');
  if (d.TotalPrice === null) return issueFrom('lineItems', raw, 'TotalPrice: missing');
  const onDate = parentCloseDate(raw);
  const total = s.convert(d.TotalPrice, d.CurrencyIsoCode ?? null, onDate);
  let cost: number | null = null;
  if (s.costField) {
    const c = rawNumber.safeParse(raw[s.costField]);
    if (c.success) cost = s.convert(c.data, d.CurrencyIsoCode ?? null, onDate).value;
  }
  return {
    ...noRateIssue('lineItems', d.Id, 'TotalPrice', total),
    record: {
      id: d.Id,
      opportunityId: d.OpportunityId,
      productId: d.Product2Id,
      quantity: d.Quantity ?? 1,
      // Without a rate the line counts nothing, and its cost no margin.
      totalPrice: total.value ?? 0,
      cost: total.value === null ? null : cost,
      ...(total.conversion ? { conversion: total.conversion } : {}),
    },
  };
}

const contactRoleRaw = z.object({ Id: rawId, OpportunityId: rawText, ContactId: rawText, Role: rawText, IsPrimary: rawBool });

/**
 * An OpportunityContactRole. The object reference warns that ContactId may name a contact the
 * integration user cannot see or one that was deleted: the role is kept as read, and the
 * analysis leaves out a role whose contact is not among the contacts.
 */
export function mapContactRole(raw: RawRecord): Mapped<ContactRole> {
  const r = contactRoleRaw.safeParse(raw);
  if (!r.success) return issueFrom('contactRoles', raw, r.error);
  const d = r.data;
  if (!d.OpportunityId) return issueFrom('contactRoles', raw, 'OpportunityId: the contact role has no opportunity');
  if (!d.ContactId) return issueFrom('contactRoles', raw, 'ContactId: the contact role has no contact');
  const role = d.Role === null ? null : d.Role.trim() === '' ? null : d.Role;
  return { issues: [], record: { id: d.Id, opportunityId: d.OpportunityId, contactId: d.ContactId, role, primary: d.IsPrimary ?? false } };
}

export { OUTPUT_FIELD_KEYS };
