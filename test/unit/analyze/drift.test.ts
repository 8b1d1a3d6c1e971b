import { describe, expect, it } from 'vitest';
import type { Account } from '../../../src/model/snapshot.ts';
import { account, opp, run, snapshot } from './builders.ts';

/** K buys 90%, S 10%; with the share threshold at 50% only K is Key (share 30 + class A 15 of 75 = 60.0). */
function scenario(accounts: Account[]) {
  return snapshot({
    accounts,
    opportunities: [opp('OK', 'K', 'won', '2026-03-01', [], { amount: 90 }), opp('OS', 'S', 'won', '2026-03-01', [], { amount: 10 })],
  });
}
const config = { criteria: { revenueShare: { threshold: 0.5 } } };

describe('drift', () => {
  it('finds a Key family not marked and a marked family that fails', () => {
    const r = run(scenario([account('K'), account('S', { markedKey: true })]), config);
    // S: share 10% fails, class: before S is 90% -> B, fails threshold A; potential and relationships fail: score 0.
    expect(r.drift).toEqual([
      { familyId: 'K', kind: 'passes-but-unmarked', message: 'passes the key-account criteria (score 60.0) but is not marked key in the CRM' },
      { familyId: 'S', kind: 'marked-but-fails', message: 'marked key in the CRM but fails the criteria: tier Maintain, score 0.0' },
    ]);
  });

  it('counts a marking on any account of the family by default, or only on the root', () => {
    const accounts = [account('K'), account('K2', { parentId: 'K', markedKey: true }), account('S')];
    expect(run(scenario(accounts), config).drift).toEqual([]);
    const rootOnly = run(scenario(accounts), { ...config, driftMarking: 'root' });
    expect(rootOnly.drift.map((d) => [d.familyId, d.kind])).toEqual([['K', 'passes-but-unmarked']]);
  });
});
