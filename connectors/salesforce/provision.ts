import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { ProvisionFieldReport, ProvisionReport } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { SALESFORCE_OUTPUT_FIELDS, SALESFORCE_OVERRIDE_FIELDS, customFieldMetadata, type SalesforceOutputField } from '../../mappings/salesforce.ts';
import { SalesforceHttpError, stopError, type SalesforceClient } from './client.ts';
import { describeFields, type DescribeField } from './org.ts';
import { placeFieldsOnLayouts, type LayoutField } from './layout.ts';
import { queryAllPages, soqlString } from './query.ts';
import { ensureRunObject, grantRunObject } from './run-object.ts';

/**
 * Creates Kamflow's Account fields through the Tooling API and grants them through a permission
 * set `Kamflow` assigned to the integration user: a field made over the API is invisible (even
 * to admins) until some permission set or profile grants it.
 */

export const PERMISSION_SET_NAME = 'Kamflow';

type Step = ProvisionReport['steps'][number];

const createResult = z.object({ id: z.string().min(1), success: z.boolean().optional() });
const idRow = z.object({ Id: z.string().min(1) });
const fieldPermRow = z.object({ Id: z.string(), Field: z.string(), PermissionsRead: z.boolean(), PermissionsEdit: z.boolean() });
const userInfo = z.object({ user_id: z.string().min(1) });

