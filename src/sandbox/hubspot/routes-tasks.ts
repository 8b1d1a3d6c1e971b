import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { HsHttpError, type HsContext } from './context.ts';
import { normalizeValue } from './properties.ts';
import { associationKindOf, type AssociationKind } from './store.ts';
import { zodMessage } from './routes-objects.ts';
import { view } from './view.ts';

/**
 * The task requests Kamflow sends (Activities | Tasks guide; objects API reference): create one
 * or a batch of up to 100 with associations, and batch archive. Reads go through the objects
 * routes. Every input is checked before anything is created, as HubSpot validates a batch as a
 * whole: an unknown or read-only property, a value outside an enumeration, a missing
 * `hs_timestamp` (required on create), an association type that is not HubSpot's task to company
 * type or a company that does not exist, more than 100 inputs: 400, nothing created.
 */

const MAX_BATCH = 100;

const associationSchema = z.object({
  to: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
  types: z.array(z.object({ associationCategory: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED']), associationTypeId: z.number().int() })).min(1),
});
const inputSchema = z.object({
  properties: z.record(z.string(), z.unknown()),
  associations: z.array(associationSchema).optional(),
  objectWriteTraceId: z.string().optional(),
});
const batchCreateBody = z.object({ inputs: z.array(inputSchema) });
const batchArchiveBody = z.object({ inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) })) });

type TaskInput = z.infer<typeof inputSchema>;
interface Checked {
  properties: Record<string, string | null>;
  links: { kind: AssociationKind; companyId: string }[];
}

function check(ctx: HsContext, input: TaskInput, index: number): Checked {
  const problems: { name: string; code: string; message: string }[] = [];
  const properties: Record<string, string | null> = {};
  for (const [name, raw] of Object.entries(input.properties)) {
    const def = ctx.store.property('tasks', name);
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
    else properties[name] = n.value;
  }
  if (!problems.some((p) => p.name === 'hs_timestamp') && (properties['hs_timestamp'] === undefined || properties['hs_timestamp'] === null)) {
    problems.push({ name: 'hs_timestamp', code: 'REQUIRED_FIELD', message: 'hs_timestamp is required' });
  }
  if (problems.length > 0) {
    throw new HsHttpError(400, 'VALIDATION_ERROR', `Property values were not valid (input ${index}): ${JSON.stringify(problems.map((p) => ({ isValid: false, message: p.message, error: p.code, name: p.name })))}`, {
      errors: problems.map((p) => ({ message: p.message, code: p.code, context: { propertyName: [p.name] } })),
    });
  }
  const links: Checked['links'] = [];
  for (const a of input.associations ?? []) {
    for (const t of a.types) {
      const kind = t.associationCategory === 'HUBSPOT_DEFINED' ? associationKindOf('tasks', 'companies', t.associationTypeId) : null;
      if (!kind) {
        throw new HsHttpError(400, 'VALIDATION_ERROR', `input ${index}: ${t.associationCategory} association type ${t.associationTypeId} is not valid from tasks`);
      }
      const company = ctx.store.table('companies').get(a.to.id);
      if (!company || company.archived) {
        throw new HsHttpError(400, 'VALIDATION_ERROR', `input ${index}: the object ${a.to.id} to associate (company) does not exist`);
      }
      links.push({ kind, companyId: a.to.id });
    }
  }
  return { properties, links };
}

function create(ctx: HsContext, checked: Checked): string {
  const id = ctx.store.create('tasks', checked.properties);
  for (const l of checked.links) ctx.store.associate(l.kind, id, l.companyId);
  return id;
}

export function hubspotTaskRoutes(ctx: HsContext): Router {
  const r = express.Router();
  const taskPath = (req: Request): void => {
    const type = String(req.params['objectType']).toLowerCase();
    if (type !== 'tasks' && type !== '0-27') throw new HsHttpError(404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.path}`);
  };

  r.post('/crm/v3/objects/:objectType/batch/create', (req: Request, res: Response, next) => {
    if (!['tasks', '0-27'].includes(String(req.params['objectType']).toLowerCase())) {
      next();
      return;
    }
    const body = batchCreateBody.safeParse(req.body);
    if (!body.success) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${zodMessage(body.error)}`);
    const inputs = body.data.inputs;
    if (inputs.length > MAX_BATCH) throw new HsHttpError(400, 'VALIDATION_ERROR', `Batch input limit exceeded: got ${inputs.length}, max ${MAX_BATCH}`);
    const checked = inputs.map((input, i) => check(ctx, input, i));
    const startedAt = new Date().toISOString();
    const ids = checked.map((c) => create(ctx, c));
    const results = ids.map((id, i) => {
      const obj = ctx.store.table('tasks').get(id);
      return obj ? view(ctx.store, 'tasks', obj, Object.keys(checked[i]?.properties ?? {})) : { id };
    });
    // The API promises no order for batch results: the simulator answers newest first.
    res.status(201).json({ status: 'COMPLETE', results: results.reverse(), startedAt, completedAt: new Date().toISOString() });
  });

  r.post('/crm/v3/objects/:objectType', (req: Request, res: Response, next) => {
    if (!['tasks', '0-27'].includes(String(req.params['objectType']).toLowerCase())) {
      next();
      return;
    }
    const body = inputSchema.safeParse(req.body);
    if (!body.success) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${zodMessage(body.error)}`);
    const checked = check(ctx, body.data, 0);
    const id = create(ctx, checked);
    const obj = ctx.store.table('tasks').get(id);
    res.status(201).json(obj ? view(ctx.store, 'tasks', obj, Object.keys(checked.properties)) : { id });
  });

  r.post('/crm/v3/objects/:objectType/batch/archive', (req: Request, res: Response, next) => {
    if (!['tasks', '0-27'].includes(String(req.params['objectType']).toLowerCase())) {
      next();
      return;
    }
    taskPath(req);
    const body = batchArchiveBody.safeParse(req.body);
    if (!body.success) throw new HsHttpError(400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${zodMessage(body.error)}`);
    if (body.data.inputs.length > MAX_BATCH) throw new HsHttpError(400, 'VALIDATION_ERROR', `Batch input limit exceeded: got ${body.data.inputs.length}, max ${MAX_BATCH}`);
    // Archiving an id that is gone or was never there is no error: 204 either way.
    for (const { id } of body.data.inputs) ctx.store.archive('tasks', id);
    res.status(204).end();
  });
  return r;
}
