import type { Snapshot } from '../model/snapshot.ts';

/**
 * A snapshot as JSON with one record a line: readable, diffable, and produced in pieces, since
 * a large org's file is more text than one JavaScript string can hold.
 */
export function* snapshotChunks(s: Snapshot): Generator<string> {
  yield `{"version":${s.version},"source":${JSON.stringify(s.source)},"currency":${JSON.stringify(s.currency)}`;
  const lists = [
    ['accounts', s.accounts], ['contacts', s.contacts], ['products', s.products],
    ['opportunities', s.opportunities], ['users', s.users],
  ] as const;
  for (const [key, records] of lists) {
    yield `,\n"${key}":[`;
    for (let i = 0; i < records.length; i++) yield `${i === 0 ? '\n' : ',\n'}${JSON.stringify(records[i])}`;
    yield records.length > 0 ? '\n]' : ']';
  }
  yield '\n}\n';
}

export function snapshotJson(s: Snapshot): string {
  return [...snapshotChunks(s)].join('');
}
