import { z } from 'zod';
import {
  describeZodError, isoDate, type Account, type Contact, type ContactRole, type Opportunity, type Product, type Snapshot, type User,
} from '../model/snapshot.ts';
import { buildAffinity, buildFamily, drawFamilySize, familyName, type AccountDraft, type OrgShape } from './generate/accounts.ts';
import { buildCatalogue } from './generate/catalogue.ts';
import { contactStream } from './generate/contacts.ts';
import { DayFormatter, parseDay, windowsFor, yearsEarlier } from './generate/dates.ts';
import { FIRST_NAMES, INDUSTRIES, LAST_NAMES } from './generate/names.ts';
import { randomDealStream, round2, type DealContext } from './generate/opportunities.ts';
import {
  buildPlanted, PLANTED_CONTACTS, plantedAccountCount, plantedDealCount, plantedLineItemCount,
} from './generate/planted.ts';
import { Rng } from './generate/random.ts';
import { ContactsByAccount, rolesOfDeal } from './generate/roles.ts';
import { currencyBooker } from './generate/currencies.ts';

export { PLANTED, PLANTED_TARGETS } from './generate/planted.ts';

/**
 * A deterministic sample CRM org in the snapshot model (source "file"): customer families of
 * 1 to 200 entities several levels deep, industries and employee sizes that form peer groups,
 * a product catalogue grouped into offerings, contacts, users, and three years of won, lost and
 * open deals with line items and costs, plus the planted cases documented in
 * ./generate/planted.ts (PLANTED). The same options give the same org, byte for byte.
 */

/** The planted families plus a few ordinary ones, so that shares and peers mean something. */
export const MIN_ACCOUNTS = plantedAccountCount() + 9;

export const sampleOrgOptionsSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff),
    accounts: z.number().int().min(MIN_ACCOUNTS, `must be at least ${MIN_ACCOUNTS} (the planted cases need ${plantedAccountCount()})`),
    asOf: isoDate.refine((s) => s.length === 10, 'must be YYYY-MM-DD'),
    /** Average contacts per account; default 5. */
    contactsPerAccount: z.number().min(0).max(1000).optional(),
    /** Total deals; default 3 per account. */
    opportunities: z.number().int().min(plantedDealCount()).optional(),
    /** Total line items; default 10 per 3 deals. */
    lineItems: z.number().int().min(0).optional(),
    /** Offerings (product families) in the catalogue; default 12. */
    offerings: z.number().int().min(2).max(1000).optional(),
    /** Industries in use; default grows with size from 3 to 10 so small orgs still have peers. */
    industries: z.number().int().min(1).max(INDUSTRIES.length).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be a 3-letter code').optional(),
    /**
     * A multi-currency org: deals booked in turn in the org's currency and each of these (units
     * of the org's currency for one unit of each), with conversion notes.
     */
    foreignCurrencies: z.record(z.string().regex(/^[A-Z]{3}$/, 'currency codes are 3-letter codes'), z.number().positive()).optional(),
    /**
     * Roles contacts play on the deals (./generate/roles.ts): a version-2 org with a contactRoles
     * list. Off by default, so that the files and figures of orgs drawn before stay as they were.
     */
    contactRoles: z.boolean().optional(),
  })
  .strict();

export type SampleOrgOptions = z.input<typeof sampleOrgOptionsSchema>;

interface ResolvedOptions {
  seed: number;
  accounts: number;
  asOf: string;
  contacts: number;
  opportunities: number;
  lineItems: number;
  offerings: number;
  industries: number;
  currency: string;
  foreignCurrencies: Record<string, number>;
  contactRoles: boolean;
}

