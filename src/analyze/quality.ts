import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { DataIssue, DataIssueKind, FamilyQuality } from '../model/insights.ts';
import type { Account } from '../model/snapshot.ts';
import { compareStrings, formatPercentShort } from './format.ts';
import type { Families } from './hierarchy.ts';
import { type AnalysisInput, normalDomain } from './input.ts';

/**
 * Flags that know their data. Per family, five checks of its inputs, each a share of the inputs
 * it looks at:
 *
 * - no-peers: entities without an industry or an employee count (so no size band), of all its
 *   entities; peer suggestions, and so potential, cannot see them;
 * - unknown-product: line items (any status, any date) naming a product the snapshot does not
 *   have, of all the family's line items; they are left out of the matrix;
 * - unconverted-amount: opportunities whose amount or a line item is in a currency without a
 *   rate, of all the family's opportunities; those amounts are left out of revenue;
 * - contact-without-account: contacts with no account (or one the snapshot lacks) whose email
 *   domain is the domain of one of the family's entities, of those plus the family's contacts;
 * - suspected-duplicate: entities whose domain is also an account's in another family, and the
 *   ultimate parent when its normalised name is also another family's ultimate parent's, of all
 *   its entities; revenue may be split across two families.
 *
 * confidence = max(0, 1 - sum of weight x share), two decimals half up. Under
 * quality.minConfidence the family is not tiered.
 */

export interface QualityIndex {
  /** Per family, counts and denominators of each check, in DATA_ISSUE_ORDER. */
  counts: Int32Array[];
  of: Int32Array[];
  /** Per family, up to 5 record ids per check (built only where there is an issue). */
  records: Map<number, string[][]>;
  /** Per family with suspected duplicates: what matched ("domain acme.com", "name \"acme\""). */
  duplicateKeys: Map<number, string[]>;
  /** Per family with orphan contacts: the domains matched. */
  contactDomains: Map<number, string[]>;
}

export const DATA_ISSUE_ORDER: readonly DataIssueKind[] = [
  'no-peers', 'unknown-product', 'unconverted-amount', 'contact-without-account', 'suspected-duplicate',
];
const NO_PEERS = 0;
const UNKNOWN_PRODUCT = 1;
const UNCONVERTED = 2;
const ORPHAN_CONTACT = 3;
const DUPLICATE = 4;
const MAX_RECORDS = 5;

const LEGAL_WORDS = new Set([
  'the', 'inc', 'incorporated', 'ltd', 'limited', 'llc', 'llp', 'lp', 'plc', 'corp', 'corporation', 'co', 'company',
  'gmbh', 'ag', 'kg', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'oy', 'ab', 'as', 'aps', 'pty', 'kk',
]);

/** "The ACME, Inc." -> "acme": lower case, accents and punctuation gone, legal-form words dropped. */
export function normalName(name: string): string {
  // Most names are plain ASCII: decomposing accents is needed only for the others.
  const plain = /^[\x20-\x7e]*$/.test(name) ? name : name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const words = plain.toLowerCase().split(/[^a-z0-9]+/);
  return words.filter((w) => w !== '' && !LEGAL_WORDS.has(w)).join(' ');
}

function addRecord(index: QualityIndex, f: number, check: number, id: string): void {
  let lists = index.records.get(f);
  if (lists === undefined) {
    lists = DATA_ISSUE_ORDER.map(() => []);
    index.records.set(f, lists);
  }
  const list = lists[check] as string[];
  // The smallest ids whatever the order records came in, so the output does not depend on it.
  if (list.includes(id)) return;
  if (list.length === MAX_RECORDS && compareStrings(id, list[MAX_RECORDS - 1] as string) > 0) return;
  let at = list.length;
  while (at > 0 && compareStrings(list[at - 1] as string, id) > 0) at--;
  list.splice(at, 0, id);
  if (list.length > MAX_RECORDS) list.pop();
}

function pushUnique(map: Map<number, string[]>, f: number, value: string): void {
  const list = map.get(f);
  if (list === undefined) map.set(f, [value]);
  else if (!list.includes(value)) list.push(value);
}

