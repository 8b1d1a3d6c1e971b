import { z } from 'zod';
import { SnapshotIntake } from './snapshot-intake.ts';

/**
 * The snapshot, interchange format version 2 (DOMAIN.md section 5, extended): what every
 * connector produces and what the analysis reads. Records are validated one by one so that a
 * single bad record is rejected with its id and reason while the rest of the file goes on.
 *
 * Version 2 adds, all optional so that every version-1 file reads as before: the org's
 * `fiscalYearStartMonth` in the header, an account's `domain`, and the `contactRoles` list (the
 * role a contact plays on an opportunity). Amounts, quantities and prices are bounded in both
 * versions: no real business books an amount past 10^15, and a value beyond it would only
 * overflow the sums.
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** `YYYY-MM-DD` or a full ISO 8601 timestamp whose date part is a real calendar date. */
export const isoDate = z.string().refine(
  (s) => {
    if (!ISO_DATE.test(s)) return false;
    const day = s.slice(0, 10);
    const d = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
  },
  { message: 'expected an ISO 8601 date (YYYY-MM-DD or a full timestamp)' },
);

const id = z.string().min(1, 'id must be a non-empty string');
const optText = z.string().nullable().default(null);

/** The largest amount (or price, cost, revenue) in absolute value a record may carry: 10^15. */
export const MAX_AMOUNT = 1e15;
/** The largest quantity in absolute value: 10^12 units. */
export const MAX_QUANTITY = 1e12;

const bounded = (max: number, label: string) =>
  z.number().finite().min(-max, `must be within -${label}..${label}`).max(max, `must be within -${label}..${label}`);
/** A money amount within ±MAX_AMOUNT. */
export const amountSchema = bounded(MAX_AMOUNT, '1e15');
const optAmount = amountSchema.nullable().default(null);

/** A value of a CRM field the analysis may read (optional criteria, Kamflow's own fields). */
export const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type FieldValue = z.infer<typeof fieldValue>;

export const accountSchema = z.object({
  id,
  name: z.string(),
  parentId: z.string().nullable().default(null),
  industry: optText,
  employees: z.number().finite().nonnegative().nullable().default(null),
  annualRevenue: optAmount,
  country: optText,
  ownerId: optText,
  markedKey: z.boolean().nullable().default(null),
  /** Current values of Kamflow's own CRM fields, by their HubSpot-style names (kam_*). */
  fields: z.record(z.string(), fieldValue).default({}),
  /**
   * Extension to version 1: other CRM fields pulled by configuration (optional key-account
   * criteria such as payment timeliness), keyed by the CRM field name. Readers of plain
   * version-1 files ignore it.
   */
  extra: z.record(z.string(), fieldValue).default({}),
  /** Version 2: the company's web domain (`acme.com`), for duplicate and contact checks; absent when unknown. */
  domain: z.string().nullable().optional(),
});
export type Account = z.infer<typeof accountSchema>;

export const contactSchema = z.object({
  id,
  accountId: z.string().nullable().default(null),
  name: z.string().default(''),
  email: optText,
  title: optText,
  active: z.boolean().default(true),
  referenceable: z.boolean().default(false),
});
export type Contact = z.infer<typeof contactSchema>;

export const productSchema = z.object({
  id,
  name: z.string(),
  family: optText,
  active: z.boolean().default(true),
});
export type Product = z.infer<typeof productSchema>;

/**
 * Extension to version 1: how an amount the CRM holds in another currency became an amount in
 * the snapshot's currency: `amount` in `currency`, times `rate` (units of the snapshot's
 * currency for one unit of `currency`; null when the CRM did the conversion itself), by the rate
 * `source` names. A null `source` means the CRM had no rate for `currency`: the amount was left
 * out (a null amount, a zero line total), never summed as if it were in the snapshot's currency.
 * Absent when the amount was in the snapshot's currency already.
 */
export const conversionSchema = z.object({
  currency: z.string().min(1),
  amount: amountSchema,
  rate: z.number().finite().positive().nullable(),
  source: z.string().min(1).nullable(),
});
export type Conversion = z.infer<typeof conversionSchema>;

export const lineItemSchema = z.object({
  id,
  productId: z.string().min(1, 'productId must be a non-empty string'),
  quantity: bounded(MAX_QUANTITY, '1e12').default(1),
  totalPrice: amountSchema,
  cost: optAmount,
  conversion: conversionSchema.optional(),
});
export type LineItem = z.infer<typeof lineItemSchema>;

export const opportunityStatus = z.enum(['open', 'won', 'lost']);
export type OpportunityStatus = z.infer<typeof opportunityStatus>;

export const opportunitySchema = z.object({
  id,
  accountId: z.string().min(1, 'accountId must be a non-empty string'),
  name: z.string().default(''),
  status: opportunityStatus,
  amount: optAmount,
  closeDate: isoDate,
  ownerId: optText,
  lineItems: z.array(z.unknown()).default([]),
  conversion: conversionSchema.optional(),
});
export type Opportunity = Omit<z.infer<typeof opportunitySchema>, 'lineItems'> & {
  lineItems: LineItem[];
};