/** Validates and fills in defaults; throws RangeError naming the bad option. */
export function resolveSampleOrgOptions(options: SampleOrgOptions): ResolvedOptions {
  const parsed = sampleOrgOptionsSchema.safeParse(options);
  if (!parsed.success) throw new RangeError(`invalid sample org options: ${describeZodError(parsed.error)}`);
  const o = parsed.data;
  const opportunities = o.opportunities ?? Math.max(plantedDealCount(), o.accounts * 3);
  const lineItems = o.lineItems ?? Math.round((opportunities * 10) / 3);
  const minLines = opportunities - plantedDealCount() + plantedLineItemCount();
  if (lineItems < minLines) {
    throw new RangeError(`invalid sample org options: lineItems must be at least ${minLines} (one per deal, two per planted deal)`);
  }
  if (opportunities === plantedDealCount() && lineItems !== plantedLineItemCount()) {
    throw new RangeError(`invalid sample org options: with only the ${plantedDealCount()} planted deals, lineItems must be ${plantedLineItemCount()}`);
  }
  const contacts = Math.round(o.accounts * (o.contactsPerAccount ?? 5));
  if (contacts < PLANTED_CONTACTS) {
    throw new RangeError(`invalid sample org options: contactsPerAccount gives ${contacts} contacts, the planted cases need ${PLANTED_CONTACTS}`);
  }
  return {
    seed: o.seed,
    accounts: o.accounts,
    asOf: o.asOf,
    contacts,
    opportunities,
    lineItems,
    offerings: o.offerings ?? 12,
    industries: o.industries ?? Math.min(INDUSTRIES.length, Math.max(3, Math.floor(o.accounts / 300))),
    currency: o.currency ?? 'USD',
    foreignCurrencies: o.foreignCurrencies ?? {},
    contactRoles: o.contactRoles ?? false,
  };
}

function buildUsers(rng: Rng, accounts: number): User[] {
  const count = Math.max(5, Math.ceil(accounts / 200));
  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    users.push({
      id: `USR-${String(i + 1).padStart(4, '0')}`,
      name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
      // Someone always left: their accounts and deals keep pointing at an inactive owner.
      active: i === 0 ? true : !rng.chance(0.1),
    });
  }
  return users;
}

/** One record of a generated org, with the list it belongs to; lists come in the snapshot's order. */
export type SampleRecord =
  | { list: 'accounts'; record: Account }
  | { list: 'contacts'; record: Contact }
  | { list: 'products'; record: Product }
  | { list: 'opportunities'; record: Opportunity }
  | { list: 'users'; record: User }
  | { list: 'contactRoles'; record: ContactRole };

export interface SampleOrgStream {
  header: Pick<Snapshot, 'version' | 'source' | 'currency'>;
  /** Totals per list, known before the records are drawn (for progress); contact roles: not known before the deals are drawn, 0. */
  counts: Record<SampleRecord['list'], number>;
  records: Iterable<SampleRecord>;
}

export function generateSampleOrg(options: SampleOrgOptions): Snapshot {
  const org = sampleOrgStream(options);
  const roles: ContactRole[] = [];
  const s: Snapshot = { ...org.header, accounts: [], contacts: [], products: [], opportunities: [], users: [] };
  if (org.header.version === 2) {
    s.fiscalYearStartMonth = null;
    s.contactRoles = roles;
  }
  for (const r of org.records) {
    if (r.list === 'contactRoles') roles.push(r.record);
    else (s[r.list] as SampleRecord['record'][]).push(r.record);
  }
  return s;
}

/**
 * The org of {@link generateSampleOrg} record by record, holding only the accounts: contacts
 * and deals are drawn as they are written, so a million-account org fits in memory. The planted
 * deals come first in the file but are priced from the window revenue of all the others, which
 * are drawn twice from the same seed: once to sum them, once to write them.
 */