async function createSObject(client: SalesforceClient, sobject: string, body: Record<string, unknown>): Promise<string> {
  const res = await client.json(
    'sobjectCreate',
    { method: 'POST', path: `${client.versionPath}/sobjects/${sobject}`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
    createResult,
  );
  return res.id;
}

function message(e: unknown): string {
  if (e instanceof SalesforceHttpError) return `${e.errorCode}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** What an existing field of the right type still lacks (shorter text, missing picklist values). */
function shortcomings(field: SalesforceOutputField, found: DescribeField): string | undefined {
  const notes: string[] = [];
  if (field.picklistValues && found.picklistValues) {
    const have = new Set(found.picklistValues.map((v) => v.value));
    const missing = field.picklistValues.filter((v) => !have.has(v));
    if (missing.length > 0) notes.push(`picklist lacks ${missing.join(', ')}`);
  }
  if (field.length !== undefined && typeof found.length === 'number' && found.length > 0 && found.length < field.length) {
    notes.push(`holds ${found.length} characters, ${field.length} wanted; longer values are cut`);
  }
  return notes.length > 0 ? notes.join('; ') : undefined;
}

const HIDDEN_FIELD = 'exists but was not visible; granted through the permission set';

/**
 * A field that existed but was hidden could not be described before the grant: now it can, and
 * one of the wrong type is reported as such (every write to it would fail).
 */
async function recheckHidden(client: SalesforceClient, fields: ProvisionFieldReport[]): Promise<void> {
  const hidden = fields.filter((f) => f.status === 'exists' && f.message === HIDDEN_FIELD);
  if (hidden.length === 0) return;
  let visible: Map<string, DescribeField>;
  try {
    visible = await describeFields(client, 'Account');
  } catch (e) {
    if (e instanceof SalesforceHttpError) return;
    throw e;
  }
  for (const report of hidden) {
    const field = SALESFORCE_OUTPUT_FIELDS.find((f) => f.key === report.key);
    const found = visible.get(report.crmName);
    if (!field || !found) continue;
    if (found.type !== field.describeType) {
      report.status = 'wrong-type';
      report.message = `Account.${field.apiName} is ${found.type}, expected ${field.describeType}; left as it is`;
    } else {
      const notes = shortcomings(field, found);
      if (notes) report.message = `${HIDDEN_FIELD}; ${notes}`;
    }
  }
}

async function provisionFields(client: SalesforceClient, existing: Map<string, DescribeField>): Promise<ProvisionFieldReport[]> {
  const reports: ProvisionFieldReport[] = [];
  for (const field of SALESFORCE_OUTPUT_FIELDS) {
    const found = existing.get(field.apiName);
    if (found) {
      const status = found.type === field.describeType ? 'exists' : 'wrong-type';
      const message =
        status === 'wrong-type' ? `Account.${field.apiName} is ${found.type}, expected ${field.describeType}; left as it is` : shortcomings(field, found);
      reports.push({ key: field.key, crmName: field.apiName, status, ...(message ? { message } : {}) });
      continue;
    }
    try {
      await client.json(
        'tooling',
        {
          method: 'POST',
          path: `${client.versionPath}/tooling/sobjects/CustomField`,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ FullName: `Account.${field.apiName}`, Metadata: customFieldMetadata(field) }),
        },
        createResult,
      );
      reports.push({ key: field.key, crmName: field.apiName, status: 'created' });
    } catch (e) {
      if (e instanceof CrmError) throw e;
      // A field that exists but is hidden from us (no field-level security) cannot be described
      // yet; the permission set below makes it visible.
      if (e instanceof SalesforceHttpError && /DUPLICATE/.test(e.errorCode)) {
        reports.push({ key: field.key, crmName: field.apiName, status: 'exists', message: HIDDEN_FIELD });
      } else {
        reports.push({ key: field.key, crmName: field.apiName, status: 'failed', message: message(e) });
      }
    }
  }
  return reports;
}

/**
 * The override fields a manager types into: created when missing, left as they are when they
 * exist (of the right type or not: a wrong type is reported, never changed), granted read and
 * edit through the permission set. Kamflow never writes them.
 */
async function provisionOverrideFields(client: SalesforceClient, existing: Map<string, DescribeField>, permSetId: string | null): Promise<{ step: Step; usable: string[] }> {
  const created: string[] = [];
  const problems: string[] = [];
  const usable: string[] = [];
  for (const field of SALESFORCE_OVERRIDE_FIELDS) {
    const found = existing.get(field.apiName);
    if (found) {
      if (found.type === field.describeType) usable.push(field.apiName);
      else problems.push(`Account.${field.apiName} is ${found.type}, expected ${field.describeType}; left as it is`);
      continue;
    }
    try {
      await client.json('tooling', {
        method: 'POST', path: `${client.versionPath}/tooling/sobjects/CustomField`, headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ FullName: `Account.${field.apiName}`, Metadata: customFieldMetadata(field) }),
      }, createResult);
      created.push(field.apiName);
      usable.push(field.apiName);
    } catch (e) {
      if (e instanceof CrmError) throw e;
      if (e instanceof SalesforceHttpError && /DUPLICATE/.test(e.errorCode)) usable.push(field.apiName);
      else problems.push(`${field.apiName}: ${message(e)}`);
    }
  }
  if (permSetId) {
    try {
      const rows = z.array(fieldPermRow).parse(await queryAllPages(client,
        `SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${soqlString(permSetId)} AND SobjectType = 'Account' AND Field IN (${SALESFORCE_OVERRIDE_FIELDS.map((f) => soqlString(`Account.${f.apiName}`)).join(', ')})`));
      const have = new Set(rows.filter((r) => r.PermissionsRead && r.PermissionsEdit).map((r) => r.Field));
      for (const name of usable) {
        if (have.has(`Account.${name}`)) continue;
        await createSObject(client, 'FieldPermissions', { ParentId: permSetId, SobjectType: 'Account', Field: `Account.${name}`, PermissionsRead: true, PermissionsEdit: true });
      }
    } catch (e) {
      if (e instanceof CrmError) throw e;
      problems.push(`permissions: ${message(e)}`);
    }
  }
  const name = 'override fields';
  if (problems.length > 0) return { step: { name, status: 'failed', message: problems.join('; ') }, usable };
  return { step: created.length > 0 ? { name, status: 'created', message: `created: ${created.join(', ')}` } : { name, status: 'exists' }, usable };
}

async function ensurePermissionSet(client: SalesforceClient, steps: Step[]): Promise<string | null> {
  try {
    const found = z.array(idRow).parse(await queryAllPages(client, `SELECT Id FROM PermissionSet WHERE Name = ${soqlString(PERMISSION_SET_NAME)}`));
    const first = found[0];
    if (first) {
      steps.push({ name: 'permission-set', status: 'exists' });
      return first.Id;
    }
    const id = await createSObject(client, 'PermissionSet', {
      Name: PERMISSION_SET_NAME,
      Label: PERMISSION_SET_NAME,
      Description: 'Read and edit access to the KAM_* Account fields written by Kamflow',
    });
    steps.push({ name: 'permission-set', status: 'created' });
    return id;
  } catch (e) {
    if (e instanceof CrmError) throw e;
    steps.push({ name: 'permission-set', status: 'failed', message: message(e) });
    return null;
  }
}

async function ensureFieldPermissions(client: SalesforceClient, permSetId: string, fields: ProvisionFieldReport[], steps: Step[]): Promise<void> {
  const grantable = fields.filter((f) => f.status !== 'failed');
  try {
    const rows = z.array(fieldPermRow).parse(
      await queryAllPages(client, `SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${soqlString(permSetId)} AND SobjectType = 'Account'`),
    );
    const have = new Set(rows.filter((r) => r.PermissionsRead && r.PermissionsEdit).map((r) => r.Field));
    const missing = grantable.filter((f) => !have.has(`Account.${f.crmName}`));
    const failures: string[] = [];
    for (const f of missing) {
      try {
        await createSObject(client, 'FieldPermissions', {
          ParentId: permSetId,
          SobjectType: 'Account',
          Field: `Account.${f.crmName}`,
          PermissionsRead: true,
          PermissionsEdit: true,
        });
      } catch (e) {
        if (e instanceof CrmError) throw e;
        failures.push(`${f.crmName}: ${message(e)}`);
      }
    }
    if (failures.length > 0) steps.push({ name: 'field-permissions', status: 'failed', message: failures.join('; ') });
    else steps.push({ name: 'field-permissions', status: missing.length > 0 ? 'created' : 'exists', ...(missing.length > 0 ? { message: `${missing.length} field(s) granted` } : {}) });
  } catch (e) {
    if (e instanceof CrmError) throw e;
    steps.push({ name: 'field-permissions', status: 'failed', message: message(e) });
  }
}

async function ensureAssignment(client: SalesforceClient, permSetId: string, steps: Step[]): Promise<void> {
  try {
    const me = await client.json('userinfo', { method: 'GET', path: '/services/oauth2/userinfo' }, userInfo);
    const found = z.array(idRow).parse(
      await queryAllPages(client, `SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlString(permSetId)} AND AssigneeId = ${soqlString(me.user_id)}`),
    );
    if (found.length > 0) {
      steps.push({ name: 'permission-set-assignment', status: 'exists' });
      return;
    }
    await createSObject(client, 'PermissionSetAssignment', { PermissionSetId: permSetId, AssigneeId: me.user_id });
    steps.push({ name: 'permission-set-assignment', status: 'created' });
  } catch (e) {
    if (e instanceof CrmError) throw e;
    steps.push({ name: 'permission-set-assignment', status: 'failed', message: message(e) });
  }
}

/**
 * The fields that go on the layout: Kamflow computes its own, so reps read them and never type
 * over them; the override fields, which managers type into, stay editable.
 */
function layoutFields(fields: readonly ProvisionFieldReport[], overrides: readonly string[]): LayoutField[] {
  const usable = new Set(fields.filter((f) => f.status === 'created' || f.status === 'exists').map((f) => f.crmName));
  return [
    ...SALESFORCE_OUTPUT_FIELDS.filter((f) => usable.has(f.apiName)).map((f): LayoutField => ({ apiName: f.apiName, behavior: 'Readonly' })),
    ...overrides.map((apiName): LayoutField => ({ apiName, behavior: 'Edit' })),
  ];
}

export async function provisionAccountFields(client: SalesforceClient, logger: Logger, pageLayouts: readonly string[]): Promise<ProvisionReport> {
  try {
    const existing = await describeFields(client, 'Account');
    const fields = await provisionFields(client, existing);
    const steps: Step[] = [];
    const runObject = await ensureRunObject(client);
    steps.push(runObject);
    const permSetId = await ensurePermissionSet(client, steps);
    const overrides = await provisionOverrideFields(client, existing, permSetId);
    steps.push(overrides.step);
    if (permSetId) {
      await ensureFieldPermissions(client, permSetId, fields, steps);
      if (runObject.status !== 'failed') steps.push(await grantRunObject(client, permSetId));
      await ensureAssignment(client, permSetId, steps);
      await recheckHidden(client, fields);
    }
    if (pageLayouts.length === 0) steps.push({ name: 'page-layout', status: 'skipped', message: 'no page layouts named (pageLayouts option is empty)' });
    else steps.push(...(await placeFieldsOnLayouts(client, pageLayouts, layoutFields(fields, overrides.usable))));
    for (const f of fields) if (f.message && f.status !== 'created') logger.warn({ field: f.crmName, status: f.status }, f.message);
    return { fields, steps };
  } catch (e) {
    throw stopError('provisioning', e);
  }
}
