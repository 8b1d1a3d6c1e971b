import type { AnalysisIssue, CurrenciesSummary } from '../model/insights.ts';
import type { ContactRow, OpportunityRow, RowSink, SnapshotSink } from '../model/snapshot-intake.ts';
import type { Account, Contact, ContactRole, LineItem, Opportunity, Product, Snapshot, User } from '../model/snapshot.ts';
import { Float64Column, Int32Column, TextColumn, Uint8Column } from './columns.ts';
import { RefTable } from './ref-table.ts';
import { CurrencyTally } from './currencies.ts';
import { toDayNumber } from './dates.ts';
import { compareStrings } from './format.ts';

/**
 * What the analysis reads, in columns: accounts, products and users as records (they are
 * needed whole, and there are few of them or one per entity), contacts, opportunities and line
 * items as typed arrays holding only what the analysis uses. At a million accounts the records
 * themselves (5 million contacts, 10 million line items) would not fit the heap; the columns
 * take a few bytes each. Ids other records point at are numbered (`accountRefs`,
 * `productRefs`, `owners`).
 */
export interface AnalysisInput {
  currency: string;
  /** The month (1-12) the CRM's fiscal year starts in, when the snapshot says (version 2). */
  fiscalYearStartMonth: number | null;
  accounts: Account[];
  products: Product[];
  users: User[];
  /** Account ids named by accounts, contacts and opportunities, by number. */
  accountRefs: readonly string[];
  /** Product ids named by line items, by number: the products in use. */
  productRefs: readonly string[];
  /** Opportunity owner ids, by number. */
  owners: readonly string[];
  contacts: ContactColumns;
  opportunities: OpportunityColumns;
  lineItems: LineItemColumns;
  /**
   * The roles contacts play on opportunities (snapshot version 2), each resolved to its
   * contact and opportunity numbers; empty when the snapshot has none.
   */
  roles: RoleColumns;
  /** Contact ids by contact number, kept only when the snapshot has roles (else empty). */
  contactIds: readonly string[];
  /**
   * Contacts with no account, or an account the snapshot does not have, by id order, each with
   * the domain of its email ('' for none): the data-quality check matches them to families.
   */
  orphanContacts: readonly OrphanContact[];
  /** Contacts, opportunities and line items that point at a record the snapshot does not have. */
  issues: AnalysisIssue[];
  /** Amounts converted from other currencies (or left out), from the records' conversion notes. */
  currencies: CurrenciesSummary | undefined;
}

export interface OrphanContact {
  id: string;
  /** Lower case, without a leading `www.`; '' when the contact has no usable email. */
  domain: string;
}

/** `Ann@Sub.Acme.com` -> `sub.acme.com`; '' for none. */
export function emailDomain(email: string | null): string {
  if (email === null) return '';
  const at = email.lastIndexOf('@');
  return at === -1 ? '' : normalDomain(email.slice(at + 1));
}

