import type { ObjectKind } from '../contract/connector.ts';
import { OBJECT_KINDS } from '../contract/connector.ts';
import type { MirrorContents, Store } from './types.ts';

/**
 * The whole mirror of a connection in memory (the analysis needs every record at once), read
 * kind by kind in batches so the database never hands over one result of a million rows.
 */
export async function loadMirror(store: Pick<Store, 'mirrorRecords'>, connectionId: string, batchSize?: number): Promise<MirrorContents> {
  const out: MirrorContents = { users: [], products: [], accounts: [], contacts: [], opportunities: [], lineItems: [], contactRoles: [] };
  for (const kind of OBJECT_KINDS) out[kind] = await loadMirrorKind(store, connectionId, kind, batchSize);
  return out;
}

export async function loadMirrorKind(store: Pick<Store, 'mirrorRecords'>, connectionId: string, kind: ObjectKind, batchSize?: number): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const batch of store.mirrorRecords(connectionId, kind, batchSize)) {
    for (const record of batch) records.push(record);
  }
  return records;
}
