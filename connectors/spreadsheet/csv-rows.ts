import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import type { SheetRow } from './xlsx-rows.ts';

/**
 * Rows of one CSV file, streamed through csv-parse: quoted fields with delimiters and line
 * breaks inside, a byte-order mark, ragged rows. The delimiter is told from the header line
 * unless configured (spreadsheet programs in many locales write semicolons).
 */

export type CsvEncoding = 'utf8' | 'latin1' | 'utf16le';
const CANDIDATES = [',', ';', '\t', '|'] as const;

/** The candidate that splits the first line (outside quotes) most often; a comma when none does. */
export function detectDelimiter(firstLine: string): string {
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let most = 0;
  for (const [c, n] of counts) {
    if (n > most) {
      best = c;
      most = n;
    }
  }
  return best;
}

async function firstLineOf(path: string, encoding: CsvEncoding): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString(encoding);
    return text.split(/\r?\n/, 1)[0] ?? '';
  } finally {
    await handle.close();
  }
}

export async function* csvRows(path: string, options: { delimiter: string | null; encoding: CsvEncoding }): AsyncGenerator<SheetRow> {
  const delimiter = options.delimiter ?? detectDelimiter(await firstLineOf(path, options.encoding));
  const stream = createReadStream(path, { encoding: options.encoding });
  // Blank lines stay records (of one empty field) so that row numbers match the file's lines.
  const parser = stream.pipe(parse({ delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, info: true }));
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
      yield { row: rec.info.records, cells: rec.record.map((c) => (c === '' ? null : c)) };
    }
  } finally {
    stream.destroy();
    parser.destroy();
  }
}
