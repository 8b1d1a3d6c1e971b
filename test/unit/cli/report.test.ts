import { describe, expect, it } from 'vitest';
import { renderReport, type ReportContext } from '../../../src/cli/report.ts';
import { count, money, pct, signedPct, table, wrap } from '../../../src/cli/report/format.ts';
import { renderMatrix, treeOrder } from '../../../src/cli/report/matrix.ts';
import { painter } from '../../../src/cli/report/format.ts';
import type { AnalysisResult, CellState, FamilyInsight, MatrixCell } from '../../../src/model/insights.ts';
import { FamilyMatrix } from '../../../src/model/matrix.ts';

function cell(entityId: string, offering: string, state: CellState, revenue = 0, suggested = false): MatrixCell {
  return {
    entityId, offering, state, revenue, lifetimeRevenue: revenue, lastWonDate: null, openAmount: 0,
    suggestion: suggested
      ? { rule: 'peer', peers: 12, adopters: 7, adoption: 7 / 12, estimatedValue: 48_000, reason: '7 of 12 Manufacturing peers (1000-4999 employees) buy Services; est. 48,000/yr' }
      : null,
  };
}

// Root R with children C2 (named "Beta") and C1 (named "Alpha"); C1 has a child G.
const ctx: ReportContext = {
  names: new Map([['R', 'Rootco'], ['C1', 'Alpha'], ['C2', 'Beta'], ['G', 'Gamma'], ['S', 'Solo']]),
  parents: new Map([['R', null], ['C1', 'R'], ['C2', 'R'], ['G', 'C1'], ['S', null]]),
};

const keyFamily: FamilyInsight = {
  id: 'R', name: 'Rootco', entityIds: ['R', 'C2', 'C1', 'G'],
  revenue: 180_000, priorRevenue: 144_000, revenueShare: 0.18, abcClass: 'A', growth: 0.25,
  penetration: 0.375, whitespaceValue: 48_000,
  contacts: { active: 9, referenceable: 2, underCoveredEntities: ['C1'], singleThreadedEntities: [] },
  tier: 'Key', score: 85, criteria: [],
  reasons: ['revenueShare 18.0% >= 10.0%: pass (sufficient)', 'would drop below Key under 10% share, now 18.0%'],
  risks: [], lossScenario: { revenueLost: 180_000, shareLost: 0.18, hhiAfter: 0.2012 },
  matrix: FamilyMatrix.fromCells([
    cell('R', 'Services', 'active', 100_000), cell('R', 'Cloud', 'open'),
    cell('C2', 'Services', 'lapsed'), cell('C2', 'Cloud', 'whitespace', 0, true),
    cell('C1', 'Services', 'lost'), cell('C1', 'Cloud', 'active', 80_000),
    cell('G', 'Services', 'whitespace'), cell('G', 'Cloud', 'active', 1234.6),
  ]),
};

const result: AnalysisResult = {
  asOf: '2024-02-29', configVersion: 1, currency: 'EUR',
  portfolio: { totalRevenue: 1_000_000, families: 2, top1Share: 0.82, top5Share: 1, top10Share: 1, hhi: 0.7048, keyFamilies: 1 },
  families: [
    keyFamily,
    {
      ...keyFamily, id: 'S', name: 'Solo', entityIds: ['S'], tier: 'Standard', revenueShare: 0.82, risks: ['single-threaded', 'stalled'],
      lossScenario: null, matrix: FamilyMatrix.fromCells([cell('S', 'Services', 'active', 820_000), cell('S', 'Cloud', 'whitespace')]),
    },
  ],
  accounts: [],
  drift: [{ familyId: 'S', kind: 'passes-but-unmarked', message: 'passes the criteria but is not marked key' }],
  issues: [
    { kind: 'rejected-opportunity', recordId: 'O9', message: 'closeDate: expected an ISO 8601 date' },
    { kind: 'missing-parent', recordId: 'X1', message: 'parent X0 is not in the data; X1 is a root' },
    { kind: 'rejected-opportunity', recordId: 'O8', message: 'status: invalid option' },
  ],
};

describe('report formats', () => {
  it('formats money, percentages and tables the same on every machine', () => {
    expect(money(1234567.5)).toBe('1,234,568');
    expect(money(-999.4)).toBe('-999');
    expect(money(0)).toBe('0');
    expect(pct(0.1234)).toBe('12.3%');
    expect(pct(null)).toBe('n/a');
    expect(signedPct(-0.3)).toBe('-30.0%');
    expect(signedPct(0.25)).toBe('+25.0%');
    expect(count(1, 'entity', 'entities')).toBe('1 entity');
    expect(count(1200, 'entity', 'entities')).toBe('1,200 entities');
    expect(wrap('a bb ccc dddd', 8, '- ', '  ')).toEqual(['- a bb', '  ccc', '  dddd']);
    expect(wrap('abcdefghijk', 8, '- ', '  ')).toEqual(['- abcde…']);
    expect(table(['Name', 'N'], [['a', '1'], ['bbb', '22']], ['l', 'r'])).toEqual([
      '  Name   N',
      '  ----  --',
      '  a      1',
      '  bbb   22',
    ]);
  });
});

