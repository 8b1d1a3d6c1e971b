import type { Snapshot } from '../model/snapshot.ts';
import type { SnapshotFileFormat } from '../snapshot/read.ts';

/**
 * A snapshot as text, produced in pieces since a large org's file is more text than one
 * JavaScript string can hold. JSON: the document of DOMAIN.md section 5 with one record a line
 * (readable, diffable). NDJSON: the header line, then one `{"kind":...}` record a line.
 */

type ListKey = 'accounts' | 'contacts' | 'products' | 'opportunities' | 'users' | 'contactRoles';
/** Version 2's contactRoles come last; a version-1 document has no such list. */
const LISTS: readonly ListKey[] = ['accounts', 'contacts', 'products', 'opportunities', 'users', 'contactRoles'];
const KIND: Record<ListKey, string> = {
  accounts: 'account', contacts: 'contact', products: 'product', opportunities: 'opportunity', users: 'user', contactRoles: 'contactRole',
};

export interface SnapshotRecords {
  header: Pick<Snapshot, 'version' | 'source' | 'currency'>;
  /** In list order (accounts, contacts, products, opportunities, users, contactRoles). */
  records: Iterable<{ list: ListKey; record: object }>;
}

function* jsonChunks(s: SnapshotRecords): Generator<string> {
  const h = s.header;
  yield `{"version":${h.version},"source":${JSON.stringify(h.source)},"currency":${JSON.stringify(h.currency)}`;
  let at = -1;
  let inList = 0;
  const open = (upTo: number) => {
    let text = '';
    while (at < upTo) {
      if (at >= 0) text += inList > 0 ? '\n]' : ']';
      at++;
      inList = 0;
      text += `,\n"${LISTS[at] ?? ''}":[`;
    }
    return text;
  };
  const lists = h.version === 2 ? LISTS.length : LISTS.indexOf('contactRoles');
  for (const { list, record } of s.records) {
    const k = LISTS.indexOf(list);
    if (k >= lists) throw new Error(`a version ${h.version} snapshot has no ${list} list`);
    if (k < at) throw new Error(`snapshot records out of list order: ${list} after ${LISTS[at] ?? ''}`);
    const head = k > at ? open(k) : '';
    yield `${head}${inList === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`;
    inList++;
  }
  yield `${open(lists - 1)}${inList > 0 ? '\n]' : ']'}\n}\n`;
}

function* ndjsonChunks(s: SnapshotRecords): Generator<string> {
  const h = s.header;
  yield `{"version":${h.version},"source":${JSON.stringify(h.source)},"currency":${JSON.stringify(h.currency)}}\n`;
  for (const { list, record } of s.records) {
    // Every record has an id, so its JSON is never "{}".
    yield `{"kind":"${KIND[list]}",${JSON.stringify(record).slice(1)}\n`;
  }
}

export function snapshotRecordChunks(s: SnapshotRecords, format: SnapshotFileFormat = 'json'): Generator<string> {
  return format === 'ndjson' ? ndjsonChunks(s) : jsonChunks(s);
}

function recordsOf(s: Snapshot): SnapshotRecords {
  function* records(): Generator<{ list: ListKey; record: object }> {
    for (const list of LISTS) for (const record of (list === 'contactRoles' ? s.contactRoles : s[list]) ?? []) yield { list, record };
  }
  return { header: s, records: records() };
}

export function snapshotChunks(s: Snapshot, format: SnapshotFileFormat = 'json'): Generator<string> {
  return snapshotRecordChunks(recordsOf(s), format);
}

export function snapshotJson(s: Snapshot, format: SnapshotFileFormat = 'json'): string {
  return [...snapshotChunks(s, format)].join('');
}
