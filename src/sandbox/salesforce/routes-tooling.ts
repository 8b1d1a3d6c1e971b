import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { SfHttpError, type SfContext } from './context.ts';
import type { SfFieldDef, SfFieldType } from './schema.ts';

const valueSchema = z.object({ fullName: z.string().min(1), label: z.string().optional(), default: z.boolean().optional() }).passthrough();

export const customFieldBody = z.object({
  FullName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*__c$/, 'FullName must look like Object.Field__c'),
  Metadata: z
    .object({
      type: z.enum(['Text', 'LongTextArea', 'TextArea', 'Number', 'Percent', 'Currency', 'Checkbox', 'Picklist', 'DateTime', 'Date']),
      label: z.string().min(1).max(40),
      length: z.number().int().optional(),
      precision: z.number().int().optional(),
      scale: z.number().int().optional(),
      visibleLines: z.number().int().optional(),
      defaultValue: z.union([z.string(), z.boolean()]).nullable().optional(),
      description: z.string().optional(),
      inlineHelpText: z.string().optional(),
      valueSet: z
        .object({
          restricted: z.boolean().optional(),
          valueSetDefinition: z.object({ value: z.array(valueSchema).min(1), sorted: z.boolean().optional() }).passthrough(),
        })
        .passthrough()
        .optional(),
    })
    .passthrough(),
});

const TYPE_MAP: Record<string, SfFieldType> = {
  Text: 'string',
  LongTextArea: 'textarea',
  TextArea: 'textarea',
  Number: 'double',
  Percent: 'percent',
  Currency: 'currency',
  Checkbox: 'boolean',
  Picklist: 'picklist',
  DateTime: 'datetime',
  Date: 'date',
};

function integrity(message: string): SfHttpError {
  return new SfHttpError(400, 'FIELD_INTEGRITY_EXCEPTION', message);
}

/** Builds the field from Tooling metadata, with the checks the Metadata API makes. */
export function fieldFromMetadata(name: string, md: z.infer<typeof customFieldBody>['Metadata']): SfFieldDef {
  const type = TYPE_MAP[md.type] as SfFieldType;
  const def: SfFieldDef = { name, type, label: md.label, custom: true, needsFls: true };
  const flags = md as { externalId?: unknown; unique?: unknown };
  if (flags.externalId === true || flags.unique === true) {
    // Field reference: only Text, Number and Email fields can be external ids or unique.
    if (md.type !== 'Text' && md.type !== 'Number') throw integrity(`${md.type} fields cannot be an External ID or unique`);
    if (flags.externalId === true) def.externalId = true;
    if (flags.unique === true) def.unique = true;
  }
  switch (md.type) {
    case 'Text':
      if (md.length === undefined || md.length < 1 || md.length > 255) throw integrity("Length: must be between 1 and 255 for a CustomField of type Text");
      def.length = md.length;
      break;
    case 'LongTextArea':
      if (md.length === undefined || md.length < 256 || md.length > 131072) throw integrity('Length: must be between 256 and 131072 for a CustomField of type LongTextArea');
      if (md.visibleLines === undefined) throw integrity("Must specify 'visibleLines' for a CustomField of type LongTextArea");
      def.length = md.length;
      break;
    case 'TextArea':
      def.length = 255;
      break;
    case 'Number':
    case 'Percent':
    case 'Currency': {
      if (md.precision === undefined) throw integrity(`Must specify 'precision' for a CustomField of type ${md.type}`);
      if (md.scale === undefined) throw integrity(`Must specify 'scale' for a CustomField of type ${md.type}`);
      if (md.precision < 1 || md.precision > 18 || md.scale < 0 || md.scale > md.precision) {
        throw integrity('Precision must be between 1 and 18 and scale must be between 0 and the precision');
      }
      def.precision = md.precision;
      def.scale = md.scale;
      break;
    }
    case 'Checkbox':
      if (md.defaultValue === undefined || md.defaultValue === null) throw integrity("Must specify 'defaultValue' for a CustomField of type Checkbox");
      break;
    case 'Picklist':
      if (!md.valueSet) throw integrity("Must specify 'valueSet' for a CustomField of type Picklist");
      def.picklistValues = md.valueSet.valueSetDefinition.value.map((v) => v.fullName);
      break;
    default:
      break;
  }
  return def;
}

export function salesforceToolingRoutes(ctx: SfContext): Router {
  const r = express.Router({ mergeParams: true });
  r.post('/tooling/sobjects/CustomField', (req: Request, res: Response) => {
    const body = customFieldBody.safeParse(req.body);
    if (!body.success) {
      const issue = body.error.issues[0];
      throw new SfHttpError(400, 'INVALID_INPUT', `${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`);
    }
    const [objectName, fieldName] = body.data.FullName.split('.') as [string, string];
    const obj = ctx.store.schema.get(objectName);
    if (!obj || obj.multiCurrencyOnly) throw new SfHttpError(400, 'INVALID_INPUT', `Cannot find the entity ${objectName}`);
    if (obj.fields.some((f) => f.name.toLowerCase() === fieldName.toLowerCase())) {
      throw new SfHttpError(400, 'DUPLICATE_DEVELOPER_NAME', `There is already a field named ${fieldName.replace(/__c$/, '')} on ${objectName}.`);
    }
    const def = fieldFromMetadata(fieldName, body.data.Metadata);
    ctx.store.addCustomField(objectName, def);
    if (def.type === 'boolean') {
      const initial = String(body.data.Metadata.defaultValue) === 'true';
      for (const rec of ctx.store.table(objectName).values()) rec[fieldName] = initial;
    }
    res.status(201).json({ id: ctx.ids.salesforce('CustomField'), success: true, errors: [], warnings: [], infos: [] });
  });
  return r;
}
