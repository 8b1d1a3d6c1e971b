import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { CrmError } from '../../src/contract/errors.ts';
import { hubSpotObjectSchema, ownerSchema, pipelineSchema, type HubSpotObject, type HubSpotObjectType } from '../../mappings/hubspot.ts';
import type { HubSpotCaller } from './client.ts';

/**
 * The read calls, each returning validated plain data. The SDK hands back model instances
 * (dates as Date, ids as whatever the server sent); zod turns them into the shapes pull.ts uses.
 */

const pagingSchema = z
  .object({ next: z.object({ after: z.union([z.string(), z.number()]).transform(String) }).nullish() })
  .nullish();

const objectPageSchema = z.object({
  results: z.array(z.unknown()),
  paging: pagingSchema,
  total: z.number().optional(),
});

export interface ObjectPage {
  objects: HubSpotObject[];
  /** Objects the response held that do not have the documented shape. */
  malformed: { index: number; message: string }[];
  after: string | null;
  total?: number;
}

function parsePage(raw: unknown, what: string): ObjectPage {
  const page = objectPageSchema.safeParse(raw);
  if (!page.success) throw new CrmError('bad-response', `HubSpot ${what}: response has no results array`, { crm: 'hubspot' });
  const objects: HubSpotObject[] = [];
  const malformed: ObjectPage['malformed'] = [];
  page.data.results.forEach((r, index) => {
    const o = hubSpotObjectSchema.safeParse(r);
    if (o.success) objects.push(o.data);
    else malformed.push({ index, message: o.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  });
  const out: ObjectPage = { objects, malformed, after: page.data.paging?.next?.after ?? null };
  if (page.data.total !== undefined) out.total = page.data.total;
  return out;
}

export async function listPage(
  caller: HubSpotCaller,
  type: HubSpotObjectType,
  args: { limit: number; after: string | null; properties: string[]; archived: boolean },
): Promise<ObjectPage> {
  const what = `list ${type}${args.archived ? ' (archived)' : ''}`;
  const res = await caller.call('list', what, (c) =>
    c.crm.objects.basicApi.getPageWithHttpInfo(type, args.limit, args.after ?? undefined, args.properties, undefined, undefined, args.archived),
  );
  return parsePage(res.data, what);
}

type SearchRequest = Parameters<Client['crm']['objects']['searchApi']['doSearchWithHttpInfo']>[1];

export interface SearchArgs {
  property: string;
  /** Epoch ms: records modified at or after this. */
  since: number;
  properties: string[];
  limit: number;
  after: string | null;
}

/**
 * One page of every live record, newest first by the last-modified property and no filter
 * (the search guide's "basic search" with a sort): its `total` counts all live records.
 */
export async function searchNewest(caller: HubSpotCaller, type: HubSpotObjectType, a: { property: string; properties: string[]; limit: number }): Promise<ObjectPage> {
  const body = {
    filterGroups: [],
    sorts: [{ propertyName: a.property, direction: 'DESCENDING' }],
    properties: a.properties,
    limit: a.limit,
  };
  const what = `search ${type}`;
  const res = await caller.call('search', what, (c) => c.crm.objects.searchApi.doSearchWithHttpInfo(type, body as unknown as SearchRequest));
  return parsePage(res.data, what);
}

export async function searchModifiedSince(caller: HubSpotCaller, type: HubSpotObjectType, a: SearchArgs): Promise<ObjectPage> {
  const body = {
    filterGroups: [{ filters: [{ propertyName: a.property, operator: 'GTE', value: String(a.since) }] }],
    // The API documents sort objects; the SDK's type says strings but sends the value as given.
    sorts: [{ propertyName: a.property, direction: 'ASCENDING' }],
    properties: a.properties,
    limit: a.limit,
    ...(a.after !== null ? { after: a.after } : {}),
  };
  const what = `search ${type}`;
  const res = await caller.call('search', what, (c) => c.crm.objects.searchApi.doSearchWithHttpInfo(type, body as unknown as SearchRequest));
  return parsePage(res.data, what);
}

const idText = z.union([z.string().min(1), z.number()]).transform(String);
const assocBatchSchema = z.object({ results: z.array(z.unknown()).default([]) });
const assocResultSchema = z.object({
  from: z.object({ id: idText }),
  to: z.array(
    z.object({
      toObjectId: idText,
      associationTypes: z.array(z.object({ typeId: z.number(), category: z.string().nullish(), label: z.string().nullish() })).default([]),
    }),
  ),
  paging: pagingSchema,
});

export interface AssociatedRecord {
  toId: string;
  typeIds: number[];
  /** The association's labeled types (a portal's USER_DEFINED labels such as "Decision Maker"), blank labels left out. */
  labels: { typeId: number; label: string }[];
}

/** A batch-read result of another shape: which result, the record it names if any, and what is wrong. */
export interface MalformedAssociation {
  index: number;
  fromId: string | null;
  message: string;
}

/**
 * One result of a v4 association batch read: the record's associations and the `after` of
 * its next page. The client names the record `_from` (its model's name for the JSON `from`).
 */
export function associationResult(input: unknown, index: number): { fromId: string; to: AssociatedRecord[]; next: string | null } | { malformed: MalformedAssociation } {
  const raw = input !== null && typeof input === 'object' && !('from' in input) && '_from' in input ? { ...input, from: (input as { _from: unknown })._from } : input;
  const r = assocResultSchema.safeParse(raw);
  if (!r.success) {
    const from = (raw as { from?: { id?: unknown } } | null)?.from?.id;
    const fromId = typeof from === 'string' || typeof from === 'number' ? String(from) : null;
    return { malformed: { index, fromId, message: r.error.issues.map((i) => `${i.path.join('.') || 'result'}: ${i.message}`).join('; ') } };
  }
  const to = r.data.to.map((t) => ({
    toId: t.toObjectId,
    typeIds: t.associationTypes.map((x) => x.typeId),
    labels: t.associationTypes.flatMap((x) => (typeof x.label === 'string' && x.label.trim() !== '' ? [{ typeId: x.typeId, label: x.label }] : [])),
  }));
  return { fromId: r.data.from.id, to, next: r.data.paging?.next?.after ?? null };
}

/**
 * Associations of many records in batch calls (v4 batch read), following per-record paging.
 * Records without any association come back as errors in a 207; they simply get no entry. A
 * result of another shape goes to `onMalformed` when given (the rest of the answer stands),
 * else fails the read.
 */
export async function readAssociations(
  caller: HubSpotCaller,
  from: HubSpotObjectType,
  to: HubSpotObjectType,
  ids: string[],
  batchSize: number,
  onMalformed?: (m: MalformedAssociation) => void,
): Promise<Map<string, AssociatedRecord[]>> {
  const out = new Map<string, AssociatedRecord[]>();
  let pending: { id: string; after?: string }[] = ids.map((id) => ({ id }));
  const what = `association read ${from}->${to}`;
  while (pending.length > 0) {
    const batch = pending.slice(0, batchSize);
    pending = pending.slice(batchSize);
    const res = await caller.call('associationsBatchRead', what, (c) => c.crm.associations.v4.batchApi.getPageWithHttpInfo(from, to, { inputs: batch }));
    const parsed = assocBatchSchema.safeParse(res.data);
    if (!parsed.success) throw new CrmError('bad-response', `HubSpot ${what}: unexpected response shape`, { crm: 'hubspot' });
    parsed.data.results.forEach((raw, index) => {
      const r = associationResult(raw, index);
      if ('malformed' in r) {
        if (onMalformed) return onMalformed(r.malformed);
        throw new CrmError('bad-response', `HubSpot ${what}: result ${index}${r.malformed.fromId ? ` (${r.malformed.fromId})` : ''}: ${r.malformed.message}`, { crm: 'hubspot' });
      }
      out.set(r.fromId, [...(out.get(r.fromId) ?? []), ...r.to]);
      if (r.next) pending.push({ id: r.fromId, after: r.next });
    });
  }
  return out;
}

const pipelinesResponseSchema = z.object({ results: z.array(pipelineSchema) });

export async function readDealPipelines(caller: HubSpotCaller): Promise<z.infer<typeof pipelineSchema>[]> {
  const res = await caller.call('pipelines', 'read deal pipelines', (c) => c.crm.pipelines.pipelinesApi.getAllWithHttpInfo('deals'));
  const parsed = pipelinesResponseSchema.safeParse(res.data);
  if (!parsed.success) throw new CrmError('bad-response', 'HubSpot deal pipelines: unexpected response shape', { crm: 'hubspot' });
  return parsed.data.results;
}

const ownersPageSchema = z.object({ results: z.array(ownerSchema), paging: pagingSchema });

export async function ownersPage(caller: HubSpotCaller, after: string | null, limit: number, archived: boolean): Promise<z.infer<typeof ownersPageSchema> & { after: string | null }> {
  const res = await caller.call('owners', 'list owners', (c) => c.crm.owners.ownersApi.getPageWithHttpInfo(undefined, after ?? undefined, limit, archived));
  const parsed = ownersPageSchema.safeParse(res.data);
  if (!parsed.success) throw new CrmError('bad-response', 'HubSpot owners: unexpected response shape', { crm: 'hubspot' });
  return { ...parsed.data, after: parsed.data.paging?.next?.after ?? null };
}

/**
 * A call the SDK's typed APIs cannot make as needed (an endpoint it lacks, or a field its
 * serializer drops), made through its raw `apiRequest` and turned into the same shape: data
 * on success, an ApiException-like error otherwise, so the retry layer treats both alike.
 */
export async function rawRequest(c: Client, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ httpStatusCode: number; headers: Record<string, string>; data: unknown }> {
  const r = await c.apiRequest({ method, path, ...(body !== undefined ? { body } : {}) });
  const headers: Record<string, string> = {};
  r.headers.forEach((v, k) => {
    headers[k] = v;
  });
  const text = await r.text();
  if (!r.ok) throw Object.assign(new Error(`HTTP ${r.status}`), { code: r.status, body: text, headers });
  let data: unknown = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    throw new CrmError('bad-response', `HubSpot ${method} ${path}: response is not JSON`, { crm: 'hubspot' });
  }
  return { httpStatusCode: r.status, headers, data };
}

const accountInfoSchema = z.object({ companyCurrency: z.string().regex(/^[A-Z]{3}$/) });

/** The portal's company currency (GET /account-info/v3/details), or null if it cannot be read. */
export async function readCompanyCurrency(caller: HubSpotCaller): Promise<string | null> {
  const res = await caller.call('accountInfo', 'read account details', (c) => rawRequest(c, 'GET', '/account-info/v3/details'));
  const parsed = accountInfoSchema.safeParse(res.data);
  return parsed.success ? parsed.data.companyCurrency : null;
}

const accountDetailsSchema = z.looseObject({
  portalId: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String),
  uiDomain: z.string().max(300).optional(),
  companyCurrency: z.string().optional(),
});
export type HubSpotAccountDetails = z.infer<typeof accountDetailsSchema>;

