import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { HsHttpError, type HsContext } from './context.ts';
import { hsObjectType, SINGULAR, type HsObjectType } from './properties.ts';
import { zodMessage } from './routes-objects.ts';

/** Associations v4 batch read: at most 1,000 inputs a call (associations v4 spec, batch read). */
const MAX_INPUTS = 1000;
const PAGE = 500;

const body = z.object({
  inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String), after: z.string().optional() })),
});

function typeParam(value: unknown): HsObjectType {
  const t = hsObjectType(String(value));
  if (!t) throw new HsHttpError(400, 'VALIDATION_ERROR', `Unknown object type: ${String(value)}`);
  return t;
}

export function hubspotAssociationRoutes(ctx: HsContext): Router {
  const r = express.Router();
  const page = (from: HsObjectType, id: string, to: HsObjectType, after: number, limit: number) => {
    const all = ctx.store.associations(from, id, to);
    const slice = all.slice(after, after + limit);
    return {
      total: all.length,
      to: slice.map((a) => ({ toObjectId: Number(a.toId), associationTypes: a.types })),
      next: after + limit < all.length ? String(after + limit) : null,
    };
  };

  r.post('/crm/v4/associations/:from/:to/batch/read', (req: Request, res: Response) => {
    const from = typeParam(req.params['from']);
    const to = typeParam(req.params['to']);
    const parsed = body.safeParse(req.body);
    if (!parsed.success) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${zodMessage(parsed.error)}`);
    if (parsed.data.inputs.length > MAX_INPUTS) throw new HsHttpError(400, 'VALIDATION_ERROR', `Batch input limit exceeded: max ${MAX_INPUTS}`);
    const startedAt = new Date().toISOString();
    const results: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const input of parsed.data.inputs) {
      const obj = ctx.store.table(from).get(input.id);
      const p = obj && !obj.archived ? page(from, input.id, to, Number(input.after ?? 0) || 0, PAGE) : null;
      if (!p || p.total === 0) {
        errors.push({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          message: `No ${SINGULAR[to]} is associated with ${SINGULAR[from]} ${input.id}.`,
          context: { fromObjectId: [input.id], fromObjectType: [from], toObjectType: [to] },
          errors: [],
          links: {},
        });
        continue;
      }
      results.push({ from: { id: input.id }, to: p.to, ...(p.next ? { paging: { next: { after: p.next, link: null } } } : {}) });
    }
    const base = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (errors.length === 0) res.json(base);
    else res.status(207).json({ ...base, numErrors: errors.length, errors });
  });

  r.get('/crm/v4/objects/:from/:id/associations/:to', (req: Request, res: Response) => {
    const from = typeParam(req.params['from']);
    const to = typeParam(req.params['to']);
    const limit = Math.min(500, Math.max(1, Number(req.query['limit'] ?? PAGE) || PAGE));
    const p = page(from, String(req.params['id']), to, Number(req.query['after'] ?? 0) || 0, limit);
    res.json({ results: p.to, ...(p.next ? { paging: { next: { after: p.next, link: null } } } : {}) });
  });
  return r;
}
