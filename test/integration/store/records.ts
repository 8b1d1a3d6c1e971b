import type { Account, Contact } from '../../../src/model/snapshot.ts';
import type { PulledLineItem, PulledOpportunity } from '../../../src/contract/connector.ts';
import type { CheckpointInput } from '../../../src/store/types.ts';

/** Small model records and checkpoint pages for the store contract tests. */

export const KEY_A = Buffer.alloc(32, 7).toString('base64');
export const KEY_B = Buffer.alloc(32, 9).toString('base64');

export function account(id: string, fields: Account['fields'] = {}): Account {
  return { id, name: `Account ${id}`, parentId: null, industry: null, employees: null, annualRevenue: null, country: null, ownerId: null, markedKey: null, fields, extra: {} };
}

export function contact(id: string, accountId: string): Contact {
  return { id, accountId, name: id, email: null, title: null, active: true, referenceable: false };
}

export function opportunity(id: string, accountId: string): PulledOpportunity {
  return { id, accountId, name: id, status: 'won', amount: 100, closeDate: '2026-01-01', ownerId: null };
}

export function lineItem(id: string, opportunityId: string): PulledLineItem {
  return { id, opportunityId, productId: 'P1', quantity: 1, totalPrice: 10, cost: null };
}

export function accountsPage(records: Account[], over: Partial<CheckpointInput<'accounts'>> = {}): CheckpointInput<'accounts'> {
  return { connectionId: 'c1', object: 'accounts', records, deletedIds: [], cursor: { page: 1 }, phase: 'incremental', sweepToken: null, sweep: false, ...over };
}

export function ids(records: unknown[]): string[] {
  return records.map((r) => (r as { id: string }).id);
}
