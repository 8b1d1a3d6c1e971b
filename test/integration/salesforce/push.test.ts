import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountWrite } from '../../../src/contract/connector.ts';
import { CrmError } from '../../../src/contract/errors.ts';
import { INSTANCE, V, limitHeader, makeConnector, setupNock, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

type Body = { allOrNone: boolean; records: Record<string, unknown>[] };

const ok = (id: string) => ({ id, success: true, errors: [] });
const fail = (code: string, message: string, fields: string[] = []) => ({ success: false, errors: [{ statusCode: code, message, fields }] });

describe('write-back through sObject Collections', () => {
  it('sends converted values with allOrNone false and reports each record, mixed successes and failures', async () => {
    const bodies: Body[] = [];
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`, (b: Body) => {
        bodies.push(b);
        return true;
      })
      .reply(200, [ok('A1'), fail('FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Tier needs an owner'), fail('INVALID_FIELD_FOR_INSERT_UPDATE', 'Unable to create/update fields: KAM_Risks__c', ['KAM_Risks__c'])], limitHeader(20));

    const writes: AccountWrite[] = [
      { accountId: 'A1', fields: { kam_tier: 'Key', kam_score: 82.46, kam_revenue_share: 12.346, kam_key_account: true, kam_updated_at: '2026-06-30T12:00:00Z' } },
      { accountId: 'A2', fields: { kam_tier: 'Develop' } },
      { accountId: 'A3', fields: { kam_risks: null } },
      { accountId: 'A4', fields: { kam_tier: 'Gold' } },
      { accountId: 'A5', fields: {} },
    ];
    const sf = makeConnector();
    const outcomes = await sf.push({ writes });

    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toEqual({
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, id: 'A1', KAM_Tier__c: 'Key', KAM_Score__c: 82.5, KAM_Revenue_Share__c: 12.35, KAM_Key_Account__c: true, KAM_Updated_At__c: '2026-06-30T12:00:00.000Z' },
        { attributes: { type: 'Account' }, id: 'A2', KAM_Tier__c: 'Develop' },
        { attributes: { type: 'Account' }, id: 'A3', KAM_Risks__c: null },
      ],
    });
    expect(outcomes).toEqual([
      { accountId: 'A1', ok: true },
      { accountId: 'A2', ok: false, errorKind: 'bad-data', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Tier needs an owner' },
      { accountId: 'A3', ok: false, errorKind: 'config', code: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: 'Unable to create/update fields: KAM_Risks__c (KAM_Risks__c)' },
      { accountId: 'A4', ok: false, errorKind: 'bad-data', code: 'INVALID_VALUE', message: 'kam_tier: "Gold" is not one of Key, Develop, Maintain, Standard' },
      { accountId: 'A5', ok: true },
    ]);
    expect(sf.usage()).toEqual({ collectionsUpdate: 1 });
  });

  it('sends a locked record again after a pause until it goes through', async () => {
    const bodies: Body[] = [];
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`, (b: Body) => {
        bodies.push(b);
        return true;
      })
      .reply(200, [ok('A1'), fail('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record')], limitHeader(20))
      .patch(`${V}/composite/sobjects`, (b: Body) => {
        bodies.push(b);
        return true;
      })
      .reply(200, [ok('A2')], limitHeader(21));
    const outcomes = await makeConnector().push({ writes: [{ accountId: 'A1', fields: { kam_score: 1 } }, { accountId: 'A2', fields: { kam_score: 2 } }] });
    expect(bodies[1]?.records.map((r) => r['id'])).toEqual(['A2']);
    expect(outcomes).toEqual([{ accountId: 'A1', ok: true }, { accountId: 'A2', ok: true }]);
  });

  it('reports a record still locked after the retries as transient', async () => {
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`)
      .times(3)
      .reply(200, [fail('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record')], limitHeader(20));
    const outcomes = await makeConnector({ retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1, recordRetries: 2 } }).push({ writes: [{ accountId: 'A1', fields: { kam_score: 1 } }] });
    expect(outcomes).toEqual([{ accountId: 'A1', ok: false, errorKind: 'transient', code: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record' }]);
  });

  it('splits 450 writes into requests of 200, 200 and 50', async () => {
    const sizes: number[] = [];
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`, (b: Body) => {
        sizes.push(b.records.length);
        return true;
      })
      .times(3)
      .reply(200, (_uri, body) => (body as Body).records.map((r) => ok(String(r['id']))), limitHeader(20));
    const writes = Array.from({ length: 450 }, (_, i) => ({ accountId: `A${i}`, fields: { kam_score: i % 100 } }));
    const outcomes = await makeConnector().push({ writes });
    expect(sizes).toEqual([200, 200, 50]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes.map((o) => o.accountId)).toEqual(writes.map((w) => w.accountId));
  });

  it('on the daily limit, reports the unsent records as transient instead of throwing', async () => {
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`)
      .reply(200, (_uri, body) => (body as Body).records.map((r) => ok(String(r['id']))), limitHeader(100))
      .patch(`${V}/composite/sobjects`)
      .reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], limitHeader(15001));
    const writes = Array.from({ length: 401 }, (_, i) => ({ accountId: `A${i}`, fields: { kam_score: 5 } }));
    const outcomes = await makeConnector().push({ writes });
    expect(outcomes.filter((o) => o.ok)).toHaveLength(200);
    const failed = outcomes.filter((o) => !o.ok);
    expect(failed).toHaveLength(201);
    expect(failed.every((o) => o.errorKind === 'transient' && o.code === 'REQUEST_LIMIT_EXCEEDED')).toBe(true);
  });
});

describe('write-back stopped before any answer', () => {
  it('throws the daily-limit error when the first call is refused, so the run stops instead of going on', async () => {
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`)
      .reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], limitHeader(15001));
    const writes = Array.from({ length: 3 }, (_, i) => ({ accountId: `A${i}`, fields: { kam_score: 5 } }));
    const error = await makeConnector().push({ writes }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect((error as CrmError).kind).toBe('api-limit');
    expect((error as CrmError).details.code).toBe('REQUEST_LIMIT_EXCEEDED');
  });
});

