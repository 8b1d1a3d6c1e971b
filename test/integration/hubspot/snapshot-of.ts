import type { PullPage, PulledLineItem, PulledOpportunity } from '../../../connectors/connector.ts';
import type { Account, Contact, Opportunity, Product, Snapshot, User } from '../../../src/model/snapshot.ts';

/** Puts pulled pages together the way the sync engine does: line items under their deals. */
export function snapshotOf(pages: PullPage[], currency: string): Snapshot {
  const s: Snapshot = { version: 1, source: 'hubspot', currency, accounts: [], contacts: [], products: [], opportunities: [], users: [] };
  const items: PulledLineItem[] = [];
  const opps: PulledOpportunity[] = [];
  for (const p of pages) {
    if (p.object === 'accounts') s.accounts.push(...(p.records as Account[]));
    if (p.object === 'contacts') s.contacts.push(...(p.records as Contact[]));
    if (p.object === 'products') s.products.push(...(p.records as Product[]));
    if (p.object === 'users') s.users.push(...(p.records as User[]));
    if (p.object === 'opportunities') opps.push(...(p.records as PulledOpportunity[]));
    if (p.object === 'lineItems') items.push(...(p.records as PulledLineItem[]));
  }
  s.opportunities = opps.map((o): Opportunity => ({
    ...o,
    lineItems: items.filter((i) => i.opportunityId === o.id).map(({ opportunityId: _, ...li }) => li),
  }));
  return s;
}
