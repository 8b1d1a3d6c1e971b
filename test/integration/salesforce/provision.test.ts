import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SALESFORCE_OUTPUT_FIELDS, SALESFORCE_OVERRIDE_FIELDS } from '../../../mappings/salesforce.ts';
import { INSTANCE, V, limitHeader, makeConnector, queryMatching, setupNock, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

const created = (id: string) => ({ id, success: true, errors: [] });
const none = { totalSize: 0, done: true, records: [] };

/** The Metadata API's answer to readMetadata of KAM_Run__c when the DX project was deployed. */
const RUN_OBJECT_READ = '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
  + '<readMetadataResponse><result><records xsi:type="CustomObject"><fullName>KAM_Run__c</fullName>'
  + '<fields><fullName>Connection_Key__c</fullName><externalId>true</externalId><type>Text</type></fields>'
  + '<fields><fullName>Last_Run_Finished_At__c</fullName><type>DateTime</type></fields><fields><fullName>Next_Run_Due_By__c</fullName><type>DateTime</type></fields>'
  + '<label>Kamflow Run</label></records></result></readMetadataResponse></soapenv:Body></soapenv:Envelope>';
const soapBody = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body));

describe('provisioning', () => {
  it('creates the missing half of the fields, leaves existing ones, reports a wrong type, and grants access', async () => {
    const tooling: { FullName: string; Metadata: Record<string, unknown> }[] = [];
    const fieldPerms: Record<string, unknown>[] = [];
    const overrideFields: { FullName: string; Metadata: Record<string, unknown> }[] = [];
    const scope = nock(INSTANCE);
    scope
      .get(`${V}/sobjects/Account/describe`)
      .reply(200, {
        fields: [
          { name: 'Id', type: 'id' },
          { name: 'KAM_Tier__c', type: 'picklist', picklistValues: [{ value: 'Key' }] },
          { name: 'KAM_Key_Account__c', type: 'boolean' },
          { name: 'KAM_Score__c', type: 'double', precision: 5, scale: 1 },
          { name: 'KAM_Revenue_Share__c', type: 'percent', precision: 5, scale: 2 },
          { name: 'KAM_Penetration__c', type: 'string', length: 20 },
          { name: 'KAM_Whitespace_Value__c', type: 'currency', precision: 18, scale: 2 },
        ],
      }, limitHeader(1))
      .post(`${V}/tooling/sobjects/CustomField`, (b: { FullName: string; Metadata: Record<string, unknown> }) => {
        if (b.FullName.startsWith('Account.KAM_Override_')) return false;
        tooling.push(b);
        return b.FullName !== 'Account.KAM_Risks__c';
      })
      .times(6)
      .reply(201, (_u, b) => created(`00N${(b as { FullName: string }).FullName.length}`), limitHeader(2))
      .post(`${V}/tooling/sobjects/CustomField`, (b: { FullName: string }) => b.FullName === 'Account.KAM_Risks__c')
      .reply(400, [{ message: 'Duplicate developer name', errorCode: 'DUPLICATE_DEVELOPER_NAME' }], limitHeader(3))
      .post('/services/Soap/m/62.0', (b: unknown) => soapBody(b).includes('<readMetadata><type>CustomObject</type><fullNames>KAM_Run__c</fullNames></readMetadata>'))
      .reply(200, RUN_OBJECT_READ, { 'Content-Type': 'text/xml' })
      .get(`${V}/query`)
      .query(queryMatching(/^SELECT Id FROM PermissionSet WHERE Name = 'Kamflow'$/))
      .reply(200, none, limitHeader(4))
      .post(`${V}/sobjects/PermissionSet`, (b: Record<string, unknown>) => b['Name'] === 'Kamflow' && b['Label'] === 'Kamflow')
      .reply(201, created('0PS000000000001'), limitHeader(5))
      // The override fields: created, then granted read and edit.
      .post(`${V}/tooling/sobjects/CustomField`, (b: { FullName: string; Metadata: Record<string, unknown> }) => {
        overrideFields.push(b);
        return b.FullName.startsWith('Account.KAM_Override_');
      })
      .times(4)
      .reply(201, created('00NOV'), limitHeader(5))
      .get(`${V}/query`)
      .query(queryMatching(/FROM FieldPermissions WHERE ParentId = '0PS000000000001' AND SobjectType = 'Account' AND Field IN \('Account.KAM_Override_Tier__c', /))
      .reply(200, none, limitHeader(5))
      .post(`${V}/sobjects/FieldPermissions`, (b: Record<string, unknown>) => String(b['Field']).startsWith('Account.KAM_Override_'))
      .times(4)
      .reply(201, created('01kO'), limitHeader(5))
      .get(`${V}/query`)
      .query(queryMatching(/FROM FieldPermissions WHERE ParentId = '0PS000000000001' AND SobjectType = 'Account'$/))
      .reply(200, { totalSize: 1, done: true, records: [{ Id: '01k1', Field: 'Account.KAM_Tier__c', PermissionsRead: true, PermissionsEdit: true }] }, limitHeader(6))
      .post(`${V}/sobjects/FieldPermissions`, (b: Record<string, unknown>) => {
        if (b['SobjectType'] !== 'Account' || String(b['Field']).startsWith('Account.KAM_Override_')) return false;
        fieldPerms.push(b);
        return true;
      })
      .times(12)
      .reply(201, created('01kX'), limitHeader(7))
      .get(`${V}/query`)
      .query(queryMatching(/FROM ObjectPermissions WHERE ParentId = '0PS000000000001' AND SobjectType = 'KAM_Run__c'$/))
      .reply(200, none, limitHeader(7))
      .post(`${V}/sobjects/ObjectPermissions`, { ParentId: '0PS000000000001', SobjectType: 'KAM_Run__c', PermissionsRead: true, PermissionsCreate: true, PermissionsEdit: true })
      .reply(201, created('110X'), limitHeader(7))
      .get(`${V}/query`)
      .query(queryMatching(/FROM FieldPermissions WHERE ParentId = '0PS000000000001' AND SobjectType = 'KAM_Run__c'$/))
      .reply(200, none, limitHeader(7))
      .post(`${V}/sobjects/FieldPermissions`, (b: Record<string, unknown>) => b['SobjectType'] === 'KAM_Run__c')
      .times(3)
      .reply(201, created('01kR'), limitHeader(7))
      .get('/services/oauth2/userinfo')
      .reply(200, { user_id: '005000000000001', organization_id: '00D000000000001', name: 'Integration' }, limitHeader(8))
      .get(`${V}/query`)
      .query(queryMatching(/FROM PermissionSetAssignment WHERE PermissionSetId = '0PS000000000001' AND AssigneeId = '005000000000001'$/))
      .reply(200, none, limitHeader(9))
      .post(`${V}/sobjects/PermissionSetAssignment`, { PermissionSetId: '0PS000000000001', AssigneeId: '005000000000001' })
      .reply(201, created('0Pa1'), limitHeader(10))
      // Granted, the field that was hidden can be described: its type is checked then.
      .get(`${V}/sobjects/Account/describe`)
      .reply(200, { fields: [{ name: 'Id', type: 'id' }, { name: 'KAM_Risks__c', type: 'textarea', length: 32768 }] }, limitHeader(11));

    const report = await makeConnector({ pageLayouts: [] }).provision();
    expect(scope.isDone()).toBe(true);

    expect(Object.fromEntries(report.fields.map((f) => [f.crmName, f.status]))).toEqual({
      KAM_Tier__c: 'exists',
      KAM_Key_Account__c: 'exists',
      KAM_Score__c: 'exists',
      KAM_Revenue_Share__c: 'exists',
      KAM_Penetration__c: 'wrong-type',
      KAM_Whitespace_Value__c: 'exists',
      KAM_Next_Best_Offers__c: 'created',
      KAM_Reasons__c: 'created',
      KAM_Why__c: 'created',
      KAM_Contact_Coverage__c: 'created',
      KAM_Risks__c: 'exists',
      KAM_Ultimate_Parent__c: 'created',
      KAM_Updated_At__c: 'created',
    });
    expect(report.fields.find((f) => f.crmName === 'KAM_Tier__c')?.message).toBe('picklist lacks Develop, Maintain, Standard');
    expect(report.fields.find((f) => f.crmName === 'KAM_Score__c')?.message).toBeUndefined();
    expect(report.fields.find((f) => f.crmName === 'KAM_Penetration__c')?.message).toBe('Account.KAM_Penetration__c is string, expected percent; left as it is');
    expect(tooling.find((t) => t.FullName === 'Account.KAM_Next_Best_Offers__c')?.Metadata).toEqual({ type: 'LongTextArea', label: 'KAM Next Best Offers', length: 32768, visibleLines: 5 });
    expect(tooling.find((t) => t.FullName === 'Account.KAM_Contact_Coverage__c')?.Metadata).toEqual({ type: 'Text', label: 'KAM Contact Coverage', length: 255 });
    expect(tooling.find((t) => t.FullName === 'Account.KAM_Why__c')?.Metadata).toEqual({ type: 'Text', label: 'KAM Why', length: 255 });
    expect(tooling.find((t) => t.FullName === 'Account.KAM_Updated_At__c')?.Metadata).toEqual({ type: 'DateTime', label: 'KAM Updated At' });
    expect(fieldPerms.map((p) => p['Field'])).toEqual(SALESFORCE_OUTPUT_FIELDS.filter((f) => f.apiName !== 'KAM_Tier__c').map((f) => `Account.${f.apiName}`));
    expect(fieldPerms[0]).toEqual({ ParentId: '0PS000000000001', SobjectType: 'Account', Field: 'Account.KAM_Key_Account__c', PermissionsRead: true, PermissionsEdit: true });
    expect(overrideFields.map((f) => [f.FullName, f.Metadata['type']])).toEqual([
      ['Account.KAM_Override_Tier__c', 'Picklist'], ['Account.KAM_Override_Reason__c', 'Text'], ['Account.KAM_Override_Until__c', 'Date'], ['Account.KAM_Override_By__c', 'Text'],
    ]);
    expect(report.steps).toEqual([
      { name: 'custom object KAM_Run__c', status: 'exists' },
      { name: 'permission-set', status: 'created' },
      { name: 'override fields', status: 'created', message: 'created: KAM_Override_Tier__c, KAM_Override_Reason__c, KAM_Override_Until__c, KAM_Override_By__c' },
      { name: 'field-permissions', status: 'created', message: '12 field(s) granted' },
      { name: 'KAM_Run__c permissions', status: 'created', message: '4 permission(s) granted' },
      { name: 'permission-set-assignment', status: 'created' },
      { name: 'page-layout', status: 'skipped', message: 'no page layouts named (pageLayouts option is empty)' },
    ]);
  });

  it('changes nothing on a second run when everything is in place', async () => {
    nock(INSTANCE)
      .get(`${V}/sobjects/Account/describe`)
      .reply(200, { fields: [...SALESFORCE_OUTPUT_FIELDS, ...SALESFORCE_OVERRIDE_FIELDS].map((f) => ({ name: f.apiName, type: f.describeType })) }, limitHeader(1))
      .post('/services/Soap/m/62.0')
      .reply(200, RUN_OBJECT_READ, { 'Content-Type': 'text/xml' })
      .get(`${V}/query`)
      .query(queryMatching(/FROM PermissionSet WHERE/))
      .reply(200, { totalSize: 1, done: true, records: [{ Id: '0PS1' }] }, limitHeader(2))
      .get(`${V}/query`)
      .query(queryMatching(/AND Field IN \('Account.KAM_Override_Tier__c'/))
      .reply(200, { totalSize: 4, done: true, records: SALESFORCE_OVERRIDE_FIELDS.map((f, i) => ({ Id: `01o${i}`, Field: `Account.${f.apiName}`, PermissionsRead: true, PermissionsEdit: true })) }, limitHeader(2))
      .get(`${V}/query`)
      .query(queryMatching(/FROM FieldPermissions/))
      .reply(200, { totalSize: 13, done: true, records: SALESFORCE_OUTPUT_FIELDS.map((f, i) => ({ Id: `01k${i}`, Field: `Account.${f.apiName}`, PermissionsRead: true, PermissionsEdit: true })) }, limitHeader(3))
      .get(`${V}/query`)
      .query(queryMatching(/FROM ObjectPermissions WHERE/))
      .reply(200, { totalSize: 1, done: true, records: [{ Id: '110R' }] }, limitHeader(3))
      .get(`${V}/query`)
      .query(queryMatching(/FROM FieldPermissions WHERE ParentId = '0PS1' AND SobjectType = 'KAM_Run__c'/))
      .reply(200, { totalSize: 3, done: true, records: ['Connection_Key__c', 'Last_Run_Finished_At__c', 'Next_Run_Due_By__c'].map((f) => ({ Id: `01r${f}`, Field: `KAM_Run__c.${f}` })) }, limitHeader(3))
      .get('/services/oauth2/userinfo')
      .reply(200, { user_id: '005U1', organization_id: '00D1' }, limitHeader(4))
      .get(`${V}/query`)
      .query(queryMatching(/FROM PermissionSetAssignment/))
      .reply(200, { totalSize: 1, done: true, records: [{ Id: '0Pa1' }] }, limitHeader(5));
    const sf = makeConnector({ pageLayouts: [] });
    const report = await sf.provision();
    expect(report.fields.every((f) => f.status === 'exists')).toBe(true);
    expect(report.steps.map((s) => s.status)).toEqual(['exists', 'exists', 'exists', 'exists', 'exists', 'exists', 'skipped']);
    expect(sf.usage()).toEqual({ describe: 1, metadataRead: 1, query: 6, userinfo: 1 });
  });
});