export function buildQualityIndex(
  input: AnalysisInput,
  accounts: readonly Account[],
  accountOf: Int32Array,
  families: Families,
  offeringOf: Int32Array,
): QualityIndex {
  const F = families.count;
  const index: QualityIndex = {
    counts: DATA_ISSUE_ORDER.map(() => new Int32Array(F)),
    of: DATA_ISSUE_ORDER.map(() => new Int32Array(F)),
    records: new Map(),
    duplicateKeys: new Map(),
    contactDomains: new Map(),
  };
  const { counts, of } = index;
  const familyOf = families.familyOf;
  const entityCounts = of[NO_PEERS] as Int32Array;

  // Entities: industry and size band; names and domains for duplicates and orphan contacts.
  const nameFirst = new Map<string, number>();
  const domainFirst = new Map<string, number>();
  const multiName = new Set<string>();
  const multiDomain = new Set<string>();
  const names: string[] = new Array<string>(accounts.length);
  const domains: string[] = new Array<string>(accounts.length);
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i] as Account;
    const f = familyOf[i] as number;
    entityCounts[f] = (entityCounts[f] as number) + 1;
    if (a.industry === null || a.industry.trim() === '' || a.employees === null) {
      (counts[NO_PEERS] as Int32Array)[f] = ((counts[NO_PEERS] as Int32Array)[f] as number) + 1;
      addRecord(index, f, NO_PEERS, a.id);
    }
    // Names are compared between ultimate parents only: a subsidiary's name ("Contoso Digital
    // APAC") is often the same under two unrelated groups, a group's own name rarely is.
    const name = families.rootIndex[f] === i ? normalName(a.name) : '';
    const domain = normalDomain(a.domain);
    names[i] = name;
    domains[i] = domain;
    if (name !== '') {
      const first = nameFirst.get(name);
      if (first === undefined) nameFirst.set(name, i);
      else if (familyOf[first] !== f) multiName.add(name);
    }
    if (domain !== '') {
      const first = domainFirst.get(domain);
      if (first === undefined) domainFirst.set(domain, i);
      else if (familyOf[first] !== f) multiDomain.add(domain);
    }
  }
  (of[DUPLICATE] as Int32Array).set(entityCounts);
  const familiesOfDomain = new Map<string, number[]>();
  for (let i = 0; i < accounts.length; i++) {
    const f = familyOf[i] as number;
    const name = names[i] as string;
    const domain = domains[i] as string;
    const byName = multiName.has(name);
    const byDomain = multiDomain.has(domain);
    if (byName || byDomain) {
      (counts[DUPLICATE] as Int32Array)[f] = ((counts[DUPLICATE] as Int32Array)[f] as number) + 1;
      addRecord(index, f, DUPLICATE, (accounts[i] as Account).id);
      if (byDomain) pushUnique(index.duplicateKeys, f, `domain ${domain}`);
      if (byName) pushUnique(index.duplicateKeys, f, `name "${name}"`);
    }
    if (domain !== '') {
      const list = familiesOfDomain.get(domain);
      if (list === undefined) familiesOfDomain.set(domain, [f]);
      else if (!list.includes(f)) list.push(f);
    }
  }

  // Opportunities and their line items.
  const opps = input.opportunities;
  const lines = input.lineItems;
  for (let i = 0; i < opps.id.length; i++) {
    const a = accountOf[opps.account[i] as number] as number;
    if (a < 0) continue;
    const f = familyOf[a] as number;
    (of[UNCONVERTED] as Int32Array)[f] = ((of[UNCONVERTED] as Int32Array)[f] as number) + 1;
    if (opps.unconverted[i] === 1) {
      (counts[UNCONVERTED] as Int32Array)[f] = ((counts[UNCONVERTED] as Int32Array)[f] as number) + 1;
      addRecord(index, f, UNCONVERTED, opps.id[i] as string);
    }
    const from = opps.lineStart[i] as number;
    const to = opps.lineStart[i + 1] as number;
    (of[UNKNOWN_PRODUCT] as Int32Array)[f] = ((of[UNKNOWN_PRODUCT] as Int32Array)[f] as number) + (to - from);
    for (let j = from; j < to; j++) {
      if (offeringOf[lines.product[j] as number] !== -1) continue;
      (counts[UNKNOWN_PRODUCT] as Int32Array)[f] = ((counts[UNKNOWN_PRODUCT] as Int32Array)[f] as number) + 1;
      addRecord(index, f, UNKNOWN_PRODUCT, opps.id[i] as string);
    }
  }

  // Contacts: the family's own, and those without an account at one of its domains.
  const contactAccount = input.contacts.account;
  const contactsOf = of[ORPHAN_CONTACT] as Int32Array;
  for (let c = 0; c < contactAccount.length; c++) {
    const ref = contactAccount[c] as number;
    if (ref < 0) continue;
    const a = accountOf[ref] as number;
    if (a < 0) continue;
    const f = familyOf[a] as number;
    contactsOf[f] = (contactsOf[f] as number) + 1;
  }
  for (const o of input.orphanContacts) {
    if (o.domain === '') continue;
    for (const f of familiesOfDomain.get(o.domain) ?? []) {
      (counts[ORPHAN_CONTACT] as Int32Array)[f] = ((counts[ORPHAN_CONTACT] as Int32Array)[f] as number) + 1;
      contactsOf[f] = (contactsOf[f] as number) + 1;
      addRecord(index, f, ORPHAN_CONTACT, o.id);
      pushUnique(index.contactDomains, f, o.domain);
    }
  }
  return index;
}

