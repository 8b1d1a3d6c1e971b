import { SF_KEY_PREFIX } from '../ids.ts';
import type { SfContext } from './context.ts';
import { SfHttpError } from './context.ts';
import { coerceCsv, coerceJson, type SfValue } from './values.ts';
import { TASK_PRIORITIES, TASK_STATUSES } from './schema.ts';

export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export type SaveResult = { id: string; success: true; errors: [] } | { id?: string; success: false; errors: SaveError[] };

const NOT_WRITABLE = (names: string[]): SaveError => ({
  statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
  message: `Unable to create/update fields: ${names.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
  fields: names,
});

/**
 * Checks that every field name exists and is visible; an unknown or hidden field fails the whole
 * request, as JSON deserialization does in the real API.
 */
export function checkFieldNames(ctx: SfContext, objectName: string, names: string[]): void {
  for (const name of names) {
    if (!ctx.store.field(objectName, name)) {
      throw new SfHttpError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${objectName}`);
    }
  }
}

export type WriteValues = Record<string, unknown>;

/** Fields an insert must carry, per object. */
export const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  Account: ['Name'],
  Contact: ['LastName'],
  Opportunity: ['Name', 'StageName', 'CloseDate'],
  OpportunityLineItem: ['OpportunityId', 'Quantity'],
  Product2: ['Name'],
  // Object Reference, Task: Status and Priority are required (the org's UI fills in defaults; the API is given them).
  Task: ['Status', 'Priority'],
  PermissionSet: ['Name'],
  FieldPermissions: ['ParentId', 'SobjectType', 'Field'],
  ObjectPermissions: ['ParentId', 'SobjectType'],
  PermissionSetAssignment: ['PermissionSetId', 'AssigneeId'],
};

