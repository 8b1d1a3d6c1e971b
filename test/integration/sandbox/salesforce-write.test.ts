import jsforce from 'jsforce';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.ts';
import { manyAccounts, smallSnapshot } from './fixture.ts';

let sb: Sandbox | undefined;

async function start(options: SandboxOptions): Promise<{ sb: Sandbox; conn: jsforce.Connection }> {
  sb = await startSandbox(options);
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: sb.salesforce.loginUrl, clientId: sb.salesforce.clientId, clientSecret: sb.salesforce.clientSecret, redirectUri: 'http://127.0.0.1/cb' },
    instanceUrl: sb.salesforce.instanceUrl,
    accessToken: sb.salesforce.accessToken,
    refreshToken: sb.salesforce.refreshToken,
    version: '62.0',
  });
  conn.bulk2.pollInterval = 5;
  return { sb, conn };
}

afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function errorOf(p: PromiseLike<unknown>): Promise<{ errorCode?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { errorCode?: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('Salesforce provisioning through jsforce', () => {
  it('creates a custom field that stays hidden until field-level security grants it', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot() });
    const created = await conn.tooling.sobject('CustomField').create({
      FullName: 'Account.KAM_Tier__c',
      Metadata: { type: 'Picklist', label: 'KAM Tier', valueSet: { restricted: true, valueSetDefinition: { value: [{ fullName: 'Key' }, { fullName: 'Standard' }] } } },
    });
    expect(created).toMatchObject({ success: true });
    expect((created as { id: string }).id).toMatch(/^00N/);

    expect((await errorOf(conn.query('SELECT KAM_Tier__c FROM Account'))).errorCode).toBe('INVALID_FIELD');
    const before = await conn.sobject('Account').describe();
    expect(before.fields.some((f) => f.name === 'KAM_Tier__c')).toBe(false);

    const ps = (await conn.sobject('PermissionSet').create({ Name: 'Kamflow', Label: 'Kamflow', Description: 'Access to the KAM fields' })) as { id: string; success: boolean };
    expect(ps.success).toBe(true);
    expect((await conn.query<{ Description: string }>("SELECT Description FROM PermissionSet WHERE Name = 'Kamflow'")).records[0]?.Description).toBe('Access to the KAM fields');
    const fp = await conn.sobject('FieldPermissions').create({ ParentId: ps.id, SobjectType: 'Account', Field: 'Account.KAM_Tier__c', PermissionsRead: true, PermissionsEdit: true });
    expect(fp).toMatchObject({ success: true });
    expect((await errorOf(conn.query('SELECT KAM_Tier__c FROM Account'))).errorCode).toBe('INVALID_FIELD');
    await conn.sobject('PermissionSetAssignment').create({ PermissionSetId: ps.id, AssigneeId: s.salesforce.userId });

    const after = await conn.sobject('Account').describe();
    expect(after.fields.find((f) => f.name === 'KAM_Tier__c')).toMatchObject({ type: 'picklist', custom: true, updateable: true });
    const rows = await conn.query<{ KAM_Tier__c: string | null }>('SELECT KAM_Tier__c FROM Account LIMIT 1');
    expect(rows.records[0]?.KAM_Tier__c).toBeNull();

    const again = await errorOf(conn.tooling.sobject('CustomField').create({ FullName: 'Account.KAM_Tier__c', Metadata: { type: 'Text', label: 'x', length: 10 } }));
    expect(again.errorCode).toBe('DUPLICATE_DEVELOPER_NAME');
    const dupPs = await errorOf(conn.sobject('PermissionSet').create({ Name: 'Kamflow', Label: 'Kamflow' }));
    expect(dupPs.errorCode).toBe('DUPLICATE_DEVELOPER_NAME');
  });

  it('creates permission rows in one collection call with per-record results', async () => {
    const { sb: s, conn } = await start({});
    for (const name of ['KAM_Risks__c', 'KAM_Reasons__c']) {
      await conn.tooling.sobject('CustomField').create({ FullName: `Account.${name}`, Metadata: { type: 'LongTextArea', label: name.slice(4, -3), length: 32768, visibleLines: 5 } });
    }
    const ps = (await conn.sobject('PermissionSet').create({ Name: 'Kamflow', Label: 'Kamflow' })) as { id: string };
    const rows = (field: string) => ({ ParentId: ps.id, SobjectType: 'Account', Field: field, PermissionsRead: true, PermissionsEdit: true });
    const res = await conn.sobject('FieldPermissions').create([rows('Account.KAM_Risks__c'), rows('Account.KAM_Reasons__c'), rows('Account.KAM_Risks__c'), rows('Account.Missing__c')]);
    expect(res.map((r) => (r.success ? 'created' : (r.errors[0] as unknown as { statusCode: string }).statusCode))).toEqual([
      'created', 'created', 'DUPLICATE_VALUE', 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    ]);
    await conn.sobject('PermissionSetAssignment').create({ PermissionSetId: ps.id, AssigneeId: s.salesforce.userId });
    const visible = await conn.query('SELECT KAM_Risks__c, KAM_Reasons__c FROM Account');
    expect(visible.totalSize).toBe(0);
  });

  it('rejects field metadata that misses what the type needs', async () => {
    const { conn } = await start({});
    const e = await errorOf(conn.tooling.sobject('CustomField').create({ FullName: 'Account.KAM_Score__c', Metadata: { type: 'Number', label: 'KAM Score' } }));
    expect(e.errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(e.message).toBe("Must specify 'precision' for a CustomField of type Number");
  });
});

