import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest, outcomeOf } from '../../../src/analyze/backtest.ts';
import { inputFromSnapshot } from '../../../src/analyze/input.ts';
import { parseAnalysisConfig } from '../../../src/config/analysis-config.ts';
import { backtestCommand } from '../../../src/cli/commands/backtest.ts';
import { runCli } from '../../../src/cli/run.ts';
import { fakeIo } from '../cli/fake-io.ts';
import { account, opp, product, snapshot } from './builders.ts';

/**
 * Hand-worked: as of D = 2025-06-30 (outcomes to 2026-06-30).
 *   K: won 1000 before D, 400 after: shrank (kept 400, lost 600). An open deal and a win after
 *      2026-06-30 are not counted.
 *   C: won 1000 in the year before the window, 200 in the window (growth -80%: declining), nothing
 *      after: churned 200.
 *   S: won 100 before, 300 after: grew (kept 100, grown 200). Its override (Key) is left out.
 *   N: nothing before, 500 after: new.
 * Shares as of D: K 1000/1300 = 76.9%, C 15.4% (both over 10%, which alone is enough for Key),
 * S 7.7% (class B: Maintain); N no revenue (class C: Standard).
 */
const known = { industry: 'Retail', employees: 500 };
const world = snapshot({
  accounts: [
    account('K', known), account('C', known), account('N', known),
    account('S', { ...known, extra: { kam_override_tier: 'Key', kam_override_until: '2030-01-01' } }),
  ],
  products: [product('X')],
  opportunities: [
    opp('K1', 'K', 'won', '2025-03-01', [['X', 1000]]),
    opp('K2', 'K', 'won', '2025-10-01', [['X', 400]]),
    opp('K3', 'K', 'open', '2025-09-01', [['X', 9000]]),
    opp('K4', 'K', 'won', '2026-08-01', [['X', 9000]]),
    opp('C0', 'C', 'won', '2024-03-01', [['X', 1000]]),
    opp('C1', 'C', 'won', '2025-05-01', [['X', 200]]),
    opp('S1', 'S', 'won', '2025-01-15', [['X', 100]]),
    opp('S2', 'S', 'won', '2026-02-01', [['X', 300]]),
    opp('N1', 'N', 'won', '2026-03-01', [['X', 500]]),
  ],
});

describe('backtest', () => {
  it('tiers as of the date and sets the 12 months after against it', () => {
    const r = backtest(inputFromSnapshot(world), parseAnalysisConfig({}), '2025-06-30');
    expect(r.followEnd).toBe('2026-06-30');
    expect(r.families.map((f) => [f.id, f.tier, f.declining, f.revenueBefore, f.revenueAfter, f.outcome])).toEqual([
      ['K', 'Key', false, 1000, 400, 'shrank'],
      ['C', 'Key', true, 200, 0, 'churned'],
      ['S', 'Maintain', false, 100, 300, 'grew'],
      ['N', 'Standard', false, 0, 500, 'new'],
    ]);
    const row = (t: string | null) => r.tiers.find((x) => x.tier === t);
    expect(row('Key')).toMatchObject({ families: 2, revenueBefore: 1200, revenueAfter: 400, kept: 400, grown: 0, lost: 600, churned: 200 });
    expect(row('Key')?.outcomes).toEqual({ grew: 0, kept: 0, shrank: 1, churned: 1, new: 0, none: 0 });
    expect(row('Maintain')).toMatchObject({ families: 1, revenueBefore: 100, revenueAfter: 300, kept: 100, grown: 200, lost: 0, churned: 0 });
    expect(row('Standard')).toMatchObject({ families: 1, revenueBefore: 0, revenueAfter: 500, kept: 0, grown: 500 });
    expect(row('Develop')?.families).toBe(0);
    expect(row(null)).toBeUndefined();
    // After: 1200 in all, Key 400 = 1/3; the top 2 after are N (500) and K (400): 1 Key.
    expect(r.key).toEqual({ families: 2, shareOfRevenueAfter: 0.333333, topAfter: 2, inTopAfter: 1 });
    // Declining: C churned (1 of 1); the others with revenue before, K and S: K shrank (1 of 2).
    expect(r.declining).toEqual({ flagged: 1, flaggedLost: 1, others: 2, othersLost: 1 });
    expect(r.verdict).toEqual([
      'The Key tier picked some of the families that mattered: 1 of the 2 families with the most revenue in the 12 months after 2025-06-30 was Key then, '
        + 'and the 2 Key families brought 33.3% of that revenue (kept 400, grown 0, lost 600, churned 200).',
      'Declining preceded losses: 1 of 1 declining family (100%) shrank or churned in the next 12 months, against 1 of 2 other families with revenue (50%).',
    ]);
  });

  it('names the outcome bands', () => {
    expect([outcomeOf(100, 111), outcomeOf(100, 110), outcomeOf(100, 90), outcomeOf(100, 89), outcomeOf(100, 0), outcomeOf(0, 1), outcomeOf(0, 0)])
      .toEqual(['grew', 'kept', 'kept', 'shrank', 'churned', 'new', 'none']);
  });

  it('says so when no family was Key or declining', () => {
    const r = backtest(inputFromSnapshot(world), parseAnalysisConfig({ criteria: { revenueShare: { sufficient: false } }, tiers: { key: 100 } }), '2025-06-30');
    expect(r.key.families).toBe(0);
    expect(r.verdict[0]).toBe('No family was Key as of 2025-06-30, so the Key tier cannot be judged; lower tiers.key or look at the criteria.');
  });
});

describe('kamflow backtest', () => {
  it('prints the table and verdict, and --json - the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-backtest-'));
    try {
      const file = join(dir, 'snap.json');
      writeFileSync(file, JSON.stringify(world));
      const f = fakeIo({ env: { KAMFLOW_TODAY: '2026-12-02' } });
      expect(await runCli(['backtest', '--snapshot', file, '--as-of', '2025-06-30'], f.io, [backtestCommand()])).toBe(0);
      expect(f.stdout()).toContain('Declining preceded losses');
      expect(f.stdout()).toMatch(/Key +2 +1,200 +400 +400 +0 +600 +200/);
      const j = fakeIo({ env: { KAMFLOW_TODAY: '2026-12-02' } });
      expect(await runCli(['backtest', '--snapshot', file, '--as-of', '2025-06-30', '--json', '-'], j.io, [backtestCommand()])).toBe(0);
      expect(JSON.parse(j.stdout()).key).toEqual({ families: 2, shareOfRevenueAfter: 0.333333, topAfter: 2, inTopAfter: 1 });
      const late = fakeIo({ env: { KAMFLOW_TODAY: '2026-12-02' } });
      expect(await runCli(['backtest', '--snapshot', file, '--as-of', '2026-01-01'], late.io, [backtestCommand()])).toBe(2);
      expect(late.stderr()).toContain('--as-of 2026-01-01: the 12 months after it are not over yet; use 2025-12-02 or earlier');
      const none = fakeIo();
      expect(await runCli(['backtest', '--snapshot', file], none.io, [backtestCommand()])).toBe(2);
      expect(none.stderr()).toContain('--as-of DATE is required');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
