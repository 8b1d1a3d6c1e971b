import { parseSnapshot, type ParsedSnapshot } from '../model/snapshot.ts';
import type { SourceId } from '../contract/connector.ts';
import type { MirrorContents } from './types.ts';

function idOf(raw: unknown, key: string): string | null {
  if (raw && typeof raw === 'object' && key in raw) {
    const v = (raw as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : null;
  }
  return null;
}

/**
 * Builds a snapshot from the mirror: line items are nested under their opportunities, and every
 * record goes through the snapshot schema, so a stored record that no longer fits is rejected
 * with its id like any other bad input. A line item whose opportunity is not mirrored is
 * rejected too.
 */
export function snapshotFromMirror(mirror: MirrorContents, source: SourceId, currency: string): ParsedSnapshot {
  const itemsByOpp = new Map<string, unknown[]>();
  const orphans: { id: string | null; opportunityId: string | null }[] = [];
  const oppIds = new Set(mirror.opportunities.map((o) => idOf(o, 'id')));
  for (const item of mirror.lineItems) {
    const oppId = idOf(item, 'opportunityId');
    if (oppId === null || !oppIds.has(oppId)) {
      orphans.push({ id: idOf(item, 'id'), opportunityId: oppId });
      continue;
    }
    const list = itemsByOpp.get(oppId) ?? [];
    list.push(item);
    itemsByOpp.set(oppId, list);
  }
  const opportunities = mirror.opportunities.map((o) => {
    const oppId = idOf(o, 'id');
    return { ...(o as object), lineItems: oppId === null ? [] : (itemsByOpp.get(oppId) ?? []) };
  });
  // Version 2 carries the roles contacts play on the opportunities; a role whose opportunity is
  // not mirrored is kept, and the analysis leaves it out as it does any role without its deal.
  // A mirror without roles stays a version 1 snapshot, as before roles were read.
  const roles = mirror.contactRoles ?? [];
  const parsed = parseSnapshot({
    version: roles.length > 0 ? 2 : 1, source, currency,
    accounts: mirror.accounts, contacts: mirror.contacts, products: mirror.products, users: mirror.users, opportunities,
    ...(roles.length > 0 ? { contactRoles: roles } : {}),
  });
  orphans.forEach((o, index) => {
    parsed.rejected.push({ kind: 'lineItem', id: o.id, index, reason: `its opportunity ${o.opportunityId ?? '(none)'} is not in the mirror` });
  });
  return parsed;
}
