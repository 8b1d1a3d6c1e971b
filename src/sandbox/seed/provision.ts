import { OUTPUT_FIELDS, TIERS, type OutputFieldSpec } from '../../model/output-fields.ts';
import { customObjectDef, type SfFieldDef } from '../salesforce/schema.ts';
import type { SalesforceStore } from '../salesforce/store.ts';
import type { HsPropertyDef, HsPropertyType } from '../hubspot/properties.ts';
import type { HubSpotStore } from '../hubspot/store.ts';
import { salesforceFieldName } from './names.ts';

function sfField(spec: OutputFieldSpec): SfFieldDef {
  const base = { name: salesforceFieldName(spec.key), label: spec.label, custom: true, needsFls: true };
  switch (spec.type) {
    case 'picklist':
      return { ...base, type: 'picklist', picklistValues: [...TIERS] };
    case 'checkbox':
      return { ...base, type: 'boolean' };
    case 'number':
      return { ...base, type: 'double', precision: 18, scale: spec.scale ?? 0 };
    case 'percent':
      return { ...base, type: 'percent', precision: 18, scale: spec.scale ?? 2 };
    case 'currency':
      return { ...base, type: 'currency', precision: 18, scale: spec.scale ?? 2 };
    case 'text':
      return { ...base, type: 'string', length: spec.length ?? 255 };
    case 'longtext':
      return { ...base, type: 'textarea', length: spec.length ?? 32768 };
    case 'datetime':
      return { ...base, type: 'datetime' };
  }
}

/**
 * Creates Kamflow's fields as if an earlier install had provisioned them: the Salesforce custom
 * fields with a `Kamflow` permission set assigned to the integration user, and the HubSpot
 * `kamflow` property group with its properties.
 */
export function provisionKamFields(sf: SalesforceStore, hs: HubSpotStore): void {
  const psId = sf.insert('PermissionSet', { Name: 'Kamflow', Label: 'Kamflow' });
  for (const spec of OUTPUT_FIELDS) {
    const def = sfField(spec);
    sf.addCustomField('Account', def);
    if (def.type === 'boolean') for (const rec of sf.table('Account').values()) rec[def.name] = false;
    sf.insert('FieldPermissions', { ParentId: psId, SobjectType: 'Account', Field: `Account.${def.name}`, PermissionsRead: true, PermissionsEdit: true });
  }
  const run = customObjectDef('KAM_Run__c', 'Kamflow Run Name');
  run.metadata = { label: 'Kamflow Run', pluralLabel: 'Kamflow Runs', sharingModel: 'Read', nameFieldLabel: 'Kamflow Run Name' };
  run.fields.push(
    { name: 'Connection_Key__c', type: 'string', length: 80, label: 'Connection Key', custom: true, needsFls: true, externalId: true, unique: true },
    { name: 'Last_Run_Finished_At__c', type: 'datetime', label: 'Last Run Finished At', custom: true, needsFls: true },
    { name: 'Next_Run_Due_By__c', type: 'datetime', label: 'Next Run Due By', custom: true, needsFls: true },
  );
  sf.addCustomObject(run);
  sf.insert('ObjectPermissions', { ParentId: psId, SobjectType: 'KAM_Run__c', PermissionsRead: true, PermissionsCreate: true, PermissionsEdit: true });
  for (const f of ['Connection_Key__c', 'Last_Run_Finished_At__c', 'Next_Run_Due_By__c']) {
    sf.insert('FieldPermissions', { ParentId: psId, SobjectType: 'KAM_Run__c', Field: `KAM_Run__c.${f}`, PermissionsRead: true, PermissionsEdit: true });
  }
  sf.insert('PermissionSetAssignment', { PermissionSetId: psId, AssigneeId: sf.integrationUserId });

  hs.groups.get('companies')?.set('kamflow', { name: 'kamflow', label: 'Kamflow', displayOrder: -1, archived: false });
  const now = hs.createdAt;
  OUTPUT_FIELDS.forEach((spec, i) => {
    const [type, fieldType]: [HsPropertyType, string] =
      spec.type === 'picklist' ? ['enumeration', 'select']
      : spec.type === 'checkbox' ? ['bool', 'booleancheckbox']
      : spec.type === 'number' || spec.type === 'percent' || spec.type === 'currency' ? ['number', 'number']
      : spec.type === 'datetime' ? ['datetime', 'date']
      : ['string', spec.type === 'longtext' ? 'textarea' : 'text'];
    const options =
      spec.type === 'picklist' ? TIERS.map((t, n) => ({ label: t, value: t, hidden: false, displayOrder: n }))
      : spec.type === 'checkbox' ? [{ label: 'True', value: 'true', hidden: false, displayOrder: 0 }, { label: 'False', value: 'false', hidden: false, displayOrder: 1 }]
      : [];
    const def: HsPropertyDef = {
      name: spec.key, label: spec.label, type, fieldType, groupName: 'kamflow', description: spec.description, options,
      displayOrder: i, hidden: false, hasUniqueValue: false, formField: false, hubspotDefined: false, readOnlyValue: false,
      createdAt: now, updatedAt: now,
    };
    hs.properties.get('companies')?.set(def.name, def);
  });
}
