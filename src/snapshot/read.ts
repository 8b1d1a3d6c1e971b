import { open } from 'node:fs/promises';
import { RECORD_LISTS, SnapshotIntake, type ContactRow, type ListKind, type OpportunityRow, type RecordList, type SnapshotSink } from '../model/snapshot-intake.ts';
import { describeZodError, headerSchema, SnapshotFormatError, type LineItem, type RejectedRecord, type Snapshot } from '../model/snapshot.ts';
import { isSpace, SnapshotSyntaxError } from './bytes.ts';
import { JsonSnapshotScanner, type RecordReader } from './json-scanner.ts';
import { LeanRecordReader } from './lean-records.ts';
import { NdjsonScanner } from './ndjson-scanner.ts';

export { SnapshotSyntaxError } from './bytes.ts';

/**
 * Reads a snapshot file record by record, in either form of interchange format version 1 or 2:
 *
 * - `json`: the document of DOMAIN.md section 5, one object with the record lists;
 * - `ndjson`: the same records one per line, after a first line with the header:
 *   `{"version":1,"source":"file","currency":"USD"}`, then `{"kind":"account",...}`,
 *   `{"kind":"contact",...}`, ... (`kind`: account, contact, product, opportunity, user or, in
 *   version 2, contactRole;
 *   an opportunity carries its `lineItems` as in the JSON form; kinds in any order).
 *
 * The form is told from the first line: a complete JSON object there, with more lines after
 * it, is NDJSON's header. Each record is validated as it is read and handed to the sink, so
 * memory does not grow with the file (the sink decides what it keeps). Throws
 * SnapshotSyntaxError for a file that is not well-formed, SnapshotFormatError for a document
 * that is not a snapshot (version, a list that is not an array, NDJSON lines without a kind),
 * and the file system's error when it cannot be read.
 */

export type SnapshotFileFormat = 'json' | 'ndjson';

export type SnapshotHeader = Pick<Snapshot, 'version' | 'source' | 'currency'> & { fiscalYearStartMonth: number | null };

export interface ReadProgress {
  bytes: number;
  totalBytes: number;
}

export interface ReadOptions {
  /** Called after each piece read (a few megabytes). */
  onProgress?: (progress: ReadProgress) => void;
  /**
   * Contacts and opportunities are read straight from the bytes into the sink's rows when the
   * sink takes rows (the analysis's columns do); false reads every record through JSON.parse
   * (the same records, verdicts and messages, slower).
   */
  rows?: boolean;
  /** Bytes read from the file at a time (4 MB); smaller pieces let tests cut records anywhere. */
  chunkBytes?: number;
}

export interface ReadResult {
  format: SnapshotFileFormat;
  header: SnapshotHeader;
  rejected: RejectedRecord[];
  /** Records read per kind (accepted or not). */
  counts: Record<ListKind, number>;
}

const CHUNK = 1 << 22;
const KINDS = new Set<string>(Object.values(RECORD_LISTS));
const HEADER_KEYS = new Set(['version', 'source', 'currency', 'fiscalYearStartMonth']);

function checkHeader(doc: Record<string, unknown>): SnapshotHeader {
  const h = headerSchema.safeParse(doc);
  if (!h.success) throw new SnapshotFormatError(`not a valid snapshot: ${describeZodError(h.error)}`);
  return { version: h.data.version, source: h.data.source, currency: h.data.currency, fiscalYearStartMonth: h.data.fiscalYearStartMonth };
}

/** A value of the same JSON type as one too long to capture, for the header's type check. */
function standIn(first: number): unknown {
  switch (String.fromCharCode(first)) {
    case '{': return {};
    case '[': return [];
    case '"': return '';
    case 't': return true;
    case 'f': return false;
    case 'n': return null;
    default: return 0;
  }
}

/** The header and lists of a JSON document as they stream past. */
class JsonDocument {
  private readonly header: Record<string, unknown> = {};
  private readonly lean: LeanRecordReader | null;

  constructor(private readonly intake: SnapshotIntake, rows: boolean) {
    this.lean = rows && intake.takesRows ? new LeanRecordReader() : null;
  }

  private recordReader(list: string): RecordReader | null {
    const { lean, intake } = this;
    if (lean === null) return null;
    if (list === 'contacts') {
      let row: ContactRow | null = null;
      return {
        read: (b, from, limit) => {
          row = lean.contact(b, from, limit);
          return row === null ? -1 : lean.end;
        },
        take: () => intake.contactRow(row as ContactRow),
      };
    }
    if (list === 'opportunities') {
      let read: { row: OpportunityRow; lineItems: LineItem[] } | null = null;
      return {
        read: (b, from, limit) => {
          read = lean.opportunity(b, from, limit);
          return read === null ? -1 : lean.end;
        },
        take: () => {
          const r = read as { row: OpportunityRow; lineItems: LineItem[] };
          intake.opportunityRow(r.row, r.lineItems);
        },
      };
    }
    return null;
  }

