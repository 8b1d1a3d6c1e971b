import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import yauzl, { type Entry } from 'yauzl';
import type { Cell } from './values.ts';

/**
 * Rows of a workbook's sheets, streamed with exceljs's streaming reader: one sheet at a time,
 * one row at a time, in bounded memory whatever the size (shared strings are kept, as they
 * must be). Cell styles are read so that date cells come back as dates, not serial numbers.
 */

export interface SheetRow {
  /** As the spreadsheet shows it: the first row is 1. */
  row: number;
  cells: Cell[];
}

/** One exceljs cell value as a plain value: rich text joined, formulas by their result, links by their text. */
export function plainCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o['richText'])) return (o['richText'] as { text?: unknown }[]).map((r) => (typeof r.text === 'string' ? r.text : '')).join('');
    if ('result' in o) return plainCell(o['result']);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if (typeof o['text'] === 'string') return o['text'];
    if (typeof o['error'] === 'string') return o['error'];
  }
  return String(v);
}

/** `row.values` is 1-based with holes; cells here are 0-based and dense. */
function cellsOf(values: unknown): Cell[] {
  if (!Array.isArray(values)) return [];
  const out: Cell[] = [];
  for (let i = 1; i < values.length; i++) out.push(plainCell(values[i]));
  return out;
}

export interface WorkbookSheet {
  name: string;
  rows: AsyncIterable<SheetRow>;
}

/** What exceljs's reader hands over per sheet beyond its declared type: its name. */
interface SheetReader extends AsyncIterable<{ number: number; values: unknown }> {
  name?: string;
}

/**
 * The parts of exceljs's WorkbookReader used here: its parsers of a workbook's parts, each fed
 * one zip entry's stream. Its own loop over the zip reads the entries as a stream and loses
 * the entries after the worksheets when it must park worksheets in temporary files (as it does
 * for every workbook whose shared strings come last, which is how Excel writes them); reading
 * the entries by name from the zip's central directory (yauzl) avoids that and lets a sheet be
 * read without inflating the others. Version pinned; the tests read workbooks both ways round.
 */
interface ReaderParts {
  model?: { sheets?: { name: string; id: number; rId: string }[] };
  workbookRels?: { Id: string; Target: string }[];
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: Readable, sheetNo: string): Generator<{ eventType: string; value: SheetReader }>;
}

export class WorkbookFormatError extends Error {
  override readonly name = 'WorkbookFormatError';
}

interface Zip {
  entries: Map<string, Entry>;
  open(entry: Entry): Promise<Readable>;
  close(): void;
}

function openZip(path: string): Promise<Zip> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error) return reject(error);
      const entries = new Map<string, Entry>();
      zip.on('error', reject);
      zip.on('entry', (entry: Entry) => {
        entries.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve({
        entries,
        open: (entry) => new Promise((ok, fail) => {
          zip.openReadStream(entry, (e, stream) => (e ? fail(e) : ok(stream)));
        }),
        close: () => zip.close(),
      }));
      zip.readEntry();
    });
  });
}

/** A relationship target, relative to xl/ unless absolute. */
const partName = (target: string): string => (target.startsWith('/') ? target.slice(1) : `xl/${target}`);

/**
 * The sheets of a workbook in their order, each with its rows; a sheet whose rows are not
 * iterated is not read at all. Ending the iteration closes the file.
 */
export async function* workbookSheets(path: string): AsyncGenerator<WorkbookSheet> {
  const zip = await openZip(path);
  try {
    const part = async (name: string): Promise<Readable | null> => {
      const entry = zip.entries.get(name);
      return entry ? zip.open(entry) : null;
    };
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit', entries: 'ignore',
    }) as unknown as ReaderParts;
    const rels = await part('xl/_rels/workbook.xml.rels');
    const book = await part('xl/workbook.xml');
    if (!rels || !book) throw new WorkbookFormatError('it has no workbook part (xl/workbook.xml): not an Excel workbook');
    await reader._parseRels(rels);
    await reader._parseWorkbook(book);
    const strings = await part('xl/sharedStrings.xml');
    if (strings) for await (const _ of reader._parseSharedStrings(strings)) { /* cached by the reader */ }
    const styles = await part('xl/styles.xml');
    if (styles) await reader._parseStyles(styles);
    for (const sheet of reader.model?.sheets ?? []) {
      const rel = (reader.workbookRels ?? []).find((r) => r.Id === sheet.rId);
      const entry = rel ? zip.entries.get(partName(rel.Target)) : undefined;
      if (!entry) continue;
      const rows = async function* (): AsyncGenerator<SheetRow> {
        const stream = await zip.open(entry);
        const made = reader._parseWorksheet(stream, String(sheet.id)).next();
        const ws = made.done ? null : made.value.value;
        if (!ws) return;
        try {
          for await (const row of ws) yield { row: row.number, cells: cellsOf(row.values) };
        } finally {
          stream.destroy();
        }
      };
      yield { name: sheet.name, rows: rows() };
    }
  } finally {
    zip.close();
  }
}
