import { z } from 'zod';
import type { Account, Contact, Product, User } from '../src/model/snapshot.ts';
import type { OpportunityStatus } from '../src/model/snapshot.ts';
import { OUTPUT_PROPERTIES, type OutputPropertySpec } from './hubspot-output.ts';
import type { Mapped, ObjectKind, PulledLineItem, PulledOpportunity, RecordIssue } from '../src/contract/connector.ts';
import { parseBool, text, ValueReader } from '../connectors/hubspot/values.ts';
import { sameCurrency, type Converted, type MoneyConverter } from './money.ts';

export {
  IDEAL_CUSTOMER_PROFILE_BY_TIER,
  OUTPUT_PROPERTIES,
  OUTPUT_PROPERTY_GROUP,
  toPropertyValue,
  type HubSpotPropertyType,
  type OutputPropertySpec,
} from './hubspot-output.ts';
export { parseBool, parseDate, parseDateTime, parseNumber, text, type Parsed } from '../connectors/hubspot/values.ts';

/** How amounts in other currencies become company-currency amounts (a single-currency portal converts nothing). */
export interface PortalMoney {
  company: string;
  convert: MoneyConverter;
}
const SAME_CURRENCY: PortalMoney = { company: '', convert: sameCurrency };

/**
 * HubSpot <-> common model: which properties are read, what they mean, and how Kamflow's own
 * properties are declared. Property values arrive as strings (or null) and are parsed by
 * connectors/hubspot/values.ts; an empty string means "no value".
 */

export type HubSpotObjectType = 'companies' | 'contacts' | 'deals' | 'line_items' | 'products';

/** The property search sorts and filters on for incremental pulls. */
export const LAST_MODIFIED_PROPERTY: Record<HubSpotObjectType, string> = {
  companies: 'hs_lastmodifieddate',
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  line_items: 'hs_lastmodifieddate',
  products: 'hs_lastmodifieddate',
};

/** HUBSPOT_DEFINED association type ids, read from the first object's side. */
export const ASSOCIATION_TYPES = {
  /** company -> company, "child to parent": the target is the company's parent. */
  companyToParent: 14,
  contactToCompanyPrimary: 1,
  dealToCompanyPrimary: 5,
  lineItemToDeal: 20,
} as const;

/** Settings that change which properties are read and how they are understood. */
export interface MappingSettings {
  /** Company property that marks a key account in the CRM today (bool). */
  keyProperty: string;
  /** Product property that holds the offering's family, if any; empty falls back to the name. */
  productFamilyProperty: string | null;
  /** Line-item property with the cost, if any. */
  lineItemCostProperty: string | null;
  /** The cost property holds one unit's cost (multiplied by the quantity) or the line's. */
  lineItemCostPer: 'unit' | 'line';
  /** Contact property that says the contact gave a referral or testimonial, if any. */
  referenceableProperty: string | null;
  /** Contact bool property: false marks a contact who left (HubSpot has no standard one), if any. */
  contactActiveProperty: string | null;
  /** Further company properties copied to `account.extra`. */
  extraCompanyProperties: string[];
}

export function propertiesFor(type: HubSpotObjectType, s: MappingSettings): string[] {
  const base: Record<HubSpotObjectType, string[]> = {
    companies: [
      'name', 'domain', 'industry', 'numberofemployees', 'annualrevenue', 'country', 'hubspot_owner_id',
      s.keyProperty, ...OUTPUT_PROPERTIES.map((p) => p.name), ...s.extraCompanyProperties,
    ],
    contacts: [
      'firstname', 'lastname', 'email', 'jobtitle', 'associatedcompanyid',
      ...(s.referenceableProperty ? [s.referenceableProperty] : []), ...(s.contactActiveProperty ? [s.contactActiveProperty] : []),
    ],
    deals: ['dealname', 'dealstage', 'pipeline', 'amount', 'amount_in_home_currency', 'deal_currency_code', 'closedate', 'createdate', 'hubspot_owner_id'],
    line_items: ['hs_product_id', 'quantity', 'amount', 'price', 'name', 'hs_line_item_currency_code', ...(s.lineItemCostProperty ? [s.lineItemCostProperty] : [])],
    products: ['name', ...(s.productFamilyProperty ? [s.productFamilyProperty] : [])],
  };
  return [...new Set([...base[type], LAST_MODIFIED_PROPERTY[type]])];
}

// ---- raw objects ---------------------------------------------------------------------------

/** A CRM object as the v3 object endpoints return it. */
export const hubSpotObjectSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? null : String(v)))).default({}),
  archived: z.boolean().optional(),
  archivedAt: z.union([z.string(), z.date()]).optional(),
});
export type HubSpotObject = z.infer<typeof hubSpotObjectSchema>;

// ---- mappers ------------------------------------------------------------------------------

