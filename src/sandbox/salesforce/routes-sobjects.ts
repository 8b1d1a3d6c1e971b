import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { SfHttpError, sendSfError, type SfContext } from './context.ts';
import { sfVersion } from './middleware.ts';
import type { SfFieldDef } from './schema.ts';
import { SF_KEY_PREFIX } from '../ids.ts';
import { formatDatetime, parseDatetime, toWire } from './values.ts';
import { checkFieldNames, failed, insertBlocker, prepareValues, updateBlocker, type SaveResult, type WriteValues } from './writes.ts';

/** sObject Collections: "up to 200 records" a request (REST API Developer Guide, sObject Collections). */
const MAX_COLLECTION = 200;

const collectionBody = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

const attributesSchema = z.object({ type: z.string().min(1) }).passthrough();

function describeField(ctx: SfContext, objectName: string, f: SfFieldDef): Record<string, unknown> {
  const numeric = f.type === 'double' || f.type === 'currency' || f.type === 'percent' || f.type === 'int';
  return {
    name: f.name,
    label: f.label,
    type: f.type,
    custom: f.custom,
    length: numeric || f.type === 'boolean' || f.type === 'date' || f.type === 'datetime' ? 0 : (f.length ?? (f.type === 'id' || f.type === 'reference' ? 18 : 255)),
    precision: numeric ? (f.precision ?? 18) : 0,
    scale: numeric ? (f.scale ?? 0) : 0,
    digits: f.type === 'int' ? 9 : 0,
    nillable: f.type !== 'boolean' && f.name !== 'Id',
    createable: ctx.store.canEdit(objectName, f),
    updateable: ctx.store.canEdit(objectName, f),
    referenceTo: f.referenceTo ? [f.referenceTo] : [],
    relationshipName: f.relationshipName ?? null,
    picklistValues: (f.picklistValues ?? []).map((v) => ({ value: v, label: v, active: true, defaultValue: false, validFor: null })),
    restrictedPicklist: f.custom && f.type === 'picklist',
    calculated: false,
  };
}

