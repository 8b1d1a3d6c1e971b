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
const override = (tier: string, until: string, by = 'Dana Lee', reason = 'strategic partner') => ({
  extra: { kam_override_tier: tier, kam_override_until: until, kam_override_by: by, kam_override_reason: reason },
});

describe('tier overrides', () => {
  it('holds the overridden tier until its end date, says so in the reasons and the why line, and reports the contradiction in drift', () => {
    const r = run(scenario([account('K'), account('S', override('Key', '2026-07-31')), account('S-1', { parentId: 'S' })]), config);
    const s = r.families.find((f) => f.id === 'S');
    expect(s?.tier).toBe('Key');
    // The criteria are as computed: score 0.0, tier Maintain without the override.
    expect(s?.score).toBe(0);
    expect(s?.override).toEqual({ tier: 'Key', until: '2026-07-31', by: 'Dana Lee', reason: 'strategic partner' });
    expect(s?.reasons[1]).toBe('⚑ Overridden by Dana Lee until 2026-07-31: strategic partner');
    expect(s?.reasons[0]?.startsWith('★ ')).toBe(true);
    expect(s?.lossScenario).not.toBeNull();
    for (const id of ['S', 'S-1']) {
      const a = r.accounts.find((x) => x.id === id);
      expect(a).toMatchObject({ kam_tier: 'Key', kam_key_account: true, kam_why: 'Key: overridden by Dana Lee until 2026-07-31: strategic partner' });
      expect(a?.kam_reasons.split('\n')[1]).toBe('⚑ Overridden by Dana Lee until 2026-07-31: strategic partner');
    }
    expect(r.drift).toContainEqual({ familyId: 'S', kind: 'override-contradicts', message: 'Overridden by Dana Lee until 2026-07-31: strategic partner, holds Key; the criteria give Maintain (score 0.0)' });
    expect(r.portfolio.keyFamilies).toBe(2);
  });

  it('still holds on its last day, and lapses by itself the day after', () => {
    const accounts = () => [account('K'), account('S', override('Key', '2026-06-30'))];
    expect(run(scenario(accounts()), config, '2026-06-30').families.find((f) => f.id === 'S')?.tier).toBe('Key');
    const after = run(scenario(accounts()), config, '2026-07-01');
    const s = after.families.find((f) => f.id === 'S');
    expect(s?.tier).toBe('Maintain');
    expect(s?.override).toBeUndefined();
    expect(s?.reasons.some((l) => l.startsWith('⚑'))).toBe(false);
    expect(after.drift.some((d) => d.kind === 'override-contradicts')).toBe(false);
  });

  it('agrees with the criteria without a drift entry, and ignores an override on an entity that is not the root', () => {
    const r = run(scenario([account('K', override('Key', '2026-12-31')), account('S'), account('S-1', { parentId: 'S', ...override('Key', '2026-12-31') })]), config);
    expect(r.drift.filter((d) => d.kind === 'override-contradicts')).toEqual([]);
    expect(r.families.find((f) => f.id === 'K')?.reasons[1]).toBe('⚑ Overridden by Dana Lee until 2026-12-31: strategic partner');
    expect(r.families.find((f) => f.id === 'S')?.tier).toBe('Maintain');
  });

  it('ignores an override without an end date or with an unknown tier, naming the account', () => {
    const r = run(scenario([account('K', override('Key', '')), account('S', override('Platinum', '2026-12-31'))]), config);
    expect(r.families.find((f) => f.id === 'S')?.tier).toBe('Maintain');
    expect(r.issues.filter((i) => i.kind === 'override-ignored')).toEqual([
      { kind: 'override-ignored', recordId: 'K', message: 'tier override Key has no end date; ignored (an override must say until when)' },
      { kind: 'override-ignored', recordId: 'S', message: 'tier override "Platinum" is not one of Key, Develop, Maintain, Standard; ignored' },
    ]);
  });

  it('says "a manager" when nobody is named and leaves out an empty reason', () => {
    const r = run(scenario([account('K'), account('S', override('Develop', '2026-09-30', '', ''))]), config);
    expect(r.accounts.find((a) => a.id === 'S')?.kam_why).toBe('Develop: overridden by a manager until 2026-09-30');
  });
});