const WEIGHT_KEYS = ['noPeers', 'unknownProducts', 'unconvertedAmounts', 'contactsWithoutAccount', 'suspectedDuplicates'] as const;

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function issueMessage(kind: DataIssueKind, count: number, of: number, records: string[], keys: string[]): string {
  const list = records.join(', ') + (count > records.length ? ', ...' : '');
  const verb = count === 1 ? 'has' : 'have';
  switch (kind) {
    case 'no-peers':
      return `${count} of ${plural(of, 'entity', 'entities')} ${verb} no industry or employee count, so no peers to compare with: `
        + `fill in Industry and Employees on ${list}`;
    case 'unknown-product':
      return `${count} of ${plural(of, 'line item', 'line items')} ${count === 1 ? 'names' : 'name'} a product the CRM export does not have, `
        + `so ${count === 1 ? 'it is' : 'they are'} left out of the matrix: check the products on ${list}`;
    case 'unconverted-amount':
      return `${count} of ${plural(of, 'opportunity', 'opportunities')} ${verb} amounts in a currency without an exchange rate, `
        + `left out of revenue: add the rate, then check ${list}`;
    case 'contact-without-account':
      return `${plural(count, 'contact', 'contacts')} without an account ${verb} an email at ${keys.join(', ')}: link ${list} to their account`;
    case 'suspected-duplicate':
      return `${count} of ${plural(of, 'entity', 'entities')} ${count === 1 ? 'looks' : 'look'} like a duplicate of an account in another family `
        + `(same ${keys.join(', ')}): merge the duplicates or set the parent account of ${list}`;
  }
}

/** The short form, for the not-tiered line: "2 of 3 entities lack industry or size". */
export function issueShort(i: DataIssue): string {
  switch (i.kind) {
    case 'no-peers':
      return `no industry or size on ${i.count} of ${i.of} entities`;
    case 'unknown-product':
      return `unknown product on ${i.count} of ${i.of} line items`;
    case 'unconverted-amount':
      return `no exchange rate for ${i.count} of ${i.of} opportunities`;
    case 'contact-without-account':
      return `${plural(i.count, 'contact', 'contacts')} at its domains without an account`;
    case 'suspected-duplicate':
      return `suspected duplicates: ${i.count} of ${i.of} entities`;
  }
}

const round2 = (x: number): number => Math.floor(x * 100 + 0.5 + 1e-9) / 100 + 0;

/** The quality of family f's inputs under `config.quality`. */
export function familyQuality(index: QualityIndex, f: number, config: AnalysisConfig): FamilyQuality {
  const q = config.quality;
  const issues: DataIssue[] = [];
  let loss = 0;
  DATA_ISSUE_ORDER.forEach((kind, k) => {
    const count = (index.counts[k] as Int32Array)[f] as number;
    if (count === 0) return;
    const of = (index.of[k] as Int32Array)[f] as number;
    const share = of === 0 ? 0 : Math.round((count / of) * 1e6) / 1e6;
    const weight = q.weights[WEIGHT_KEYS[k] as (typeof WEIGHT_KEYS)[number]];
    loss += weight * share;
    const records = index.records.get(f)?.[k]?.slice() ?? [];
    const keys = kind === 'suspected-duplicate' ? (index.duplicateKeys.get(f) ?? []).slice(0, 3)
      : kind === 'contact-without-account' ? (index.contactDomains.get(f) ?? []).slice(0, 3) : [];
    issues.push({ kind, count, of, share, weight, records, message: issueMessage(kind, count, of, records, keys) });
  });
  // Largest loss first; ties in the fixed check order (sort is stable).
  issues.sort((a, b) => b.weight * b.share - a.weight * a.share);
  const confidence = Math.max(0, round2(1 - loss));
  return { confidence, tiered: confidence >= q.minConfidence - 1e-9, issues };
}

/** "confidence 40% is below 60%". */
export function confidenceText(quality: FamilyQuality, config: AnalysisConfig): string {
  return `data confidence ${formatPercentShort(quality.confidence)} is below ${formatPercentShort(config.quality.minConfidence)}`;
}
