import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { DEFAULT_ACCOUNT_LAYOUT } from '../../../src/sandbox/salesforce/layouts.ts';
import { smallSnapshot } from './fixture.ts';

/**
 * The simulated Metadata API refuses what the service does: more than 10 components a call, a
 * layout that names no field of the object, places a field twice, drops the required Name or
 * has the wrong number of columns for its style; a custom object nobody was granted stays out of
 * reach; an upsert needs an external id field and object permissions.
 */

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function started(provisioned = false): Promise<Sandbox> {
  sb = await startSandbox({ seed: smallSnapshot(), provisioned });
  return sb;
}

async function soap(s: Sandbox, operation: string, content: string, token = s.salesforce.accessToken): Promise<{ status: number; body: string }> {
  const res = await fetch(`${s.url}/services/Soap/m/62.0`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=UTF-8', SOAPAction: '""' },
    body: '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://soap.sforce.com/2006/04/metadata">'
      + `<soapenv:Header><SessionHeader><sessionId>${token}</sessionId></SessionHeader></soapenv:Header><soapenv:Body><${operation}>${content}</${operation}></soapenv:Body></soapenv:Envelope>`,
  });
  return { status: res.status, body: await res.text() };
}

const layoutUpdate = (content: string) => `<metadata xsi:type="Layout"><fullName>Account-Account Layout</fullName>${content}</metadata>`;
const section = (label: string, style: string, columns: string[]) =>
  `<layoutSections><customLabel>true</customLabel><detailHeading>true</detailHeading><editHeading>true</editHeading><label>${label}</label>${columns.map((c) => `<layoutColumns>${c}</layoutColumns>`).join('')}<style>${style}</style></layoutSections>`;
const item = (field: string, behavior = 'Edit') => `<layoutItems><behavior>${behavior}</behavior><field>${field}</field></layoutItems>`;

describe('Salesforce Metadata API (simulated)', () => {
  it('refuses a bad session with a SOAP fault', async () => {
    const s = await started();
    const res = await soap(s, 'readMetadata', '<type>Layout</type><fullNames>Account-Account Layout</fullNames>', 'not-a-token');
    expect(res.status).toBe(500);
    expect(res.body).toContain('<faultcode>sf:INVALID_SESSION_ID</faultcode>');
  });

  it('reads a layout back as stored, and a name that matches nothing as an empty record', async () => {
    const s = await started();
    const res = await soap(s, 'readMetadata', '<type>Layout</type><fullNames>Account-Account Layout</fullNames><fullNames>Account-Nope</fullNames>');
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<records xsi:type="Layout"><fullName>Account-Account Layout</fullName>${DEFAULT_ACCOUNT_LAYOUT}</records><records xsi:type="Layout"/>`);
  });

  it('takes at most 10 components a call', async () => {
    const s = await started();
    const names = Array.from({ length: 11 }, (_, i) => `<fullNames>Account-L${i}</fullNames>`).join('');
    const res = await soap(s, 'readMetadata', `<type>Layout</type>${names}`);
    expect([res.status, /<faultcode>sf:INVALID_ARGUMENT<\/faultcode>/.test(res.body)]).toEqual([500, true]);
  });

  it.each([
    ['a field the object does not have', section('S', 'TwoColumnsTopToBottom', [item('Name', 'Required'), item('Nope__c')]), 'FIELD_INTEGRITY_EXCEPTION'],
    ['a field placed twice', section('S', 'TwoColumnsTopToBottom', [item('Name', 'Required') + item('Industry'), item('Industry')]), 'DUPLICATE_VALUE'],
    ['a layout without the required Name', section('S', 'OneColumn', [item('Industry')]), 'REQUIRED_FIELD_MISSING'],
    ['two columns in a one-column section', section('S', 'OneColumn', [item('Name', 'Required'), item('Industry')]), 'FIELD_INTEGRITY_EXCEPTION'],
    ['an unknown behavior', section('S', 'OneColumn', [item('Name', 'Required') + item('Industry', 'Hidden')]), 'FIELD_INTEGRITY_EXCEPTION'],
    ['an unknown style', section('S', 'FourColumns', [item('Name', 'Required')]), 'FIELD_INTEGRITY_EXCEPTION'],
  ])('refuses a layout update with %s and keeps the layout as it was', async (_what, content, code) => {
    const s = await started();
    const res = await soap(s, 'updateMetadata', layoutUpdate(content));
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<statusCode>${code}</statusCode>`);
    expect(res.body).toContain('<success>false</success>');
    expect(s.sf.layout('Account-Account Layout')).toBe(DEFAULT_ACCOUNT_LAYOUT);
  });

  it('replaces a layout whole on a valid update, and refuses one of a layout that does not exist', async () => {
    const s = await started();
    const content = section('Only', 'OneColumn', [item('Name', 'Required')]);
    const ok = await soap(s, 'updateMetadata', layoutUpdate(content));
    expect(ok.body).toContain('<success>true</success>');
    expect(s.sf.layout('Account-Account Layout')).toBe(content);
    const missing = await soap(s, 'updateMetadata', '<metadata xsi:type="Layout"><fullName>Account-Nope</fullName></metadata>');
    expect(missing.body).toContain('<statusCode>INVALID_CROSS_REFERENCE_KEY</statusCode>');
  });

  it('creates a custom object out of everyone\'s reach until object permissions grant it', async () => {
    const s = await started();
    const created = await soap(s, 'createMetadata', '<metadata xsi:type="CustomObject"><fullName>Thing__c</fullName><deploymentStatus>Deployed</deploymentStatus><label>Thing</label><nameField><label>Thing Name</label><type>Text</type></nameField><pluralLabel>Things</pluralLabel><sharingModel>Read</sharingModel></metadata>');
    expect(created.body).toContain('<success>true</success>');
    const again = await soap(s, 'createMetadata', '<metadata xsi:type="CustomObject"><fullName>Thing__c</fullName><deploymentStatus>Deployed</deploymentStatus><label>Thing</label><nameField><label>Thing Name</label><type>Text</type></nameField><pluralLabel>Things</pluralLabel><sharingModel>Read</sharingModel></metadata>');
    expect(again.body).toContain('<statusCode>DUPLICATE_DEVELOPER_NAME</statusCode>');
    const noName = await soap(s, 'createMetadata', '<metadata xsi:type="CustomObject"><fullName>Other__c</fullName><deploymentStatus>Deployed</deploymentStatus><label>Other</label><pluralLabel>Others</pluralLabel><sharingModel>Read</sharingModel></metadata>');
    expect(noName.body).toContain('<statusCode>REQUIRED_FIELD_MISSING</statusCode>');
    const field = await soap(s, 'createMetadata', '<metadata xsi:type="CustomField"><fullName>Thing__c.Key__c</fullName><externalId>true</externalId><label>Key</label><length>20</length><type>Text</type><unique>true</unique></metadata>');
    expect(field.body).toContain('<success>true</success>');
    const badExternal = await soap(s, 'createMetadata', '<metadata xsi:type="CustomField"><fullName>Thing__c.When__c</fullName><externalId>true</externalId><label>When</label><type>DateTime</type></metadata>');
    expect(badExternal.body).toContain('<success>false</success>');
    expect(() => s.sf.query('SELECT Id FROM Thing__c')).toThrow(/Thing__c/);
  });
});

