import { describe, expect, it } from 'vitest';
import type { ContactRole, Snapshot } from '../../../src/model/snapshot.ts';
import { account, contact, family, opp, product, run, snapshot } from './builders.ts';

const role = (id: string, opportunityId: string, contactId: string, name: string | null): ContactRole =>
  ({ id, opportunityId, contactId, role: name, primary: false });

/**
 * Family R with entities R, A, B. A and B buy (won in the window), R only has an open deal.
 *   C1 sits at R and is a Decision Maker on A's O1: it counts for A, the buying entity.
 *   C2 (at A) is an "influencer" on O1: roles compare without regard to case.
 *   C3 (at A) has left: their Economic Buyer role on O2 counts nowhere.
 *   C4 (at B) is an Evaluator on O2 and has given a reference.
 * Every deal is U1's.
 */
function base(): Snapshot {
  return snapshot({
    version: 2,
    accounts: [account('R'), account('A', { parentId: 'R' }), account('B', { parentId: 'R' })],
    contacts: [
      contact('C1', 'R'), contact('C2', 'A'), contact('C3', 'A', { active: false }), contact('C4', 'B', { referenceable: true }),
    ],
    products: [product('Services')],
    opportunities: [
      opp('O1', 'A', 'won', '2026-03-01', [['Services', 100]], { ownerId: 'U1' }),
      opp('O2', 'B', 'won', '2026-04-01', [['Services', 50]], { ownerId: 'U1' }),
      opp('O3', 'R', 'open', '2026-09-01', [['Services', 10]], { ownerId: 'U1' }),
    ],
    users: [{ id: 'U1', name: 'Ann', active: true }, { id: 'U2', name: 'Bo', active: true }],
    contactRoles: [
      role('CR1', 'O1', 'C1', 'Decision Maker'), role('CR2', 'O1', 'C2', 'influencer'),
      role('CR3', 'O2', 'C3', 'Economic Buyer'), role('CR4', 'O2', 'C4', 'Evaluator'),
    ],
  });
}

describe('relationships by role', () => {
  it('shows per entity who decides, who influences and who gave a reference, and the buyers without a decision maker', () => {
    const f = family(run(base()), 'R');
    expect(f.relationships).toEqual({
      entities: [
        { entity: 'A', decisionMakers: ['C1'], influencers: ['C2'], referenceable: [] },
        { entity: 'B', decisionMakers: [], influencers: ['C4'], referenceable: ['C4'] },
      ],
      noDecisionMaker: ['B'],
      knownContacts: 3,
      owners: ['U1'],
      singleOwner: 'U1',
      // A of the two buyers has a decision maker.
      decisionMakerCoverage: 0.5,
    });
  });

  it('flags a family whose every known relationship is on one owner\'s deals, and not once a second owner holds one', () => {
    const r = run(base());
    expect(family(r, 'R').risks).toContain('relationship-owner');
    expect(r.accounts.find((a) => a.id === 'A')?.kam_risks).toContain('relationship-owner: all 3 known relationships are on deals owned by U1 Ann');
    const two = base();
    const o2 = two.opportunities.find((o) => o.id === 'O2');
    if (o2) o2.ownerId = 'U2';
    const f = family(run(two), 'R');
    expect(f.relationships?.owners).toEqual(['U1', 'U2']);
    expect(f.relationships?.singleOwner).toBeNull();
    expect(f.risks).not.toContain('relationship-owner');
    // Below the minimum of known relationships, one owner is no finding.
    expect(family(run(base(), { relationships: { ownerRiskMinContacts: 4 } }), 'R').relationships?.singleOwner).toBeNull();
  });

  it('reads the configured role names', () => {
    const f = family(run(base(), { relationships: { decisionRoles: ['evaluator'] } }), 'R');
    expect(f.relationships?.entities.find((e) => e.entity === 'B')?.decisionMakers).toEqual(['C4']);
    // C1's "Decision Maker" is no longer a decision role: A has none now.
    expect(f.relationships?.noDecisionMaker).toEqual(['A']);
  });

  it('offers "decision makers known" as a criterion, off by default', () => {
    expect(family(run(base()), 'R').criteria.map((c) => c.id)).not.toContain('decisionMakers');
    const f = family(run(base(), { criteria: { decisionMakers: { enabled: true } } }), 'R');
    const c = f.criteria.find((x) => x.id === 'decisionMakers');
    expect(c).toMatchObject({ value: 0.5, threshold: 1, passed: false, weight: 10 });
    expect(f.reasons).toContain('✗ Buying entities with a known decision maker 50% (needs 100%): fails');
    // Without roles in the snapshot the criterion has no data and is left out.
    const none = { ...base(), contactRoles: [] };
    const g = family(run(none, { criteria: { decisionMakers: { enabled: true } } }), 'R');
    expect(g.criteria.find((x) => x.id === 'decisionMakers')?.passed).toBeNull();
  });

  it('says nothing of roles for a snapshot without any, and reports a role that points nowhere', () => {
    const none = run({ ...base(), contactRoles: [] });
    expect('relationships' in family(none, 'R')).toBe(false);
    const dangling = base();
    dangling.contactRoles?.push(role('CR9', 'O1', 'C-GONE', 'Decision Maker'));
    expect(run(dangling).issues).toContainEqual({
      kind: 'unknown-record', recordId: 'CR9', message: 'contact role CR9 points at unknown contact C-GONE; left out',
    });
  });
});
