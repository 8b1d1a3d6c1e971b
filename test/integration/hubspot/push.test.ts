import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountWrite } from '../../../src/contract/connector.ts';
import { api, connector, setupNock, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

const UPDATE = '/crm/v3/objects/companies/batch/update';
type Body = { inputs: { id: string; properties: Record<string, string> }[] };
const done = (ids: string[]) => ({ status: 'COMPLETE', results: ids.map((id) => ({ id, properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-06-30T00:00:00Z', archived: false })), startedAt: '2026-06-30T00:00:00Z', completedAt: '2026-06-30T00:00:01Z' });
const write = (id: string, fields: AccountWrite['fields'] = { kam_score: 50 }): AccountWrite => ({ accountId: id, fields });

describe('write-back', () => {
  it('sends string values and maps a 207 multi-status back to each record', async () => {
    let body: Body = { inputs: [] };
    api().post(UPDATE).reply((_u, b) => {
      body = b as Body;
      return [207, {
        ...done(['1']),
        numErrors: 2,
        errors: [
          { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some COMPANY objects, they may be deleted or not exist.', context: { ids: ['2'] } },
          { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid: kam_tier "Gold" on 3', context: { ids: ['3'] } },
        ],
      }];
    });
    const c = connector();
    const outcomes = await c.push({
      writes: [
        write('1', { kam_score: 72.5, kam_key_account: true, kam_risks: null, kam_tier: 'Key' }),
        write('2'),
        write('3', { kam_tier: 'Gold' }),
      ],
    });
    expect(body.inputs[0]).toEqual({ id: '1', properties: { kam_score: '72.5', kam_key_account: 'true', kam_risks: '', kam_tier: 'Key' } });
    expect(outcomes).toEqual([
      { accountId: '1', ok: true },
      { accountId: '2', ok: false, errorKind: 'bad-data', code: 'OBJECT_NOT_FOUND', message: 'Could not get some COMPANY objects, they may be deleted or not exist.' },
      { accountId: '3', ok: false, errorKind: 'bad-data', code: 'VALIDATION_ERROR', message: 'Property values were not valid: kam_tier "Gold" on 3' },
    ]);
    expect(c.usage()).toEqual({ batchUpdate: 1 });
  });

  it('sends at most 100 inputs a call', async () => {
    const sizes: number[] = [];
    api().post(UPDATE).times(2).reply((_u, b) => {
      const ids = (b as Body).inputs.map((i) => i.id);
      sizes.push(ids.length);
      return [200, done(ids)];
    });
    const writes = Array.from({ length: 150 }, (_, i) => write(String(i + 1)));
    const outcomes = await connector().push({ writes });
    expect(sizes).toEqual([100, 50]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(150);
  });

  it('splits a batch HubSpot rejects as a whole until the bad record stands alone', async () => {
    const calls: string[][] = [];
    api().post(UPDATE).times(5).reply((_u, b) => {
      const ids = (b as Body).inputs.map((i) => i.id);
      calls.push(ids);
      if (ids.includes('d')) return [400, { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid: [{"isValid":false,"message":"9x is not a valid number","name":"kam_score"}]' }];
      return [200, done(ids)];
    });
    const outcomes = await connector().push({ writes: ['a', 'b', 'c', 'd'].map((id) => write(id)) });
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['d']]);
    expect(outcomes.map((o) => [o.accountId, o.ok, o.errorKind ?? null])).toEqual([
      ['a', true, null], ['b', true, null], ['c', true, null], ['d', false, 'bad-data'],
    ]);
  });

  it('splits a batch that stays locked (423) so only the locked record waits for the next run', async () => {
    const calls: string[][] = [];
    api().post(UPDATE).times(8).reply((_u, b) => {
      const ids = (b as Body).inputs.map((i) => i.id);
      calls.push(ids);
      if (ids.includes('c')) return [423, { status: 'error', category: 'LOCKED', message: 'The record(s) c are locked by another operation; retry after 2 seconds' }];
      return [200, done(ids)];
    });
    const outcomes = await connector({ retry: { retries: 1, recordRetries: 0 } }).push({ writes: ['a', 'b', 'c', 'd'].map((id) => write(id)) });
    // Each locked call is tried twice (one retry) before the batch is halved.
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c', 'd'], ['c'], ['c'], ['d']]);
    expect(outcomes.map((o) => [o.accountId, o.ok, o.errorKind ?? null, o.code ?? null])).toEqual([
      ['a', true, null, null], ['b', true, null, null], ['c', false, 'transient', 'LOCKED'], ['d', true, null, null],
    ]);
  });

  it('sends a record that failed with a transient error again, once the batch is done', async () => {
    const calls: string[][] = [];
    let round = 0;
    api().post(UPDATE).times(2).reply((_u, b) => {
      const ids = (b as Body).inputs.map((i) => i.id);
      calls.push(ids);
      round += 1;
      // The first answer reports '2' locked in a 207; the retry of '2' alone goes through.
      return round === 1
        ? [207, { status: 'COMPLETE', results: done(['1', '3']).results, errors: [{ status: 'error', category: 'LOCKED', message: 'record 2 is locked', context: { ids: ['2'] } }] }]
        : [200, done(ids)];
    });
    const outcomes = await connector({ retry: { retries: 0, recordRetries: 2, minDelayMs: 1, maxDelayMs: 1 } }).push({ writes: ['1', '2', '3'].map((id) => write(id)) });
    expect(calls).toEqual([['1', '2', '3'], ['2']]);
    expect(outcomes).toEqual([{ accountId: '1', ok: true }, { accountId: '2', ok: true }, { accountId: '3', ok: true }]);
  });

  it('a property that does not exist is a configuration problem', async () => {
    api().post(UPDATE).reply(400, { status: 'error', category: 'VALIDATION_ERROR', message: 'Property "kam_tier" does not exist', errors: [{ code: 'PROPERTY_DOESNT_EXIST' }] });
    const [o] = await connector().push({ writes: [write('1', { kam_tier: 'Key' })] });
    expect([o!.ok, o!.errorKind, o!.code]).toEqual([false, 'config', 'VALIDATION_ERROR']);
  });

  it('after the daily limit sends nothing more and reports every record as transient', async () => {
    api().post(UPDATE).reply(200, done(['1', '2']));
    api().post(UPDATE).reply(429, { status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', policyName: 'DAILY' });
    const c = connector({ pageSizes: { update: 2 } });
    const outcomes = await c.push({ writes: ['1', '2', '3', '4', '5', '6'].map((id) => write(id)) });
    expect(outcomes.map((o) => [o.accountId, o.ok, o.errorKind ?? null, o.code ?? null])).toEqual([
      ['1', true, null, null], ['2', true, null, null],
      ['3', false, 'transient', 'DAILY'], ['4', false, 'transient', 'DAILY'],
      ['5', false, 'transient', 'DAILY'], ['6', false, 'transient', 'DAILY'],
    ]);
    expect(c.usage()).toEqual({ batchUpdate: 2 });
  });

  it('a daily limit before anything was written stops the push with the limit error', async () => {
    api().post(UPDATE).reply(429, { status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', policyName: 'DAILY' });
    const c = connector({ pageSizes: { update: 2 } });
    const error = await c.push({ writes: ['1', '2', '3'].map((id) => write(id)) }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'CrmError', kind: 'api-limit' });
    expect(c.usage()).toEqual({ batchUpdate: 1 });
  });

  it('writes nothing for an account without changed fields', async () => {
    const c = connector();
    expect(await c.push({ writes: [write('1', {})] })).toEqual([{ accountId: '1', ok: true }]);
    expect(c.usage()).toEqual({});
  });

  it('when configured, also sets hs_is_target_account and hs_ideal_customer_profile from the tier', async () => {
    let body: Body = { inputs: [] };
    api().post(UPDATE).reply((_u, b) => {
      body = b as Body;
      return [200, done(['1', '2'])];
    });
    await connector({ syncTargetAccountFromTier: true }).push({ writes: [write('1', { kam_tier: 'Key' }), write('2', { kam_tier: 'Standard' })] });
    expect(body.inputs.map((i) => i.properties)).toEqual([
      { kam_tier: 'Key', hs_is_target_account: 'true', hs_ideal_customer_profile: 'tier_1' },
      { kam_tier: 'Standard', hs_is_target_account: 'false', hs_ideal_customer_profile: '' },
    ]);
  });
});
