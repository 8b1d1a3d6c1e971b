import { describe, expect, it } from 'vitest';
import { kthWithout, medianWithout, sizeBandLabels } from '../../../src/analyze/peers.ts';
import type { Account, Opportunity } from '../../../src/model/snapshot.ts';
import { account, cell, family, opp, product, run, snapshot } from './builders.ts';

const peer = (id: string, over: Partial<Account> = {}) => account(id, { industry: 'Retail', employees: 100, ...over });

/**
 * Target T (no Services) and `peers` single-account families in the same group; the first
 * revenues.length of them buy Services in the window for those amounts.
 */
function group(peers: number, revenues: number[], target: Partial<Account> = {}) {
  const accounts = [peer('T', target)];
  const opportunities: Opportunity[] = [];
  for (let i = 0; i < peers; i++) {
    const id = `P${String(i).padStart(3, '0')}`;
    accounts.push(peer(id));
    const r = revenues[i];
    if (r !== undefined) opportunities.push(opp(`O${id}`, id, 'won', '2026-03-01', [['Services', r]]));
  }
  return snapshot({ accounts, products: [product('Services')], opportunities });
}

const suggestionOf = (snap: ReturnType<typeof group>, config: unknown = {}) => cell(family(run(snap, config), 'T'), 'T', 'Services').suggestion;

describe('peer suggestions', () => {
  it('reads like the reference example', () => {
    // 12 Manufacturing peers of 1000-4999 employees, 7 buy Services; the median of the 7 is 48,000.
    const snap = group(12, [10_000, 20_000, 30_000, 48_000, 50_000, 60_000, 70_000], { industry: 'Manufacturing', employees: 1500 });
    snap.accounts.forEach((a) => { a.industry = 'Manufacturing'; a.employees = 2000; });
    snap.accounts[0]!.employees = 1500;
    expect(suggestionOf(snap)).toEqual({
      rule: 'peer', peers: 12, adopters: 7, adoption: 0.583333, estimatedValue: 48_000,
      reason: '7 of 12 Manufacturing peers (1000-4999 employees) buy Services; est. 48,000/yr',
    });
  });

  it('needs at least 5 peers: 5 suggest, 4 do not', () => {
    expect(suggestionOf(group(5, [10, 20]))?.peers).toBe(5);
    // 2 of 4 is 50% adoption, but 4 peers are too few.
    expect(suggestionOf(group(4, [10, 20]))).toBeNull();
  });

  it('needs adoption of at least 40%: 40 of 100 suggest, 39 of 100 do not; 2 of 5 is exactly 40%', () => {
    expect(suggestionOf(group(100, Array.from({ length: 40 }, () => 10)))?.adoption).toBe(0.4);
    expect(suggestionOf(group(100, Array.from({ length: 39 }, () => 10)))).toBeNull();
    expect(suggestionOf(group(5, [10, 20]))?.adoption).toBe(0.4);
    expect(suggestionOf(group(5, [10, 20]), { peers: { minAdoption: 0.41 } })).toBeNull();
  });

  it('takes the mean of the two middle values for an even count', () => {
    // Adopters 10, 20, 40, 100: median (20 + 40) / 2 = 30.
    expect(suggestionOf(group(5, [100, 10, 40, 20]))?.estimatedValue).toBe(30);
  });

  it('only counts entities of other families as peers', () => {
    const snap = group(5, [10, 30]);
    // T's sibling T2 buys Services for 1,000,000: not a peer of T.
    snap.accounts.push(peer('T2', { parentId: 'T' }));
    snap.opportunities.push(opp('OT2', 'T2', 'won', '2026-03-01', [['Services', 1_000_000]]));
    // 5 peers (not 6), 2 adopters, median of 10 and 30 = 20.
    expect(suggestionOf(snap)).toMatchObject({ peers: 5, adopters: 2, estimatedValue: 20 });
  });

  it('matches an unknown industry or size only with the unknown', () => {
    const snap = group(5, [10, 20], { industry: null });
    expect(suggestionOf(snap)).toBeNull();
    const unknown = group(5, [10, 20], { industry: null, employees: null });
    unknown.accounts.forEach((a) => { a.industry = null; a.employees = null; });
    expect(suggestionOf(unknown)?.reason).toBe('2 of 5 unknown-industry peers (unknown size) buy Services; est. 15/yr');
  });

  it('suggests no active cell, and sums suggestions into whitespace value', () => {
    const snap = group(5, [10, 20, 30, 40, 50]);
    // T buys Services itself: no suggestion for that cell.
    snap.opportunities.push(opp('OT', 'T', 'won', '2026-03-01', [['Services', 5]]));
    const r = run(snap);
    expect(cell(family(r, 'T'), 'T', 'Services').suggestion).toBeNull();
    // Every peer buys Services too, so no cell anywhere is suggested.
    expect(family(r, 'P000').whitespaceValue).toBe(0);
  });

  it('lists the top 3 next best offers by estimated value, ties by name', () => {
    const names = ['Alpha', 'Bravo', 'Charlie', 'Delta'];
    const value: Record<string, number> = { Alpha: 100, Bravo: 300, Charlie: 100, Delta: 200 };
    const accounts = [peer('T')];
    const opportunities: Opportunity[] = [];
    for (let i = 0; i < 5; i++) {
      accounts.push(peer(`P${i}`));
      opportunities.push(opp(`O${i}`, `P${i}`, 'won', '2026-03-01', names.map((n) => [n, value[n] ?? 0] as [string, number])));
    }
    const r = run(snapshot({ accounts, products: names.map((n) => product(n)), opportunities }));
    const t = r.accounts.find((a) => a.id === 'T');
    // Bravo 300, Delta 200, then Alpha before Charlie (both 100).
    expect(t?.kam_next_best_offers).toBe([
      'Bravo: 5 of 5 Retail peers (<200 employees) buy Bravo; est. 300/yr',
      'Delta: 5 of 5 Retail peers (<200 employees) buy Delta; est. 200/yr',
      'Alpha: 5 of 5 Retail peers (<200 employees) buy Alpha; est. 100/yr',
    ].join('\n'));
    // Whitespace counts all four suggestions: 100 + 300 + 100 + 200.
    expect(t?.kam_whitespace_value).toBe(700);
    expect(family(r, 'T').whitespaceValue).toBe(700);
  });
});

describe('median without own values', () => {
  const all = Float64Array.from([1, 2, 2, 3, 4]);
  it('skips the removed values', () => {
    // [1, 2, 2, 3, 4] minus [2] = [1, 2, 3, 4].
    expect([0, 1, 2, 3].map((k) => kthWithout(all, [2], k))).toEqual([1, 2, 3, 4]);
    // minus [1, 4] = [2, 2, 3]: median 2.
    expect(medianWithout(all, [1, 4], 3)).toBe(2);
    // minus [] : median 2; minus [3]: [1, 2, 2, 4] -> (2 + 2) / 2.
    expect(medianWithout(all, [], 5)).toBe(2);
    expect(medianWithout(all, [3], 4)).toBe(2);
  });
});

describe('size bands', () => {
  it('labels the default bounds', () => {
    expect(sizeBandLabels([200, 1000, 5000])).toEqual(['<200', '200-999', '1000-4999', '5000+']);
  });
  it('puts 199 and 200 in different bands', () => {
    const snap = group(5, [10, 20]);
    snap.accounts[0]!.employees = 200;
    expect(suggestionOf(snap)).toBeNull();
  });
});