describe('Salesforce writes through jsforce', () => {
  it('updates through sObject Collections with per-record results, lock errors and moving stamps', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot(), provisioned: true, clockStart: '2026-06-01T00:00:00Z' });
    const a1 = s.ids.salesforce.accounts['a1'] as string;
    const a2 = s.ids.salesforce.accounts['a2'] as string;
    const a4 = s.ids.salesforce.accounts['a4'] as string;
    s.setFaults({ salesforce: { lockedRecords: [a2] } });
    const stampBefore = s.sf.record('Account', a1)?.['SystemModstamp'] as string;
    s.clock.advance(1000);
    const results = await conn.sobject('Account').update([
      { Id: a1, KAM_Tier__c: 'Key', KAM_Score__c: 81.25 },
      { Id: a2, KAM_Tier__c: 'Key' },
      { Id: a4, KAM_Tier__c: 'Platinum' },
    ]);
    expect(results).toEqual([
      { id: a1, success: true, errors: [] },
      { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: `unable to obtain exclusive access to this record or 1 records: ${a2}`, fields: [] }] },
      { success: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'KAM Tier: bad value for restricted picklist field: Platinum', fields: ['KAM_Tier__c'] }] },
    ]);
    const rec = s.sf.record('Account', a1);
    expect(rec?.['KAM_Tier__c']).toBe('Key');
    expect(rec?.['KAM_Score__c']).toBe(81.3);
    expect(String(rec?.['SystemModstamp']) > stampBefore).toBe(true);
    expect(rec?.['LastModifiedDate']).toBe(rec?.['SystemModstamp']);
    expect(s.sf.record('Account', a2)?.['KAM_Tier__c']).toBeNull();
    expect(s.calls()['salesforce.collectionsUpdate']).toBe(1);
  });

  it('updates and deletes single records', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot() });
    const a3 = s.ids.salesforce.accounts['a3'] as string;
    expect(await conn.sobject('Account').update({ Id: a3, Name: 'Lab' })).toEqual({ id: a3, success: true, errors: [] });
    expect(s.sf.record('Account', a3)?.['Name']).toBe('Lab');
    s.setFaults({ salesforce: { lockedRecords: [a3] } });
    expect((await errorOf(conn.sobject('Account').update({ Id: a3, Name: 'Lab 2' }))).errorCode).toBe('UNABLE_TO_LOCK_ROW');
    s.setFaults({});
    await conn.sobject('Account').destroy(a3);
    expect(s.sf.record('Account', a3)?.['IsDeleted']).toBe(true);
    expect((await errorOf(conn.sobject('Account').update({ Id: a3, Name: 'x' }))).errorCode).toBe('ENTITY_IS_DELETED');
  });

  it('rolls back every record with allOrNone and rejects unknown fields and more than 200 records', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot(), provisioned: true });
    const a1 = s.ids.salesforce.accounts['a1'] as string;
    const res = await conn.sobject('Account').update([{ Id: a1, KAM_Tier__c: 'Key' }, { Id: '001Kf0000000zzzAAA', KAM_Tier__c: 'Key' }], { allOrNone: true });
    expect(res.map((r) => (r.success ? 'ok' : (r.errors[0] as unknown as { statusCode: string }).statusCode))).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'INVALID_CROSS_REFERENCE_KEY']);
    expect(s.sf.record('Account', a1)?.['KAM_Tier__c']).toBeNull();
    const unknown = await errorOf(conn.sobject('Account').update([{ Id: a1, Nope__c: 1 }]));
    expect(unknown.errorCode).toBe('INVALID_FIELD');
    const tooMany = Array.from({ length: 201 }, () => ({ Id: a1, Name: 'x' }));
    expect((await errorOf(conn.sobject('Account').update(tooMany))).errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('runs a Bulk API 2.0 query through jsforce', async () => {
    const { sb: s, conn } = await start({ seed: manyAccounts(25) });
    const stream = await conn.bulk2.query("SELECT Id, Name, NumberOfEmployees FROM Account WHERE Name LIKE 'Bulk 0001%' ORDER BY Name");
    const records = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const out: Record<string, unknown>[] = [];
      stream.on('record', (r: Record<string, unknown>) => out.push(r));
      stream.on('error', reject);
      stream.on('end', () => resolve(out));
    });
    expect(records).toHaveLength(10);
    expect(records[0]).toEqual({ Id: s.ids.salesforce.accounts['b10'], Name: 'Bulk 00010', NumberOfEmployees: '9' });
    expect(s.calls()['salesforce.bulkQuery']).toBe(3);
  });

  it('pages Bulk API 2.0 query results with Sforce-Locator until "null"', async () => {
    // jsforce 3.10.16 pipes every result page into one stream and fails on the second page
    // ("write after end"), so the locator protocol is checked over plain HTTP.
    const { sb: s } = await start({ seed: manyAccounts(25) });
    const base = `${s.salesforce.instanceUrl}/services/data/v62.0/jobs/query`;
    const auth = { authorization: `Bearer ${s.salesforce.accessToken}` };
    const created = await fetch(base, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ operation: 'query', query: 'SELECT Name FROM Account ORDER BY Name' }) });
    const job = (await created.json()) as { id: string; state: string };
    expect(job.state).toBe('UploadComplete');
    const polled = (await (await fetch(`${base}/${job.id}`, { headers: auth })).json()) as { state: string; numberRecordsProcessed: number };
    expect(polled).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 25 });
    const pages: string[][] = [];
    let locator = '';
    do {
      const res = await fetch(`${base}/${job.id}/results?maxRecords=10${locator ? `&locator=${locator}` : ''}`, { headers: { ...auth, accept: 'text/csv' } });
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = (await res.text()).trim().split('\n');
      expect(lines[0]).toBe('Name');
      expect(Number(res.headers.get('sforce-numberofrecords'))).toBe(lines.length - 1);
      pages.push(lines.slice(1));
      locator = res.headers.get('sforce-locator') ?? 'null';
    } while (locator !== 'null');
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages[2]?.[4]).toBe('Bulk 00025');
    const withParent = (await (await fetch(base, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ operation: 'query', query: "SELECT Name, parent.name FROM Account WHERE Name IN ('Bulk 00001', 'Bulk 00002')" }) })).json()) as { id: string };
    await fetch(`${base}/${withParent.id}`, { headers: auth });
    const csv = await (await fetch(`${base}/${withParent.id}/results`, { headers: { ...auth, accept: 'text/csv' } })).text();
    expect(csv).toBe('Name,parent.name\nBulk 00001,\nBulk 00002,\n');
    const wrongVersion = await fetch(`${s.salesforce.instanceUrl}/services/data/v61.0/jobs/query/${job.id}/results`, { headers: auth });
    expect(wrongVersion.status).toBe(409);
  });

  it('loads a Bulk API 2.0 update and reports successful and failed rows', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot(), provisioned: true });
    const a1 = s.ids.salesforce.accounts['a1'] as string;
    const a4 = s.ids.salesforce.accounts['a4'] as string;
    s.setFaults({ salesforce: { lockedRecords: [a4] } });
    const res = await conn.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'update',
      input: [{ Id: a1, KAM_Risks__c: 'declining, stalled', KAM_Key_Account__c: true }, { Id: a4, KAM_Risks__c: 'none', KAM_Key_Account__c: false }],
    });
    expect(res.successfulResults.map((r) => r.sf__Id)).toEqual([a1]);
    expect(res.failedResults.map((r) => [r.sf__Id, r.sf__Error])).toEqual([[a4, `UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: ${a4}:--`]]);
    expect(s.sf.record('Account', a1)).toMatchObject({ KAM_Risks__c: 'declining, stalled', KAM_Key_Account__c: true });
  });
});