describe('write-back through Bulk API 2.0', () => {
  it('runs an update job above the threshold, reads failed results and retries the locked ones', async () => {
    let csv = '';
    nock(INSTANCE)
      .post(`${V}/jobs/ingest`, { object: 'Account', operation: 'update', contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' })
      .reply(200, { id: '750I1', state: 'Open', object: 'Account', operation: 'update' }, limitHeader(30))
      .put(`${V}/jobs/ingest/750I1/batches`, (b: string) => {
        csv = b;
        return true;
      })
      .reply(201, '', limitHeader(31))
      .patch(`${V}/jobs/ingest/750I1`, { state: 'UploadComplete' })
      .reply(200, { id: '750I1', state: 'UploadComplete' }, limitHeader(32))
      .get(`${V}/jobs/ingest/750I1`)
      .reply(200, { id: '750I1', state: 'InProgress' }, limitHeader(33))
      .get(`${V}/jobs/ingest/750I1`)
      .reply(200, { id: '750I1', state: 'JobComplete', numberRecordsFailed: 2 }, limitHeader(34))
      .get(`${V}/jobs/ingest/750I1/failedResults/`)
      .reply(200, '"sf__Id","sf__Error",Id,KAM_Tier__c,KAM_Score__c,KAM_Reasons__c\n"A2","UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--",A2,,50,\n"A3","INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:bad value for restricted picklist field: X:KAM_Tier__c --",A3,#N/A,,\n', { 'Content-Type': 'text/csv' })
      .get(`${V}/jobs/ingest/750I1/unprocessedrecords/`)
      .reply(200, '', { 'Content-Type': 'text/csv' })
      .patch(`${V}/composite/sobjects`, (b: Body) => b.records.length === 1 && b.records[0]?.['id'] === 'A2' && b.records[0]['KAM_Score__c'] === 50)
      .reply(200, [ok('A2')], limitHeader(40));

    const writes: AccountWrite[] = [
      { accountId: 'A1', fields: { kam_tier: 'Key', kam_reasons: 'Share 12%, growth "high"' } },
      { accountId: 'A2', fields: { kam_score: 50 } },
      { accountId: 'A3', fields: { kam_tier: null } },
    ];
    const sf = makeConnector({ bulkWriteThreshold: 2 });
    const outcomes = await sf.push({ writes });

    expect(csv).toBe('Id,KAM_Tier__c,KAM_Score__c,KAM_Reasons__c\nA1,Key,,"Share 12%, growth ""high"""\nA2,,50,\nA3,#N/A,,\n');
    expect(outcomes).toEqual([
      { accountId: 'A1', ok: true },
      { accountId: 'A2', ok: true },
      { accountId: 'A3', ok: false, errorKind: 'bad-data', code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'bad value for restricted picklist field: X:KAM_Tier__c --' },
    ]);
    expect(sf.usage()).toMatchObject({ bulkIngest: 3, bulkIngestStatus: 2, bulkIngestResults: 2, collectionsUpdate: 1 });
  });
});
