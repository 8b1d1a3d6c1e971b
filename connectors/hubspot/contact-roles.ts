import { z } from 'zod';
import type { Cursor, PullPage, RecordIssue } from '../../src/contract/connector.ts';
import type { ContactRole } from '../../src/model/snapshot.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type { HubSpotCaller } from './client.ts';
import type { HubSpotOptions } from './options.ts';
import { LOOKUP_REFRESH_MS } from './lookups.ts';
import { listPage } from './reads.ts';

/**
 * The roles contacts play on deals: the deal-to-contact associations read through the v4 batch
 * read (`POST /crm/v4/associations/deals/contacts/batch/read`), whose `associationTypes` carry
 * each association's `category`, `typeId` and `label`. A labeled association ("Decision Maker",
 * a portal's USER_DEFINED label) is one role per label; a contact on the deal without a label
 * is a role of null. HubSpot keeps no modified date on associations, so every run reads the
 * stream in full: the deals' ids page by page (list, no properties), their contacts one batch
 * read per up to 1,000 deals, and the last page completes the pull (roles gone are swept).
 * Roles change rarely and reading them costs a list page per 100 deals, so an incremental run
 * reads them again only when the last complete read is a day old (LOOKUP_REFRESH_MS); a full
 * run always reads them.
 */

const idText = z.union([z.string().min(1), z.number()]).transform(String);
// The client names the deal `_from` (its model's name for the JSON `from`); raw JSON says `from`.
const resultSchema = z.object({
  from: z.object({ id: idText }),
  to: z.array(z.object({
    toObjectId: idText,
    associationTypes: z.array(z.object({ category: z.string(), typeId: z.number(), label: z.string().nullish() })),
  })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional().nullable(),
});
const batchSchema = z.object({ results: z.array(z.unknown()) });

export interface RolesContext {
  caller: HubSpotCaller;
  options: HubSpotOptions;
  now: () => number;
}

/** One deal's associations as roles; a result of another shape is an issue naming it. */
export function rolesOfResult(input: unknown, index: number): { dealId: string | null; roles: ContactRole[]; issue: RecordIssue | null } {
  const raw = withFrom(input);
  const r = resultSchema.safeParse(raw);
  if (!r.success) {
    const from = (raw as { from?: { id?: unknown } } | null)?.from?.id;
    const dealId = typeof from === 'string' || typeof from === 'number' ? String(from) : null;
    const message = `deal-contact association result ${index}${dealId ? ` (deal ${dealId})` : ''}: ${r.error.issues.map((i) => `${i.path.join('.') || 'result'}: ${i.message}`).join('; ')}`;
    return { dealId, roles: [], issue: { object: 'contactRoles', recordId: dealId, kind: 'malformed', message } };
  }
  const dealId = r.data.from.id;
  const roles: ContactRole[] = [];
  for (const t of r.data.to) {
    const labels = t.associationTypes.filter((a) => typeof a.label === 'string' && a.label.trim() !== '');
    if (labels.length === 0) roles.push({ id: `${dealId}-${t.toObjectId}`, opportunityId: dealId, contactId: t.toObjectId, role: null, primary: false });
    for (const a of labels) {
      roles.push({ id: `${dealId}-${t.toObjectId}-${a.typeId}`, opportunityId: dealId, contactId: t.toObjectId, role: a.label ?? null, primary: false });
    }
  }
  return { dealId, roles, issue: null };
}

function withFrom(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || 'from' in raw || !('_from' in raw)) return raw;
  const { _from, ...rest } = raw as { _from: unknown };
  return { ...rest, from: _from };
}

async function batchRead(ctx: RolesContext, dealIds: string[]): Promise<{ roles: ContactRole[]; issues: RecordIssue[] }> {
  const roles: ContactRole[] = [];
  const issues: RecordIssue[] = [];
  let pending: { id: string; after?: string }[] = dealIds.map((id) => ({ id }));
  while (pending.length > 0) {
    const inputs = pending.slice(0, ctx.options.pageSizes.associations);
    pending = pending.slice(inputs.length);
    // Deals without contacts come back as errors of a 207: they have no roles.
    const res = await ctx.caller.call('associationsBatchRead', 'association read deals->contacts', (c) => c.crm.associations.v4.batchApi.getPageWithHttpInfo('deals', 'contacts', { inputs }));
    const parsed = batchSchema.safeParse(res.data);
    if (!parsed.success) throw new CrmError('bad-response', 'HubSpot association read deals->contacts: unexpected response shape', { crm: 'hubspot' });
    parsed.data.results.forEach((raw, i) => {
      const one = rolesOfResult(raw, i);
      if (one.issue) issues.push(one.issue);
      roles.push(...one.roles);
      const next = one.issue === null ? resultSchema.parse(withFrom(raw)).paging?.next?.after : undefined;
      if (next && one.dealId) pending.push({ id: one.dealId, after: next });
    });
  }
  return { roles, issues };
}

/** The contactRoles stream, full on every run; resumable from the deals' list position. */
export async function* pullContactRoles(ctx: RolesContext, mode: 'full' | 'incremental', saved: Cursor | undefined): AsyncGenerator<PullPage<'contactRoles'>> {
  const readAt = saved?.['readAt'];
  if (mode === 'incremental' && saved?.['phase'] === 'done' && typeof readAt === 'number' && ctx.now() >= readAt && ctx.now() - readAt < LOOKUP_REFRESH_MS) {
    yield { object: 'contactRoles', records: [], deletedIds: [], issues: [], cursor: saved };
    return;
  }
  const startedAt = typeof saved?.['startedAt'] === 'number' ? saved['startedAt'] : ctx.now();
  let after: string | null = saved?.['phase'] === 'list' && typeof saved['after'] === 'string' ? saved['after'] : null;
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