/** The portal a token belongs to (GET /account-info/v3/details): private-app and OAuth tokens alike. */
export async function readAccountDetails(caller: HubSpotCaller): Promise<HubSpotAccountDetails> {
  const res = await caller.call('accountInfo', 'read account details', (c) => rawRequest(c, 'GET', '/account-info/v3/details'));
  const parsed = accountDetailsSchema.safeParse(res.data);
  if (!parsed.success) throw new CrmError('bad-response', 'HubSpot answered the account details request without a portal id', { crm: 'hubspot' });
  return parsed.data;
}

const tokenInfoSchema = z.looseObject({
  hub_id: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String),
  hub_domain: z.string().max(300).optional(),
  scopes: z.array(z.string()).default([]),
});
export type HubSpotTokenInfo = z.infer<typeof tokenInfoSchema>;

/** The portal an access token belongs to and the scopes it carries (GET /oauth/v1/access-tokens/:token). */
export async function readTokenInfo(caller: HubSpotCaller, accessToken: string): Promise<HubSpotTokenInfo> {
  const res = await caller.call('tokenInfo', 'read token information', (c) => rawRequest(c, 'GET', `/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`));
  const parsed = tokenInfoSchema.safeParse(res.data);
  if (!parsed.success) throw new CrmError('bad-response', 'HubSpot answered the token information request without a portal id', { crm: 'hubspot' });
  return parsed.data;
}

const propertiesSchema = z.object({ results: z.array(z.looseObject({ name: z.string(), label: z.string().optional(), type: z.string() })) });

/** An object's properties as the portal defines them (GET /crm/v3/properties/{objectType}). */
export async function readProperties(caller: HubSpotCaller, objectType: string): Promise<{ name: string; label: string; type: string }[]> {
  const res = await caller.call('propertiesRead', `read ${objectType} properties`, (c) => rawRequest(c, 'GET', `/crm/v3/properties/${encodeURIComponent(objectType)}`));
  const parsed = propertiesSchema.safeParse(res.data);
  if (!parsed.success) throw new CrmError('bad-response', `HubSpot answered the ${objectType} properties request without a property list`, { crm: 'hubspot' });
  return parsed.data.results.map((p) => ({ name: p.name, label: p.label ?? p.name, type: p.type }));
}
