import type { ObjectKind } from '../../src/contract/connector.ts';
import type { CrmKind } from '../../src/demo/environment.ts';

/**
 * The fewest API calls each CRM's documented page and batch sizes allow for a sync, to hold the
 * calls a run used against (see shared/reference/crm-api-facts.md): Salesforce REST query
 * batches of at most 2,000 records and sObject Collections of 200; HubSpot object lists of 100,
 * v4 association batch reads of 1,000 inputs, owners pages of 500, one pipelines read and batch updates of 100.
 */

export const PAGE_SIZES = {
  salesforce: { query: 2000, write: 200 },
  hubspot: { list: 100, associations: 1000, owners: 500, write: 100 },
} as const;

/** Streams whose records HubSpot links through v4 associations (company parent, contact company, deal company, line item deal). */
const HS_ASSOCIATED: readonly ObjectKind[] = ['accounts', 'contacts', 'opportunities', 'lineItems'];

export interface MinimumCalls {
  reads: number;
  writes: number;
}

const pages = (records: number, size: number): number => Math.max(1, Math.ceil(records / size));

/** Minimum read calls of a full pull of one stream of `n` records. */
export function fullStreamFloor(crm: CrmKind, kind: ObjectKind, n: number): number {
  if (crm === 'salesforce') return pages(n, PAGE_SIZES.salesforce.query);
  const s = PAGE_SIZES.hubspot;
  const own = pages(n, kind === 'users' ? s.owners : s.list);
  const associations = HS_ASSOCIATED.includes(kind) && n > 0 ? pages(n, s.associations) : 0;
  // Won, lost and open come from the deal pipelines' stage metadata: one read.
  return own + associations + (kind === 'opportunities' ? 1 : 0);
}

/** Minimum calls of a full pull of `records` (per stream) and a write-back of `writtenAccounts`. */
export function minimumCalls(crm: CrmKind, records: Partial<Record<ObjectKind, number>>, writtenAccounts: number): MinimumCalls {
  const kinds = Object.keys(records) as ObjectKind[];
  if (crm === 'salesforce') {
    const reads = kinds.reduce((sum, k) => sum + pages(records[k] ?? 0, PAGE_SIZES.salesforce.query), 0);
    return { reads, writes: Math.ceil(writtenAccounts / PAGE_SIZES.salesforce.write) };
  }
  const s = PAGE_SIZES.hubspot;
  let reads = 0;
  for (const k of kinds) {
    const n = records[k] ?? 0;
    reads += pages(n, k === 'users' ? s.owners : s.list);
    if (HS_ASSOCIATED.includes(k) && n > 0) reads += pages(n, s.associations);
  }
  // Won, lost and open come from the deal pipelines' stage metadata: one read.
  if (kinds.includes('opportunities')) reads += 1;
  return { reads, writes: Math.ceil(writtenAccounts / s.write) };
}