/** `WWW.Acme.com/` -> `acme.com`; '' for none. */
export function normalDomain(domain: string | null | undefined): string {
  if (domain === null || domain === undefined) return '';
  let d = domain.trim().toLowerCase();
  d = d.replace(/^[a-z]+:\/\//, '').replace(/[/?#].*$/, '').replace(/^www\./, '').replace(/\.$/, '');
  return d;
}

export const CONTACT_ACTIVE = 1;
export const CONTACT_REFERENCEABLE = 2;

export interface ContactColumns {
  /** Account ref, -1 for a contact without an account. */
  account: Int32Array;
  flags: Uint8Array;
}

export interface RoleColumns {
  /** Whether the snapshot carried any contact role at all (a file without them says nothing of roles). */
  known: boolean;
  contact: Int32Array;
  opportunity: Int32Array;
  /** The CRM's role text, '' for none. */
  role: readonly string[];
  primary: Uint8Array;
}

export const STATUS_OPEN = 0;
export const STATUS_WON = 1;
export const STATUS_LOST = 2;
const STATUS_CODE = { open: STATUS_OPEN, won: STATUS_WON, lost: STATUS_LOST } as const;

export interface OpportunityColumns {
  id: readonly string[];
  account: Int32Array;
  status: Uint8Array;
  /** NaN when the opportunity has no amount. */
  amount: Float64Array;
  /** Close date as a `yyyymmdd` day number. */
  day: Int32Array;
  /** Owner number, -1 for none. */
  owner: Int32Array;
  /** Line items of opportunity i: `lineStart[i] .. lineStart[i + 1]`, in id order. */
  lineStart: Int32Array;
  /** 1 when the amount or a line item was in a currency without a rate (left out of every sum). */
  unconverted: Uint8Array;
}

export interface LineItemColumns {
  product: Int32Array;
  totalPrice: Float64Array;
  /** NaN when the line item has no cost. */
  cost: Float64Array;
}

type OpportunityFields = Pick<Opportunity, 'id' | 'accountId' | 'status' | 'amount' | 'closeDate' | 'ownerId' | 'conversion'>;

const byId = (a: { id: string }, b: { id: string }) => compareStrings(a.id, b.id);

function sortedById(items: LineItem[]): LineItem[] {
  for (let i = 1; i < items.length; i++) {
    if (compareStrings((items[i - 1] as LineItem).id, (items[i] as LineItem).id) > 0) return items.slice().sort(byId);
  }
  return items;
}

/**
 * Builds the columns from records handed over one at a time, in any order of kinds: a record
 * pointing at an account or product not seen yet is kept aside until the end decides.
 */
export class AnalysisInputBuilder implements SnapshotSink, RowSink {
  /** Contacts and opportunities are taken as rows: only the fields below are read, and no row is kept. */
  readonly rows: RowSink = this;
  private readonly accounts: Account[] = [];
  private readonly products: Product[] = [];
  private readonly users: User[] = [];
  private readonly accountRefs = new RefTable();
  private readonly productRefs = new RefTable();
  private readonly owners = new RefTable();
  /** Per account ref: an account with that id has been seen. */
  private readonly isAccount = new Uint8Column();
  private readonly productIds = new RefTable();
  private readonly contactAccount = new Int32Column();
  private readonly contactFlags = new Uint8Column();
  private readonly pendingContacts: { id: string; ref: number; domain: string }[] = [];
  private readonly orphans: OrphanContact[] = [];
  /** Every contact id in order, resolved against roles at the end (when there are roles). */
  private readonly contactIdList = new TextColumn();
  private readonly roles: ContactRole[] = [];
  private readonly oppIds: string[] = [];
  private readonly oppAccount = new Int32Column();
  private readonly oppStatus = new Uint8Column();
  private readonly oppAmount = new Float64Column();
  private readonly oppDay = new Int32Column();
  private readonly oppOwner = new Int32Column();
  private readonly oppUnconverted = new Uint8Column();
  private readonly lineStart = new Int32Column();
  private readonly lineProduct = new Int32Column();
  private readonly linePrice = new Float64Column();
  private readonly lineCost = new Float64Column();
  private readonly pendingLines: { id: string; opportunityId: string; ref: number }[] = [];
  private readonly currencies = new CurrencyTally();
  /** Negative amounts and line totals: kept in the sums (a credit is real), but each one is named. */
  private readonly negatives: AnalysisIssue[] = [];

  constructor() {
    this.lineStart.push(0);
  }

  /** The last account looked up: records of one account follow each other, and their ids often come as the same string. */
  private lastAccountId = '';
  private lastAccountRef = -1;
  /** Owner id -> its ref: a few thousand owners take turns across millions of opportunities. */
  private readonly ownerRefOf = new Map<string, number>();
  /** Product id -> its ref times two, plus one when a product of that id has been seen (cleared when a product comes). */
  private readonly productRefOf = new Map<string, number>();

  private accountRef(id: string): number {
    if (id === this.lastAccountId && this.lastAccountRef !== -1) return this.lastAccountRef;
    const ref = this.accountRefs.add(id);
    if (ref === this.isAccount.length) this.isAccount.push(0);
    this.lastAccountId = id;
    this.lastAccountRef = ref;
    return ref;
  }

  private ownerRef(id: string): number {
    let ref = this.ownerRefOf.get(id);
    if (ref === undefined) {
      ref = this.owners.add(id);
      this.ownerRefOf.set(id, ref);
    }
    return ref;
  }

  /** The product ref of a line item's product id, times two, plus one when the product is known. */
  private productRef(id: string): number {
    let v = this.productRefOf.get(id);
    if (v === undefined) {
      v = this.productRefs.add(id) * 2 + (this.productIds.find(id) === -1 ? 0 : 1);
      this.productRefOf.set(id, v);
    }
    return v;
  }

  account(a: Account): void {
    this.accounts.push(a);
    const ref = this.accountRef(a.id);
    this.isAccount.set(ref, 1);
  }

  product(p: Product): void {
    this.products.push(p);
    this.productIds.add(p.id);
    this.productRefOf.clear();
  }

  user(u: User): void {
    this.users.push(u);
  }

  contact(c: Contact): void {
    this.contactRow(c);
  }

  contactRow(c: ContactRow): void {
    let ref = -1;
    if (c.accountId !== null && c.accountId !== '') {
      ref = this.accountRef(c.accountId);
      if (this.isAccount.at(ref) === 0) this.pendingContacts.push({ id: c.id, ref, domain: emailDomain(c.email) });
    } else {
      this.orphans.push({ id: c.id, domain: emailDomain(c.email) });
    }
    this.contactAccount.push(ref);
    this.contactIdList.push(c.id);
    // A contact who has left no longer holds the relationship, whatever they once gave.
    this.contactFlags.push(c.active ? (c.referenceable ? CONTACT_ACTIVE | CONTACT_REFERENCEABLE : CONTACT_ACTIVE) : 0);
  }

  contactRole(r: ContactRole): void {
    this.roles.push(r);
  }

  /** Roles resolved to contact and opportunity numbers; one pointing at neither is an issue. */
  private resolveRoles(issues: AnalysisIssue[], contactIds: readonly string[]): RoleColumns {
    if (this.roles.length === 0) {
      return { known: false, contact: new Int32Array(0), opportunity: new Int32Array(0), role: [], primary: new Uint8Array(0) };
    }
    const contactOf = new Map<string, number>();
    const oppOf = new Map<string, number>();
    const wanted = new Set<string>();
    for (const r of this.roles) wanted.add(r.contactId);
    contactIds.forEach((id, i) => {
      if (wanted.has(id)) contactOf.set(id, i);
    });
    const wantedOpps = new Set(this.roles.map((r) => r.opportunityId));
    this.oppIds.forEach((id, i) => {
      if (wantedOpps.has(id)) oppOf.set(id, i);
    });
    const roles = [...this.roles].sort(byId);
    const contact: number[] = [];
    const opportunity: number[] = [];
    const role: string[] = [];
    const primary: number[] = [];
    for (const r of roles) {
      const c = contactOf.get(r.contactId);
      const o = oppOf.get(r.opportunityId);
      if (c === undefined || o === undefined) {
        const what = c === undefined ? `unknown contact ${r.contactId}` : `unknown opportunity ${r.opportunityId}`;
        issues.push({ kind: 'unknown-record', recordId: r.id, message: `contact role ${r.id} points at ${what}; left out` });
        continue;
      }
      contact.push(c);
      opportunity.push(o);
      role.push((r.role ?? '').trim());
      primary.push(r.primary ? 1 : 0);
    }
    return { known: true, contact: Int32Array.from(contact), opportunity: Int32Array.from(opportunity), role, primary: Uint8Array.from(primary) };
  }

  opportunity(o: OpportunityFields, lineItems: LineItem[]): void {
    this.opportunityRow(o, lineItems);
  }

  opportunityRow(o: OpportunityRow, lineItems: LineItem[]): void {
    this.oppIds.push(o.id);
    this.oppAccount.push(this.accountRef(o.accountId));
    this.oppStatus.push(STATUS_CODE[o.status]);
    this.oppAmount.push(o.amount === null ? Number.NaN : o.amount);
    if (o.amount !== null && o.amount < 0) {
      this.negatives.push({ kind: 'negative-amount', recordId: o.id, message: `opportunity ${o.id} has a negative amount (${o.amount}); counted as it is` });
    }
    this.oppDay.push(toDayNumber(o.closeDate));
    this.oppOwner.push(o.ownerId === null ? -1 : this.ownerRef(o.ownerId));
    this.currencies.note(o.conversion, o.amount);
    let unconverted = o.conversion !== undefined && o.conversion.source === null;
    // In id order, so that sums do not depend on the order of the file.
    for (const li of sortedById(lineItems)) {
      if (li.conversion !== undefined && li.conversion.source === null) unconverted = true;
      const v = this.productRef(li.productId);
      const ref = v >> 1;
      if ((v & 1) === 0) this.pendingLines.push({ id: li.id, opportunityId: o.id, ref });
      this.lineProduct.push(ref);
      this.linePrice.push(li.totalPrice);
      if (li.totalPrice < 0) {
        this.negatives.push({ kind: 'negative-amount', recordId: li.id, message: `line item ${li.id} of opportunity ${o.id} has a negative total price (${li.totalPrice}); counted as it is` });
      }
      this.lineCost.push(li.cost === null ? Number.NaN : li.cost);
      this.currencies.note(li.conversion, li.totalPrice);
    }
    this.lineStart.push(this.lineProduct.length);
    this.oppUnconverted.push(unconverted ? 1 : 0);
  }

  /** The columns; `currency` is the snapshot's, which a JSON file may give after its records. */
  finish(currency: string, fiscalYearStartMonth: number | null = null): AnalysisInput {
    const issues: AnalysisIssue[] = [...this.negatives];
    const isAccount = this.isAccount.trimmed();
    const refs = this.accountRefs.values;
    const orphans = this.orphans.slice();
    for (const c of this.pendingContacts) {
      if (isAccount[c.ref] === 1) continue;
      orphans.push({ id: c.id, domain: c.domain });
      issues.push({ kind: 'unknown-account', recordId: c.id, message: `contact ${c.id} points at unknown account ${refs[c.ref] ?? ''}; left out` });
    }
    const oppAccount = this.oppAccount.trimmed();
    for (let i = 0; i < this.oppIds.length; i++) {
      const ref = oppAccount[i] as number;
      if (isAccount[ref] === 1) continue;
      const id = this.oppIds[i] ?? '';
      issues.push({ kind: 'unknown-account', recordId: id, message: `opportunity ${id} points at unknown account ${refs[ref] ?? ''}; left out` });
    }
    const productRefs = this.productRefs.values;
    for (const li of this.pendingLines) {
      const productId = productRefs[li.ref] ?? '';
      if (this.productIds.find(productId) !== -1) continue;
      issues.push({
        kind: 'unknown-product',
        recordId: li.id,
        message: `line item ${li.id} of opportunity ${li.opportunityId} refers to unknown product ${productId}; left out of the matrix`,
      });
    }
    const contactIds = this.roles.length === 0 ? [] : this.contactIdList.toArray();
    const roles = this.resolveRoles(issues, contactIds);
    return {
      currency,
      fiscalYearStartMonth,
      roles,
      contactIds,
      orphanContacts: orphans.sort((a, b) => compareStrings(a.id, b.id)),
      accounts: this.accounts,
      products: this.products,
      users: this.users,
      accountRefs: refs,
      productRefs,
      owners: this.owners.values,
      contacts: { account: this.contactAccount.trimmed(), flags: this.contactFlags.trimmed() },
      opportunities: {
        id: this.oppIds,
        account: oppAccount,
        status: this.oppStatus.trimmed(),
        amount: this.oppAmount.trimmed(),
        day: this.oppDay.trimmed(),
        owner: this.oppOwner.trimmed(),
        lineStart: this.lineStart.trimmed(),
        unconverted: this.oppUnconverted.trimmed(),
      },
      lineItems: { product: this.lineProduct.trimmed(), totalPrice: this.linePrice.trimmed(), cost: this.lineCost.trimmed() },
      issues,
      currencies: this.currencies.summary(),
    };
  }
}

/** The columns of a snapshot already in memory (from a CRM mirror or a test). */
export function inputFromSnapshot(snapshot: Snapshot): AnalysisInput {
  const b = new AnalysisInputBuilder();
  for (const a of snapshot.accounts) b.account(a);
  for (const p of snapshot.products) b.product(p);
  for (const u of snapshot.users) b.user(u);
  for (const c of snapshot.contacts) b.contact(c);
  for (const o of snapshot.opportunities) b.opportunity(o, o.lineItems);
  for (const r of snapshot.contactRoles ?? []) b.contactRole(r);
  return b.finish(snapshot.currency, snapshot.fiscalYearStartMonth ?? null);
}