describe('Salesforce Bulk API 2.0 ingest states', () => {
  it('reports UploadComplete, then JobComplete, and fails a job with an unknown column', async () => {
    const { sb: s } = await start({ seed: smallSnapshot() });
    const base = `${s.salesforce.instanceUrl}/services/data/v62.0/jobs/ingest`;
    const json = { authorization: `Bearer ${s.salesforce.accessToken}`, 'content-type': 'application/json' };
    const run = async (csv: string): Promise<{ closed: { state: string }; polled: { state: string; errorMessage?: string; numberRecordsFailed: number } }> => {
      const job = (await (await fetch(base, { method: 'POST', headers: json, body: JSON.stringify({ object: 'Account', operation: 'update', contentType: 'CSV', lineEnding: 'LF' }) })).json()) as { id: string; state: string };
      expect(job.state).toBe('Open');
      const put = await fetch(`${base}/${job.id}/batches`, { method: 'PUT', headers: { authorization: json.authorization, 'content-type': 'text/csv' }, body: csv });
      expect(put.status).toBe(201);
      const closed = (await (await fetch(`${base}/${job.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ state: 'UploadComplete' }) })).json()) as { state: string };
      const polled = (await (await fetch(`${base}/${job.id}`, { headers: json })).json()) as { state: string; errorMessage?: string; numberRecordsFailed: number };
      return { closed, polled };
    };
    const a4 = s.ids.salesforce.accounts['a4'] as string;
    const good = await run(`Id,Name\n${a4},"Globex, Inc."\n001Kf0000000zzzAAA,Nobody\n`);
    expect(good.closed.state).toBe('UploadComplete');
    expect(good.polled).toMatchObject({ state: 'JobComplete', numberRecordsFailed: 1 });
    expect(s.sf.record('Account', a4)?.['Name']).toBe('Globex, Inc.');
    const bad = await run(`Id,Nope__c\n${a4},x\n`);
    expect(bad.polled).toMatchObject({ state: 'Failed', errorMessage: 'InvalidBatch : Field name not found : Nope__c' });
  });
});

describe('Salesforce auth through jsforce', () => {
  it('refreshes the token after a 401 and retries the call', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot() });
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    s.expireAccessTokens('salesforce');
    const res = await conn.query('SELECT Id FROM Account');
    expect(res.totalSize).toBe(5);
    expect(refreshed).toHaveLength(1);
    expect(conn.accessToken).toBe(refreshed[0]);
    expect(s.calls()['salesforce.token']).toBe(1);
  });

  it('fails the refresh with invalid_grant once the tokens are revoked', async () => {
    const { sb: s, conn } = await start({ seed: smallSnapshot() });
    s.revokeTokens('salesforce');
    const e = await errorOf(conn.query('SELECT Id FROM Account'));
    expect(e.message).toContain('expired access/refresh token');
  });

  it('gives 401 for the next N calls with an old token under the expired-token fault', async () => {
    const { sb: s } = await start({ seed: smallSnapshot() });
    s.setFaults({ salesforce: { expireTokens: 2 } });
    const plain = new jsforce.Connection({ instanceUrl: s.salesforce.instanceUrl, accessToken: s.salesforce.accessToken, version: '62.0' });
    expect((await errorOf(plain.query('SELECT Id FROM Account'))).errorCode).toBe('INVALID_SESSION_ID');
    expect((await errorOf(plain.query('SELECT Id FROM Account'))).errorCode).toBe('INVALID_SESSION_ID');
    expect((await plain.query('SELECT Id FROM Account')).totalSize).toBe(5);
  });

  it('runs the web-server flow with PKCE and rejects a wrong verifier', async () => {
    const { sb: s } = await start({ seed: smallSnapshot() });
    const redirectUri = 'http://127.0.0.1:1/callback';
    const oauth2 = new jsforce.OAuth2({ loginUrl: s.salesforce.loginUrl, clientId: s.salesforce.clientId, clientSecret: s.salesforce.clientSecret, redirectUri, useVerifier: true });
    const authorizeAt = async (): Promise<URL> => {
      const res = await fetch(oauth2.getAuthorizationUrl({ state: 'xyz', scope: 'api refresh_token' }), { redirect: 'manual' });
      expect(res.status).toBe(302);
      return new URL(res.headers.get('location') as string);
    };
    const back = await authorizeAt();
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe('xyz');
    const conn = new jsforce.Connection({ oauth2, version: '62.0' });
    const info = await conn.authorize(back.searchParams.get('code') as string);
    expect(info).toMatchObject({ id: s.salesforce.userId, organizationId: s.salesforce.orgId });
    expect(conn.instanceUrl).toBe(s.salesforce.instanceUrl);
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBeGreaterThan(0);
    const identity = await conn.identity();
    expect(identity.user_id).toBe(s.salesforce.userId);

    const second = await authorizeAt();
    const wrong = await fetch(`${s.salesforce.loginUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: second.searchParams.get('code') as string, client_id: s.salesforce.clientId, client_secret: s.salesforce.clientSecret, redirect_uri: redirectUri, code_verifier: 'not-the-verifier' }),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_request', error_description: 'invalid code verifier' });
  });

  it('injects 5xx and limit faults deterministically from the seed', async () => {
    const outcomes = async (): Promise<string[]> => {
      const { sb: s } = await start({ seed: smallSnapshot(), faults: { seed: 42, salesforce: { rate5xx: 0.3, rate429: 0.2 } } });
      const out: string[] = [];
      for (let i = 0; i < 16; i++) {
        const res = await fetch(`${s.salesforce.instanceUrl}/services/data/v62.0/query?q=SELECT+Id+FROM+Account`, {
          headers: { authorization: `Bearer ${s.salesforce.accessToken}` },
        });
        const body = (await res.json()) as { errorCode?: string }[] | { totalSize: number };
        out.push(Array.isArray(body) ? `${res.status} ${body[0]?.errorCode}` : `${res.status}`);
        expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
      }
      await s.close();
      sb = undefined;
      return out;
    };
    const first = await outcomes();
    expect(first).toContain('200');
    expect(first.some((o) => /^50[234] SERVER_UNAVAILABLE$/.test(o))).toBe(true);
    expect(first).toContain('403 REQUEST_LIMIT_EXCEEDED');
    expect(await outcomes()).toEqual(first);
  });
});
