import { describe, expect, it } from 'vitest';
import { runChaos } from '../../../bench/chaos/run.ts';

/**
 * The chaos run in CI size: a fixed seed, two cycles per CRM, each run a real `kamflow`
 * process under injected faults and kill -9 (bench/chaos). Every invariant must hold: the CRM
 * holds what a clean run computes except what people typed, which stays; every value Kamflow
 * wrote is known to it (rollback-able); nothing was written twice; the store is sound; and a
 * finished rollback restored every field it did not report as a conflict. `npm run chaos` runs
 * the long form.
 */
describe('seeded chaos run', () => {
  it('keeps every invariant through kills, 429s, 5xx, expired tokens, locks, lost answers, edits and rollbacks', async () => {
    // Every faulty sync is killed by its 12th API call, and every cycle rolls back a run.
    const report = await runChaos({ seed: 2, cycles: 2, accounts: 40, killShare: 1, killWithin: 12, rollbackShare: 1 });
    expect(report.violations).toEqual([]);
    expect(report.cycles).toBe(2);
    expect(report.kills).toBeGreaterThanOrEqual(4);
    expect(report.rollbacks).toBe(4);
    expect(report.personEdits).toBeGreaterThan(0);
    expect(report.conflicts).toBeGreaterThan(0);
    expect((report.faults['rate-limit'] ?? 0) + (report.faults['server-error'] ?? 0)).toBeGreaterThan(0);
    expect(report.writesApplied).toBeGreaterThan(0);
  }, 600_000);
});
