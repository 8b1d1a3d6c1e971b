import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { EntityRelationships, FamilyRelationships } from '../model/insights.ts';
import type { Account } from '../model/snapshot.ts';
import { compareStrings, roundFraction } from './format.ts';
import type { Families } from './hierarchy.ts';
import { CONTACT_ACTIVE, CONTACT_REFERENCEABLE, type AnalysisInput } from './input.ts';

/**
 * Relationships by role: who decides, who influences and who has given a reference, per
 * entity, from the roles contacts play on opportunities. A role counts for the entity whose
 * opportunity it is on (the buying entity), whichever account the contact sits at; a contact
 * who has left counts nowhere. Worked out once for all families, in O(roles + contacts).
 */
export interface RelationshipIndex {
  /** Per account number, what is known of its relationships; absent for an account with none. */
  byAccount: Map<number, { decisionMakers: Set<string>; influencers: Set<string>; referenceable: string[] }>;
  /** Per family, the contacts with a role on its opportunities and the owners of those opportunities. */
  byFamily: Map<number, { contacts: Set<string>; owners: Set<string> }>;
}

function roleSet(roles: readonly string[]): Set<string> {
  return new Set(roles.map((r) => r.trim().toLowerCase()));
}

/** Null when the snapshot carries no contact roles: then nothing is known and nothing is said. */
export function buildRelationshipIndex(
  input: AnalysisInput,
  accountOf: Int32Array,
  familyOf: Int32Array,
  config: AnalysisConfig,
): RelationshipIndex | null {
  const { roles, contacts, opportunities } = input;
  if (!roles.known) return null;
  const decision = roleSet(config.relationships.decisionRoles);
  const influence = roleSet(config.relationships.influencerRoles);
  const byAccount: RelationshipIndex['byAccount'] = new Map();
  const entry = (a: number) => {
    let e = byAccount.get(a);
    if (e === undefined) {
      e = { decisionMakers: new Set(), influencers: new Set(), referenceable: [] };
      byAccount.set(a, e);
    }
    return e;
  };
  const byFamily: RelationshipIndex['byFamily'] = new Map();
  for (let i = 0; i < roles.contact.length; i++) {
    const c = roles.contact[i] as number;
    if (((contacts.flags[c] as number) & CONTACT_ACTIVE) === 0) continue;
    const o = roles.opportunity[i] as number;
    const a = accountOf[opportunities.account[o] as number] as number;
    if (a === -1) continue;
    const id = input.contactIds[c] ?? '';
    const role = (roles.role[i] ?? '').toLowerCase();
    if (decision.has(role)) entry(a).decisionMakers.add(id);
    else if (influence.has(role)) entry(a).influencers.add(id);
    const f = familyOf[a] as number;
    let fam = byFamily.get(f);
    if (fam === undefined) {
      fam = { contacts: new Set(), owners: new Set() };
      byFamily.set(f, fam);
    }
    fam.contacts.add(id);
    const owner = opportunities.owner[o] as number;
    // An opportunity without an owner holds its relationship through nobody known.
    fam.owners.add(owner === -1 ? '' : (input.owners[owner] ?? ''));
  }
  for (let c = 0; c < contacts.account.length; c++) {
    const flags = contacts.flags[c] as number;
    const ref = contacts.account[c] as number;
    if ((flags & CONTACT_REFERENCEABLE) === 0 || ref === -1) continue;
    const a = accountOf[ref] as number;
    if (a !== -1) entry(a).referenceable.push(input.contactIds[c] ?? '');
  }
  return { byAccount, byFamily };
}

const sorted = (values: Iterable<string>): string[] => [...values].sort(compareStrings);

/**
 * One family's relationships. `buying[k]` says whether the family's k-th entity has an active
 * cell; `singleOwner` is set when at least `ownerRiskMinContacts` contacts are known and every
 * one of them is on deals of the same (known) owner.
 */
export function familyRelationships(
  index: RelationshipIndex,
  family: number,
  families: Families,
  accounts: readonly Account[],
  buying: readonly boolean[],
  config: AnalysisConfig,
): FamilyRelationships {
  const entities: EntityRelationships[] = [];
  const noDecisionMaker: string[] = [];
  let buyers = 0;
  let buyersWithDecisionMaker = 0;
  const from = families.start[family] as number;
  const to = families.start[family + 1] as number;
  for (let k = from; k < to; k++) {
    const a = families.entities[k] as number;
    const id = (accounts[a] as Account).id;
    const e = index.byAccount.get(a);
    if (e !== undefined) {
      entities.push({
        entity: id,
        decisionMakers: sorted(e.decisionMakers),
        influencers: sorted(e.influencers),
        referenceable: sorted(e.referenceable),
      });
    }
    if (buying[k - from] === true) {
      buyers++;
      if (e !== undefined && e.decisionMakers.size > 0) buyersWithDecisionMaker++;
      else noDecisionMaker.push(id);
    }
  }
  const fam = index.byFamily.get(family);
  const owners = fam ? sorted(fam.owners) : [];
  const known = fam ? fam.contacts.size : 0;
  const only = owners.length === 1 ? (owners[0] as string) : '';
  return {
    entities,
    noDecisionMaker,
    knownContacts: known,
    owners: owners.filter((o) => o !== ''),
    singleOwner: only !== '' && known >= config.relationships.ownerRiskMinContacts ? only : null,
    decisionMakerCoverage: buyers === 0 ? null : roundFraction(buyersWithDecisionMaker / buyers),
  };
}
