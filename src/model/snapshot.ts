import { z } from 'zod';

/**
 * The snapshot, interchange format version 1 (DOMAIN.md section 5): what every connector
 * produces and what the analysis reads. Records are validated one by one so that a single bad
 * record is rejected with its id and reason while the rest of the file goes on.
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
const optNumber = z.number().finite().nullable().default(null);

/** A value of a CRM field the analysis may read (optional criteria, Kamflow's own fields). */
export const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type FieldValue = z.infer<typeof fieldValue>;

export const accountSchema = z.object({
  id,
  name: z.string(),
  parentId: z.string().nullable().default(null),
  industry: optText,
  employees: z.number().finite().nonnegative().nullable().default(null),
  annualRevenue: optNumber,
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
  amount: z.number().finite(),
  rate: z.number().finite().positive().nullable(),
  source: z.string().min(1).nullable(),
});
export type Conversion = z.infer<typeof conversionSchema>;

export const lineItemSchema = z.object({
  id,
  productId: z.string().min(1, 'productId must be a non-empty string'),
  quantity: z.number().finite().default(1),
  totalPrice: z.number().finite(),
  cost: optNumber,
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
  amount: optNumber,
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

export const snapshotSource = z.enum(['salesforce', 'hubspot', 'file']);

export interface Snapshot {
  version: 1;
  source: z.infer<typeof snapshotSource>;
  currency: string;
  accounts: Account[];
  contacts: Contact[];
  products: Product[];
  opportunities: Opportunity[];
  users: User[];
}

export type RecordKind = 'account' | 'contact' | 'product' | 'opportunity' | 'lineItem' | 'user';

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

const headerSchema = z.object({
  version: z.literal(1, { message: 'unsupported snapshot version: expected 1' }),
  source: snapshotSource.default('file'),
  currency: z.string().min(1).default('USD'),
  accounts: z.array(z.unknown()).default([]),
  contacts: z.array(z.unknown()).default([]),
  products: z.array(z.unknown()).default([]),
  opportunities: z.array(z.unknown()).default([]),
  users: z.array(z.unknown()).default([]),
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

function rawId(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && 'id' in raw) {
    const v = (raw as { id: unknown }).id;
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return null;
}

function parseList<T extends { id: string }>(
  kind: RecordKind,
  raws: unknown[],
  schema: z.ZodType<T>,
  rejected: RejectedRecord[],
): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  raws.forEach((raw, index) => {
    const result = schema.safeParse(raw);
    if (!result.success) {
      rejected.push({ kind, id: rawId(raw), index, reason: describeZodError(result.error) });
      return;
    }
    if (seen.has(result.data.id)) {
      rejected.push({ kind, id: result.data.id, index, reason: `duplicate ${kind} id` });
      return;
    }
    seen.add(result.data.id);
    out.push(result.data);
  });
  return out;
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
  const rejected: RejectedRecord[] = [];
  const accounts = parseList('account', h.accounts, accountSchema, rejected);
  const contacts = parseList('contact', h.contacts, contactSchema, rejected);
  const products = parseList('product', h.products, productSchema, rejected);
  const users = parseList('user', h.users, userSchema, rejected);
  const rawOpps = parseList('opportunity', h.opportunities, opportunitySchema, rejected);
  const lineItemIds = new Set<string>();
  const opportunities: Opportunity[] = rawOpps.map((opp) => {
    const lineItems: LineItem[] = [];
    opp.lineItems.forEach((raw, index) => {
      const result = lineItemSchema.safeParse(raw);
      if (!result.success) {
        rejected.push({
          kind: 'lineItem',
          id: rawId(raw),
          index,
          reason: `in opportunity ${opp.id}: ${describeZodError(result.error)}`,
        });
      } else if (lineItemIds.has(result.data.id)) {
        rejected.push({ kind: 'lineItem', id: result.data.id, index, reason: `in opportunity ${opp.id}: duplicate lineItem id` });
      } else {
        lineItemIds.add(result.data.id);
        lineItems.push(result.data);
      }
    });
    return { ...opp, lineItems };
  });
  return {
    snapshot: {
      version: 1,
      source: h.source,
      currency: h.currency,
      accounts,
      contacts,
      products,
      opportunities,
      users,
    },
    rejected,
  };
}