  scanner(): JsonSnapshotScanner {
    return new JsonSnapshotScanner({
      value: (key, text, first) => {
        if (!Object.hasOwn(RECORD_LISTS, key) && !HEADER_KEYS.has(key)) return;
        this.header[key] = text === null ? standIn(first) : (JSON.parse(text) as unknown);
        // A wrong version or a list that is not an array fails now, not after the whole file
        // (a version still to come counts as right until it comes).
        checkHeader({ version: 1, ...this.header });
      },
      records: (list, values) => {
        const kind = RECORD_LISTS[list as RecordList];
        for (let i = 0; i < values.length; i++) this.intake.record(kind, values[i]);
      },
      recordReader: (list) => this.recordReader(list),
    });
  }

  finish(): SnapshotHeader {
    return checkHeader(this.header);
  }
}

/** NDJSON: the header line, then records that say their kind. */
class NdjsonDocument {
  private header: SnapshotHeader | null = null;

  constructor(private readonly intake: SnapshotIntake) {}

  scanner(): NdjsonScanner {
    return new NdjsonScanner((values, firstLine) => {
      for (let i = 0; i < values.length; i++) this.value(values[i], firstLine + i);
    });
  }

  private value(v: unknown, line: number): void {
    const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    if (this.header === null) {
      if (o === null || 'kind' in o) {
        throw new SnapshotFormatError(`line ${line}: the first line of an NDJSON snapshot is its header, {"version":1,"source":...,"currency":...}`);
      }
      const lists = Object.keys(RECORD_LISTS).filter((k) => k in o);
      if (lists.length > 0) throw new SnapshotFormatError(`line ${line}: the NDJSON header holds no records ("${lists[0] ?? ''}"); each record has a line of its own`);
      this.header = checkHeader(o);
      return;
    }
    const kind = o?.['kind'];
    if (typeof kind !== 'string' || !KINDS.has(kind)) {
      throw new SnapshotFormatError(
        `line ${line}: expected a record with "kind" account, contact, product, opportunity, user or contactRole, got ${o === null ? JSON.stringify(v) ?? 'nothing' : `kind ${JSON.stringify(kind) ?? 'missing'}`}`,
      );
    }
    this.intake.record(kind as ListKind, o);
  }

  finish(): SnapshotHeader {
    if (this.header === null) throw new SnapshotSyntaxError('is empty');
    return this.header;
  }
}

/** NDJSON when the first line is a whole JSON object and more follows it. */
export function sniffFormat(head: Uint8Array): SnapshotFileFormat {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && isSpace(head[i] as number)) i++;
  const nl = head.indexOf(0x0a, i);
  if (nl === -1) return 'json';
  let rest = nl + 1;
  while (rest < head.length && isSpace(head[rest] as number)) rest++;
  if (rest === head.length) return 'json';
  try {
    const first: unknown = JSON.parse(Buffer.from(head.buffer, head.byteOffset + i, nl - i).toString('utf8'));
    return typeof first === 'object' && first !== null && !Array.isArray(first) ? 'ndjson' : 'json';
  } catch {
    return 'json';
  }
}

export async function readSnapshotFile(path: string, sink: SnapshotSink, options: ReadOptions = {}): Promise<ReadResult> {
  const file = await open(path, 'r');
  try {
    const totalBytes = (await file.stat()).size;
    const size = options.chunkBytes ?? CHUNK;
    // Two buffers take turns: the next piece is read while this one is scanned (the scanners
    // copy what they keep of a piece, so it may be overwritten once fed).
    const chunks = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] as const;
    const readInto = (chunk: Buffer) => {
      const read = file.read(chunk, 0, size, null);
      // Awaited below; a piece read ahead of a failure elsewhere is not an unhandled rejection.
      read.catch(() => undefined);
      return read;
    };
    const intake = new SnapshotIntake(sink);
    let format: SnapshotFileFormat | null = null;
    let doc: JsonDocument | NdjsonDocument | null = null;
    let scanner: JsonSnapshotScanner | NdjsonScanner | null = null;
    let bytes = 0;
    let next = readInto(chunks[0]);
    for (;;) {
      const { bytesRead, buffer } = await next;
      if (bytesRead === 0) break;
      next = readInto(buffer === chunks[0] ? chunks[1] : chunks[0]);
      const piece = buffer.subarray(0, bytesRead);
      if (scanner === null) {
        format = sniffFormat(piece);
        doc = format === 'json' ? new JsonDocument(intake, options.rows !== false) : new NdjsonDocument(intake);
        scanner = doc.scanner();
      }
      scanner.feed(piece);
      bytes += bytesRead;
      options.onProgress?.({ bytes, totalBytes });
    }
    if (scanner === null || doc === null || format === null) throw new SnapshotSyntaxError('is empty');
    scanner.finish();
    const header = doc.finish();
    return { format, header, rejected: intake.rejected, counts: intake.counts };
  } finally {
    await file.close();
  }
}
