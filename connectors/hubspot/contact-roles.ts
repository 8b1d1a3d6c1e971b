import type { Cursor, PullPage, RecordIssue } from '../../src/contract/connector.ts';
import type { ContactRole } from '../../src/model/snapshot.ts';
import type { HubSpotCaller } from './client.ts';
import type { HubSpotOptions } from './options.ts';
import { LOOKUP_REFRESH_MS } from './lookups.ts';
import { associationResult, listPage, readAssociations, type AssociatedRecord, type MalformedAssociation } from './reads.ts';

/**
 * The roles contacts play on deals: the deal-to-contact associations read through the v4 batch
 * read (`POST /crm/v4/associations/deals/contacts/batch/read`), whose `associationTypes` carry
 * each association's `category`, `typeId` and `label`. A labeled association ("Decision Maker",
 * a portal's USER_DEFINED label) is one role per label; a contact on the deal without a label
 * is a role of null. HubSpot keeps no modified date on associations, so every read of the
 * stream is in full: the deals' ids (those the run's full deals pull just read, else a list of
 * deals page by page, no properties), their contacts one batch read per up to 1,000 deals, and
 * the last page completes the pull (roles gone are swept).
 * Roles change rarely and reading them costs a list page per 100 deals, so an incremental run
 * reads them again only when the last complete read is a day old (LOOKUP_REFRESH_MS); a full
 * run always reads them.
 */

export interface RolesContext {
  caller: HubSpotCaller;
  options: HubSpotOptions;
  now: () => number;
}

/** One deal's associations as roles: one per label, a role of null for a contact without one. */
function rolesOf(dealId: string, contacts: readonly AssociatedRecord[]): ContactRole[] {
  return contacts.flatMap((t): ContactRole[] => t.labels.length === 0
    ? [{ id: `${dealId}-${t.toId}`, opportunityId: dealId, contactId: t.toId, role: null, primary: false }]
    : t.labels.map((a) => ({ id: `${dealId}-${t.toId}-${a.typeId}`, opportunityId: dealId, contactId: t.toId, role: a.label, primary: false })));
}

function issueOf(m: MalformedAssociation): RecordIssue {
  const message = `deal-contact association result ${m.index}${m.fromId ? ` (deal ${m.fromId})` : ''}: ${m.message}`;
  return { object: 'contactRoles', recordId: m.fromId, kind: 'malformed', message };
}

/** One batch-read result (raw JSON or the client's model) as roles; a result of another shape is an issue naming it. */
export function rolesOfResult(input: unknown, index: number): { dealId: string | null; roles: ContactRole[]; issue: RecordIssue | null } {
  const r = associationResult(input, index);
  if ('malformed' in r) return { dealId: r.malformed.fromId, roles: [], issue: issueOf(r.malformed) };
  return { dealId: r.fromId, roles: rolesOf(r.fromId, r.to), issue: null };
}

async function batchRead(ctx: RolesContext, dealIds: string[]): Promise<{ roles: ContactRole[]; issues: RecordIssue[] }> {
  const issues: RecordIssue[] = [];
  const byDeal = await readAssociations(ctx.caller, 'deals', 'contacts', dealIds, ctx.options.pageSizes.associations, (m) => issues.push(issueOf(m)));
  return { roles: [...byDeal].flatMap(([dealId, contacts]) => rolesOf(dealId, contacts)), issues };
}

/**
 * The contactRoles stream, read in full; resumable from the deals' list position. `dealIds`:
 * every deal of a complete deals read of this run (a full pull), so no list of deals is needed.
 */
export async function* pullContactRoles(ctx: RolesContext, mode: 'full' | 'incremental', saved: Cursor | undefined, dealIds: readonly string[] | null = null): AsyncGenerator<PullPage<'contactRoles'>> {
  const readAt = saved?.['readAt'];
  if (mode === 'incremental' && saved?.['phase'] === 'done' && typeof readAt === 'number' && ctx.now() >= readAt && ctx.now() - readAt < LOOKUP_REFRESH_MS) {
    yield { object: 'contactRoles', records: [], deletedIds: [], issues: [], cursor: saved };
    return;
  }
  const resumed = saved?.['phase'] === 'list' && typeof saved['after'] === 'string';
  const startedAt = resumed && typeof saved['startedAt'] === 'number' ? saved['startedAt'] : ctx.now();
  if (dealIds !== null && !resumed) {
    const size = ctx.options.pageSizes.associations;
    for (let at = 0; ; at += size) {
      const ids = dealIds.slice(at, at + size);
      const { roles, issues } = ids.length > 0 ? await batchRead(ctx, ids) : { roles: [], issues: [] };
      const last = at + size >= dealIds.length;
      // Cut short, the stream starts over (the ids are not kept): a list of deals then.
      yield { object: 'contactRoles', records: roles, deletedIds: [], issues, cursor: last ? { phase: 'done', readAt: startedAt } : { phase: 'ids', startedAt }, ...(last ? { fullPullComplete: true } : {}) };
      if (last) return;
    }
  }
  let after: string | null = resumed ? String(saved['after']) : null;
  for (;;) {
    const ids: string[] = [];
    do {
      const page = await listPage(ctx.caller, 'deals', { limit: ctx.options.pageSizes.list, after, properties: ['hs_object_id'], archived: false });
      ids.push(...page.objects.map((o) => o.id));
      after = page.after;
    } while (after !== null && ids.length + ctx.options.pageSizes.list <= ctx.options.pageSizes.associations);
    const { roles, issues } = ids.length > 0 ? await batchRead(ctx, ids) : { roles: [], issues: [] };
    const last = after === null;
    yield { object: 'contactRoles', records: roles, deletedIds: [], issues, cursor: last ? { phase: 'done', readAt: startedAt } : { phase: 'list', after, startedAt }, ...(last ? { fullPullComplete: true } : {}) };
    if (last) return;
  }
}
