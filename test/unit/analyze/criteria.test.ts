import { describe, expect, it } from 'vitest';
import { evaluateField } from '../../../src/analyze/criteria.ts';
import { DEFAULT_ANALYSIS_CONFIG } from '../../../src/config/analysis-config.ts';
import type { Account, Opportunity } from '../../../src/model/snapshot.ts';
import { account, contact, family, opp, product, run, snapshot } from './builders.ts';

/** K buys 18% of all volume, S 1%, nine fillers 9% each: 18,000 + 1,000 + 81,000 = 100,000. */
function seed() {
  const accounts: Account[] = [account('K'), account('S')];
  const opportunities: Opportunity[] = [
    opp('OK', 'K', 'won', '2026-03-01', [], { amount: 18_000 }),
    opp('OS', 'S', 'won', '2026-03-01', [], { amount: 1_000 }),
  ];
  for (let i = 1; i <= 9; i++) {
    accounts.push(account(`F${i}`));
    opportunities.push(opp(`OF${i}`, `F${i}`, 'won', '2026-03-01', [], { amount: 9_000 }));
  }
  return snapshot({ accounts, opportunities });
}

describe('the seed example', () => {
  const r = run(seed());

  it('makes the family buying 18% of total volume Key, with its reasons', () => {
    const k = family(r, 'K');
    expect(k.revenueShare).toBe(0.18);
    expect(k.tier).toBe('Key');
    // revenueShare 30 + abcClass 15 pass; potential 15 and relationships 15 fail; growth and margin have no data.
    // 45 / 75 = 60.0.
    expect(k.score).toBe(60);
    expect(k.reasons).toEqual([
      '★ Key, score 60.0: revenue share alone is enough',
      '✓ Revenue share 18% (needs 10%): passes, enough on its own for Key',
      '✓ Revenue class A (needs class A): passes',
      '○ Growth (needs +10%): no data, left out of the score',
      '○ Margin vs portfolio (needs 0 pts): no data, left out of the score',
      '✗ Potential 0% of revenue (needs 50%): fails',
      '✗ Active contacts 0 (needs 3): fails',
      '→ Drops below Key under 10% revenue share; now 18%',
    ]);
    expect(r.accounts.find((a) => a.id === 'K')).toMatchObject({ kam_tier: 'Key', kam_key_account: true, kam_score: 60, kam_revenue_share: 18, kam_why: 'Key: 18% of revenue (needs 10%)' });
  });

  it('does not make the family buying 1% Key', () => {
    const s = family(r, 'S');
    expect(s.revenueShare).toBe(0.01);
    // Cumulative share before S is 99% >= 95%: class C; nothing passes: score 0, Standard.
    expect(s.abcClass).toBe('C');
    expect([s.tier, s.score]).toEqual(['Standard', 0]);
    expect(s.reasons.at(-1)).toBe('→ Reaches Key at 10% revenue share; now 1%');
    expect(r.accounts.find((a) => a.id === 'S')?.kam_why).toBe('Standard: revenue class C, score 0.0 (Develop needs 40)');
  });

  it('classes families A while the share before them is under 80%, B under 95%', () => {
    // K (before 0%), F1..F7 (before 18%..72%) are A; F8 (81%), F9 (90%) are B; S (99%) is C.
    expect(r.families.map((f) => [f.id, f.abcClass])).toEqual([
      ['F1', 'A'], ['F2', 'A'], ['F3', 'A'], ['F4', 'A'], ['F5', 'A'], ['F6', 'A'], ['F7', 'A'], ['F8', 'B'], ['F9', 'B'],
      ['K', 'A'], ['S', 'C'],
    ]);
    // F1: abcClass passes only: 15 / 75 = 20.0, class A: Maintain.
    expect([family(r, 'F1').tier, family(r, 'F1').score]).toEqual(['Maintain', 20]);
  });

  it('counts a missing criterion as failed under the "fail" policy', () => {
    // growth and margin now count as failing: 45 / (75 + 15 + 10) = 45.0.
    const r2 = run(seed(), { criteria: { growth: { missingData: 'fail' }, margin: { missingData: 'fail' } } });
    expect(family(r2, 'K').score).toBe(45);
    expect(family(r2, 'K').criteria.find((c) => c.id === 'growth')?.passed).toBe(false);
  });

  it('leaves a disabled criterion out entirely', () => {
    const r2 = run(seed(), { criteria: { revenueShare: { enabled: false } } });
    // K without its share: abcClass 15 of 45 = 33.3; class A: Maintain.
    expect([family(r2, 'K').tier, family(r2, 'K').score]).toEqual(['Maintain', 33.3]);
    expect(family(r2, 'K').criteria.map((c) => c.id)).toEqual(['abcClass', 'growth', 'margin', 'potential', 'relationships']);
  });
});

