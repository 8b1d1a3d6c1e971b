import { z } from 'zod';
import type { ProvisionReport, RunStatusRecord } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import { SalesforceHttpError, type SalesforceClient } from './client.ts';
import { createMetadata, el, inner, named, readMetadata, textOf, type XmlNode } from './metadata-api.ts';
import { queryAllPages, soqlString } from './query.ts';

/**
 * Kamflow's run status in the org: the custom object `KAM_Run__c`, one record per connection,
 * upserted on `Connection_Key__c` after every finished run (crm-apps/README.md, "The run-status
 * contract"). Provisioning makes the object when the DX project was not deployed, and grants it.
 */

export const RUN_OBJECT = 'KAM_Run__c';
export const RUN_KEY_FIELD = 'Connection_Key__c';

type Step = ProvisionReport['steps'][number];

/** The object and fields as in crm-apps/salesforce/force-app/main/default/objects/KAM_Run__c. */
const OBJECT_METADATA: XmlNode[] = [
  el('fullName', RUN_OBJECT),
  el('deploymentStatus', 'Deployed'),
  el('description', "Kamflow's run status for this org: one record per Kamflow connection, updated once per run."),
  el('label', 'Kamflow Run'),
  el('nameField', [el('label', 'Kamflow Run Name'), el('type', 'Text')]),
  el('pluralLabel', 'Kamflow Runs'),
  el('sharingModel', 'Read'),
];

const FIELDS: { name: string; metadata: XmlNode[] }[] = [
  { name: RUN_KEY_FIELD, metadata: [el('caseSensitive', 'false'), el('externalId', 'true'), el('label', 'Connection Key'), el('length', '80'), el('type', 'Text'), el('unique', 'true')] },
  { name: 'Last_Run_Finished_At__c', metadata: [el('label', 'Last Run Finished At'), el('type', 'DateTime')] },
  { name: 'Next_Run_Due_By__c', metadata: [el('label', 'Next Run Due By'), el('type', 'DateTime')] },
];
export const RUN_FIELDS = FIELDS.map((f) => f.name);

function failure(e: unknown): string {
  if (e instanceof SalesforceHttpError) return `${e.errorCode}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** Creates `KAM_Run__c` and whichever of its fields are missing; deployed ones are left as they are. */
export async function ensureRunObject(client: SalesforceClient): Promise<Step> {
  const name = `custom object ${RUN_OBJECT}`;
  try {
    const [existing] = await readMetadata(client, 'CustomObject', [RUN_OBJECT]);
    let created = false;
    if (!existing) {
      const [result] = await createMetadata(client, 'CustomObject', [OBJECT_METADATA]);
      if (!result?.success) return { name, status: 'failed', message: result?.errors.join('; ') || 'no result for the object' };
      created = true;
    }
    const have = new Set((existing ? named(existing, 'fields') : []).map((f) => textOf(inner(f), 'fullName')));
    const missing = FIELDS.filter((f) => !have.has(f.name));
    if (missing.length > 0) {
      const results = await createMetadata(client, 'CustomField', missing.map((f) => [el('fullName', `${RUN_OBJECT}.${f.name}`), ...f.metadata]));
      const failed = results.filter((r) => !r.success);
      if (failed.length > 0) return { name, status: 'failed', message: failed.map((r) => `${r.fullName}: ${r.errors.join('; ')}`).join('; ') };
    }
    if (created || missing.length > 0) return { name, status: 'created', message: created ? 'object and fields created' : `fields created: ${missing.map((f) => f.name).join(', ')}` };
    return { name, status: 'exists' };
  } catch (e) {
    if (e instanceof CrmError) throw e;
    return { name, status: 'failed', message: failure(e) };
  }
}

const permRow = z.object({ Id: z.string() }).loose();

async function createRow(client: SalesforceClient, sobject: string, body: Record<string, unknown>): Promise<void> {
  await client.json('sobjectCreate', {
    method: 'POST', path: `${client.versionPath}/sobjects/${sobject}`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }, z.object({ id: z.string().min(1) }));
}

/**
 * Read, create and edit on the object, then read and edit on its fields, in the permission set:
 * field permissions of an object need read on the object first.
 */
export async function grantRunObject(client: SalesforceClient, permSetId: string): Promise<Step> {
  const name = `${RUN_OBJECT} permissions`;
  try {
    const objectRows = z.array(permRow).parse(await queryAllPages(client,
      `SELECT Id FROM ObjectPermissions WHERE ParentId = ${soqlString(permSetId)} AND SobjectType = ${soqlString(RUN_OBJECT)}`));
    let granted = 0;
    if (objectRows.length === 0) {
      await createRow(client, 'ObjectPermissions', { ParentId: permSetId, SobjectType: RUN_OBJECT, PermissionsRead: true, PermissionsCreate: true, PermissionsEdit: true });
      granted++;
    }
    const fieldRows = z.array(z.object({ Field: z.string() }).loose()).parse(await queryAllPages(client,
      `SELECT Field FROM FieldPermissions WHERE ParentId = ${soqlString(permSetId)} AND SobjectType = ${soqlString(RUN_OBJECT)}`));
    const have = new Set(fieldRows.map((r) => r.Field));
    for (const field of RUN_FIELDS) {
      if (have.has(`${RUN_OBJECT}.${field}`)) continue;
      await createRow(client, 'FieldPermissions', { ParentId: permSetId, SobjectType: RUN_OBJECT, Field: `${RUN_OBJECT}.${field}`, PermissionsRead: true, PermissionsEdit: true });
      granted++;
    }
    return granted > 0 ? { name, status: 'created', message: `${granted} permission(s) granted` } : { name, status: 'exists' };
  } catch (e) {
    if (e instanceof CrmError) throw e;
    return { name, status: 'failed', message: failure(e) };
  }
}

const upsertResult = z.object({ id: z.string().min(1), success: z.boolean(), created: z.boolean().optional() });

/** Upserts the connection's record: one call, whatever the record held before. */
export async function upsertRunStatus(client: SalesforceClient, status: RunStatusRecord): Promise<void> {
  await client.json('runStatusUpsert', {
    method: 'PATCH',
    path: `${client.versionPath}/sobjects/${RUN_OBJECT}/${RUN_KEY_FIELD}/${encodeURIComponent(status.connectionKey)}`,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ Name: 'Kamflow', Last_Run_Finished_At__c: status.lastRunFinishedAt, Next_Run_Due_By__c: status.nextRunDueBy }),
  }, upsertResult);
}
