import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { smallSnapshot } from './fixture.ts';

/**
 * The task requests Kamflow sends, answered as the services document them, and refused where
 * they refuse: Salesforce Task through sObject Collections (create, delete) and SOQL; HubSpot
 * tasks through the objects API (create, batch create with associations, batch archive, read).
 */

let sb: Sandbox;
beforeEach(async () => {
  sb = await startSandbox({ seed: smallSnapshot() });
});
afterEach(async () => {
  await sb.close();
});

async function call(path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sb.url}${path}`, { ...init, headers: { Authorization: `Bearer ${init.token ?? sb.hubspot.privateAppToken}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

describe('the Salesforce simulator: Task', () => {
  const sf = (path: string, init: RequestInit = {}) => call(`/services/data/v62.0${path}`, { ...init, token: sb.salesforce.accessToken });
  const account = (): string => sb.ids.salesforce.accounts['a1'] ?? '';
  const owner = (): string => sb.ids.salesforce.users['u1'] ?? '';
  const task = (extra: Record<string, unknown> = {}) => ({
    attributes: { type: 'Task' }, WhatId: account(), OwnerId: owner(), Subject: 'Call Acme', Description: 'What to do', ActivityDate: '2026-07-07', Status: 'Not Started', Priority: 'High', ...extra,
  });
  const create = (records: unknown[]) => sf('/composite/sobjects', { method: 'POST', body: JSON.stringify({ allOrNone: false, records }) });

  it('creates tasks through sObject Collections, derives IsClosed and AccountId, reads them by SOQL and deletes them', async () => {
    const made = await create([task(), task({ Status: 'Completed', Subject: 'Done already' })]);
    expect(made.status).toBe(200);
    const results = made.body as { id: string; success: boolean }[];
    expect(results.map((r) => r.success)).toEqual([true, true]);
    expect(results[0]?.id.startsWith('00T')).toBe(true);
    const rows = sb.sf.query('SELECT Id, Subject, IsClosed, AccountId, WhatId FROM Task ORDER BY Subject');
    expect(rows.map((r) => [r['Subject'], r['IsClosed'], r['AccountId']])).toEqual([['Call Acme', false, account()], ['Done already', true, account()]]);
    const ids = results.map((r) => r.id);
    const gone = await sf(`/composite/sobjects?ids=${ids.join(',')}&allOrNone=false`, { method: 'DELETE' });
    expect(gone.status).toBe(200);
    expect((gone.body as { success: boolean }[]).map((r) => r.success)).toEqual([true, true]);
    expect(sb.sf.query('SELECT Id FROM Task')).toEqual([]);
    const again = await sf(`/composite/sobjects?ids=${ids[0]}`, { method: 'DELETE' });
    expect(again.body).toEqual([{ id: ids[0], success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] }]);
  });

  it('refuses a field Task does not have (the whole request)', async () => {
    const r = await create([task({ Kamflow_Key__c: 'k' })]);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain("No such column 'Kamflow_Key__c' on sobject of type Task");
  });

  it('refuses a task without Status or Priority, with a bad picklist value, or related to no account or owner', async () => {
    const { Status: _s, ...noStatus } = task();
    const r = await create([noStatus, task({ Priority: 'Urgent' }), task({ WhatId: '001000000000000AAA' }), task({ OwnerId: '005000000000000AAA' })]);
    expect(r.status).toBe(200);
    const codes = (r.body as { success: boolean; errors: { statusCode: string }[] }[]).map((x) => [x.success, x.errors[0]?.statusCode]);
    expect(codes).toEqual([[false, 'REQUIRED_FIELD_MISSING'], [false, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST'], [false, 'INVALID_CROSS_REFERENCE_KEY'], [false, 'INVALID_CROSS_REFERENCE_KEY']]);
    expect(sb.sf.query('SELECT Id FROM Task')).toEqual([]);
  });

  it('refuses read-only fields and more than 200 records or ids a call', async () => {
    const ro = await create([task({ IsClosed: true })]);
    expect((ro.body as { errors: { statusCode: string }[] }[])[0]?.errors[0]?.statusCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    const many = await create(Array.from({ length: 201 }, () => task()));
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.body)).toContain('EXCEEDED_ID_LIMIT');
    const ids = Array.from({ length: 201 }, (_, i) => `00T0000000000${String(i).padStart(2, '0').slice(-2)}AAA`);
    const del = await sf(`/composite/sobjects?ids=${ids.join(',')}`, { method: 'DELETE' });
    expect(del.status).toBe(400);
    expect(JSON.stringify(del.body)).toContain('EXCEEDED_ID_LIMIT');
  });
});

describe('the HubSpot simulator: tasks', () => {
  const company = (): string => sb.ids.hubspot.accounts['a1'] ?? '';
  const input = (props: Record<string, unknown> = {}, typeId = 192) => ({
    properties: { hs_timestamp: '2026-07-07T12:00:00.000Z', hs_task_subject: 'Call Acme', hs_task_body: 'What to do', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'TODO', ...props },
    associations: [{ to: { id: company() }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }] }],
  });
  const batch = (inputs: unknown[]) => call('/crm/v3/objects/tasks/batch/create', { method: 'POST', body: JSON.stringify({ inputs }) });

  it('creates tasks one at a time or in a batch, associated to the company; reads and archives them', async () => {
    const one = await call('/crm/v3/objects/tasks', { method: 'POST', body: JSON.stringify(input()) });
    expect(one.status).toBe(201);
    const made = await batch([input({ hs_task_subject: 'A' }), input({ hs_task_subject: 'B' })]);
    expect(made.status).toBe(201);
    const results = (made.body as { results: { id: string; properties: Record<string, string> }[] }).results;
    expect(results.map((r) => r.properties['hs_task_subject']).sort()).toEqual(['A', 'B']);
    expect(sb.hs.list('tasks').map((t) => t.companies)).toEqual([[company()], [company()], [company()]]);
    const assoc = await call(`/crm/v4/objects/tasks/${results[0]?.id}/associations/companies`);
    expect(JSON.stringify(assoc.body)).toContain('"typeId":192');
    const read = await call('/crm/v3/objects/tasks/batch/read', { method: 'POST', body: JSON.stringify({ inputs: results.map((r) => ({ id: r.id })), properties: ['hs_task_subject', 'hs_task_status'] }) });
    expect(read.status).toBe(200);
    const archived = await call('/crm/v3/objects/tasks/batch/archive', { method: 'POST', body: JSON.stringify({ inputs: results.map((r) => ({ id: r.id })) }) });
    expect(archived.status).toBe(204);
    expect(sb.hs.list('tasks')).toHaveLength(1);
    const gone = await call('/crm/v3/objects/tasks/batch/read', { method: 'POST', body: JSON.stringify({ inputs: results.map((r) => ({ id: r.id })), properties: [] }) });
    expect(gone.status).toBe(207);
  });

  it('refuses a task without hs_timestamp, and nothing of its batch is created', async () => {
    const { properties, associations } = input();
    const { hs_timestamp: _t, ...rest } = properties;
    const r = await batch([input(), { properties: rest, associations }]);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('hs_timestamp is required');
    expect(sb.hs.list('tasks')).toEqual([]);
  });

  it('refuses an unknown property and a value outside an enumeration', async () => {
    const unknown = await batch([input({ kamflow_key: 'k' })]);
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('PROPERTY_DOESNT_EXIST');
    const bad = await batch([input({ hs_task_status: 'DONE' })]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('INVALID_OPTION');
    expect(sb.hs.list('tasks')).toEqual([]);
  });

  it('refuses an association type other than task to company, and a company that does not exist', async () => {
    const wrong = await batch([input({}, 204)]);
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain('association type 204 is not valid');
    const missing = await batch([{ ...input(), associations: [{ to: { id: '999999999' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192 }] }] }]);
    expect(missing.status).toBe(400);
    expect(sb.hs.list('tasks')).toEqual([]);
  });

  it('refuses more than 100 inputs to batch create and batch archive', async () => {
    const many = await batch(Array.from({ length: 101 }, () => input()));
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.body)).toContain('Batch input limit exceeded');
    const archive = await call('/crm/v3/objects/tasks/batch/archive', { method: 'POST', body: JSON.stringify({ inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) })) }) });
    expect(archive.status).toBe(400);
    expect(sb.hs.list('tasks')).toEqual([]);
  });
});
