import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { HsHttpError, sendHsError, type HsContext } from './context.ts';
import { hsObjectType, normalizeValue, SINGULAR, type HsObjectType } from './properties.ts';
import { boolParam, listParam, requestedProperties, view } from './view.ts';

/** Batch read and update take at most 100 inputs a call (crm-api-facts 2.1, widely documented). */
const MAX_BATCH = 100;
const MAX_LIST_LIMIT = 100;

const batchReadBody = z.object({
  inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) }).passthrough()),
  properties: z.array(z.string()).default([]),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});

const batchUpdateBody = z.object({
  inputs: z.array(
    z
      .object({
        id: z.union([z.string(), z.number()]).transform(String),
        properties: z.record(z.string(), z.unknown()),
        idProperty: z.string().optional(),
        objectWriteTraceId: z.string().optional(),
      })
      .passthrough(),
  ),
});

export function objectTypeOf(req: Request): HsObjectType {
  const type = hsObjectType(String(req.params['objectType']));
  if (!type) throw new HsHttpError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${String(req.params['objectType'])}`);
  return type;
}

export function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

export function hubspotObjectRoutes(ctx: HsContext): Router {
  const r = express.Router();
  const { store } = ctx;

  r.get('/crm/v3/objects/:objectType', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    // "The maximum number of results to display per page": 100 for the v3 object lists (the SDK's
    // getAll pages by 100; crm-api-facts 2.1). More is refused rather than quietly cut.
    const limitRaw = Number(req.query['limit'] ?? 10);
    if (!Number.isInteger(limitRaw) || limitRaw < 1 || limitRaw > MAX_LIST_LIMIT) {
      throw new HsHttpError(400, 'VALIDATION_ERROR', `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got ${String(req.query['limit'])}`);
    }
    const limit = limitRaw;
    const archived = boolParam(req.query['archived']);
    const after = typeof req.query['after'] === 'string' && req.query['after'] !== '' ? Number(req.query['after']) : 0;
    if (Number.isNaN(after)) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid after value: ${String(req.query['after'])}`);
    const props = requestedProperties(req);
    const assocTypes = listParam(req.query['associations']).map((a) => hsObjectType(a)).filter((t): t is HsObjectType => t !== undefined);
    const ordered = store.ordered(type);
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Number((ordered[mid] as { id: string }).id) < after) lo = mid + 1;
      else hi = mid;
    }
    const all: typeof ordered = [];
    for (let i = lo; i < ordered.length && all.length <= limit; i++) {
      const o = ordered[i] as (typeof ordered)[number];
      if (o.archived === archived) all.push(o);
    }
    const page = all.slice(0, limit);
    const results = page.map((o) => {
      const v = view(store, type, o, props);
      if (assocTypes.length > 0) {
        const associations: Record<string, unknown> = {};
        for (const to of assocTypes) {
          const list = store.associations(type, o.id, to);
          if (list.length > 0) {
            associations[to] = {
              results: list.map((a) => ({ id: a.toId, type: `${SINGULAR[type]}_to_${SINGULAR[to]}` })),
            };
          }
        }
        if (Object.keys(associations).length > 0) v['associations'] = associations;
      }
      return v;
    });
    const next = all[limit];
    res.json({
      results,
      ...(next ? { paging: { next: { after: next.id, link: `${ctx.baseUrl()}/crm/v3/objects/${type}?after=${next.id}` } } } : {}),
    });
  });

  r.get('/crm/v3/objects/:objectType/:objectId', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    const obj = store.table(type).get(String(req.params['objectId']));
    if (!obj || obj.archived !== boolParam(req.query['archived'])) {
      sendHsError(ctx, res, 404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.');
      return;
    }
    res.json(view(store, type, obj, requestedProperties(req)));
  });

  r.post('/crm/v3/objects/:objectType/batch/read', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    const body = batchReadBody.safeParse(req.body);
    if (!body.success) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${zodMessage(body.error)}`);
    if (body.data.inputs.length > MAX_BATCH) throw new HsHttpError(400, 'VALIDATION_ERROR', `Batch input limit exceeded: got ${body.data.inputs.length}, max ${MAX_BATCH}`);
    const archived = boolParam(req.query['archived']);
    const startedAt = new Date().toISOString();
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    for (const input of body.data.inputs) {
      const obj = store.table(type).get(input.id);
      if (!obj || obj.archived !== archived) missing.push(input.id);
      else results.push(view(store, type, obj, body.data.properties));
    }
    const base = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (missing.length === 0) {
      res.json(base);
      return;
    }
    res.status(207).json({
      ...base,
      numErrors: 1,
      errors: [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: `Could not get some ${SINGULAR[type].toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
          context: { ids: missing },
        },
      ],
    });
  });

  r.post('/crm/v3/objects/:objectType/batch/update', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    const body = batchUpdateBody.safeParse(req.body);
    if (!body.success) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${zodMessage(body.error)}`);
    const inputs = body.data.inputs;
    if (inputs.length > MAX_BATCH) throw new HsHttpError(400, 'VALIDATION_ERROR', `Batch input limit exceeded: got ${inputs.length}, max ${MAX_BATCH}`);
    const ids = inputs.map((i) => i.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new HsHttpError(400, 'VALIDATION_ERROR', `Duplicate IDs found in batch input: [${dup}]. IDs must be unique`);
    // Property problems fail the whole batch, as HubSpot validates before writing anything.
    const problems: { message: string; code: string; name: string }[] = [];
    const normalized = inputs.map((input) => {
      const out: Record<string, string | null> = {};
      for (const [name, raw] of Object.entries(input.properties)) {
        const def = store.property(type, name);
        if (!def) {
          problems.push({ name, code: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
          continue;
        }
        if (def.readOnlyValue) {
          problems.push({ name, code: 'READ_ONLY_VALUE', message: `"${name}" is a read only property; its value cannot be set.` });
          continue;
        }
        const n = normalizeValue(def, raw);
        if (!n.ok) problems.push({ name, code: n.code, message: n.message });
        else out[name] = n.value;
      }
      return out;
    });
    if (problems.length > 0) {
      throw new HsHttpError(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(problems.map((p) => ({ isValid: false, message: p.message, error: p.code, name: p.name })))}`, {
        errors: problems.map((p) => ({ message: p.message, code: p.code, context: { propertyName: [p.name] } })),
      });
    }
    const locked = ids.filter((id) => ctx.faults.locked.has(id));
    ctx.faults.injected.lock += locked.length;
    if (locked.length > 0) {
      throw new HsHttpError(423, 'LOCKED', `The record(s) ${locked.join(', ')} are locked by another operation; retry after 2 seconds`, { context: { ids: locked } });
    }
    const startedAt = new Date().toISOString();
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    inputs.forEach((input, i) => {
      const values = normalized[i] as Record<string, string | null>;
      if (!store.update(type, input.id, values)) {
        missing.push(input.id);
        return;
      }
      const obj = store.table(type).get(input.id);
      if (obj) results.push(view(store, type, obj, Object.keys(values)));
    });
    const base = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (missing.length === 0) {
      res.json(base);
      return;
    }
    res.status(207).json({
      ...base,
      numErrors: missing.length,
      errors: missing.map((id) => ({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: `Object ${id} not found or archived`,
        context: { ids: [id] },
        errors: [],
        links: {},
        id,
      })),
    });
  });
  return r;
}