describe('Salesforce upsert by external id (simulated)', () => {
  const upsert = async (s: Sandbox, path: string, body: Record<string, unknown>) => {
    const res = await fetch(`${s.url}/services/data/v62.0/sobjects/${path}`, {
      method: 'PATCH', headers: { Authorization: `Bearer ${s.salesforce.accessToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it('creates with 201, updates with 200, and refuses a field that is no external id or a body that sets the key', async () => {
    const s = await started(true);
    const first = await upsert(s, 'KAM_Run__c/Connection_Key__c/sf-1', { Name: 'Kamflow', Last_Run_Finished_At__c: '2026-11-23T02:05:00.000Z' });
    expect(first).toMatchObject({ status: 201, body: { success: true, created: true } });
    const second = await upsert(s, 'KAM_Run__c/Connection_Key__c/sf-1', { Last_Run_Finished_At__c: '2026-11-24T02:05:00.000Z' });
    expect(second).toMatchObject({ status: 200, body: { success: true, created: false } });
    expect(s.sf.query('SELECT Connection_Key__c FROM KAM_Run__c')).toHaveLength(1);
    expect((await upsert(s, 'KAM_Run__c/Name/Kamflow', { Next_Run_Due_By__c: null })).status).toBe(404);
    expect((await upsert(s, 'KAM_Run__c/Connection_Key__c/sf-2', { Connection_Key__c: 'sf-2', Name: 'x' })).status).toBe(400);
    const noName = await upsert(s, 'KAM_Run__c/Connection_Key__c/sf-3', { Last_Run_Finished_At__c: null });
    expect(noName).toMatchObject({ status: 400, body: [{ errorCode: 'REQUIRED_FIELD_MISSING' }] });
  });

  it('refuses to create without object permissions', async () => {
    const s = await started(true);
    for (const row of s.sf.query("SELECT Id FROM ObjectPermissions WHERE SobjectType = 'KAM_Run__c'")) s.sf.delete('ObjectPermissions', String(row['Id']));
    expect((await upsert(s, 'KAM_Run__c/Connection_Key__c/sf-1', { Name: 'Kamflow' })).status).toBe(404);
  });
});