function finish<T>(object: ObjectKind, id: string, record: T | null, reader: ValueReader, fatal?: { kind: string; message: string }, money?: Converted): Mapped<T> {
  const issues: RecordIssue[] = reader.problems.map((m) => ({ object, recordId: id, kind: 'bad-value', message: `${object} ${id}: ${m} (left empty)` }));
  if (fatal) issues.push({ object, recordId: id, kind: fatal.kind, message: `${object} ${id}: ${fatal.message}` });
  const n = money?.conversion;
  if (!fatal && n && n.source === null) {
    issues.push({ object, recordId: id, kind: 'no-exchange-rate', message: `${object} ${id}: amount ${n.amount} ${n.currency} has no exchange rate in the portal; left out of the amounts` });
  }
  return { record: fatal ? null : record, issues };
}

/**
 * A deal's amount in the company currency: HubSpot's own `amount_in_home_currency` when it has
 * one, else `amount` in `deal_currency_code` at the portal's exchange rate; never a foreign
 * amount as if it were in the company currency.
 */
function dealAmount(r: ValueReader, money: PortalMoney, closeDate: string | null): Converted {
  const home = r.number('amount_in_home_currency');
  const amount = r.number('amount');
  const currency = r.text('deal_currency_code');
  if (currency === null || currency === money.company) return { value: home ?? amount };
  if (home !== null) {
    return { value: home, ...(amount !== null ? { conversion: { currency, amount, rate: null, source: 'HubSpot amount_in_home_currency' } } : {}) };
  }
  return money.convert(amount, currency, closeDate);
}

function typedOwnField(spec: OutputPropertySpec, r: ValueReader): string | number | boolean | null {
  switch (spec.type) {
    case 'bool':
      return r.bool(spec.name);
    case 'number':
      return r.number(spec.name);
    case 'datetime':
    case 'date':
      return r.dateTime(spec.name);
    default:
      return r.text(spec.name);
  }
}

export function mapCompany(o: HubSpotObject, parentId: string | null, s: MappingSettings, queues: QueueIds = new Set()): Mapped<Account> {
  const r = new ValueReader(o.properties);
  const fields: Account['fields'] = {};
  for (const spec of OUTPUT_PROPERTIES) {
    // Absent means the property does not exist (yet); null means it exists and is empty.
    if (spec.name in o.properties) fields[spec.key] = typedOwnField(spec, r);
  }
  const extra: Account['extra'] = {};
  for (const p of s.extraCompanyProperties) extra[p] = r.text(p);
  const employees = r.number('numberofemployees');
  const account: Account = {
    id: o.id,
    name: r.text('name') ?? '',
    parentId: parentId === o.id ? null : parentId,
    industry: r.text('industry'),
    employees: employees !== null && employees < 0 ? null : employees,
    annualRevenue: r.number('annualrevenue'),
    country: r.text('country'),
    ownerId: personOwner(r, queues),
    markedKey: r.bool(s.keyProperty),
    fields,
    extra,
  };
  return finish('accounts', o.id, account, r);
}

export function mapContact(o: HubSpotObject, companyId: string | null, s: MappingSettings): Mapped<Contact> {
  const r = new ValueReader(o.properties);
  const name = [r.text('firstname'), r.text('lastname')].filter((x) => x !== null).join(' ');
  let referenceable = false;
  if (s.referenceableProperty) {
    const raw = r.text(s.referenceableProperty);
    const b = parseBool(raw);
    // A checkbox says true/false; any other non-empty value (e.g. "referral;testimonial") counts.
    referenceable = b.ok ? b.value === true : raw !== null && !['no', '0', 'none'].includes(raw.toLowerCase());
  }
  // Only an explicit false makes a contact inactive: an empty checkbox says nothing.
  const active = s.contactActiveProperty ? r.bool(s.contactActiveProperty) !== false : true;
  const contact: Contact = {
    id: o.id,
    accountId: companyId ?? r.text('associatedcompanyid'),
    name: name || (r.text('email') ?? ''),
    email: r.text('email'),
    title: r.text('jobtitle'),
    active,
    referenceable,
  };
  return finish('contacts', o.id, contact, r);
}

/** Deal stage outcome keyed by `pipeline:stage` (stage ids are only unique within a pipeline). */
export type StageStatuses = Map<string, OpportunityStatus>;

export const pipelineSchema = z.object({
  id: z.string(),
  stages: z.array(z.object({ id: z.string(), metadata: z.record(z.string(), z.unknown()).default({}) })),
});

export function stageStatuses(pipelines: z.infer<typeof pipelineSchema>[]): StageStatuses {
  const out: StageStatuses = new Map();
  for (const p of pipelines) {
    for (const st of p.stages) {
      const closed = String(st.metadata['isClosed'] ?? '').toLowerCase() === 'true';
      const probability = Number(st.metadata['probability'] ?? NaN);
      const status: OpportunityStatus = !closed ? 'open' : probability === 1 ? 'won' : 'lost';
      out.set(`${p.id}:${st.id}`, status);
    }
  }
  return out;
}