describe('penetration matrix', () => {
  it('orders entities depth-first from the root, siblings by name', () => {
    expect(treeOrder(keyFamily, ctx)).toEqual([
      { id: 'R', depth: 0 }, { id: 'C1', depth: 1 }, { id: 'G', depth: 2 }, { id: 'C2', depth: 1 },
    ]);
  });

  it('shows every cell state as a letter, suggested whitespace as +, and revenue per entity', () => {
    const lines = renderMatrix(keyFamily, ctx, painter(false), { width: 100, maxRows: 30 });
    expect(lines.slice(0, 6)).toEqual([
      '  Entity      1  2   Revenue',
      '  ---------  ------  -------',
      '  Rootco      A  O   100,000',
      '    Alpha     X  A    80,000',
      '      Gamma   .  A     1,235',
      '    Beta      L  +         0',
    ]);
    expect(lines).toContain('  Offerings:  1 Services  2 Cloud');
  });

  it('splits wide catalogues into blocks within the width and caps the rows', () => {
    const offerings = Array.from({ length: 40 }, (_, i) => `Offering ${i + 1}`);
    const ids = Array.from({ length: 50 }, (_, i) => `E${i}`);
    const big: FamilyInsight = {
      ...keyFamily, id: 'E0', entityIds: ids,
      matrix: FamilyMatrix.fromCells(ids.flatMap((e) => offerings.map((o) => cell(e, o, 'whitespace')))),
    };
    const bigCtx: ReportContext = {
      names: new Map(ids.map((e) => [e, `Entity number ${e} with a very long division name`])),
      parents: new Map(ids.map((e, i) => [e, i === 0 ? null : 'E0'])),
    };
    const lines = renderMatrix(big, bigCtx, painter(false), { width: 80, maxRows: 10 });
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    // 40 offerings of 3 columns each after a 32-column name: four blocks of at most 11.
    expect(lines.filter((l) => /^ +Entity +\d/.test(l))).toHaveLength(4);
    expect(lines).toContain('  ... 40 more entities (all in --json)');
    expect(lines.join('\n')).toContain('40 Offering 40');
  });
});

describe('sister suggestions in the report', () => {
  const sister = { rule: 'sister' as const, peers: 3, adopters: 2, adoption: 0.666667, estimatedValue: 900, reason: '2 of 3 other Rootco entities buy Services; est. 900/yr' };
  const withSister: FamilyInsight = {
    ...keyFamily,
    matrix: FamilyMatrix.fromCells(keyFamily.matrix.cells().map((c) => (c.entityId === 'G' && c.offering === 'Services' ? { ...c, suggestion: sister } : c))),
  };

  it('marks a cell the sister rule suggests with *, apart from the peers\' +', () => {
    const lines = renderMatrix(withSister, ctx, painter(false), { width: 100, maxRows: 30 });
    expect(lines[4]).toBe('      Gamma   *  A     1,235');
    expect(lines[5]).toBe('    Beta      L  +         0');
    expect(lines).toContain('  A active  O open  L lapsed  X lost  . whitespace  + suggested by peers  * by sister entities');
    // At 60 columns the legend breaks before the item that would pass the width.
    expect(renderMatrix(withSister, ctx, painter(false), { width: 60, maxRows: 30 }).slice(-2)).toEqual([
      '  A active  O open  L lapsed  X lost  . whitespace',
      '  + suggested by peers  * by sister entities',
    ]);
  });

  it('lists a key family\'s most valuable suggestions with their rule, and the rule in the whitespace table', () => {
    const text = renderReport({ ...result, families: [withSister] }, ctx, { color: false, limit: 10 });
    expect(text).toContain([
      '   Suggestions: 2 cells (1 from sister entities, 1 from peers), the first:',
      '     - Beta: 7 of 12 Manufacturing peers (1000-4999 employees) buy Services; est. 48,000/yr',
      '     - Gamma: 2 of 3 other Rootco entities buy Services; est. 900/yr',
    ].join('\n'));
    expect(text).toContain('      900  Services  Gamma   Rootco       2/3  sisters');
  });
});

describe('renderReport', () => {
  const text = renderReport(result, ctx, { color: false, limit: 10 });

  it('heads with the date, the window and the currency', () => {
    expect(text.split('\n')[0]).toBe('Kamflow analysis as of 2024-02-29 (12 months 2023-03-01 to 2024-02-29, config v1, EUR)');
  });

  it('shows concentration, key families with reasons and loss scenario', () => {
    expect(text).toContain('  Revenue, 12 months   1,000,000 EUR from 2 families (0 accounts)');
    expect(text).toContain('top 1: 82.0%   top 5: 100.0%   top 10: 100.0%   HHI 0.7048');
    expect(text).toContain('1. Rootco (R): Key, score 85.0');
    expect(text).toContain('   Revenue 180,000 EUR (18.0% share, class A, growth +25.0% on 144,000)');
    expect(text).toContain('     - would drop below Key under 10% share, now 18.0%');
    expect(text).toContain('   If lost: 180,000 EUR (18.0% of revenue), HHI after 0.2012');
    expect(text).not.toContain('2. Solo');
  });

  it('lists whitespace, risks, drift and issues by kind', () => {
    expect(text).toContain('   48,000  Cloud     Beta    Rootco      7/12  peers');
    expect(text).toContain('e.g. 7 of 12 Manufacturing peers (1000-4999 employees) buy Services; est. 48,000/yr');
    expect(text).toMatch(/single-threaded +1 {2}at most one active contact/);
    expect(text).toContain('  Passes the criteria, not marked key: Solo (S)\n    passes the criteria but is not marked key\n');
    expect(text).toMatch(/rejected-opportunity +2\n {2}missing-parent +1/);
  });

  it('stays within 100 columns and carries no colour codes when colour is off', () => {
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(text).not.toContain('\u001b');
    expect(renderReport(result, ctx, { color: true, limit: 10 })).toContain('\u001b[32;1mA\u001b[0m');
  });
});
