import type { AnalysisResult, FamilyInsight } from '../../src/model/insights.ts';
import { CELL_STATES } from '../../src/model/matrix.ts';
import { BOLD, fill, SHEETS, STATE_ARGB, STATE_MEANING, TIER_ARGB, sheetName } from './layout.ts';
import type { StreamWorkbook } from './workbook-file.ts';

/**
 * The analysis sheets of the annotated workbook: the key accounts with their reasons, the
 * concentration of revenue with each key family's loss scenario, and one penetration matrix
 * per family (the families with the most revenue first, up to the connection's limit) with
 * the five cell states coloured and a legend. Shares are percentages here, as in the CRMs.
 */

const pct = (x: number | null): number | null => (x === null ? null : Math.round(x * 10_000) / 100);
const money = (x: number): number => Math.round(x * 100) / 100;
/** 48000 -> "48,000", without the locale (the same bytes on every machine). */
const grouped = (x: number): string => String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Families by revenue, highest first, ties by id: the order the sheets list them in. */
export function byRevenue(families: readonly FamilyInsight[]): FamilyInsight[] {
  return [...families].sort((a, b) => b.revenue - a.revenue || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function header(ws: ReturnType<StreamWorkbook['addWorksheet']>, titles: string[]): void {
  const row = ws.addRow(titles);
  row.font = BOLD;
  row.commit();
}

export function writeKeyAccountsSheet(wb: StreamWorkbook, analysis: AnalysisResult): void {
  const ws = wb.addWorksheet(SHEETS.keyAccounts, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [14, 32, 10, 8, 14, 12, 10, 12, 14, 10, 30, 50, 90].map((width) => ({ width }));
  header(ws, ['Family id', 'Family', 'Tier', 'Score', `Revenue (${analysis.currency})`, 'Revenue share %', 'Growth %', 'Penetration %',
    `Whitespace value (${analysis.currency})`, 'Active contacts', 'Risks', 'Why', 'Reasons']);
  const key = byRevenue(analysis.families).filter((f) => f.tier === 'Key');
  for (const f of key) {
    const row = ws.addRow([
      f.id, f.name, f.tier, f.score, money(f.revenue), pct(f.revenueShare), pct(f.growth), pct(f.penetration), money(f.whitespaceValue),
      f.contacts.active, f.risks.join(', '), whyOf(analysis, f), f.reasons.join('\n'),
    ]);
    row.getCell(3).fill = fill(TIER_ARGB.Key ?? 'FFFFFFFF');
    row.getCell(13).alignment = { wrapText: true, vertical: 'top' };
    row.commit();
  }
  if (key.length === 0) ws.addRow(['', 'No family meets the key-account criteria']).commit();
  ws.commit();
}

function whyOf(analysis: AnalysisResult, f: FamilyInsight): string {
  return analysis.accounts.find((a) => a.id === f.id)?.kam_why ?? '';
}

export function writeConcentrationSheet(wb: StreamWorkbook, analysis: AnalysisResult): void {
  const ws = wb.addWorksheet(SHEETS.concentration);
  ws.columns = [34, 18, 16, 16, 14].map((width) => ({ width }));
  const p = analysis.portfolio;
  const rows: [string, number][] = [
    [`Total revenue, last 12 months (${analysis.currency})`, money(p.totalRevenue)],
    ['Families', p.families],
    ['Top 1 share %', pct(p.top1Share) ?? 0],
    ['Top 5 share %', pct(p.top5Share) ?? 0],
    ['Top 10 share %', pct(p.top10Share) ?? 0],
    ['HHI (sum of squared shares, 0-1)', Math.round(p.hhi * 10_000) / 10_000],
    ['Key families', p.keyFamilies],
  ];
  for (const [k, v] of rows) {
    const row = ws.addRow([k, v]);
    row.getCell(1).font = BOLD;
    row.commit();
  }
  ws.addRow([]).commit();
  const title = ws.addRow(['Loss scenarios: each key family lost']);
  title.font = BOLD;
  title.commit();
  header(ws, ['Family', 'Family id', `Revenue lost (${analysis.currency})`, 'Share lost %', 'HHI after']);
  const scenarios = byRevenue(analysis.families).filter((f) => f.lossScenario !== null);
  for (const f of scenarios) {
    const s = f.lossScenario;
    if (s) ws.addRow([f.name, f.id, money(s.revenueLost), pct(s.shareLost), Math.round(s.hhiAfter * 10_000) / 10_000]).commit();
  }
  if (scenarios.length === 0) ws.addRow(['No key family: no loss scenario']).commit();
  ws.commit();
}

/** One matrix sheet per family, up to `limit`; returns the sheet names written. */
export function writeMatrixSheets(wb: StreamWorkbook, analysis: AnalysisResult, names: ReadonlyMap<string, string>, limit: number): string[] {
  const written: string[] = [];
  const families = byRevenue(analysis.families).slice(0, limit);
  families.forEach((f, rank) => {
    const name = sheetName(`M${rank + 1} ${f.name}`);
    written.push(name);
    const m = f.matrix;
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 2, ySplit: 4 }] });
    ws.columns = [{ width: 16 }, { width: 30 }, ...m.offerings.map(() => ({ width: 16 }))];
    const title = ws.addRow([f.name, `family ${f.id}`, `tier ${f.tier}`, `penetration ${pct(f.penetration) ?? 0}%`, `whitespace ${money(f.whitespaceValue)} ${analysis.currency}`]);
    title.font = BOLD;
    title.commit();
    const legend = ws.addRow(['Legend', '', ...CELL_STATES]);
    CELL_STATES.forEach((s, k) => {
      legend.getCell(k + 3).fill = fill(STATE_ARGB[s]);
    });
    legend.commit();
    ws.addRow(['', '', ...CELL_STATES.map((s) => STATE_MEANING[s])]).commit();
    header(ws, ['Entity id', 'Entity', ...m.offerings]);
    m.entities.forEach((entity, e) => {
      const cells: (string | null)[] = [entity, names.get(entity) ?? ''];
      for (let o = 0; o < m.offerings.length; o++) {
        const c = m.cellIndex(e, o);
        const state = m.state(c);
        const suggestion = m.suggestion(c);
        cells.push(suggestion ? `${state}: suggested, est. ${grouped(suggestion.estimatedValue)}/yr` : state);
      }
      const row = ws.addRow(cells);
      for (let o = 0; o < m.offerings.length; o++) row.getCell(o + 3).fill = fill(STATE_ARGB[m.state(m.cellIndex(e, o))]);
      row.commit();
    });
    ws.commit();
  });
  return written;
}
