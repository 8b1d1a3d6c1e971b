import { describe, expect, it } from 'vitest';
import { fromDayNumber } from '../../../src/analyze/dates.ts';
import { fiscalQuarter } from '../../../src/analyze/horizon.ts';
import { account, family, opp, product, run, snapshot } from './builders.ts';

const quarter = (asOf: string, start: number) => {
  const q = fiscalQuarter(asOf, start);
  return [fromDayNumber(q.start), fromDayNumber(q.end), fromDayNumber(q.laterEnd)];
};

/**
 * R (owner U1) with A (owner U2), B and C. B and C buy Services (100 and 300), so R and A each
 * get a sister suggestion of median(100, 300) = 200. Open deals:
 *   O1 at R, 500, closing 2026-07-15, U1
 *   O2 at A, no amount, one line of 200, closing 2026-06-01 (overdue at asOf: still this quarter), U2
 *   O3 at A, 1,000, closing 2027-09-01: past 12 months, left out
 *   O4 at R, 300, closing 2026-12-01, U2
 */
function org(fiscalYearStartMonth?: number) {
  return snapshot({
    ...(fiscalYearStartMonth === undefined ? {} : { version: 2 as const, fiscalYearStartMonth }),
    accounts: [
      account('R', { ownerId: 'U1' }), account('A', { parentId: 'R', ownerId: 'U2' }),
      account('B', { parentId: 'R' }), account('C', { parentId: 'R' }),
    ],
    products: [product('Services')],
    opportunities: [
      opp('O1', 'R', 'open', '2026-07-15', [], { amount: 500, ownerId: 'U1' }),
      opp('O2', 'A', 'open', '2026-06-01', [['Services', 200]], { ownerId: 'U2' }),
      opp('O3', 'A', 'open', '2027-09-01', [], { amount: 1000, ownerId: 'U2' }),
      opp('O4', 'R', 'open', '2026-12-01', [], { amount: 300, ownerId: 'U2' }),
      opp('W1', 'B', 'won', '2026-03-01', [['Services', 100]]),
      opp('W2', 'C', 'won', '2026-03-01', [['Services', 300]]),
    ],
    users: [{ id: 'U1', name: 'Ann', active: true }, { id: 'U2', name: 'Bo', active: true }],
  });
}

describe('payoff horizon', () => {
  it('finds the fiscal quarter holding asOf for any start month', () => {
    expect(quarter('2026-06-30', 1)).toEqual(['2026-04-01', '2026-06-30', '2027-06-30']);
    expect(quarter('2026-06-30', 2)).toEqual(['2026-05-01', '2026-07-31', '2027-06-30']);
    expect(quarter('2026-01-15', 11)).toEqual(['2025-11-01', '2026-01-31', '2027-01-15']);
    expect(quarter('2024-02-29', 12)).toEqual(['2023-12-01', '2024-02-29', '2025-02-28']);
  });

  it('sums this quarter against later (deals and suggested whitespace) per family, with a mixed ranked list', () => {
    const r = run(org());
    expect(r.horizon).toMatchObject({ fiscalYearStartMonth: 1, quarterStart: '2026-04-01', quarterEnd: '2026-06-30', laterEnd: '2027-06-30' });
    const h = family(r, 'R').horizon;
    expect(h).toMatchObject({ thisQuarter: 200, laterPipeline: 800, laterWhitespace: 400, later: 1200 });
    // 500, 300, then three of 200: this quarter first, then the suggestions by entity.
    expect(h?.top.map((t) => [t.kind, t.payoff, t.opportunity ?? t.offering, t.entity, t.value])).toEqual([
      ['pipeline', 'later', 'O1', 'R', 500],
      ['pipeline', 'later', 'O4', 'R', 300],
      ['pipeline', 'thisQuarter', 'O2', 'A', 200],
      ['whitespace', 'later', 'Services', 'A', 200],
      ['whitespace', 'later', 'Services', 'R', 200],
    ]);
    expect(h?.top[2]).toEqual({
      payoff: 'thisQuarter', kind: 'pipeline', value: 200, entity: 'A', opportunity: 'O2', offering: null, closeDate: '2026-06-01', owner: 'U2',
    });
  });

  it('gives each owner the deals they own and the suggestions on the accounts they own', () => {
    const owners = run(org()).horizon?.owners ?? [];
    expect(owners.map((o) => [o.owner, o.name, o.thisQuarter, o.laterPipeline, o.laterWhitespace, o.later, o.top.length])).toEqual([
      ['U1', 'Ann', 0, 500, 200, 700, 2],
      ['U2', 'Bo', 200, 300, 200, 500, 3],
    ]);
  });

  it('takes the fiscal year from the CRM, and the config over it', () => {
    // February: the quarter is May to July, so O1 (July 15) pays off this quarter.
    const fromCrm = run(org(2));
    expect(fromCrm.horizon?.quarterEnd).toBe('2026-07-31');
    expect(family(fromCrm, 'R').horizon).toMatchObject({ thisQuarter: 700, laterPipeline: 300 });
    const configured = run(org(2), { horizon: { fiscalYearStartMonth: 1, topItems: 2 } });
    expect(family(configured, 'R').horizon).toMatchObject({ thisQuarter: 200, laterPipeline: 800 });
    expect(family(configured, 'R').horizon?.top).toHaveLength(2);
    expect(() => run(org(), { horizon: { fiscalYearStartMonth: 0 } })).toThrow('horizon.fiscalYearStartMonth must be within 1..12');
  });
});
