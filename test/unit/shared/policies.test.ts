import { describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/contract/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import { writeInBatches } from '../../../connectors/shared/batch-write.ts';
import { backoffDelay, callWithPolicy, type CallDecision } from '../../../connectors/shared/call-policy.ts';
import { legacyRetryNames } from '../../../connectors/shared/retry-options.ts';
import { salesforceOptionsSchema } from '../../../connectors/salesforce/options.ts';
import { hubSpotOptionsSchema } from '../../../connectors/hubspot/options.ts';

describe('the call policy', () => {
  it('carries out each decision: waits as asked, backs off, refreshes once, fails typed', async () => {
    const waits: number[] = [];
    const answers: (string | null)[] = ['slow', 'down', 'expired', null];
    let refreshes = 0;
    const result = await callWithPolicy(async () => {
      const a = answers.shift();
      if (a) throw new Error(a);
      return 'ok';
    }, {
      retries: 3, minDelayMs: 100, maxDelayMs: 150, sleep: async (ms) => { waits.push(ms); },
      decide: (e): CallDecision => {
        const m = e instanceof Error ? e.message : '';
        if (m === 'slow') return { action: 'retry', waitMs: 7, reason: 'asked' };
        if (m === 'down') return { action: 'retry', waitMs: 'backoff', reason: '5xx' };
        return { action: 'refresh', reason: 'expired' };
      },
      refresh: async () => { refreshes += 1; },
      exhausted: (e) => e as Error,
    });
    // 7 as asked, then backoff for the second retry: 100 * 2 = 200 capped at 150; the refresh waits nothing.
    expect([result, waits, refreshes]).toEqual(['ok', [7, 150], 1]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, { minDelayMs: 500, maxDelayMs: 3000 }))).toEqual([500, 1000, 2000, 3000]);
  });

  it('throws the exhausted error when the retries are used up, and a fail decision at once', async () => {
    let attempts = 0;
    const policy = {
      retries: 2, minDelayMs: 0, maxDelayMs: 0, sleep: async () => undefined,
      decide: (): CallDecision => ({ action: 'retry', waitMs: 'backoff', reason: 'x' }),
      exhausted: () => new CrmError('unavailable', 'gave up'),
    };
    await expect(callWithPolicy(async () => { attempts += 1; throw new Error('503'); }, policy)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(attempts).toBe(3);
    await expect(callWithPolicy(async () => { throw new Error('x'); }, { ...policy, decide: () => ({ action: 'fail', error: new CrmError('auth', 'no') }) }))
      .rejects.toMatchObject({ kind: 'auth' });
  });
});

describe('the batch-write policy', () => {
  const rows = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
  const base = { classify: () => 'bad-data' as const, retry: { recordRetries: 2, minDelayMs: 1, maxDelayMs: 1 }, sleep: async () => undefined, logger: silentLogger };

  it('gives every row one outcome and sends transient failures again', async () => {
    const calls: string[][] = [];
    let lockedTries = 0;
    const out = await writeInBatches({
      ...base, rows,
      first: {
        batchSize: 2,
        send: async (batch) => {
          calls.push(batch.map((r) => r.id));
          // 'b' is locked on its first two tries; 'd' gets no answer at all, 'x' is not ours.
          return [...batch.filter((r) => r.id !== 'd').map((r) => (r.id === 'b' && lockedTries++ < 2
            ? { accountId: 'b', ok: false, errorKind: 'transient' as const, code: 'LOCKED' }
            : { accountId: r.id, ok: true })), { accountId: 'x', ok: true }];
        },
      },
    });
    expect(calls).toEqual([['a', 'b'], ['c', 'd'], ['e'], ['b', 'd'], ['b', 'd']]);
    expect(out.map((o) => [o.accountId, o.ok, o.code ?? null])).toEqual([['a', true, null], ['b', true, null], ['c', true, null], ['d', false, 'NO_RESULT'], ['e', true, null]]);
  });

  it('throws a stopping error before any answer, and reports the rest after one', async () => {
    const limit = new CrmError('api-limit', 'daily limit', { code: 'DAILY' });
    await expect(writeInBatches({ ...base, rows, first: { batchSize: 2, send: async () => { throw limit; } } })).rejects.toBe(limit);
    let n = 0;
    const out = await writeInBatches({
      ...base, rows,
      first: { batchSize: 2, send: async (batch) => { if (++n > 1) throw limit; return batch.map((r) => ({ accountId: r.id, ok: true })); } },
    });
    expect(out.map((o) => [o.accountId, o.ok, o.errorKind ?? null, o.message ?? null])).toEqual([
      ['a', true, null, null], ['b', true, null, null], ['c', false, 'transient', 'daily limit'], ['d', false, 'transient', 'daily limit'], ['e', false, 'transient', 'not sent: daily limit'],
    ]);
  });
});

describe('retry options', () => {
  it('read the names stored before they were shared', () => {
    expect(legacyRetryNames({ retry: { retries: 2, minTimeoutMs: 5, maxTimeoutMs: 9 }, recordRetries: 1, x: 1 }))
      .toEqual({ x: 1, retry: { retries: 2, minDelayMs: 5, maxDelayMs: 9, recordRetries: 1 } });
    const sf = salesforceOptionsSchema.parse({ instanceUrl: 'https://x.my.salesforce.com', accessToken: 't', recordRetries: 0 });
    expect(sf.retry).toEqual({ retries: 4, minDelayMs: 500, maxDelayMs: 30_000, recordRetries: 0 });
    const hs = hubSpotOptionsSchema.parse({ auth: { kind: 'private-app', token: 't' }, retry: { minTimeoutMs: 3 } });
    expect([hs.retry.minDelayMs, hs.retry.maxDelayMs, hs.retry.recordRetries]).toEqual([3, 30_000, 3]);
  });
});