export function sampleOrgStream(options: SampleOrgOptions): SampleOrgStream {
  const o = resolveSampleOrgOptions(options);
  const root = new Rng(o.seed);
  const rng = {
    catalogue: root.fork(1),
    accounts: root.fork(2),
    contacts: root.fork(3),
    planted: root.fork(5),
    users: root.fork(6),
  };
  const asOf = parseDay(o.asOf);
  const windows = windowsFor(asOf);
  const firstDay = yearsEarlier(asOf, 3) + 1;
  const days = new DayFormatter(firstDay - 400, asOf + 400);

  const users = buildUsers(rng.users, o.accounts);
  const catalogue = buildCatalogue(rng.catalogue, o.offerings);
  const shape: OrgShape = {
    industries: INDUSTRIES.slice(0, o.industries),
    affinity: buildAffinity(rng.catalogue, o.industries, o.offerings),
    offeringCount: o.offerings,
    userIds: users.map((u) => u.id),
  };
  let oppSeq = 0;
  let lineSeq = 0;
  const ctx: DealContext = {
    catalogue,
    userIds: shape.userIds,
    days,
    nextOpportunity: () => `OPP-${String(++oppSeq).padStart(7, '0')}`,
    nextLineItem: () => `OLI-${String(++lineSeq).padStart(7, '0')}`,
  };

  const planted = buildPlanted(rng.planted, shape, ctx, windows, 0);
  const drafts: AccountDraft[] = [...planted.drafts];
  let family = drafts.reduce((max, d) => Math.max(max, d.family), 0) + 1;
  let accountSeq = 0;
  const maxFamily = Math.max(3, Math.floor(o.accounts / 10));
  while (drafts.length < o.accounts) {
    const size = Math.min(drawFamilySize(rng.accounts, maxFamily), o.accounts - drafts.length);
    const ids: string[] = [];
    for (let i = 0; i < size; i++) ids.push(`ACC-${String(++accountSeq).padStart(6, '0')}`);
    drafts.push(...buildFamily(rng.accounts, shape, { family, ids, rootName: familyName(family) }));
    family++;
  }

  const dealInput = {
    drafts,
    count: o.opportunities - plantedDealCount(),
    lineItems: o.lineItems - plantedLineItemCount(),
    firstDay,
    asOf,
  };
  const windowStart = days.format(windows.windowStart);
  function* records(): Generator<SampleRecord> {
    for (const d of drafts) yield { list: 'accounts', record: d.account };
    // The roles deals give contacts are drawn as the deals are written and come last (version 2's list).
    const people = o.contactRoles ? new ContactsByAccount() : null;
    for (const c of planted.contacts) {
      people?.add(c);
      yield { list: 'contacts', record: c };
    }
    for (const c of contactStream(rng.contacts, drafts, o.contacts - planted.contacts.length)) {
      people?.add(c);
      yield { list: 'contacts', record: c };
    }
    const roles: ContactRole[] = [];
    const withRoles = (deal: Opportunity, index: number): Opportunity => {
      if (people) roles.push(...rolesOfDeal(o.seed, index, deal, people.of(deal.accountId)));
      return deal;
    };
    for (const p of catalogue.products) yield { list: 'products', record: p.product };
    // First draw: the others' window revenue, and the ids they take (they are numbered first).
    let baseRevenue = 0;
    for (const deal of randomDealStream(root.fork(4), ctx, dealInput)) baseRevenue += windowAmount(deal, windowStart, o.asOf);
    const book = currencyBooker(o.currency, o.foreignCurrencies);
    let dealIndex = 0;
    for (const deal of planted.deals(round2(baseRevenue))) yield { list: 'opportunities', record: withRoles(book(deal, dealIndex), dealIndex++) };
    oppSeq = 0;
    lineSeq = 0;
    for (const deal of randomDealStream(root.fork(4), ctx, dealInput)) yield { list: 'opportunities', record: withRoles(book(deal, dealIndex), dealIndex++) };
    for (const u of users) yield { list: 'users', record: u };
    for (const r of roles) yield { list: 'contactRoles', record: r };
  }

  return {
    header: { version: o.contactRoles ? 2 : 1, source: 'file', currency: o.currency },
    counts: {
      accounts: drafts.length,
      contacts: o.contacts,
      products: catalogue.products.length,
      opportunities: o.opportunities,
      users: users.length,
      contactRoles: 0,
    },
    records: records(),
  };
}

function windowAmount(o: Opportunity, windowStart: string, asOf: string): number {
  if (o.status !== 'won' || o.closeDate < windowStart || o.closeDate > asOf) return 0;
  return o.amount ?? o.lineItems.reduce((s, l) => s + l.totalPrice, 0);
}
