import { describe, expect, it } from 'vitest';
import { account, contact, family, opp, product, run, snapshot } from './builders.ts';

/** Family R with entities R (buys), R2 (buys), R3 (does not buy). */
function scenario(contacts: ReturnType<typeof contact>[]) {
  return snapshot({
    accounts: [account('R'), account('R2', { parentId: 'R' }), account('R3', { parentId: 'R' })],
    products: [product('x')],
    opportunities: [opp('O1', 'R', 'won', '2026-01-01', [['x', 10]]), opp('O2', 'R2', 'won', '2026-01-01', [['x', 10]])],
    contacts,
  });
}

describe('contact coverage', () => {
  it('writes each entity its count against the 3-5 band', () => {
    const r = run(scenario([
      contact('a', 'R'), contact('b', 'R'), contact('c', 'R2'), contact('d', 'R3'), contact('e', 'R3'),
      contact('f', 'R3'), contact('g', 'R3'), contact('h', 'R3'), contact('i', 'R3'),
    ]));
    expect(r.accounts.map((a) => [a.id, a.kam_contact_coverage])).toEqual([
      ['R', '2 contacts (target 3-5)'],
      ['R2', '1 contact (target 3-5)'],
      ['R3', '6 contacts (target 3-5)'],
    ]);
  });

  it('flags buying entities under 3 contacts as under-covered and 0 or 1 as single-threaded', () => {
    const r = run(scenario([contact('a', 'R'), contact('b', 'R'), contact('c', 'R2')]));
    // R buys with 2, R2 buys with 1, R3 does not buy (0 contacts, but no cell to cover).
    expect(family(r, 'R').contacts).toEqual({
      active: 3, referenceable: 0, underCoveredEntities: ['R', 'R2'], singleThreadedEntities: ['R2'],
    });
  });

  it('counts 3 contacts as covered and follows a configured band', () => {
    const contacts = [contact('a', 'R'), contact('b', 'R'), contact('c', 'R'), contact('d', 'R2'), contact('e', 'R2'), contact('f', 'R2')];
    expect(family(run(scenario(contacts)), 'R').contacts.underCoveredEntities).toEqual([]);
    const r = run(scenario(contacts), { coverage: { min: 4, max: 6 } });
    expect(family(r, 'R').contacts.underCoveredEntities).toEqual(['R', 'R2']);
    expect(r.accounts[0]?.kam_contact_coverage).toBe('3 contacts (target 4-6)');
  });

  it('counts referenceable active contacts; inactive ones and ones without an account count nowhere', () => {
    const r = run(scenario([
      contact('a', 'R', { referenceable: true }), contact('b', 'R2', { referenceable: true, active: false }),
      contact('c', null, { referenceable: true }), contact('d', 'GONE'),
    ]));
    expect(family(r, 'R').contacts).toMatchObject({ active: 1, referenceable: 1 });
    // Only the contact pointing at an unknown account is a data issue.
    expect(r.issues).toEqual([{ kind: 'unknown-account', recordId: 'd', message: 'contact d points at unknown account GONE; left out' }]);
  });
});
