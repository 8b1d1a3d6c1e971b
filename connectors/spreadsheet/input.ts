import { createHash } from 'node:crypto';
import { createReadStream, statSync, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { CrmError } from '../../src/contract/errors.ts';
import type { ObjectKind } from '../../src/contract/connector.ts';
import { normalizeHeader } from './columns.ts';
import { csvRows, type CsvEncoding } from './csv-rows.ts';
import { workbookSheets, type SheetRow } from './xlsx-rows.ts';

/**
 * Where a stream's rows are: a sheet of the workbook or a CSV file of the folder, found by its
 * name (case and spaces aside). Opening a stream hands over its header row and the rows after
 * it; a fingerprint says whether what a stream reads has changed since a cursor was made.
 */

export interface OpenSheet {
  /** File name, and sheet name in a workbook (null for a CSV file). */
  file: string;
  sheet: string | null;
  /** The header row's number and texts. */
  headerRow: number;
  headers: string[];
  rows: AsyncIterable<SheetRow>;
  /** Stops reading (closes the file) when the rows were not read to the end. */
  close(): Promise<void>;
}

export interface InputSource {
  readonly kind: 'workbook' | 'folder';
  readonly path: string;
  /** Content hash of what the stream reads (the workbook, or the stream's CSV file); `absent` when it has none. */
  fingerprint(stream: ObjectKind): Promise<string>;
  /** The stream's sheet, or null when the input has none of its names. */
  open(stream: ObjectKind): Promise<OpenSheet | null>;
  /** The sheet or file names of the input, for messages. */
  names(): Promise<string[]>;
}

/** How a failed file-system call is told to the engine: resumable for a busy or full disk, a setup problem otherwise. */
export function fsError(error: unknown, what: string): CrmError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const transient = ['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE', 'ENOSPC', 'ETIMEDOUT', 'EIO'].includes(code);
  const reason = error instanceof Error ? error.message : String(error);
  return new CrmError(transient ? 'unavailable' : 'config', `${what}: ${reason}`, { code: code || 'FS_ERROR' });
}

export function statOrThrow(path: string, what: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw fsError(error, `cannot read ${what} ${path}`);
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw fsError(error, `cannot read ${path}`);
  }
  return hash.digest('base64url').slice(0, 32);
}

/** The header row: the first row with any text in it. */
async function withHeader(file: string, sheet: string | null, rows: AsyncIterable<SheetRow>, close: () => Promise<void>): Promise<OpenSheet> {
  const it = rows[Symbol.asyncIterator]();
  for (;;) {
    const next = await it.next();
    if (next.done) return { file, sheet, headerRow: 1, headers: [], rows: { [Symbol.asyncIterator]: () => it }, close };
    const headers = next.value.cells.map((c) => (c === null ? '' : c instanceof Date ? c.toISOString() : String(c).trim()));
    if (headers.some((h) => h !== '')) return { file, sheet, headerRow: next.value.row, headers, rows: { [Symbol.asyncIterator]: () => it }, close };
  }
}

const matches = (candidates: readonly string[], name: string): boolean => candidates.some((c) => normalizeHeader(c) === normalizeHeader(name));

export class WorkbookInput implements InputSource {
  readonly kind = 'workbook' as const;
  private fp: { key: string; hash: string } | null = null;
  constructor(readonly path: string, private readonly sheetNamesOf: (stream: ObjectKind) => readonly string[]) {}

  async fingerprint(): Promise<string> {
    const st = statOrThrow(this.path, 'the workbook');
    const key = `${st.size}:${st.mtimeMs}`;
    if (this.fp?.key !== key) this.fp = { key, hash: await sha256File(this.path) };
    return this.fp.hash;
  }

  async names(): Promise<string[]> {
    const out: string[] = [];
    try {
      for await (const s of workbookSheets(this.path)) out.push(s.name);
    } catch (error) {
      throw readError(error, this.path);
    }
    return out;
  }

  async open(stream: ObjectKind): Promise<OpenSheet | null> {
    const wanted = this.sheetNamesOf(stream);
    const sheets = workbookSheets(this.path);
    try {
      for (;;) {
        const next = await sheets.next();
        if (next.done) return null;
        if (matches(wanted, next.value.name)) {
          const rows = guarded(next.value.rows, this.path);
          return await withHeader(basename(this.path), next.value.name, rows, async () => {
            await rows.return(undefined);
            await sheets.return(undefined);
          });
        }
      }
    } catch (error) {
      await sheets.return(undefined);
      throw readError(error, this.path);
    }
  }
}

export class FolderInput implements InputSource {
  readonly kind = 'folder' as const;
  constructor(
    readonly path: string,
    private readonly sheetNamesOf: (stream: ObjectKind) => readonly string[],
    private readonly csv: { delimiter: string | null; encoding: CsvEncoding },
  ) {}

  async names(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.path);
    } catch (error) {
      throw fsError(error, `cannot list the folder ${this.path}`);
    }
    return entries.filter((f) => /\.(csv|tsv|txt)$/i.test(f)).sort();
  }

  private async fileOf(stream: ObjectKind): Promise<string | null> {
    const wanted = this.sheetNamesOf(stream);
    const files = await this.names();
    for (const w of wanted) {
      const f = files.find((name) => matches([w], basename(name, extname(name))));
      if (f) return join(this.path, f);
    }
    return null;
  }

  async fingerprint(stream: ObjectKind): Promise<string> {
    const file = await this.fileOf(stream);
    return file === null ? 'absent' : sha256File(file);
  }

  async open(stream: ObjectKind): Promise<OpenSheet | null> {
    const file = await this.fileOf(stream);
    if (file === null) return null;
    const rows = guarded(csvRows(file, this.csv), file);
    return withHeader(basename(file), null, rows, async () => {
      await rows.return(undefined);
    });
  }
}

/** A file that cannot be parsed is a problem of the input, named with its path. */
function readError(error: unknown, path: string): CrmError {
  if (error instanceof CrmError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (code.startsWith('E') && !code.startsWith('CSV_')) return fsError(error, `cannot read ${path}`);
  const reason = error instanceof Error ? error.message : String(error);
  return new CrmError('bad-response', `${path} cannot be read as ${/\.xlsx$/i.test(path) ? 'an Excel workbook (.xlsx)' : 'CSV'}: ${reason}`, { code: code || 'UNREADABLE' });
}

async function* guarded(rows: AsyncIterable<SheetRow>, path: string): AsyncGenerator<SheetRow> {
  try {
    yield* rows;
  } catch (error) {
    throw readError(error, path);
  }
}

/** The input a connection names: a workbook file, or a folder of CSV files. */
export function openInput(path: string, sheetNamesOf: (stream: ObjectKind) => readonly string[], csv: { delimiter: string | null; encoding: CsvEncoding }): InputSource {
  const st = statOrThrow(path, 'the spreadsheet');
  if (st.isDirectory()) return new FolderInput(path, sheetNamesOf, csv);
  if (!/\.xlsx$/i.test(path)) throw new CrmError('config', `${path} is neither an .xlsx workbook nor a folder of CSV files`, { code: 'UNSUPPORTED_FILE' });
  return new WorkbookInput(path, sheetNamesOf);
}
