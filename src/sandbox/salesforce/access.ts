import { z } from 'zod';
import type { SalesforceStore } from './store.ts';
import { REQUIRED } from './writes.ts';

/**
 * What the integration user's profile keeps from it, as an admin sets it in the org: standard
 * objects it has no Read on, and fields field-level security hides. Salesforce answers such a
 * user as if the object or field did not exist [Object Reference, "Factors that Affect Data
 * Access": "fields that are not visible to a given user are not returned in a query() or
 * describeSObjects() call"]: a query of a hidden object gets 400 INVALID_TYPE "sObject type 'X'
 * is not supported", one naming a hidden field 400 INVALID_FIELD "No such column 'F' on entity
 * 'X'", a describe of the object 404 NOT_FOUND, and a parent's subquery of it "Didn't understand
 * relationship". The simulator answers the same way.
 */
export const salesforceAccessSchema = z
  .object({
    /** Objects the integration user cannot read (`OpportunityContactRole`). */
    hiddenObjects: z.array(z.string().min(1)).default([]),
    /** Fields its field-level security hides, as `Object.Field` (`OpportunityContactRole.Role`). */
    hiddenFields: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*$/, 'expected Object.Field')).default([]),
  })
  .strict();

export type SalesforceAccessInput = z.input<typeof salesforceAccessSchema>;

/** Audit fields every record shows to whoever can read it. */
const SYSTEM_FIELDS = new Set(['IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp']);

/** Every user can read these: the org itself and its users. */
const ALWAYS_READABLE = new Set(['organization', 'user']);

/**
 * Applies what the profile hides, replacing what it hid before. Throws naming each name that is
 * not an object or field of the org, or that Salesforce never hides: the Organization and User
 * objects, Id and system fields, and fields an insert requires (field-level security cannot take
 * those away).
 */
export function applySalesforceAccess(store: SalesforceStore, input: SalesforceAccessInput): void {
  const parsed = salesforceAccessSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid Salesforce access: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const problems: string[] = [];
  const find = (name: string) => [...store.schema.values()].find((d) => d.name.toLowerCase() === name.toLowerCase());
  const objects: string[] = [];
  for (const name of parsed.data.hiddenObjects) {
    const def = find(name);
    if (!def) problems.push(`hiddenObjects: the org has no object ${name}`);
    else if (ALWAYS_READABLE.has(def.name.toLowerCase())) problems.push(`hiddenObjects: every user can read ${def.name}; it cannot be hidden`);
    else objects.push(def.name);
  }
  const fields: string[] = [];
  for (const path of parsed.data.hiddenFields) {
    const [objectName = '', fieldName = ''] = path.split('.');
    const def = find(objectName);
    const field = def?.fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
    if (!def || !field) {
      problems.push(`hiddenFields: the org has no field ${path}`);
      continue;
    }
    const required = [...(REQUIRED[def.name] ?? []), ...(def.requiredOnInsert ?? [])].includes(field.name);
    if (field.type === 'id' || SYSTEM_FIELDS.has(field.name) || required) {
      problems.push(`hiddenFields: ${def.name}.${field.name} is ${required ? 'required on insert' : 'a system field'}; field-level security cannot hide it`);
      continue;
    }
    fields.push(`${def.name}.${field.name}`);
  }
  if (problems.length > 0) throw new Error(`invalid Salesforce access: ${problems.join('; ')}`);
  store.setHidden(objects, fields);
}