/** Converts and checks values; returns the stored values or a per-record error. */
export function prepareValues(
  ctx: SfContext,
  objectName: string,
  values: WriteValues,
  format: 'json' | 'csv',
  mode: 'insert' | 'update',
): { ok: true; values: Record<string, SfValue> } | { ok: false; error: SaveError } {
  const out: Record<string, SfValue> = {};
  const readOnly: string[] = [];
  for (const [name, raw] of Object.entries(values)) {
    const def = ctx.store.field(objectName, name);
    if (!def) {
      return { ok: false, error: { statusCode: 'INVALID_FIELD', message: `No such column '${name}' on sobject of type ${objectName}`, fields: [name] } };
    }
    if (def.name === 'Id') continue;
    if (!ctx.store.canEdit(objectName, def)) {
      readOnly.push(def.name);
      continue;
    }
    if (format === 'csv' && raw === '') continue;
    const c = format === 'csv' ? coerceCsv(def, String(raw)) : coerceJson(def, raw);
    if (!c.ok) return { ok: false, error: { statusCode: c.code, message: c.message, fields: [def.name] } };
    out[def.name] = c.value;
  }
  if (readOnly.length > 0) return { ok: false, error: NOT_WRITABLE(readOnly) };
  if (mode === 'insert') {
    const missing = [...(REQUIRED[objectName] ?? []), ...(ctx.store.schema.get(objectName)?.requiredOnInsert ?? [])].filter((name) => out[name] === undefined || out[name] === null || out[name] === '');
    if (missing.length > 0) {
      return { ok: false, error: { statusCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${missing.join(', ')}]`, fields: missing } };
    }
  }
  return { ok: true, values: out };
}

/** Why a record cannot be updated, or null when it can. */
export function updateBlocker(ctx: SfContext, objectName: string, id: unknown): SaveError | null {
  if (typeof id !== 'string' || id === '') return { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] };
  if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(id) || id.slice(0, 3) !== (SF_KEY_PREFIX[objectName] ?? 'a0X')) {
    return { statusCode: 'MALFORMED_ID', message: `${objectName} ID: id value of incorrect type: ${id}`, fields: ['Id'] };
  }
  const rec = ctx.store.get(objectName, id);
  if (!rec) return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] };
  if (rec['IsDeleted'] === true) return { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] };
  if (ctx.faults.locked.has(id)) {
    ctx.faults.injected.lock += 1;
    return { statusCode: 'UNABLE_TO_LOCK_ROW', message: `unable to obtain exclusive access to this record or 1 records: ${id}`, fields: [] };
  }
  return null;
}

/** Checks uniqueness rules of the permission objects the connectors create. */
export function insertBlocker(ctx: SfContext, objectName: string, values: Record<string, SfValue>): SaveError | null {
  const live = [...ctx.store.table(objectName).values()].filter((r) => r['IsDeleted'] !== true);
  if (objectName === 'PermissionSet') {
    if (typeof values['Name'] !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(values['Name'])) {
      return { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] };
    }
    if (values['Label'] == null) values['Label'] = values['Name'];
    const dup = live.find((r) => String(r['Name']).toLowerCase() === String(values['Name']).toLowerCase());
    if (dup) return { statusCode: 'DUPLICATE_DEVELOPER_NAME', message: `The name '${values['Name']}' is already in use`, fields: ['Name'] };
  }
  if (objectName === 'FieldPermissions') {
    const field = String(values['Field'] ?? '');
    const [obj, name] = field.split('.');
    const def = obj && name ? ctx.store.schema.get(obj)?.fields.find((f) => f.name.toLowerCase() === name.toLowerCase()) : undefined;
    if (!def || values['SobjectType'] !== obj) {
      return { statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: `Field Name: bad value for restricted picklist field: ${field}`, fields: ['Field'] };
    }
    if (!ctx.store.get('PermissionSet', String(values['ParentId']))) {
      return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['ParentId'] };
    }
    const dup = live.find((r) => r['ParentId'] === values['ParentId'] && String(r['Field']).toLowerCase() === field.toLowerCase());
    if (dup) return { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: <unknown> duplicates value on record with id: ${String(dup['Id'])}`, fields: [] };
  }
  if (objectName === 'ObjectPermissions') {
    const type = String(values['SobjectType'] ?? '');
    if (!ctx.store.schema.has(type)) {
      return { statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: `SObject Type Name: bad value for restricted picklist field: ${type}`, fields: ['SobjectType'] };
    }
    if (!ctx.store.get('PermissionSet', String(values['ParentId']))) {
      return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: ['ParentId'] };
    }
    // Setup, Permission Sets: "Permission Create depends on permission(s): Read", and so on.
    const needsRead = ['PermissionsCreate', 'PermissionsEdit', 'PermissionsDelete', 'PermissionsViewAllRecords'].filter((p) => values[p] === true);
    if (needsRead.length > 0 && values['PermissionsRead'] !== true) {
      return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Permission ${needsRead[0]?.replace('Permissions', '') ?? ''} depends on permission(s): Read`, fields: [] };
    }
    const dup = live.find((r) => r['ParentId'] === values['ParentId'] && r['SobjectType'] === type);
    if (dup) return { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: <unknown> duplicates value on record with id: ${String(dup['Id'])}`, fields: [] };
  }
  for (const def of ctx.store.schema.get(objectName)?.fields ?? []) {
    const value = values[def.name];
    if (!def.unique || value === undefined || value === null) continue;
    const dup = live.find((r) => String(r[def.name]).toLowerCase() === String(value).toLowerCase());
    if (dup) return { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: ${def.name} duplicates value on record with id: ${String(dup['Id'])}`, fields: [def.name] };
  }
  if (objectName === 'Task') {
    const problem = taskBlocker(ctx, values);
    if (problem) return problem;
  }
  if (objectName === 'PermissionSetAssignment') {
    if (!ctx.store.get('PermissionSet', String(values['PermissionSetId'])) || !ctx.store.get('User', String(values['AssigneeId']))) {
      return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] };
    }
    const dup = live.find((r) => r['PermissionSetId'] === values['PermissionSetId'] && r['AssigneeId'] === values['AssigneeId']);
    if (dup) return { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: <unknown> duplicates value on record with id: ${String(dup['Id'])}`, fields: [] };
  }
  return null;
}

export function failed(error: SaveError): SaveResult {
  return { success: false, errors: [error] };
}

/**
 * What the org refuses on a Task: a related record or owner that does not exist
 * (INVALID_CROSS_REFERENCE_KEY), a Status or Priority outside the picklist.
 */
export function taskBlocker(ctx: SfContext, values: Record<string, SfValue>): SaveError | null {
  const what = values['WhatId'];
  if (what !== undefined && what !== null) {
    const account = ctx.store.get('Account', String(what));
    if (!account || account['IsDeleted'] === true) return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'Related To ID: id value of incorrect type: ' + String(what), fields: ['WhatId'] };
  }
  const owner = values['OwnerId'];
  if (owner !== undefined && owner !== null) {
    const user = ctx.store.get('User', String(owner));
    if (!user || user['IsActive'] === false) return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'Assigned To ID: owner cannot be blank', fields: ['OwnerId'] };
  }
  for (const [field, allowed] of [['Status', TASK_STATUSES], ['Priority', TASK_PRIORITIES]] as const) {
    const v = values[field];
    if (v !== undefined && v !== null && !(allowed as readonly string[]).includes(String(v))) {
      return { statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: `${field}: bad value for restricted picklist field: ${String(v)}`, fields: [field] };
    }
  }
  return null;
}
