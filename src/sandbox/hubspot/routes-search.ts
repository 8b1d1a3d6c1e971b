import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { HsHttpError, type HsContext } from './context.ts';
import type { HsPropertyDef } from './properties.ts';
import { objectTypeOf, zodMessage } from './routes-objects.ts';
import type { HsObject } from './store.ts';
import { view } from './view.ts';

/** The search API never pages past this many results. */
export const SEARCH_CAP = 10_000;
/**
 * The documented filter limits conflict: the developer changelog "Breaking Change: Expanded
 * Filtering Capabilities ... in HubSpot's Search API" (2024-08-26) raised them to 5 groups, 10
 * filters a group and 25 in all "from the previous limit of three ... nine ... three", and guides
 * still give the old figures. The stricter reading is kept: 3 groups, 3 filters each, 9 in all.
 * `limit` is at most 200 a page (search guide, crm-api-facts 2.1).
 */
const MAX_GROUPS = 3;
const MAX_FILTERS_PER_GROUP = 3;
const MAX_FILTERS = 9;

const operator = z.enum(['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN']);
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator,
  value: scalar.optional(),
  highValue: scalar.optional(),
  values: z.array(scalar).optional(),
});
type Filter = z.infer<typeof filterSchema>;

const sortSchema = z.union([
  z.string().min(1).transform((s) => (s.startsWith('-') ? { propertyName: s.slice(1), direction: 'DESCENDING' as const } : { propertyName: s, direction: 'ASCENDING' as const })),
  z.object({ propertyName: z.string().min(1), direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING') }),
]);

const searchBody = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).default([]),
  sorts: z.array(sortSchema).default([]),
  properties: z.array(z.string()).default([]),
  limit: z.number().int().min(0).max(200).default(10),
  after: z.union([z.string(), z.number()]).transform(String).optional(),
  query: z.string().optional(),
});

function comparable(def: HsPropertyDef, v: string): number | string {
  if (def.type === 'number') return Number(v);
  if (def.type === 'datetime' || def.type === 'date') return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return v.toLowerCase();
}

function matches(def: HsPropertyDef, obj: HsObject, f: Filter): boolean {
  const raw = obj.properties[f.propertyName] ?? null;
  if (f.operator === 'HAS_PROPERTY') return raw !== null && raw !== '';
  if (f.operator === 'NOT_HAS_PROPERTY') return raw === null || raw === '';
  if (raw === null) return f.operator === 'NEQ' || f.operator === 'NOT_IN' || f.operator === 'NOT_CONTAINS_TOKEN';
  const have = comparable(def, raw);
  const want = f.value !== undefined ? comparable(def, f.value) : null;
  const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);
  switch (f.operator) {
    case 'EQ':
      return want !== null && cmp(have, want) === 0;
    case 'NEQ':
      return want === null || cmp(have, want) !== 0;
    case 'LT':
      return want !== null && cmp(have, want) < 0;
    case 'LTE':
      return want !== null && cmp(have, want) <= 0;
    case 'GT':
      return want !== null && cmp(have, want) > 0;
    case 'GTE':
      return want !== null && cmp(have, want) >= 0;
    case 'BETWEEN': {
      const high = f.highValue !== undefined ? comparable(def, f.highValue) : null;
      return want !== null && high !== null && cmp(have, want) >= 0 && cmp(have, high) <= 0;
    }
    case 'IN':
    case 'NOT_IN': {
      const found = (f.values ?? []).some((v) => cmp(have, comparable(def, v)) === 0);
      return f.operator === 'IN' ? found : !found;
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const token = (f.value ?? '').toLowerCase();
      const re = new RegExp(`^${token.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      const found = raw.toLowerCase().split(/[\s,.;@]+/).some((t) => re.test(t));
      return f.operator === 'CONTAINS_TOKEN' ? found : !found;
    }
  }
}

export function hubspotSearchRoutes(ctx: HsContext): Router {
  const r = express.Router();
  r.post('/crm/v3/objects/:objectType/search', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    const parsed = searchBody.safeParse(req.body);
    if (!parsed.success) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${zodMessage(parsed.error)}`);
    const body = parsed.data;
    const groups = body.filterGroups;
    const total = groups.reduce((n, g) => n + g.filters.length, 0);
    if (groups.length > MAX_GROUPS || groups.some((g) => g.filters.length > MAX_FILTERS_PER_GROUP) || total > MAX_FILTERS) {
      throw new HsHttpError(400, 'VALIDATION_ERROR', `Too many filters: at most ${MAX_GROUPS} filterGroups, ${MAX_FILTERS_PER_GROUP} filters per group and ${MAX_FILTERS} filters in total`);
    }
    if (body.sorts.length > 1) throw new HsHttpError(400, 'VALIDATION_ERROR', 'Only one sort is supported');
    const defs = new Map<string, HsPropertyDef>();
    for (const name of [...groups.flatMap((g) => g.filters.map((f) => f.propertyName)), ...body.sorts.map((s) => s.propertyName)]) {
      const def = ctx.store.property(type, name);
      if (!def) throw new HsHttpError(400, 'VALIDATION_ERROR', `There was a problem with the request. Property "${name}" does not exist on ${type}`);
      defs.set(name, def);
    }
    const after = body.after === undefined || body.after === '' ? 0 : Number(body.after);
    if (!Number.isInteger(after) || after < 0) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid after value: ${String(body.after)}`);
    if (after >= SEARCH_CAP) {
      throw new HsHttpError(400, 'VALIDATION_ERROR', `Search results are limited to ${SEARCH_CAP} per query; after=${after} is past the limit. Narrow the query with filters instead.`);
    }
    const q = body.query?.toLowerCase();
    const now = ctx.clock.peek();
    let hits = [...ctx.store.table(type).values()].filter((o) => {
      // Archived records leave the search index, not always at once (searchLagMs).
      if (o.archived && !(o.archivedAt !== null && now - o.archivedAt < ctx.searchLagMs)) return false;
      if (q && !['name', 'domain', 'email', 'firstname', 'lastname', 'dealname'].some((p) => (o.properties[p] ?? '').toLowerCase().includes(q))) return false;
      if (groups.length === 0) return true;
      return groups.some((g) => g.filters.every((f) => matches(defs.get(f.propertyName) as HsPropertyDef, o, f)));
    });
    const sort = body.sorts[0];
    if (sort) {
      const def = defs.get(sort.propertyName) as HsPropertyDef;
      const dir = sort.direction === 'DESCENDING' ? -1 : 1;
      hits.sort((a, b) => {
        const va = a.properties[sort.propertyName] ?? null;
        const vb = b.properties[sort.propertyName] ?? null;
        if (va === null || vb === null) return va === vb ? Number(a.id) - Number(b.id) : va === null ? 1 : -1;
        const ca = comparable(def, va);
        const cb = comparable(def, vb);
        return ca < cb ? -dir : ca > cb ? dir : Number(a.id) - Number(b.id);
      });
    } else hits.sort((a, b) => Number(a.id) - Number(b.id));
    const totalHits = hits.length;
    const end = Math.min(after + body.limit, SEARCH_CAP, totalHits);
    hits = hits.slice(after, end);
    res.json({
      total: totalHits,
      results: hits.map((o) => view(ctx.store, type, o, body.properties)),
      ...(end < totalHits && body.limit > 0 ? { paging: { next: { after: String(end), link: `?after=${end}` } } } : {}),
    });
  });
  return r;
}