function resolveStage(stages: StageStatuses, pipeline: string | null, stage: string): OpportunityStatus | undefined {
  if (pipeline !== null) return stages.get(`${pipeline}:${stage}`);
  const found = [...stages.entries()].filter(([k]) => k.endsWith(`:${stage}`)).map(([, v]) => v);
  return found.length > 0 && found.every((v) => v === found[0]) ? found[0] : undefined;
}

export function mapDeal(o: HubSpotObject, companyId: string | null, stages: StageStatuses, queues: QueueIds = new Set(), money: PortalMoney = SAME_CURRENCY): Mapped<PulledOpportunity> {
  const r = new ValueReader(o.properties);
  const stage = r.text('dealstage');
  const status = stage === null ? undefined : resolveStage(stages, r.text('pipeline'), stage);
  const close = r.date('closedate');
  // Open deals count whatever their date, so one without a close date keeps its creation date.
  const closeDate = close ?? (status === 'open' ? r.date('createdate') : null);
  const amount = dealAmount(r, money, closeDate);
  let fatal: { kind: string; message: string } | undefined;
  if (companyId === null) fatal = { kind: 'no-account', message: 'deal has no associated company' };
  else if (status === undefined) fatal = { kind: 'unknown-stage', message: `deal stage "${stage ?? ''}" is not in any deal pipeline` };
  else if (closeDate === null) fatal = { kind: 'no-close-date', message: 'closed deal has no close date' };
  const deal: PulledOpportunity = {
    id: o.id,
    accountId: companyId ?? '',
    name: r.text('dealname') ?? '',
    status: status ?? 'open',
    amount: amount.value,
    closeDate: closeDate ?? '',
    ownerId: personOwner(r, queues),
    ...(amount.conversion ? { conversion: amount.conversion } : {}),
  };
  return finish('opportunities', o.id, deal, r, fatal, amount);
}

export function mapLineItem(o: HubSpotObject, dealId: string | null, s: MappingSettings, money: PortalMoney = SAME_CURRENCY): Mapped<PulledLineItem> {
  const r = new ValueReader(o.properties);
  const productId = r.text('hs_product_id');
  const quantity = r.number('quantity') ?? 1;
  // `amount` is HubSpot's line total (quantity x price less discounts).
  const amount = r.number('amount');
  const price = r.number('price');
  const lineTotal = amount ?? (price !== null ? price * quantity : null);
  const costValue = s.lineItemCostProperty ? r.number(s.lineItemCostProperty) : null;
  // The model's cost is the line's; HubSpot's own cost property is per unit.
  const lineCost = costValue !== null && s.lineItemCostPer === 'unit' ? costValue * quantity : costValue;
  // A line item's amounts are in its own currency (the company currency when it names none).
  const currency = r.text('hs_line_item_currency_code');
  const total = money.convert(lineTotal, currency, null);
  const cost = total.value === null ? null : money.convert(lineCost, currency, null).value;
  let fatal: { kind: string; message: string } | undefined;
  if (dealId === null) fatal = { kind: 'no-opportunity', message: 'line item has no associated deal' };
  else if (productId === null) fatal = { kind: 'no-product', message: 'line item has no hs_product_id' };
  else if (lineTotal === null) fatal = { kind: 'no-amount', message: 'line item has neither amount nor price' };
  const item: PulledLineItem = {
    id: o.id, opportunityId: dealId ?? '', productId: productId ?? '', quantity,
    // Without a rate the line counts nothing, and its cost no margin.
    totalPrice: total.value ?? 0,
    cost,
    ...(total.conversion ? { conversion: total.conversion } : {}),
  };
  return finish('lineItems', o.id, item, r, fatal, total);
}

export function mapProduct(o: HubSpotObject, s: MappingSettings): Mapped<Product> {
  const r = new ValueReader(o.properties);
  const product: Product = { id: o.id, name: r.text('name') ?? '', family: s.productFamilyProperty ? r.text(s.productFamilyProperty) : null, active: o.archived !== true };
  return finish('products', o.id, product, r);
}

export const ownerSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  email: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  archived: z.boolean().nullish(),
  /** The owners API tells people from queues (`PERSON` / `QUEUE`). */
  type: z.enum(['PERSON', 'QUEUE']).nullish(),
});
export type HubSpotOwner = z.infer<typeof ownerSchema>;

/** Ids of owners that are queues, not people: a record they own has no person as its owner. */
export type QueueIds = ReadonlySet<string>;

/** A person becomes a user; a queue is no user (null). */
export function mapOwner(o: HubSpotOwner): User | null {
  if (o.type === 'QUEUE') return null;
  const name = [o.firstName, o.lastName].map((x) => text(x)).filter((x) => x !== null).join(' ');
  return { id: o.id, name: name || (o.email ?? ''), active: o.archived !== true };
}

/** The record's owner when it is a person; a queue owns it for nobody in particular. */
function personOwner(r: ValueReader, queues: QueueIds): string | null {
  const owner = r.text('hubspot_owner_id');
  return owner !== null && queues.has(owner) ? null : owner;
}
