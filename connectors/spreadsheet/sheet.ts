import type { Mapped, ObjectKind, RecordsByKind } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import {
  isBlankRow, missingColumns, resolveColumns, ROW_MAPPERS, type MappingSettings, type References, type SheetColumns,
} from '../../mappings/spreadsheet.ts';
import type { InputSource, OpenSheet } from './input.ts';
import { columnOverrides, type SpreadsheetOptions } from './options.ts';
import type { Cell } from './values.ts';

/**
 * One stream's sheet read row by row into mapped records: its columns resolved once, every
 * non-blank row handed to the mapping. A sheet without a column the stream cannot do without
 * stops the read with one error naming the sheet, what is missing and the headers it has.
 */

export interface MappedRow<K extends ObjectKind> {
  row: number;
  cells: readonly Cell[];
  mapped: Mapped<RecordsByKind[K]>;
}

export interface SheetRead<K extends ObjectKind> {
  sheet: OpenSheet;
  columns: SheetColumns<K>;
  rows: AsyncIterable<MappedRow<K>>;
}

export function checkColumns<K extends ObjectKind>(kind: K, sheet: OpenSheet, options: SpreadsheetOptions): SheetColumns<K> {
  const columns = resolveColumns(kind, { file: sheet.file, sheet: sheet.sheet }, sheet.headers, columnOverrides(options, kind), options.extraAccountColumns);
  const missing = missingColumns(columns);
  if (missing.length > 0) {
    const where = sheet.sheet === null ? sheet.file : `sheet "${sheet.sheet}" of ${sheet.file}`;
    throw new CrmError(
      'config',
      `${where} has no column for ${missing.join(', ')} (its headers: ${sheet.headers.filter((h) => h !== '').map((h) => `"${h}"`).join(', ') || 'none'}); name the column in the mapping's columns.${kind} (kamflow connect --mapping FILE)`,
      { code: 'MISSING_COLUMN' },
    );
  }
  return columns;
}

/** The stream's rows mapped, or null when the input has no sheet for it. The caller reads `rows` to the end or calls `sheet.close()`. */
export async function readSheet<K extends ObjectKind>(
  kind: K, input: InputSource, options: SpreadsheetOptions, settings: MappingSettings, refs: References,
): Promise<SheetRead<K> | null> {
  const sheet = await input.open(kind);
  if (sheet === null) return null;
  let columns: SheetColumns<K>;
  try {
    columns = checkColumns(kind, sheet, options);
  } catch (error) {
    await sheet.close();
    throw error;
  }
  const mapper = ROW_MAPPERS[kind];
  const rows = async function* (): AsyncGenerator<MappedRow<K>> {
    for await (const r of sheet.rows) {
      if (isBlankRow(r.cells)) continue;
      yield { row: r.row, cells: r.cells, mapped: mapper({ columns, row: r.row, cells: r.cells, settings, refs }) };
    }
  };
  return { sheet, columns, rows: rows() };
}
