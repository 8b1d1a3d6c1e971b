import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { HsHttpError, sendHsError, type HsContext } from './context.ts';
import { VALID_FIELD_TYPES, type HsPropertyDef, type HsPropertyType } from './properties.ts';
import { objectTypeOf, zodMessage } from './routes-objects.ts';

const optionSchema = z.object({
  label: z.string().min(1),
  value: z.string().min(1),
  hidden: z.boolean().default(false),
  displayOrder: z.number().int().optional(),
  description: z.string().optional(),
});

const propertyCreate = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'name must be lowercase letters, digits and underscores, starting with a letter'),
  label: z.string().min(1),
  type: z.enum(['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string']),
  fieldType: z.enum(['booleancheckbox', 'calculation_equation', 'checkbox', 'date', 'file', 'html', 'number', 'phonenumber', 'radio', 'select', 'text', 'textarea']),
  groupName: z.string().min(1),
  description: z.string().optional(),
  options: z.array(optionSchema).optional(),
  displayOrder: z.number().int().optional(),
  hasUniqueValue: z.boolean().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  numberDisplayHint: z.enum(['currency', 'duration', 'formatted', 'percentage', 'probability', 'unformatted']).optional(),
  calculationFormula: z.string().optional(),
  externalOptions: z.boolean().optional(),
  referencedObjectType: z.string().optional(),
});

const groupCreate = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'name must be lowercase letters, digits and underscores'),
  label: z.string().min(1),
  displayOrder: z.number().int().optional(),
});

function propertyView(p: HsPropertyDef): Record<string, unknown> {
  return {
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    description: p.description,
    groupName: p.groupName,
    options: p.options,
    displayOrder: p.displayOrder,
    calculated: false,
    externalOptions: false,
    hasUniqueValue: p.hasUniqueValue,
    hidden: p.hidden,
    hubspotDefined: p.hubspotDefined,
    formField: p.formField,
    modificationMetadata: { archivable: !p.hubspotDefined, readOnlyDefinition: p.hubspotDefined, readOnlyValue: p.readOnlyValue },
    ...(p.numberDisplayHint ? { numberDisplayHint: p.numberDisplayHint } : {}),
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
    archived: false,
  };
}

export function hubspotPropertyRoutes(ctx: HsContext): Router {
  const r = express.Router();
  const { store } = ctx;

  r.get('/crm/v3/properties/:objectType/groups', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    res.json({ results: [...(store.groups.get(type)?.values() ?? [])] });
  });

  r.get('/crm/v3/properties/:objectType/groups/:name', (req: Request, res: Response) => {
    const group = store.groups.get(objectTypeOf(req))?.get(String(req.params['name']));
    if (!group) {
      sendHsError(ctx, res, 404, 'OBJECT_NOT_FOUND', `Unable to find property group ${String(req.params['name'])}`);
      return;
    }
    res.json(group);
  });

  r.post('/crm/v3/properties/:objectType/groups', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    const body = groupCreate.safeParse(req.body);
    if (!body.success) throw new HsHttpError(400, 'VALIDATION_ERROR', zodMessage(body.error));
    const groups = store.groups.get(type) as Map<string, { name: string; label: string; displayOrder: number; archived: boolean }>;
    if (groups.has(body.data.name)) throw new HsHttpError(409, 'OBJECT_ALREADY_EXISTS', `A property group named '${body.data.name}' already exists.`);
    const group = { name: body.data.name, label: body.data.label, displayOrder: body.data.displayOrder ?? -1, archived: false };
    groups.set(group.name, group);
    res.status(201).json(group);
  });

  r.get('/crm/v3/properties/:objectType', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    res.json({ results: [...(store.properties.get(type)?.values() ?? [])].map(propertyView) });
  });

  r.get('/crm/v3/properties/:objectType/:name', (req: Request, res: Response) => {
    const def = store.property(objectTypeOf(req), String(req.params['name']));
    if (!def) {
      sendHsError(ctx, res, 404, 'OBJECT_NOT_FOUND', `Unable to find property ${String(req.params['name'])}`);
      return;
    }
    res.json(propertyView(def));
  });

  r.post('/crm/v3/properties/:objectType', (req: Request, res: Response) => {
    const type = objectTypeOf(req);
    const body = propertyCreate.safeParse(req.body);
    if (!body.success) throw new HsHttpError(400, 'VALIDATION_ERROR', zodMessage(body.error));
    const b = body.data;
    if (!VALID_FIELD_TYPES[b.type as HsPropertyType].includes(b.fieldType)) {
      throw new HsHttpError(400, 'VALIDATION_ERROR', `fieldType ${b.fieldType} is not valid for a property of type ${b.type}`);
    }
    if (b.type === 'enumeration' && (!b.options || b.options.length === 0)) {
      throw new HsHttpError(400, 'VALIDATION_ERROR', 'Enumeration properties must have at least one option');
    }
    if (store.property(type, b.name)) throw new HsHttpError(409, 'OBJECT_ALREADY_EXISTS', `Property named '${b.name}' already exists.`);
    if (!store.groups.get(type)?.has(b.groupName)) {
      throw new HsHttpError(400, 'VALIDATION_ERROR', `Property group ${b.groupName} does not exist`);
    }
    const now = ctx.clock.peek();
    const options = b.type === 'bool' && !b.options
      ? [{ label: 'True', value: 'true', hidden: false, displayOrder: 0 }, { label: 'False', value: 'false', hidden: false, displayOrder: 1 }]
      : (b.options ?? []).map((o, i) => ({ ...o, displayOrder: o.displayOrder ?? i }));
    const def: HsPropertyDef = {
      name: b.name,
      label: b.label,
      type: b.type,
      fieldType: b.fieldType,
      groupName: b.groupName,
      description: b.description ?? '',
      options,
      displayOrder: b.displayOrder ?? -1,
      hidden: b.hidden ?? false,
      hasUniqueValue: b.hasUniqueValue ?? false,
      formField: b.formField ?? false,
      hubspotDefined: false,
      readOnlyValue: false,
      ...(b.numberDisplayHint ? { numberDisplayHint: b.numberDisplayHint } : {}),
      createdAt: now,
      updatedAt: now,
    };
    store.properties.get(type)?.set(def.name, def);
    res.status(201).json(propertyView(def));
  });
  return r;
}
