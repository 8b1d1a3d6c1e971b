import { analyze } from '../../../src/analyze/index.ts';
import { type AnalysisConfig, parseAnalysisConfig } from '../../../src/config/analysis-config.ts';
import type { AnalysisResult, FamilyInsight, MatrixCell } from '../../../src/model/insights.ts';
import type { Account, Contact, LineItem, Opportunity, OpportunityStatus, Product, Snapshot } from '../../../src/model/snapshot.ts';

/** Small record builders for hand-worked analysis tests. */

export function account(id: string, over: Partial<Account> = {}): Account {
  return {
    id, name: `${id} Inc`, parentId: null, industry: null, employees: null, annualRevenue: null,
    country: null, ownerId: null, markedKey: null, fields: {}, extra: {}, ...over,
  };
}

/** A product whose offering (family level, no family) is its name. */
export function product(name: string, over: Partial<Product> = {}): Product {
  return { id: `P-${name}`, name, family: null, active: true, ...over };
}

let lineItemSeq = 0;
/** [offering name, total price, cost?]; the product id is `P-<name>`. */
export type ItemSpec = [string, number, (number | null)?];

export function opp(
  id: string,
  accountId: string,
  status: OpportunityStatus,
  closeDate: string,
  items: ItemSpec[] = [],
  over: Partial<Opportunity> = {},
): Opportunity {
  const lineItems: LineItem[] = items.map(([name, price, cost]) => ({
    id: `${id}-L${++lineItemSeq}`, productId: `P-${name}`, quantity: 1, totalPrice: price, cost: cost ?? null,
  }));
  return { id, accountId, name: id, status, amount: null, closeDate, ownerId: null, lineItems, ...over };
}

export function contact(id: string, accountId: string | null, over: Partial<Contact> = {}): Contact {
  return { id, accountId, name: id, email: null, title: null, active: true, referenceable: false, ...over };
}

export function snapshot(parts: Partial<Snapshot>): Snapshot {
  return {
    version: 1, source: 'file', currency: 'USD', accounts: [], contacts: [], products: [],
    opportunities: [], users: [], ...parts,
  };
}

export function run(snap: Snapshot, config: unknown = {}, asOf = '2026-06-30'): AnalysisResult {
  const cfg: AnalysisConfig = parseAnalysisConfig(config);
  return analyze({ snapshot: snap, config: cfg, asOf });
}

export function family(result: AnalysisResult, id: string): FamilyInsight {
  const f = result.families.find((x) => x.id === id);
  if (!f) throw new Error(`no family ${id}`);
  return f;
}

export function cell(f: FamilyInsight, entityId: string, offering: string): MatrixCell {
  const c = f.matrix.find(entityId, offering);
  if (!c) throw new Error(`no cell ${entityId}/${offering}`);
  return c;
}
