import type { Cursor, FieldValues, ObjectKind, PullPage, RecordIssue, RecordsByKind } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type { Logger } from '../../src/log.ts';
import { rowPlace, type MappingSettings } from '../../mappings/spreadsheet.ts';
import { contentHash, decodeCursor, DigestBuilder, encodeCursor, parseDigest, type Digest } from './digest.ts';
import type { InputSource } from './input.ts';
import type { SpreadsheetOptions } from './options.ts';
import { referencesFrom, type Indexes } from './references.ts';
import { readSheet } from './sheet.ts';

/**
 * One stream's pull from its sheet. A full pull reads every row, in pages, each page's cursor
 * holding the rows read so far (a resumed pull skips them, when the file is the one the cursor
 * was made on); its last page carries the digest of every row. An incremental pull of an
 * unchanged file and mapping reads nothing; otherwise it reads the file and sends the records
 * that are new or changed against the digest, and the ids that disappeared as deletions.
 */

export interface PullContext {
  input: InputSource;
  options: SpreadsheetOptions;
  settings: MappingSettings;
  /** Hash of the options that change how rows are read. */
  mappingHash: string;
  /** Hash of what the stream's records depend on: its file, and the files its references resolve against. */
  fingerprint(): Promise<string>;
  indexes(stream: ObjectKind): Promise<Indexes>;
  /** Kamflow's values held now, by account id, from the annotated workbook; null when there is none yet. */
  currentValues(): Promise<Map<string, FieldValues> | null>;
  logger: Logger;
  /** Counts a sheet read (the usage the run records). */
  counted(): void;
}

type Page<K extends ObjectKind> = PullPage<K>;

export async function* pullStream<K extends ObjectKind>(kind: K, mode: 'full' | 'incremental', cursor: Cursor | undefined, ctx: PullContext): AsyncGenerator<Page<K>> {
  const contents = await ctx.fingerprint();
  const fingerprint = `${contents}.${ctx.mappingHash}`;
  const prev = decodeCursor(cursor);
  if (mode === 'incremental' && prev !== null && prev.digest !== null && prev.fingerprint === fingerprint) {
    yield { object: kind, records: [], deletedIds: [], issues: [], cursor: encodeCursor(prev) };
    return;
  }
  let base: Digest | null = null;
  let skip = 0;
  if (mode === 'incremental' && prev?.digest != null) base = parseDigest(prev.digest);
  else if (prev !== null && prev.digest === null && prev.fingerprint === fingerprint) skip = prev.offset;
  if (mode === 'incremental' && base === null) {
    ctx.logger.warn({ object: kind }, 'spreadsheet: resuming an incremental pull cut short; every row is sent again and deletions wait for the next full pull');
  }

  ctx.counted();
  const read = await readSheet(kind, ctx.input, ctx.options, ctx.settings, referencesFrom(await ctx.indexes(kind)));
  const values = kind === 'accounts' ? await ctx.currentValues() : null;
  const digest = new DigestBuilder();
  const seen = new Map<string, number>();
  let records: RecordsByKind[K][] = [];
  let issues: RecordIssue[] = [];
  let n = 0;
  const page = (last: boolean, deletedIds: string[] = []): Page<K> => {
    const out: Page<K> = {
      object: kind, records, deletedIds, issues,
      cursor: encodeCursor({ fingerprint, offset: n, digest: last ? digest.toString() : null }),
      ...(last && mode === 'full' ? { fullPullComplete: true } : {}),
    };
    records = [];
    issues = [];
    return out;
  };

  if (read === null) {
    if (kind === 'accounts') {
      const names = await ctx.input.names();
      throw new CrmError('config', `${ctx.input.path} has no accounts ${ctx.input.kind === 'workbook' ? 'sheet' : 'file'} (it has: ${names.join(', ') || 'nothing'}); name it in the mapping's sheets.accounts (kamflow connect --mapping FILE)`, { code: 'NO_ACCOUNTS_SHEET' });
    }
    yield page(true, base ? [...base.records.keys()] : []);
    return;
  }
  const place = { file: read.sheet.file, sheet: read.sheet.sheet };
  try {
    for await (const r of read.rows) {
      n += 1;
      const fresh = n > skip;
      const rawHash = (): string => contentHash(r.cells);
      const report = (rowIssues: RecordIssue[], hash: string): void => {
        if (fresh && (base === null || !base.rejected.has(hash))) issues.push(...rowIssues);
      };
      const record = r.mapped.record;
      if (record === null) {
        const h = rawHash();
        digest.rejected(h);
        report(r.mapped.issues, h);
      } else if (seen.has(record.id)) {
        const h = rawHash();
        digest.rejected(h);
        report([{ object: kind, recordId: record.id, kind: 'duplicate-id', message: `${rowPlace(place, r.row)}: the id "${record.id}" is also on row ${seen.get(record.id) ?? 0}; this row is left out` }], h);
      } else {
        seen.set(record.id, r.row);
        const h = contentHash(record);
        digest.record(record.id, h);
        if (fresh && (base === null || base.records.get(record.id) !== h)) {
          if (values !== null && 'fields' in record) record.fields = values.get(record.id) ?? {};
          records.push(record);
          issues.push(...r.mapped.issues);
        }
      }
      if (records.length >= ctx.options.pageSize || issues.length >= ctx.options.pageSize) yield page(false);
    }
  } finally {
    await read.sheet.close();
  }
  if ((await ctx.fingerprint()) !== contents) {
    throw new CrmError('unavailable', `${ctx.input.path} changed while it was read; the next run reads it again`, { code: 'CHANGED_WHILE_READ' });
  }
  const gone = base === null ? [] : [...base.records.keys()].filter((id) => !seen.has(id));
  yield page(true, gone);
}