describe('criteria values', () => {
  it('computes growth against the prior 12 months, passing at exactly 10%', () => {
    const r = run(snapshot({
      accounts: [account('G')],
      opportunities: [opp('P', 'G', 'won', '2025-01-01', [], { amount: 100 }), opp('W', 'G', 'won', '2026-01-01', [], { amount: 110 })],
    }));
    const g = family(r, 'G').criteria.find((c) => c.id === 'growth');
    // (110 - 100) / 100 = 0.1.
    expect(g).toMatchObject({ value: 0.1, passed: true });
  });

  it('compares family margin with portfolio margin over costed line items', () => {
    const r = run(snapshot({
      accounts: [account('A'), account('B')],
      products: [product('x')],
      opportunities: [
        // A: (100 - 60) / 100 = 0.40; the uncosted item is left out of margins.
        opp('OA', 'A', 'won', '2026-01-01', [['x', 100, 60], ['x', 500, null]]),
        // B: (100 - 90) / 100 = 0.10. Portfolio: (200 - 150) / 200 = 0.25.
        opp('OB', 'B', 'won', '2026-01-01', [['x', 100, 90]]),
      ],
    }));
    expect(family(r, 'A').criteria.find((c) => c.id === 'margin')).toMatchObject({ value: 0.15, passed: true });
    expect(family(r, 'B').criteria.find((c) => c.id === 'margin')).toMatchObject({ value: -0.15, passed: false });
  });

  it('counts active contacts of the whole family for relationships', () => {
    const r = run(snapshot({
      accounts: [account('R'), account('R2', { parentId: 'R' })],
      contacts: [contact('c1', 'R'), contact('c2', 'R2'), contact('c3', 'R2'), contact('c4', 'R', { active: false })],
    }));
    // c1, c2, c3 are active: 3 >= 3.
    expect(family(r, 'R').criteria.find((c) => c.id === 'relationships')).toMatchObject({ value: 3, passed: true });
  });

  it('has no revenue share and no potential when all revenue is 0', () => {
    const f = family(run(snapshot({ accounts: [account('Z')] })), 'Z');
    expect(f.revenueShare).toBeNull();
    expect(f.criteria.filter((c) => c.passed === null).map((c) => c.id)).toEqual(['revenueShare', 'growth', 'margin', 'potential']);
  });
});

describe('field criteria', () => {
  it('forbids Key when the creditworthiness knockout fails', () => {
    const snap = seed();
    snap.accounts[0] = account('K', { extra: { creditworthiness: 'Poor' } });
    const r = run(snap, { criteria: { creditworthiness: { enabled: true } } });
    const k = family(r, 'K');
    // revenueShare passes (sufficient) but the knockout fails; score 45 / 85 = 52.9; potential fails: not Develop; class A.
    expect([k.tier, k.score]).toEqual(['Maintain', 52.9]);
    expect(k.reasons[0]).toBe('★ Maintain, score 52.9: creditworthiness rules out Key; revenue class A');
    expect(k.reasons).toContain('✗ Creditworthiness "Poor" (needs "good"): fails, which rules out Key');
    expect(r.accounts.find((a) => a.id === 'K')?.kam_why).toBe('Maintain: revenue class A, score 52.9 (Key needs 70), creditworthiness "Poor" rules out Key');
    // Numeric gaps come before categorical ones: potential at 50% would make Develop (60 / 85 = 70.6, knockout
    // still failing), while a good rating is categorical and so ranks last.
    expect(k.reasons.at(-1)).toBe('→ Reaches Develop at 50% potential; now 0%');
  });

  it('passes on a listed value, case and spacing aside, or a numeric threshold', () => {
    const c = DEFAULT_ANALYSIS_CONFIG.criteria;
    expect(evaluateField(' GOOD ', c.creditworthiness).passed).toBe(true);
    expect(evaluateField('true', c.accessToGoals).passed).toBe(true);
    expect(evaluateField(true, c.accessToGoals).passed).toBe(true);
    expect(evaluateField(3, c.openness).passed).toBe(true);
    expect(evaluateField('2.5', c.openness)).toMatchObject({ value: 2.5, passed: false });
    expect(evaluateField(undefined, c.openness).passed).toBeNull();
    expect(evaluateField('', c.paymentTimeliness).passed).toBeNull();
    expect(evaluateField('high', c.openness)).toMatchObject({ passed: null, issue: 'value "high" is not a number' });
  });

  it('reports a non-numeric value of a numeric field criterion', () => {
    const r = run(snapshot({ accounts: [account('O', { extra: { openness: 'high' } })] }), { criteria: { openness: { enabled: true } } });
    expect(r.issues).toEqual([
      { kind: 'bad-field-value', recordId: 'O', message: 'account O field openness (criterion openness): value "high" is not a number; left out' },
    ]);
  });
});

describe('potential', () => {
  it('is whitespace value over revenue, and with the score makes Develop', () => {
    const names = ['Alpha', 'Bravo', 'Charlie', 'Delta'];
    const value: Record<string, number> = { Alpha: 100, Bravo: 300, Charlie: 100, Delta: 200 };
    const accounts = [account('T', { industry: 'Retail', employees: 100 })];
    const opportunities: Opportunity[] = [opp('OT', 'T', 'won', '2026-03-01', [['Echo', 1000]])];
    for (let i = 0; i < 5; i++) {
      accounts.push(account(`P${i}`, { industry: 'Retail', employees: 100 }));
      opportunities.push(opp(`O${i}`, `P${i}`, 'won', '2026-03-01', names.map((n) => [n, value[n] ?? 0] as [string, number])));
    }
    const snap = snapshot({ accounts, products: [...names, 'Echo'].map((n) => product(n)), opportunities });
    const t = family(run(snap, { criteria: { revenueShare: { enabled: false } } }), 'T');
    // Whitespace 100 + 300 + 100 + 200 = 700 over revenue 1,000.
    expect(t.criteria.find((c) => c.id === 'potential')).toMatchObject({ value: 0.7, passed: true });
    // T is the largest family (1,000 of 4,000): class A. abcClass 15 + potential 15 of 45 (relationships fail,
    // growth and margin have no data) = 66.7: under Key's 70, Develop with potential passing.
    expect([t.tier, t.score]).toEqual(['Develop', 66.7]);
    expect(t.reasons[0]).toBe('★ Develop, score 66.7: score reaches 40 and potential passes');
  });
});