export const userSchema = z.object({
  id,
  name: z.string().default(''),
  active: z.boolean().default(true),
});
export type User = z.infer<typeof userSchema>;

/**
 * Version 2: the role a contact plays on an opportunity (Salesforce OpportunityContactRole, a
 * HubSpot deal-to-contact association label). `role` is the CRM's own text ("Decision Maker");
 * null for a contact on the deal without a role.
 */
export const contactRoleSchema = z.object({
  id,
  opportunityId: z.string().min(1, 'opportunityId must be a non-empty string'),
  contactId: z.string().min(1, 'contactId must be a non-empty string'),
  role: optText,
  primary: z.boolean().default(false),
});
export type ContactRole = z.infer<typeof contactRoleSchema>;

/** The versions this reader accepts; writers produce the newest. */
export const SNAPSHOT_VERSION = 2;
export type SnapshotVersion = 1 | 2;

/** Where the snapshot came from: a source module's id, or `file`. Informational: the analysis reads no source. */
export const snapshotSource = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'source must be a source id such as file');

export interface Snapshot {
  version: SnapshotVersion;
  source: z.infer<typeof snapshotSource>;
  currency: string;
  /** Version 2: the month (1-12) the org's fiscal year starts in, when the CRM says; null or absent otherwise. */
  fiscalYearStartMonth?: number | null;
  accounts: Account[];
  contacts: Contact[];
  products: Product[];
  opportunities: Opportunity[];
  users: User[];
  /** Version 2: contact roles on opportunities; absent in version 1. */
  contactRoles?: ContactRole[];
}

export type RecordKind = 'account' | 'contact' | 'product' | 'opportunity' | 'lineItem' | 'user' | 'contactRole';

/** A record that broke the schema: which one, and why. */
export interface RejectedRecord {
  kind: RecordKind;
  id: string | null;
  /** Position in its array of the file, for records without a usable id. */
  index: number;
  reason: string;
}

export interface ParsedSnapshot {
  snapshot: Snapshot;
  rejected: RejectedRecord[];
}

/** Raised when the document as a whole cannot be read as a snapshot (not for single records). */
export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
}

/** The document around the records; the lists are checked to be arrays, their records one by one. */
export const headerSchema = z.object({
  version: z.union([z.literal(1), z.literal(2)], { message: 'unsupported snapshot version: expected 1 or 2' }),
  source: snapshotSource.default('file'),
  currency: z.string().min(1).default('USD'),
  fiscalYearStartMonth: z.number().int('fiscalYearStartMonth must be a whole month number')
    .min(1, 'fiscalYearStartMonth must be within 1..12').max(12, 'fiscalYearStartMonth must be within 1..12').nullable().default(null),
  accounts: z.array(z.unknown()).default([]),
  contacts: z.array(z.unknown()).default([]),
  products: z.array(z.unknown()).default([]),
  opportunities: z.array(z.unknown()).default([]),
  users: z.array(z.unknown()).default([]),
  contactRoles: z.array(z.unknown()).default([]),
});

/** Formats a zod error as `path: message; path: message`. */
export function describeZodError(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * Parses a snapshot document. Throws {@link SnapshotFormatError} only when the document itself
 * is unusable (not an object, wrong version, a record list that is not an array); each record
 * that breaks the schema is left out and listed in `rejected`.
 */
export function parseSnapshot(input: unknown): ParsedSnapshot {
  const header = headerSchema.safeParse(input);
  if (!header.success) {
    throw new SnapshotFormatError(`not a valid snapshot: ${describeZodError(header.error)}`);
  }
  const h = header.data;
  const snapshot: Snapshot = {
    version: h.version, source: h.source, currency: h.currency, accounts: [], contacts: [], products: [], opportunities: [], users: [],
  };
  // A version-1 document reads exactly as it always has; version 2's keys only come with it.
  const roles: ContactRole[] = [];
  if (h.version === 2) {
    snapshot.fiscalYearStartMonth = h.fiscalYearStartMonth;
    snapshot.contactRoles = roles;
  }
  const intake = new SnapshotIntake({
    account: (a) => snapshot.accounts.push(a),
    contact: (c) => snapshot.contacts.push(c),
    product: (p) => snapshot.products.push(p),
    user: (u) => snapshot.users.push(u),
    opportunity: (o, lineItems) => snapshot.opportunities.push({ ...o, lineItems }),
    contactRole: (r) => roles.push(r),
  });
  // Opportunities last, as the line items' duplicate check has always run after every other list.
  for (const raw of h.accounts) intake.record('account', raw);
  for (const raw of h.contacts) intake.record('contact', raw);
  for (const raw of h.products) intake.record('product', raw);
  for (const raw of h.users) intake.record('user', raw);
  for (const raw of h.contactRoles) intake.record('contactRole', raw);
  for (const raw of h.opportunities) intake.record('opportunity', raw);
  return { snapshot, rejected: intake.rejected };
}
