import type { Contact } from '../../model/snapshot.ts';
import type { AccountDraft } from './accounts.ts';
import { UNKNOWN } from './accounts.ts';
import { FIRST_NAMES, LAST_NAMES, TITLES } from './names.ts';
import { WeightedIndex, type Rng } from './random.ts';

/** Bigger entities have more people the sales team knows. */
const BAND_CONTACT_WEIGHT = [1, 1.6, 2.4, 3.2];

const FIRST_LOWER = FIRST_NAMES.map((n) => n.toLowerCase());
const LAST_LOWER = LAST_NAMES.map((n) => n.toLowerCase());

export function makeContact(rng: Rng, id: string, accountId: string | null, domain: string): Contact {
  const f = rng.int(0, FIRST_NAMES.length - 1);
  const l = rng.int(0, LAST_NAMES.length - 1);
  return {
    id,
    accountId,
    name: `${FIRST_NAMES[f] ?? ''} ${LAST_NAMES[l] ?? ''}`,
    email: rng.chance(0.05) ? null : `${FIRST_LOWER[f] ?? ''}.${LAST_LOWER[l] ?? ''}@${domain}`,
    title: rng.chance(0.1) ? null : rng.pick(TITLES),
    active: !rng.chance(0.06),
    referenceable: rng.chance(0.08),
  };
}

export function emailDomain(accountName: string): string {
  return `${accountName.split(' ')[0]?.toLowerCase() ?? 'example'}.example`;
}

/**
 * Spreads `count` contacts over the accounts whose contacts are not fixed by hand, weighted by
 * size; a few belong to no account, as in every real CRM.
 */
export function buildContacts(rng: Rng, drafts: readonly AccountDraft[], count: number): Contact[] {
  return Array.from(contactStream(rng, drafts, count));
}

/** The contacts of {@link buildContacts} one at a time, for orgs too large to hold. */
export function* contactStream(rng: Rng, drafts: readonly AccountDraft[], count: number): Generator<Contact> {
  const pool = drafts.filter((d) => !d.fixedContacts);
  const weights = pool.map((d) => (d.band === UNKNOWN ? 1 : (BAND_CONTACT_WEIGHT[d.band] ?? 1)));
  const index = new WeightedIndex(weights);
  const domains = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const id = `CON-${String(i + 1).padStart(7, '0')}`;
    if (pool.length === 0 || rng.chance(0.002)) {
      yield makeContact(rng, id, null, 'unknown.example');
      continue;
    }
    const draft = pool[index.draw(rng)];
    if (!draft) throw new Error('contact pool index out of range');
    let domain = domains.get(draft.family);
    if (domain === undefined) {
      domain = emailDomain(draft.account.name);
      domains.set(draft.family, domain);
    }
    yield makeContact(rng, id, draft.account.id, domain);
  }
}
