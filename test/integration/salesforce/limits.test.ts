import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/contract/errors.ts';
import type { PullPage } from '../../../src/contract/connector.ts';
import { INSTANCE, V, limitHeader, makeConnector, mockNoDatedRates, mockSingleCurrency, queryMatching, rec, setupNock, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

async function pullUntilError(it: AsyncIterable<PullPage>): Promise<{ pages: PullPage[]; error: unknown }> {
  const pages: PullPage[] = [];
  try {
    for await (const p of it) pages.push(p);
    return { pages, error: null };
  } catch (e) {
    return { pages, error: e };
  }
}

function firstUserPage(scope: nock.Scope, used: number, max = 15000): nock.Scope {
  return scope
    .get(`${V}/query`)
    .query(queryMatching(/FROM User ORDER BY Id$/))
    .reply(200, { totalSize: 4, done: false, nextRecordsUrl: `${V}/query/01gU-2`, records: [rec('User', { Id: 'U1', Name: 'A', IsActive: true }), rec('User', { Id: 'U2', Name: 'B', IsActive: true })] }, limitHeader(used, max));
}

describe('daily API allowance', () => {
  it('ends the run on REQUEST_LIMIT_EXCEEDED with an api-limit error and the last cursor intact, without retrying', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    firstUserPage(scope, 100);
    scope.get(`${V}/query/01gU-2`).once().reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], limitHeader(15001));

    const sf = makeConnector();
    const { pages, error } = await pullUntilError(sf.pull({ mode: 'full', cursors: {}, objects: ['users'] }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.cursor).toMatchObject({ phase: 'full', afterId: 'U2' });
    expect(error).toBeInstanceOf(CrmError);
    expect((error as CrmError).kind).toBe('api-limit');
    expect((error as CrmError).resumable).toBe(true);
    expect((error as CrmError).message).toContain('REQUEST_LIMIT_EXCEEDED');
    expect(sf.usage()['queryMore']).toBe(1);
  });

  it('retries a concurrent-request REQUEST_LIMIT_EXCEEDED (it clears on its own) and goes on', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    firstUserPage(scope, 100);
    scope.get(`${V}/query/01gU-2`).once().reply(403, [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], limitHeader(101));
    scope.get(`${V}/query/01gU-2`).once().reply(200, { totalSize: 4, done: true, records: [rec('User', { Id: 'U3', Name: 'C', IsActive: true }), rec('User', { Id: 'U4', Name: 'D', IsActive: false })] }, limitHeader(102));

    const sf = makeConnector({ retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    const { pages, error } = await pullUntilError(sf.pull({ mode: 'full', cursors: {}, objects: ['users'] }));
    expect(error).toBeNull();
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['U1', 'U2', 'U3', 'U4']);
    expect(sf.usage()['queryMore']).toBe(2);
    expect(scope.isDone()).toBe(true);
  });

  it('stops before the reserve: no call is made once usage reaches 80% of the allowance', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    // 12,000 of 15,000 used: with 20% kept free the ceiling is 12,000.
    firstUserPage(scope, 12000);

    const sf = makeConnector();
    const { pages, error } = await pullUntilError(sf.pull({ mode: 'full', cursors: {}, objects: ['users'] }));
    expect(pages).toHaveLength(1);
    expect((error as CrmError).kind).toBe('api-limit');
    expect((error as CrmError).details.code).toBe('API_RESERVE');
    expect((error as CrmError).message).toContain('12000 of 15000');
    expect(sf.usage()['queryMore']).toBeUndefined();
  });

  it('goes on just below the reserve', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    firstUserPage(scope, 11999);
    scope.get(`${V}/query/01gU-2`).reply(200, { totalSize: 3, done: true, records: [rec('User', { Id: 'U3', Name: 'C', IsActive: true })] }, limitHeader(12000));
    const pages: PullPage[] = [];
    for await (const p of makeConnector().pull({ mode: 'full', cursors: {}, objects: ['users'] })) pages.push(p);
    expect(pages).toHaveLength(2);
  });
});

describe('limits resource', () => {
  it('reads DailyApiRequests and applies it to the reserve check', async () => {
    nock(INSTANCE)
      .get(`${V}/limits`)
      .reply(200, { DailyApiRequests: { Max: 100000, Remaining: 15000 }, DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 } }, { 'Content-Type': 'application/json' });
    const sf = makeConnector();
    expect(await sf.dailyLimit()).toEqual({ max: 100000, remaining: 15000 });
    expect(sf.apiLimit()).toEqual({ used: 85000, max: 100000 });
    // 85% used with 20% to keep: the next call is refused before it is sent.
    const err = await sf.currency().catch((e: unknown) => e);
    expect((err as CrmError).kind).toBe('api-limit');
    expect(sf.usage()).toEqual({ limits: 1 });
  });
});

describe('retries', () => {
  it('retries 5xx with backoff, then succeeds', async () => {
    const scope = nock(INSTANCE);
    scope
      .get(`${V}/query`).query(queryMatching(/FROM CurrencyType/)).reply(503, 'Service Unavailable', { 'Content-Type': 'text/plain' })
      .get(`${V}/query`).query(queryMatching(/FROM CurrencyType/)).reply(502, 'Bad Gateway', { 'Content-Type': 'text/plain' })
      .get(`${V}/query`).query(queryMatching(/FROM CurrencyType/)).reply(200, { totalSize: 1, done: true, records: [{ IsoCode: 'USD', ConversionRate: 1, IsCorporate: true }] }, limitHeader(3));
    mockNoDatedRates(scope);
    const sf = makeConnector();
    expect(await sf.currency()).toBe('USD');
    expect(sf.usage()).toEqual({ query: 4 });
  });

  it('retries a dropped connection (real loopback socket)', async () => {
    nock.enableNetConnect('127.0.0.1');
    let hits = 0;
    const server = http.createServer((req, res) => {
      hits += 1;
      if (hits === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Sforce-Limit-Info': 'api-usage=5/100' });
      // The CurrencyType query, then the DatedConversionRate one (no dated rates).
      const dated = (req.url ?? '').includes('DatedConversionRate');
      res.end(JSON.stringify({ totalSize: 1, done: true, records: dated ? [] : [{ IsoCode: 'NOK', ConversionRate: 1, IsCorporate: true }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const sf = makeConnector({ instanceUrl: `http://127.0.0.1:${port}` });
      expect(await sf.currency()).toBe('NOK');
      expect(hits).toBe(3);
      expect(sf.apiLimit()).toEqual({ used: 5, max: 100 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('gives up after the configured retries with an unavailable error', async () => {
    nock(INSTANCE).get(`${V}/query`).query(true).times(4).reply(500, [{ message: 'boom', errorCode: 'UNKNOWN_EXCEPTION' }]);
    const sf = makeConnector();
    const err = await sf.currency().catch((e: unknown) => e);
    expect((err as CrmError).kind).toBe('unavailable');
    expect(sf.usage()).toEqual({ query: 4 });
  });

  it('does not retry a 400 and stops the pull with a bad-response error naming the code', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope.get(`${V}/query`).query(queryMatching(/FROM User ORDER BY Id$/)).once().reply(400, [{ message: "unexpected token: 'FROM'", errorCode: 'MALFORMED_QUERY' }], limitHeader(3));
    const { error } = await pullUntilError(makeConnector().pull({ mode: 'full', cursors: {}, objects: ['users'] }));
    expect((error as CrmError).kind).toBe('bad-response');
    expect((error as CrmError).details.code).toBe('MALFORMED_QUERY');
  });
});
