import type { z } from 'zod';
import { IdSet } from './id-set.ts';
import {
  checkAccount, checkContact, checkContactRole, checkLineItem, checkOpportunity, checkProduct, checkUser, type CheckedOpportunity,
} from './snapshot-check.ts';
import {
  accountSchema, contactRoleSchema, contactSchema, describeZodError, lineItemSchema, opportunitySchema, productSchema, userSchema,
  type Account, type Contact, type ContactRole, type LineItem, type Product, type RecordKind, type RejectedRecord, type User,
} from './snapshot.ts';

/** Where accepted records go, one at a time: a snapshot being assembled, or the analysis's columns. */
export interface SnapshotSink {
  account(record: Account): void;
  contact(record: Contact): void;
  product(record: Product): void;
  user(record: User): void;
  /** An opportunity with its accepted line items, in the order of the file (`record.lineItems` is the unchecked list). */
  opportunity(record: CheckedOpportunity, lineItems: LineItem[]): void;
  /** Version 2: a contact's role on an opportunity. */
  contactRole(record: ContactRole): void;
  /**
   * Present when the sink takes only these fields of contacts and opportunities and keeps
   * nothing of the rows it is handed: the reader may then read those records straight from the
   * file's bytes into reused rows (src/snapshot/lean-records.ts).
   */
  readonly rows?: RowSink;
}

/** What the analysis's columns take of a contact. */
export type ContactRow = Pick<Contact, 'id' | 'accountId' | 'email' | 'active' | 'referenceable'>;
/** What the analysis's columns take of an opportunity. */
export type OpportunityRow = Pick<CheckedOpportunity, 'id' | 'accountId' | 'status' | 'amount' | 'closeDate' | 'ownerId' | 'conversion'>;

/** Accepted contacts and opportunities as rows, each valid only during the call. */
export interface RowSink {
  contactRow(row: ContactRow): void;
  /** An opportunity with its accepted line items, in the order of the file. */
  opportunityRow(row: OpportunityRow, lineItems: LineItem[]): void;
}

/** The record lists of the format, by their key in the JSON document. */
export const RECORD_LISTS = {
  accounts: 'account',
  contacts: 'contact',
  products: 'product',
  opportunities: 'opportunity',
  users: 'user',
  contactRoles: 'contactRole',
} as const satisfies Record<string, Exclude<RecordKind, 'lineItem'>>;

export type RecordList = keyof typeof RECORD_LISTS;
export type ListKind = (typeof RECORD_LISTS)[RecordList];

