import Database from 'better-sqlite3';
import pg from 'pg';
import type { ObjectKind, RecordsByKind } from '../../src/contract/connector.ts';
import { loadMirror } from '../../src/store/read-mirror.ts';
import { OBJECT_KINDS } from '../../src/contract/connector.ts';
import { openStoreAt, type StoreLocation } from '../../src/store/open.ts';

/**
 * One phase of the store benchmark, run in a process of its own so that its peak memory is
 * its own: fill the mirror, stream it, load it whole, or read it the old way in one query.
 */

export type Phase = 'idle' | 'checkpoint' | 'iterate' | 'load' | 'one-query';

export const CONNECTION = 'bench';

/** How a million records split over the kinds, roughly as an org of 100,000 accounts. */
export function mix(total: number): Record<ObjectKind, number> {
  const accounts = Math.round(total * 0.1);
  const contacts = Math.round(total * 0.5);
  const opportunities = Math.round(total * 0.15);
  return { users: 0, products: 0, accounts, contacts, opportunities, lineItems: total - accounts - contacts - opportunities, contactRoles: 0 };
}

function record<K extends ObjectKind>(kind: K, i: number, total: Record<ObjectKind, number>): RecordsByKind[K] {
  const accountId = `001${String(i % Math.max(1, total.accounts)).padStart(12, '0')}`;
  const id = `${kind.slice(0, 3)}${String(i).padStart(12, '0')}`;
  const records: { [T in ObjectKind]: () => RecordsByKind[T] } = {
    users: () => ({ id, name: `User ${i}`, active: true }),
    products: () => ({ id, name: `Product ${i}`, family: 'Hardware', active: true }),
    accounts: () => ({
      id: accountId, name: `Account ${i} Holdings GmbH`, parentId: i % 7 === 0 ? null : `001${String(i - (i % 7)).padStart(12, '0')}`,
      industry: 'Manufacturing', employees: 250 + (i % 5000), annualRevenue: 1_000_000 + i, country: 'DE', ownerId: '005000000000001', markedKey: i % 50 === 0,
      fields: { kam_tier: 'Standard', kam_score: 42.5, kam_key_account: false }, extra: {},
    }),
    contacts: () => ({ id, accountId, name: `Contact ${i}`, email: `contact${i}@example.com`, title: 'Buyer', active: true, referenceable: i % 9 === 0 }),
    opportunities: () => ({ id, accountId, name: `Deal ${i}`, status: i % 3 === 0 ? 'open' : 'won', amount: 10_000 + (i % 90_000), closeDate: '2026-03-31', ownerId: '005000000000001' }),
    lineItems: () => ({ id, opportunityId: `opp${String(i % Math.max(1, total.opportunities)).padStart(12, '0')}`, productId: `01t${String(i % 40).padStart(12, '0')}`, quantity: 1 + (i % 10), totalPrice: 1_000 + (i % 9_000), cost: null }),
    contactRoles: () => ({ id, opportunityId: `opp${String(i % Math.max(1, total.opportunities)).padStart(12, '0')}`, contactId: `con${String(i % Math.max(1, total.contacts)).padStart(12, '0')}`, role: 'Decision Maker', primary: false }),
  };
  return records[kind]();
}

async function checkpoint(location: StoreLocation, total: number, page: number): Promise<Record<string, number>> {
  const store = await openStoreAt(location, undefined);
  const counts = mix(total);
  let pages = 0;
  try {
    for (const kind of OBJECT_KINDS) {
      for (let start = 0; start < counts[kind]; start += page) {
        const records = [];
        for (let i = start; i < Math.min(counts[kind], start + page); i++) records.push(record(kind, i, counts));
        await store.checkpointPage({ connectionId: CONNECTION, object: kind, records, deletedIds: [], cursor: { page: pages }, phase: 'incremental', sweepToken: null, sweep: false });
        pages += 1;
      }
    }
  } finally {
    await store.close();
  }
  return { pages };
}

async function iterate(location: StoreLocation): Promise<Record<string, number>> {
  const store = await openStoreAt(location, undefined);
  let records = 0;
  let batches = 0;
  let largest = 0;
  try {
    for (const kind of OBJECT_KINDS) {
      for await (const batch of store.mirrorRecords(CONNECTION, kind)) {
        records += batch.length;
        batches += 1;
        largest = Math.max(largest, batch.length);
      }
    }
  } finally {
    await store.close();
  }
  return { records, batches, largest };
}

async function load(location: StoreLocation): Promise<Record<string, number>> {
  const store = await openStoreAt(location, undefined);
  try {
    const mirror = await loadMirror(store, CONNECTION);
    return { records: OBJECT_KINDS.reduce((n, k) => n + mirror[k].length, 0) };
  } finally {
    await store.close();
  }
}

/** The mirror read as before batching: one statement returning every record of the connection. */
async function oneQuery(location: StoreLocation): Promise<Record<string, number>> {
  const parsed: unknown[] = [];
  if (location.kind === 'sqlite') {
    const db = new Database(location.path, { readonly: true });
    const rows = db.prepare('SELECT object, data_json FROM mirror WHERE connection_id = ? ORDER BY object, id').all(CONNECTION) as { data_json: string }[];
    for (const r of rows) parsed.push(JSON.parse(r.data_json));
    db.close();
  } else {
    const client = new pg.Client({ connectionString: location.url });
    await client.connect();
    const result = await client.query('SELECT object, data FROM mirror WHERE connection_id = $1 ORDER BY object, id', [CONNECTION]);
    for (const r of result.rows as { data: unknown }[]) parsed.push(r.data);
    await client.end();
  }
  return { records: parsed.length };
}

export async function runPhase(phase: Phase, location: StoreLocation, total: number, page: number): Promise<Record<string, number>> {
  switch (phase) {
    case 'idle': {
      // Opens and closes the store: the process's own floor of memory.
      await (await openStoreAt(location, undefined)).close();
      return {};
    }
    case 'checkpoint': return checkpoint(location, total, page);
    case 'iterate': return iterate(location);
    case 'load': return load(location);
    case 'one-query': return oneQuery(location);
  }
}
