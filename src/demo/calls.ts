import type { CrmKind } from './environment.ts';

/**
 * Which API calls write to the CRM, under both names they go by: the connectors' call kinds
 * (`connector.usage()`) and the simulator's endpoint names (`sandbox.calls()`).
 */
const WRITE_KINDS: Record<CrmKind, ReadonlySet<string>> = {
  salesforce: new Set([
    'collectionsUpdate', 'collectionsPOST', 'collectionsDELETE', 'bulkIngest', 'bulkIngestStatus',
    'sobjectPATCH', 'sobjectPOST', 'sobjectDELETE',
  ]),
  hubspot: new Set(['batchUpdate', 'objectPATCH', 'objectPOST', 'objectDELETE']),
};

export function isWriteCall(crm: CrmKind, kind: string): boolean {
  return WRITE_KINDS[crm].has(kind);
}

/** The write calls among `usage` (calls by kind). */
export function writeCalls(crm: CrmKind, usage: Record<string, number>): number {
  let n = 0;
  for (const [kind, count] of Object.entries(usage)) if (isWriteCall(crm, kind)) n += count;
  return n;
}

export function totalCalls(usage: Record<string, number>): number {
  return Object.values(usage).reduce((a, b) => a + b, 0);
}
