import type { FieldValues } from '../../src/contract/connector.ts';
import { OUTPUT_FIELDS, TIERS, type OutputFieldKey, type Tier } from '../../src/model/output-fields.ts';
import { normalizeHeader } from '../../mappings/spreadsheet.ts';
import { BOLD, CHANGED_COLUMN, CHANGED_FIELDS_COLUMN, fill, ID_COLUMN, ISSUES_COLUMN, SHEETS, TIER_ARGB } from './layout.ts';
import type { SheetRead } from './sheet.ts';
import type { Cell } from './values.ts';
import type { StreamWorkbook } from './workbook-file.ts';

/**
 * The Accounts sheet of the annotated workbook: every account row of the input as it is, then
 * Kamflow's columns: the id it read the row under, whether this run changed the row's values
 * (and which), every field the CRMs get (`kam_*`, the same values), and why a row could not be
 * read. Columns of the input that carry Kamflow's own names are replaced, not repeated.
 */

const NUMBER_FORMAT: Partial<Record<string, string>> = { number: '0.0', percent: '0.00', currency: '#,##0.00' };
const OWN = new Set([ID_COLUMN, CHANGED_COLUMN, CHANGED_FIELDS_COLUMN, ISSUES_COLUMN].map(normalizeHeader));

export interface AccountValues {
  /** The values of Kamflow's fields the account holds after this write; `input`: those its input row carries. */
  values(accountId: string, input: FieldValues): FieldValues | undefined;
  /** The fields this run changed on the account; null when it changed none. */
  changed(accountId: string): readonly OutputFieldKey[] | null;
}

export interface AccountsSheetResult {
  rows: number;
  accounts: number;
  changed: number;
  /** Account names by id, as the input has them. */
  names: Map<string, string>;
}

const isTier = (v: unknown): v is Tier => typeof v === 'string' && (TIERS as readonly string[]).includes(v);

export async function writeAccountsSheet(wb: StreamWorkbook, read: SheetRead<'accounts'>, values: AccountValues): Promise<AccountsSheetResult> {
  const kamInput = new Set(Object.values(read.columns.kam));
  const copied = read.columns.headers.map((h, i) => ({ h, i })).filter(({ h, i }) => !kamInput.has(i) && !OWN.has(normalizeHeader(h)));
  const own = [ID_COLUMN, CHANGED_COLUMN, CHANGED_FIELDS_COLUMN, ...OUTPUT_FIELDS.map((f) => f.key), ISSUES_COLUMN];
  const ws = wb.addWorksheet(SHEETS.accounts, { views: [{ state: 'frozen', ySplit: 1 }] });
  const first = copied.length + 1;
  ws.columns = [
    ...copied.map(({ h }) => ({ width: Math.min(40, Math.max(10, h.length + 2)) })),
    ...own.map((h) => ({ width: h === 'kam_reasons' || h === ISSUES_COLUMN ? 60 : h === 'kam_next_best_offers' || h === 'kam_why' ? 40 : Math.max(12, h.length + 2) })),
  ];
  const header = ws.addRow([...copied.map(({ h }) => h), ...own]);
  header.font = BOLD;
  for (let c = first; c < first + own.length; c++) header.getCell(c).fill = fill('FFD9E1F2');
  header.commit();

  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  let rows = 0;
  let changed = 0;
  const tierColumn = first + own.indexOf('kam_tier');
  for await (const r of read.rows) {
    rows += 1;
    const record = r.mapped.record;
    const notes = r.mapped.issues.map((i) => i.message);
    let id: string | null = record?.id ?? null;
    if (id !== null && seen.has(id)) {
      notes.push(`the id "${id}" is also on row ${seen.get(id) ?? 0}; this row is left out`);
      id = null;
    }
    if (id !== null && record) {
      seen.set(id, r.row);
      names.set(id, record.name);
    }
    const v = id === null || !record ? undefined : values.values(id, record.fields);
    const fieldsChanged = id === null ? null : values.changed(id);
    if (fieldsChanged !== null) changed += 1;
    const cells: Cell[] = [
      ...copied.map(({ i }) => r.cells[i] ?? null),
      id,
      id === null ? null : fieldsChanged !== null,
      fieldsChanged === null ? null : fieldsChanged.join(', '),
      ...OUTPUT_FIELDS.map((f) => (v?.[f.key] === '' ? null : (v?.[f.key] ?? null))),
      notes.length > 0 ? notes.join('\n') : null,
    ];
    const row = ws.addRow(cells);
    copied.forEach(({ i }, k) => {
      if (r.cells[i] instanceof Date) row.getCell(k + 1).numFmt = 'yyyy-mm-dd';
    });
    OUTPUT_FIELDS.forEach((f, k) => {
      const format = NUMBER_FORMAT[f.type];
      if (format && typeof v?.[f.key] === 'number') row.getCell(first + 3 + k).numFmt = format;
    });
    const tier = v?.['kam_tier'];
    const argb = isTier(tier) ? TIER_ARGB[tier] : null;
    if (argb) row.getCell(tierColumn).fill = fill(argb);
    row.commit();
  }
  ws.commit();
  return { rows, accounts: seen.size, changed, names };
}

export interface AboutLines {
  input: string;
  asOf: string | null;
  currency: string;
  accounts: number;
  changed: number;
  sheets: string[];
  note?: string;
}

export function writeAboutSheet(wb: StreamWorkbook, about: AboutLines): void {
  const ws = wb.addWorksheet(SHEETS.about);
  ws.columns = [{ width: 28 }, { width: 90 }];
  const lines: [string, string][] = [
    ['Kamflow', 'Key-account analysis of the input, with every value Kamflow writes to a CRM as a kam_* column'],
    ['Input', about.input],
    ['As of', about.asOf ?? 'not analysed in this write'],
    ['Currency', about.currency],
    ['Accounts', String(about.accounts)],
    ['Changed by this run', `${about.changed} account(s): ${CHANGED_COLUMN} is TRUE on their rows, ${CHANGED_FIELDS_COLUMN} names the fields`],
    ['Sheets', about.sheets.join(', ')],
  ];
  if (about.note) lines.push(['Note', about.note]);
  for (const [k, v] of lines) {
    const row = ws.addRow([k, v]);
    row.getCell(1).font = BOLD;
    row.commit();
  }
  ws.commit();
}
