import { describe, expect, it } from 'vitest';
import { classifyFailure, inspectFailure } from '../../../connectors/hubspot/failures.ts';
import { classifyWriteError, outcomesOfResponse, toInput } from '../../../connectors/hubspot/push.ts';

const waits = { tenSecondlyWaitMs: 10_000, secondlyWaitMs: 1_000, lockedWaitMs: 2_000 };
const apiError = (code: number, body: unknown, headers: Record<string, string> = {}) => Object.assign(new Error('An error occurred.'), { code, body, headers });

describe('failure classification', () => {
  it('reads status, policy and category from an SDK ApiException, also from a JSON string body', () => {
    const f = inspectFailure(apiError(429, JSON.stringify({ status: 'error', message: 'You have reached your daily limit.', policyName: 'DAILY', errorType: 'RATE_LIMIT' }), { 'Retry-After': '3' }));
    expect(f).toEqual({ status: 429, category: 'RATE_LIMIT', policyName: 'DAILY', message: 'You have reached your daily limit.', reasons: [], headers: { 'retry-after': '3' } });
    expect(inspectFailure(new Error('connect ECONNREFUSED 127.0.0.1:1')).status).toBeNull();
  });

  it('decides retry and wait per failure', () => {
    const c = (code: number, body: unknown, headers: Record<string, string> = {}) => classifyFailure(inspectFailure(apiError(code, body, headers)), waits);
    expect(c(429, { policyName: 'TEN_SECONDLY_ROLLING' })).toEqual({ retry: 'wait', waitMs: 10_000, reason: 'ten-secondly-limit' });
    expect(c(429, { policyName: 'TEN_SECONDLY_ROLLING' }, { 'retry-after': '2' })).toEqual({ retry: 'wait', waitMs: 2_000, reason: 'ten-secondly-limit' });
    expect(c(429, { message: 'You have reached your secondly limit.' })).toEqual({ retry: 'wait', waitMs: 1_000, reason: 'secondly-limit' });
    expect(c(429, { policyName: 'DAILY' })).toEqual({ retry: 'none', reason: 'daily-limit' });
    expect(c(423, {})).toEqual({ retry: 'wait', waitMs: 2_000, reason: 'locked' });
    expect(c(504, {}).retry).toBe('backoff');
    expect(c(401, {}).retry).toBe('refresh');
    expect(c(404, {}).retry).toBe('none');
    expect(classifyFailure(inspectFailure(new Error('socket hang up')), waits).retry).toBe('backoff');
  });

  it('classifies per-record write errors', () => {
    // By HubSpot's codes: the category, and the codes its error list carries; never the message text.
    expect(classifyWriteError(['OBJECT_NOT_FOUND'])).toBe('bad-data');
    expect(classifyWriteError(['VALIDATION_ERROR', 'INVALID_INTEGER'])).toBe('bad-data');
    expect(classifyWriteError(['VALIDATION_ERROR', 'PROPERTY_DOESNT_EXIST'])).toBe('config');
    expect(classifyWriteError(['VALIDATION_ERROR', 'READ_ONLY_VALUE'])).toBe('config');
    expect(classifyWriteError(['RATE_LIMITS'])).toBe('transient');
    expect(classifyWriteError([null], 503)).toBe('transient');
    expect(classifyWriteError(['MISSING_SCOPES'])).toBe('config');
  });

  it('gives every input an outcome, even when HubSpot names no record', () => {
    const inputs = [toInput({ accountId: '1', fields: { kam_score: 1 } }, { batchSize: 100, syncTargetAccountFromTier: false, retry: { recordRetries: 0, minDelayMs: 0, maxDelayMs: 0 }, sleep: async () => undefined }), { id: '2', properties: {} }];
    expect(outcomesOfResponse(inputs, { results: [{ id: 1 }], errors: [] })).toEqual([
      { accountId: '1', ok: true },
      { accountId: '2', ok: false, errorKind: 'transient', code: 'NO_RESULT', message: 'HubSpot returned neither a result nor an error for this record' },
    ]);
    expect(outcomesOfResponse(inputs, { results: [], errors: [{ category: 'VALIDATION_ERROR', message: 'bad value' }] }).map((o) => o.errorKind)).toEqual(['bad-data', 'bad-data']);
    expect(outcomesOfResponse(inputs, 'nonsense').every((o) => o.code === 'BAD_RESPONSE')).toBe(true);
  });
});