export function rawId(raw: unknown): string | null {
  if (raw && typeof raw === 'object' && 'id' in raw) {
    const v = (raw as { id: unknown }).id;
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return null;
}

/** The fast check, and zod when it is not sure: zod's value when it accepts, its reason when it does not. */
function validate<T>(raw: unknown, fast: (raw: unknown) => T | null, schema: z.ZodType<unknown>): { value: T } | { reason: string } {
  const checked = fast(raw);
  if (checked !== null) return { value: checked };
  const result = schema.safeParse(raw);
  return result.success ? { value: result.data as T } : { reason: describeZodError(result.error) };
}

/**
 * Validates records one by one as they are read and hands the accepted ones to a sink: a record
 * that breaks the schema, or repeats an id of its kind, is rejected with its id, position and
 * reason, and the rest goes on. Line items are checked within their opportunity, their ids
 * unique across the snapshot. Holds only the ids seen, never the records.
 */
export class SnapshotIntake {
  readonly rejected: RejectedRecord[] = [];
  readonly counts: Record<ListKind, number> = { account: 0, contact: 0, product: 0, opportunity: 0, user: 0, contactRole: 0 };
  private readonly seen: Record<ListKind | 'lineItem', IdSet> = {
    account: new IdSet(), contact: new IdSet(), product: new IdSet(), opportunity: new IdSet(), user: new IdSet(), lineItem: new IdSet(),
    contactRole: new IdSet(),
  };

  constructor(private readonly sink: SnapshotSink) {}

  /** Whether contacts and opportunities may be handed over as rows (contactRow, opportunityRow). */
  get takesRows(): boolean {
    return this.sink.rows !== undefined;
  }

  /** Accepted records so far, by kind (line items counted in `lineItems`). */
  accepted: Record<ListKind, number> & { lineItems: number } = { account: 0, contact: 0, product: 0, opportunity: 0, user: 0, contactRole: 0, lineItems: 0 };

  record(kind: ListKind, raw: unknown): void {
    const index = this.counts[kind]++;
    switch (kind) {
      case 'account': {
        const r = validate(raw, checkAccount, accountSchema);
        if (this.accept(kind, raw, index, r)) this.sink.account(r.value as Account);
        return;
      }
      case 'contact': {
        const r = validate(raw, checkContact, contactSchema);
        if (this.accept(kind, raw, index, r)) this.sink.contact(r.value as Contact);
        return;
      }
      case 'product': {
        const r = validate(raw, checkProduct, productSchema);
        if (this.accept(kind, raw, index, r)) this.sink.product(r.value as Product);
        return;
      }
      case 'user': {
        const r = validate(raw, checkUser, userSchema);
        if (this.accept(kind, raw, index, r)) this.sink.user(r.value as User);
        return;
      }
      case 'contactRole': {
        const r = validate(raw, checkContactRole, contactRoleSchema);
        if (this.accept(kind, raw, index, r)) this.sink.contactRole(r.value as ContactRole);
        return;
      }
      case 'opportunity': {
        const r = validate(raw, checkOpportunity, opportunitySchema);
        if (!this.accept(kind, raw, index, r)) return;
        const opp = r.value as CheckedOpportunity;
        this.sink.opportunity(opp, this.lineItems(opp.id, opp.lineItems));
      }
    }
  }

  /** A contact already checked (by the lean reader), as a row: the duplicate check and the counts, then the sink's rows. */
  contactRow(row: ContactRow): void {
    const index = this.counts.contact++;
    if (this.acceptId('contact', row.id, index)) (this.sink.rows as RowSink).contactRow(row);
  }

  /** An opportunity and line items already checked (by the lean reader), as rows. */
  opportunityRow(row: OpportunityRow, lineItems: LineItem[]): void {
    const index = this.counts.opportunity++;
    if (this.acceptId('opportunity', row.id, index)) (this.sink.rows as RowSink).opportunityRow(row, this.uniqueLineItems(row.id, lineItems));
  }

  private accept(kind: ListKind, raw: unknown, index: number, r: { value: unknown } | { reason: string }): r is { value: { id: string } } {
    if ('reason' in r) {
      this.rejected.push({ kind, id: rawId(raw), index, reason: r.reason });
      return false;
    }
    return this.acceptId(kind, (r.value as { id: string }).id, index);
  }

  private acceptId(kind: ListKind, id: string, index: number): boolean {
    if (!this.seen[kind].add(id)) {
      this.rejected.push({ kind, id, index, reason: `duplicate ${kind} id` });
      return false;
    }
    this.accepted[kind]++;
    return true;
  }

  /** Checked line items without those whose id came before (the list itself when none did). */
  private uniqueLineItems(oppId: string, items: LineItem[]): LineItem[] {
    const seen = this.seen.lineItem;
    let out: LineItem[] | null = null;
    for (let index = 0; index < items.length; index++) {
      const li = items[index] as LineItem;
      if (seen.add(li.id)) {
        out?.push(li);
        continue;
      }
      this.rejected.push({ kind: 'lineItem', id: li.id, index, reason: `in opportunity ${oppId}: duplicate lineItem id` });
      out ??= items.slice(0, index);
    }
    this.accepted.lineItems += (out ?? items).length;
    return out ?? items;
  }

  private lineItems(oppId: string, raws: readonly unknown[]): LineItem[] {
    const out: LineItem[] = [];
    const seen = this.seen.lineItem;
    for (let index = 0; index < raws.length; index++) {
      const raw = raws[index];
      const r = validate(raw, checkLineItem, lineItemSchema);
      if ('reason' in r) {
        this.rejected.push({ kind: 'lineItem', id: rawId(raw), index, reason: `in opportunity ${oppId}: ${r.reason}` });
      } else if (!seen.add(r.value.id)) {
        this.rejected.push({ kind: 'lineItem', id: r.value.id, index, reason: `in opportunity ${oppId}: duplicate lineItem id` });
      } else {
        out.push(r.value);
      }
    }
    this.accepted.lineItems += out.length;
    return out;
  }
}
