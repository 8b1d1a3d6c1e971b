import type { ObjectKind } from '../../src/contract/connector.ts';
import type { SourceKind as CrmKind } from '../../connectors/kinds.ts';
import { PAGE_SIZES } from './minimum-calls.ts';

/**
 * Read calls per stream, from the simulator's own call counter: each pull page's progress event
 * closes the calls that produced it, so the calls since the previous event belong to its stream.
 * Calls that read no stream (describe, currency settings, identity) are `setup`.
 */
const READ_ENDPOINTS: Partial<Record<CrmKind, ReadonlySet<string>>> = {
  salesforce: new Set(['query', 'queryAll', 'queryMore', 'bulkQuery']),
  hubspot: new Set(['search', 'list', 'associationsBatchRead', 'owners', 'pipelines', 'batchRead']),
};

export class StreamCalls {
  private last = new Map<string, number>();
  byStream = new Map<ObjectKind, number>();

  constructor(
    private readonly crm: CrmKind,
    private readonly calls: () => Record<string, number>,
  ) {}

  private reads(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, v] of Object.entries(this.calls())) {
      const [crm, endpoint] = k.split('.');
      if (crm === this.crm && endpoint !== undefined && READ_ENDPOINTS[this.crm]?.has(endpoint)) out.set(endpoint, v);
    }
    return out;
  }

  /** A new run: the simulator's counter was just reset. */
  reset(): void {
    this.last = new Map();
    this.byStream = new Map();
  }

  page(object: ObjectKind): void {
    const now = this.reads();
    let delta = 0;
    for (const [k, v] of now) delta += v - (this.last.get(k) ?? 0);
    this.last = now;
    this.byStream.set(object, (this.byStream.get(object) ?? 0) + delta);
  }
}

const pages = (records: number, size: number): number => Math.ceil(records / size);

/**
 * The fewest read calls of one stream in an incremental run that finds `changed` records: one
 * query (Salesforce) or search (HubSpot) answering nothing or up to a page, then a page each; on
 * HubSpot also the association reads of the changed records. Deletions need no call of their
 * own on HubSpot when the search's total accounts for every record (connectors/hubspot/pull.ts).
 * HubSpot owners and contact roles are daily lookups: none.
 */
export function incrementalFloor(crm: CrmKind, object: ObjectKind, changed: number): number {
  if (crm === 'salesforce') return Math.max(1, pages(changed, PAGE_SIZES.salesforce.query));
  if (object === 'users' || object === 'contactRoles') return 0;
  const associated = object !== 'products' && changed > 0 ? pages(changed, PAGE_SIZES.hubspot.associations) : 0;
  return Math.max(1, pages(changed, 200)) + associated;
}
