import { z } from 'zod';
import { OBJECT_KINDS, type ObjectKind } from '../../src/contract/connector.ts';
import type { MappingSettings } from '../../mappings/spreadsheet.ts';
import { COLUMN_FIELDS } from './columns.ts';

/**
 * A spreadsheet connection's options (the input's path is the connection's location, not an
 * option), validated with zod before they are stored and again when a connector is made. Everything has a default that suits a common export; the README's
 * "Spreadsheets and CSV files" section lists them.
 */

const name = z.string().trim().min(1, 'must be a non-empty name');
const names = z.union([name, z.array(name).min(1)]);

const columnsOf = (kind: ObjectKind) => z.object(Object.fromEntries(COLUMN_FIELDS[kind].map((f) => [f, names.nullable().optional()]))).strict();

export const DEFAULT_WON_WORDS = ['won', 'closed won', 'closedwon', 'win', 'gewonnen', 'auftrag'] as const;
export const DEFAULT_LOST_WORDS = ['lost', 'closed lost', 'closedlost', 'loss', 'verloren', 'abgesagt'] as const;

export const spreadsheetOptionsSchema = z.object({
  /** Where the annotated workbook goes; beside the input by default. */
  output: z.string().min(1).optional(),
  /** The currency the amounts are in. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter currency code such as EUR').default('USD'),
  dateFormat: z.enum(['iso', 'dd.mm.yyyy', 'dd/mm/yyyy', 'mm/dd/yyyy']).default('iso'),
  decimalComma: z.boolean().default(false),
  /** Sheet names (or CSV file names without .csv) per stream, instead of the usual names. */
  sheets: z.object(Object.fromEntries(OBJECT_KINDS.map((k) => [k, names.optional()]))).strict().default({}),
  /** Header names per stream and field, instead of the usual ones; null: do not read the field. */
  columns: z.object(Object.fromEntries(OBJECT_KINDS.map((k) => [k, columnsOf(k).optional()]))).strict().default({}),
  /** Further account columns copied to the account's extra values (for optional criteria). */
  extraAccountColumns: z.array(name).default([]),
  status: z.object({
    won: z.array(name).min(1).default([...DEFAULT_WON_WORDS]),
    lost: z.array(name).min(1).default([...DEFAULT_LOST_WORDS]),
    /** Null: every stage that is neither won nor lost is open. */
    open: z.array(name).min(1).nullable().default(null),
  }).strict().default({ won: [...DEFAULT_WON_WORDS], lost: [...DEFAULT_LOST_WORDS], open: null }),
  costPer: z.enum(['line', 'unit']).default('line'),
  csv: z.object({
    /** Null: told from the header line (comma, semicolon or tab). */
    delimiter: z.enum([',', ';', '\t', '|']).nullable().default(null),
    encoding: z.enum(['utf8', 'latin1', 'utf16le']).default('utf8'),
  }).strict().default({ delimiter: null, encoding: 'utf8' }),
  /** Records per pull page (the engine checkpoints after each). */
  pageSize: z.number().int().min(1).max(100_000).default(2_000),
  /** Matrix sheets in the annotated workbook, the families with the most revenue first. */
  matrixSheets: z.number().int().min(0).max(1_000).default(100),
}).strict().superRefine((o, ctx) => {
  for (const w of o.status.won) {
    if (o.status.lost.includes(w)) ctx.addIssue({ code: 'custom', path: ['status'], message: `"${w}" is both a won and a lost word` });
  }
});

export type SpreadsheetOptions = z.output<typeof spreadsheetOptionsSchema>;
export type SpreadsheetOptionsInput = z.input<typeof spreadsheetOptionsSchema>;

export function mappingSettings(o: SpreadsheetOptions): MappingSettings {
  return { dateFormat: o.dateFormat, decimalComma: o.decimalComma, status: o.status, costPer: o.costPer };
}

/** The names a stream's sheet is looked for under. */
export function sheetNames(o: SpreadsheetOptions, kind: ObjectKind): readonly string[] | undefined {
  const s = (o.sheets as Partial<Record<ObjectKind, string | string[]>>)[kind];
  return s === undefined ? undefined : typeof s === 'string' ? [s] : s;
}

export function columnOverrides(o: SpreadsheetOptions, kind: ObjectKind): Record<string, string | string[] | null | undefined> {
  return (o.columns as Partial<Record<ObjectKind, Record<string, string | string[] | null | undefined>>>)[kind] ?? {};
}
