import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_CONFIG } from '../../../src/config/analysis-config.ts';
import { type RiskInputs, riskFlags } from '../../../src/analyze/risk.ts';
import type { Opportunity } from '../../../src/model/snapshot.ts';
import { account, contact, family, opp, run, snapshot } from './builders.ts';

const calm: RiskInputs = {
  revenue: 100, growth: 0, share: 0.05, activeContacts: 3, recentWin: true, lastWon: 20260301, closedInWindow: 1, soleOwner: 'U1',
  relationshipOwner: null, knownRelationships: 0,
};
const flags = (over: Partial<RiskInputs>) => riskFlags({ ...calm, ...over }, DEFAULT_ANALYSIS_CONFIG, new Map([['U1', { id: 'U1', name: 'Ann', active: true }]]));

describe('risk flags', () => {
  it('raises none for a calm family', () => {
    expect(flags({})).toEqual({ risks: [], lines: [] });
  });
  it('flags declining at growth -20% but not -19.9%', () => {
    expect(flags({ growth: -0.2 })).toEqual({ risks: ['declining'], lines: ['declining: revenue -20.0% against the prior 12 months'] });
    expect(flags({ growth: -0.199 }).risks).toEqual([]);
    expect(flags({ growth: null }).risks).toEqual([]);
  });
  it('flags single-threaded at one active contact or none', () => {
    expect(flags({ activeContacts: 1 }).lines).toEqual(['single-threaded: 1 active contact in the family']);
    expect(flags({ activeContacts: 0 }).risks).toEqual(['single-threaded']);
    expect(flags({ activeContacts: 2 }).risks).toEqual([]);
  });
  it('flags stalled revenue without a recent win', () => {
    expect(flags({ recentWin: false, lastWon: 20251215 }).lines).toEqual(['stalled: nothing won in the last 6 months (last won 2025-12-15)']);
    expect(flags({ recentWin: false, revenue: 0 }).risks).toEqual([]);
  });
  it('flags concentration at a 20% share', () => {
    expect(flags({ share: 0.2 }).lines).toEqual(['concentration: 20.0% of all revenue']);
    expect(flags({ share: 0.19 }).risks).toEqual([]);
  });
  it('flags owner-dependence from 3 closed opportunities of one owner', () => {
    expect(flags({ closedInWindow: 3 }).lines).toEqual(['owner-dependence: all 3 opportunities closed in the window owned by U1 Ann']);
    expect(flags({ closedInWindow: 2 }).risks).toEqual([]);
    expect(flags({ closedInWindow: 5, soleOwner: null }).risks).toEqual([]);
  });
  it('lists several flags sorted by id', () => {
    expect(flags({ growth: -0.5, activeContacts: 0, share: 0.5 }).risks).toEqual(['concentration', 'declining', 'single-threaded']);
  });
});

describe('risk flags from a snapshot (asOf 2026-06-30)', () => {
  function withOpps(opportunities: Opportunity[]) {
    return run(snapshot({
      accounts: [account('F'), account('F2', { parentId: 'F' }), account('Other')],
      contacts: [contact('a', 'F'), contact('b', 'F2')],
      users: [{ id: 'U1', name: 'Ann', active: true }],
      opportunities: [...opportunities, opp('X', 'Other', 'won', '2026-06-01', [], { amount: 1000, ownerId: 'U9' })],
    }));
  }

  it('is stalled when the last win is 2025-12-30, one day before the 6 months start', () => {
    // 6 months ending 2026-06-30 run from 2025-12-31.
    expect(family(withOpps([opp('W', 'F', 'won', '2025-12-30', [], { amount: 10 })]), 'F').risks).toContain('stalled');
    expect(family(withOpps([opp('W', 'F', 'won', '2025-12-31', [], { amount: 10 })]), 'F').risks).not.toContain('stalled');
  });

  it('finds owner-dependence over won and lost opportunities of the whole family in the window', () => {
    const own = (id: string, acc: string, status: 'won' | 'lost', ownerId: string | null) =>
      opp(id, acc, status, '2026-02-01', [], { amount: 10, ownerId });
    const r = withOpps([own('1', 'F', 'won', 'U1'), own('2', 'F2', 'lost', 'U1'), own('3', 'F', 'won', 'U1'),
      // Outside the window or open: not counted.
      opp('4', 'F', 'won', '2025-01-01', [], { amount: 1, ownerId: 'U2' }), opp('5', 'F', 'open', '2026-02-01', [], { ownerId: 'U2' })]);
    expect(family(r, 'F').risks).toEqual(['owner-dependence']);
    expect(r.accounts.find((a) => a.id === 'F2')?.kam_risks).toBe('owner-dependence: all 3 opportunities closed in the window owned by U1 Ann');
    const mixed = withOpps([own('1', 'F', 'won', 'U1'), own('2', 'F2', 'lost', 'U2'), own('3', 'F', 'won', 'U1')]);
    expect(family(mixed, 'F').risks).toEqual([]);
  });
});
