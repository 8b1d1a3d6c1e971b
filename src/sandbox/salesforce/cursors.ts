import type { IdFactory } from '../ids.ts';
import type { WireRecord } from '../soql/eval.ts';

interface Cursor {
  /** Top-level query cursors count against the open-cursor limit; child pages do not. */
  main: boolean;
  finished: boolean;
  records: WireRecord[];
  batchSize: number;
  /** Child relationship pages count their children toward the batch. */
  countChildren: boolean;
}

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: WireRecord[];
}

/** A user may have this many query cursors open; opening another closes the oldest. */
export const MAX_OPEN_CURSORS = 10;

/** Server-side query cursors behind `nextRecordsUrl` (`/query/<locator>-<offset>`). */
export class QueryCursors {
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly ids: IdFactory) {}

  private static weight(rec: WireRecord): number {
    let n = 1;
    for (const v of Object.values(rec)) {
      if (v && typeof v === 'object' && 'records' in v && Array.isArray((v as { records: unknown }).records)) {
        n += (v as { records: unknown[] }).records.length;
      }
    }
    return n;
  }

  /** The first page of a result, registering a cursor when more remain. */
  first(records: WireRecord[], batchSize: number, version: string, countChildren = true): QueryPage {
    if (records.length === 0) return { totalSize: 0, done: true, records: [] };
    const locator = this.ids.salesforce('QueryLocator');
    if (countChildren) {
      const open = [...this.cursors.entries()].filter(([, c]) => c.main && !c.finished);
      if (open.length >= MAX_OPEN_CURSORS) this.cursors.delete((open[0] as [string, Cursor])[0]);
    }
    this.cursors.set(locator, { main: countChildren, finished: false, records, batchSize, countChildren });
    return this.page(locator, 0, version) as QueryPage;
  }

  /** The page at `<locator>-<offset>`, or undefined for an unknown locator. */
  fromLocator(token: string, version: string): QueryPage | undefined {
    const m = /^(.+)-(\d+)$/.exec(token);
    if (!m) return undefined;
    return this.page(m[1] as string, Number(m[2]), version);
  }

  private page(locator: string, offset: number, version: string): QueryPage | undefined {
    const cursor = this.cursors.get(locator);
    if (!cursor || offset > cursor.records.length) return undefined;
    const out: WireRecord[] = [];
    let weight = 0;
    let i = offset;
    while (i < cursor.records.length) {
      const rec = cursor.records[i] as WireRecord;
      const w = cursor.countChildren ? QueryCursors.weight(rec) : 1;
      if (out.length > 0 && weight + w > cursor.batchSize) break;
      out.push(rec);
      weight += w;
      i += 1;
    }
    const done = i >= cursor.records.length;
    if (done) cursor.finished = true;
    const page: QueryPage = { totalSize: cursor.records.length, done, records: out };
    if (!done) page.nextRecordsUrl = `/services/data/v${version}/query/${locator}-${i}`;
    return page;
  }
}