export function salesforceSObjectRoutes(ctx: SfContext): Router {
  const r = express.Router({ mergeParams: true });

  r.get('/sobjects', (_req: Request, res: Response) => {
    const sobjects = [...ctx.store.schema.keys()]
      .filter((n) => ctx.store.object(n))
      .map((name) => ({ name, label: name, custom: false, queryable: true, createable: true, updateable: true }));
    res.json({ encoding: 'UTF-8', maxBatchSize: 200, sobjects });
  });

  r.get('/sobjects/:name/describe', (req: Request, res: Response) => {
    const obj = ctx.store.object(String(req.params['name']));
    if (!obj) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    res.json({
      name: obj.name,
      label: obj.name,
      custom: false,
      queryable: true,
      createable: true,
      updateable: true,
      deletable: obj.deletable,
      fields: ctx.store.visibleFields(obj.name).map((f) => describeField(ctx, obj.name, f)),
      childRelationships: obj.children.filter((c) => ctx.store.object(c.childObject) !== undefined).map((c) => ({ childSObject: c.childObject, field: c.field, relationshipName: c.name, cascadeDelete: false })),
      urls: { sobject: `/services/data/v${String(req.params['version']).slice(1)}/sobjects/${obj.name}` },
    });
  });

  // Get Updated / Get Deleted: ids by SystemModstamp in [start, end], at most 30 / 15 days back.
  const window = (req: Request, maxDays: number): { obj: string; start: number; end: number } => {
    const obj = ctx.store.object(String(req.params['name']));
    if (!obj) throw new SfHttpError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const start = parseDatetime(String(req.query['start'] ?? ''));
    const end = parseDatetime(String(req.query['end'] ?? ''));
    if (start === null || end === null || end < start) {
      throw new SfHttpError(400, 'INVALID_REPLICATION_DATE', 'start and end must be ISO 8601 datetimes with start before end');
    }
    if (start < ctx.clock.peek() - maxDays * 86_400_000) {
      throw new SfHttpError(400, 'INVALID_REPLICATION_DATE', `startDate cannot be more than ${maxDays} days ago`);
    }
    return { obj: obj.name, start, end };
  };
  r.get('/sobjects/:name/updated', (req: Request, res: Response) => {
    const { obj, start, end } = window(req, 30);
    const ids = [...ctx.store.table(obj).values()]
      .filter((rec) => rec['IsDeleted'] !== true && (rec['SystemModstamp'] as number) >= start && (rec['SystemModstamp'] as number) <= end)
      .map((rec) => String(rec['Id']));
    res.json({ ids, latestDateCovered: formatDatetime(Math.min(end, ctx.clock.peek())) });
  });
  r.get('/sobjects/:name/deleted', (req: Request, res: Response) => {
    const { obj, start, end } = window(req, 15);
    const deletedRecords = [...ctx.store.table(obj).values()]
      .filter((rec) => rec['IsDeleted'] === true && (rec['SystemModstamp'] as number) >= start && (rec['SystemModstamp'] as number) <= end)
      .map((rec) => ({ id: String(rec['Id']), deletedDate: formatDatetime(rec['SystemModstamp'] as number) }));
    res.json({ deletedRecords, earliestDateAvailable: formatDatetime(ctx.store.createdAt), latestDateCovered: formatDatetime(Math.min(end, ctx.clock.peek())) });
  });

  const insertOne = (objectName: string, values: WriteValues): SaveResult => {
    if (!ctx.store.objectAccess(objectName).create) {
      return failed({ statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: `insufficient access rights on object ${objectName}: create`, fields: [] });
    }
    const prepared = prepareValues(ctx, objectName, values, 'json', 'insert');
    if (!prepared.ok) return failed(prepared.error);
    const blocker = insertBlocker(ctx, objectName, prepared.values);
    if (blocker) return failed(blocker);
    return { id: ctx.store.insert(objectName, prepared.values), success: true, errors: [] };
  };

  r.post('/sobjects/:name', (req: Request, res: Response) => {
    const obj = ctx.store.object(String(req.params['name']));
    if (!obj) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    const body = z.record(z.string(), z.unknown()).safeParse(req.body);
    if (!body.success) throw new SfHttpError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values');
    const { attributes: _ignored, ...values } = body.data;
    checkFieldNames(ctx, obj.name, Object.keys(values));
    const result = insertOne(obj.name, values);
    if (!result.success) {
      res.status(400).json(result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
      return;
    }
    res.status(201).json(result);
  });

  r.get('/sobjects/:name/:id', (req: Request, res: Response) => {
    const obj = ctx.store.object(String(req.params['name']));
    const rec = obj ? ctx.store.get(obj.name, String(req.params['id'])) : undefined;
    if (!obj || !rec || rec['IsDeleted'] === true) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    const out: Record<string, unknown> = { attributes: { type: obj.name, url: req.originalUrl.split('?')[0] } };
    for (const f of ctx.store.visibleFields(obj.name)) out[f.name] = toWire(f, rec[f.name]);
    res.json(out);
  });

  r.patch('/sobjects/:name/:id', (req: Request, res: Response) => {
    const obj = ctx.store.object(String(req.params['name']));
    if (!obj) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    const body = z.record(z.string(), z.unknown()).safeParse(req.body);
    if (!body.success) throw new SfHttpError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values');
    const { attributes: _ignored, ...values } = body.data;
    checkFieldNames(ctx, obj.name, Object.keys(values));
    const id = String(req.params['id']);
    const blocker = updateBlocker(ctx, obj.name, id);
    const prepared = blocker ? null : prepareValues(ctx, obj.name, values, 'json', 'update');
    const error = blocker ?? (prepared && !prepared.ok ? prepared.error : null);
    if (error) {
      const status = error.statusCode === 'INVALID_CROSS_REFERENCE_KEY' ? 404 : 400;
      res.status(status).json([{ message: error.message, errorCode: error.statusCode, fields: error.fields }]);
      return;
    }
    if (!prepared?.ok) throw new Error('unreachable: no error and no prepared values');
    ctx.store.update(obj.name, id, prepared.values);
    res.status(204).end();
  });

  // Upsert by external id (REST API Developer Guide, sObject Rows by External ID): 201 with
  // created true for a new record, 200 with created false for an update, 300 when the value
  // matches several records, 404 when the field is no external id the caller can see.
  r.patch('/sobjects/:name/:field/:value', (req: Request, res: Response) => {
    const obj = ctx.store.object(String(req.params['name']));
    if (!obj) {
      sendSfError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');
      return;
    }
    const fieldName = String(req.params['field']);
    const field = ctx.store.field(obj.name, fieldName);
    if (!field || !field.externalId) {
      sendSfError(res, 404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`);
      return;
    }
    const body = z.record(z.string(), z.unknown()).safeParse(req.body);
    if (!body.success) throw new SfHttpError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values');
    const { attributes: _ignored, ...values } = body.data;
    if (Object.keys(values).some((k) => k.toLowerCase() === field.name.toLowerCase() || k.toLowerCase() === 'id')) {
      throw new SfHttpError(400, 'INVALID_FIELD', `The external ID field ${field.name} and Id cannot be set in the body of an upsert on that field`);
    }
    checkFieldNames(ctx, obj.name, Object.keys(values));
    const key = String(req.params['value']);
    const matches = [...ctx.store.table(obj.name).values()].filter((r) => r['IsDeleted'] !== true && String(r[field.name] ?? '').toLowerCase() === key.toLowerCase());
    if (matches.length > 1) {
      res.status(300).json(matches.map((m) => `/services/data/v${sfVersion(req)}/sobjects/${obj.name}/${String(m['Id'])}`));
      return;
    }
    const access = ctx.store.objectAccess(obj.name);
    const match = matches[0];
    if (!match) {
      if (!access.create) throw new SfHttpError(400, 'INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object ${obj.name}: create`);
      const result = insertOne(obj.name, { ...values, [field.name]: key });
      if (!result.success) {
        res.status(400).json(result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })));
        return;
      }
      res.status(201).json({ id: result.id, success: true, errors: [], created: true });
      return;
    }
    if (!access.edit) throw new SfHttpError(400, 'INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object ${obj.name}: edit`);
    const prepared = prepareValues(ctx, obj.name, values, 'json', 'update');
    if (!prepared.ok) {
      res.status(400).json([{ message: prepared.error.message, errorCode: prepared.error.statusCode, fields: prepared.error.fields }]);
      return;
    }
    ctx.store.update(obj.name, String(match['Id']), prepared.values);
    res.status(200).json({ id: String(match['Id']), success: true, errors: [], created: false });
  });

  r.delete('/sobjects/:name/:id', (req: Request, res: Response) => {
    const obj = ctx.store.object(String(req.params['name']));
    if (!obj || !ctx.store.delete(obj.name, String(req.params['id']))) {
      sendSfError(res, 404, 'ENTITY_IS_DELETED', 'entity is deleted');
      return;
    }
    res.status(204).end();
  });

  const collection = (req: Request): { allOrNone: boolean; records: { type: string; values: WriteValues; id: unknown }[] } => {
    const body = collectionBody.safeParse(req.body);
    if (!body.success) throw new SfHttpError(400, 'JSON_PARSER_ERROR', 'Expected {allOrNone?, records: [...]} in the request body');
    if (body.data.records.length > MAX_COLLECTION) {
      throw new SfHttpError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    }
    const records = body.data.records.map((raw) => {
      const attrs = attributesSchema.safeParse(raw['attributes']);
      if (!attrs.success) throw new SfHttpError(400, 'INVALID_TYPE', 'sObject type must be specified in attributes.type for each record');
      const obj = ctx.store.object(attrs.data.type);
      if (!obj) throw new SfHttpError(400, 'INVALID_TYPE', `sObject type '${attrs.data.type}' is not supported.`);
      const { attributes: _a, id, Id, ...values } = raw;
      checkFieldNames(ctx, obj.name, Object.keys(values));
      return { type: obj.name, values, id: id ?? Id };
    });
    return { allOrNone: body.data.allOrNone ?? false, records };
  };

  const rollBack = (results: SaveResult[]): SaveResult[] =>
    results.map((res) =>
      res.success
        ? failed({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] })
        : res,
    );

  // sObject Collections delete (REST API Developer Guide, "Delete Records Using sObject
  // Collections"): `?ids=` up to 200 comma-separated ids, `allOrNone` (default false); results in
  // the order of the ids. Each id names its own object by its key prefix.
  r.delete('/composite/sobjects', (req: Request, res: Response) => {
    const raw = typeof req.query['ids'] === 'string' ? req.query['ids'] : '';
    const ids = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (ids.length === 0) throw new SfHttpError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    if (ids.length > MAX_COLLECTION) throw new SfHttpError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    const allOrNone = req.query['allOrNone'] === 'true';
    const results: SaveResult[] = ids.map((id) => {
      const type = Object.entries(SF_KEY_PREFIX).find(([, prefix]) => id.startsWith(prefix))?.[0];
      const obj = type ? ctx.store.object(type) : undefined;
      if (!obj || !/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id)) return failed({ statusCode: 'MALFORMED_ID', message: `malformed id ${id}`, fields: [] });
      if (!obj.deletable) return failed({ statusCode: 'INVALID_TYPE', message: `sObject type '${obj.name}' does not support delete`, fields: [] });
      const rec = ctx.store.get(obj.name, id);
      if (!rec || rec['IsDeleted'] === true) return failed({ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] });
      return { id, success: true, errors: [] };
    });
    if (allOrNone && results.some((x) => !x.success)) {
      res.json(rollBack(results).map((r, i) => ({ ...r, id: r.success ? r.id : ids[i] })));
      return;
    }
    for (const r of results) {
      if (!r.success) continue;
      const type = Object.entries(SF_KEY_PREFIX).find(([, prefix]) => r.id.startsWith(prefix))?.[0];
      if (type) ctx.store.delete(type, r.id);
    }
    res.json(results.map((r, i) => (r.success ? r : { ...r, id: ids[i] })));
  });

  r.patch('/composite/sobjects', (req: Request, res: Response) => {
    const { allOrNone, records } = collection(req);
    const planned = records.map((rec) => {
      const blocker = updateBlocker(ctx, rec.type, rec.id);
      if (blocker) return { rec, result: failed(blocker), values: null };
      const prepared = prepareValues(ctx, rec.type, rec.values, 'json', 'update');
      if (!prepared.ok) return { rec, result: failed(prepared.error), values: null };
      return { rec, result: { id: String(rec.id), success: true, errors: [] } as SaveResult, values: prepared.values };
    });
    const results = planned.map((p) => p.result);
    if (allOrNone && results.some((x) => !x.success)) {
      res.json(rollBack(results));
      return;
    }
    for (const p of planned) if (p.values) ctx.store.update(p.rec.type, String(p.rec.id), p.values);
    res.json(results);
  });

  r.post('/composite/sobjects', (req: Request, res: Response) => {
    const { allOrNone, records } = collection(req);
    const results: SaveResult[] = [];
    const inserted: [string, string][] = [];
    for (const rec of records) {
      if (rec.id !== undefined) {
        results.push(failed({ statusCode: 'INVALID_FIELD', message: 'cannot specify Id in an insert call', fields: ['Id'] }));
        continue;
      }
      const prepared = prepareValues(ctx, rec.type, rec.values, 'json', 'insert');
      const blocker = prepared.ok ? insertBlocker(ctx, rec.type, prepared.values) : prepared.error;
      if (blocker || !prepared.ok) {
        results.push(failed(blocker ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'insert failed', fields: [] }));
        continue;
      }
      const id = ctx.store.insert(rec.type, prepared.values);
      inserted.push([rec.type, id]);
      results.push({ id, success: true, errors: [] });
    }
    if (allOrNone && results.some((x) => !x.success)) {
      for (const [type, id] of inserted) ctx.store.discard(type, id);
      res.json(rollBack(results));
      return;
    }
    res.json(results);
  });

  return r;
}
