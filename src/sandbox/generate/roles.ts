import type { Contact, ContactRole, Opportunity } from '../../model/snapshot.ts';
import { Rng } from './random.ts';

/**
 * The roles contacts play on deals (Salesforce OpportunityContactRole, HubSpot deal-contact
 * labels): most deals name one to three contacts of their account, a decision maker among them
 * more often than not, the first named the primary one on most; a quarter name nobody, as in
 * orgs where reps fill the related list in only now and then. Drawn from a stream of their own
 * (one generator per deal, seeded from the org's seed and the deal's place), so that no other
 * record of the org changes.
 */

/** Role names as a default Salesforce org's picklist has them, with how often each is drawn. */
const ROLES: readonly [string | null, number][] = [
  ['Decision Maker', 5],
  ['Influencer', 4],
  ['Executive Sponsor', 2],
  ['Economic Buyer', 2],
  ['Technical Buyer', 3],
  ['Evaluator', 3],
  ['Business User', 3],
  ['Other', 1],
  [null, 1],
];
const WEIGHTS = ROLES.map(([, w]) => w);

/** Chance that a deal names any contact at all. */
const WITH_ROLES = 0.75;
/** Chance that the first contact a deal names is marked primary. */
const PRIMARY = 0.7;

/** Each account's active contacts, in the order they were drawn. */
export class ContactsByAccount {
  private readonly byAccount = new Map<string, string[]>();

  add(c: Contact): void {
    if (c.accountId === null || !c.active) return;
    const list = this.byAccount.get(c.accountId);
    if (list) list.push(c.id);
    else this.byAccount.set(c.accountId, [c.id]);
  }

  of(accountId: string): readonly string[] {
    return this.byAccount.get(accountId) ?? [];
  }
}

/** The roles of the `index`-th deal of the org (0-based, in the order deals are written). */
export function rolesOfDeal(seed: number, index: number, deal: Pick<Opportunity, 'id' | 'accountId'>, contacts: readonly string[]): ContactRole[] {
  if (contacts.length === 0) return [];
  const rng = new Rng(seed).fork(7).fork(index);
  if (!rng.chance(WITH_ROLES)) return [];
  const count = Math.min(contacts.length, rng.int(1, 3));
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(rng.int(0, contacts.length - 1));
  const primaryFirst = rng.chance(PRIMARY);
  return [...chosen].map((c, k) => ({
    id: `OCR-${deal.id}-${k + 1}`,
    opportunityId: deal.id,
    contactId: contacts[c] ?? '',
    role: ROLES[rng.weighted(WEIGHTS)]?.[0] ?? null,
    primary: k === 0 && primaryFirst,
  }));
}
