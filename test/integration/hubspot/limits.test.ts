import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/contract/errors.ts';
import { api, collect, connector, obj, setupNock, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

const PRODUCTS = '/crm/v3/objects/products';
const page = { results: [obj('301', { name: 'Widget', hs_product_family: 'Hardware' })] };
const pullProducts = (c: ReturnType<typeof connector>) => collect(c, { mode: 'full', cursors: {}, objects: ['products'] });

/** A clock that sleeping moves forward, so waits are recorded but cost no time. */
function fakeTime(start = 1_000_000) {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}

async function failureOf(p: Promise<unknown>): Promise<CrmError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CrmError) return e;
    throw e;
  }
  throw new Error('expected a CrmError');
}

describe('limits and failures', () => {
  it('waits out a TEN_SECONDLY_ROLLING 429 and retries', async () => {
    api().get(PRODUCTS).query(true).reply(429, {
      status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: 'c-1', policyName: 'TEN_SECONDLY_ROLLING',
    });
    api().get(PRODUCTS).query(true).reply(200, page);
    const time = fakeTime();
    const c = connector({ retry: { tenSecondlyWaitMs: 10_000, minDelayMs: 1, maxDelayMs: 2 } }, time);
    const pages = await pullProducts(c);
    expect(pages[0]!.records.map((r) => r.id)).toEqual(['301']);
    expect(time.waits).toContain(10_000);
    expect(c.usage()).toEqual({ list: 2 });
  });

  it('waits out the search "secondly" 429 and retries', async () => {
    api().post('/crm/v3/objects/products/search').reply(429, { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' });
    api().post('/crm/v3/objects/products/search').reply(200, { total: 0, results: [] });
    api().get(PRODUCTS).query(true).reply(200, { results: [] });
    const time = fakeTime();
    const c = connector({ retry: { secondlyWaitMs: 1000, minDelayMs: 1, maxDelayMs: 2 } }, time);
    await collect(c, { mode: 'incremental', cursors: { products: { phase: 'search', since: 1, sinceIds: '', archivedSince: 1 } }, objects: ['products'] });
    expect(time.waits).toContain(1000);
    expect(c.usage()).toEqual({ search: 2, list: 1 });
  });

  it('stops at the DAILY limit with a resumable api-limit error and no retry', async () => {
    api().get(PRODUCTS).query(true).reply(429, {
      status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', correlationId: 'c-2', policyName: 'DAILY', requestId: 'r-1',
    });
    const c = connector();
    const e = await failureOf(pullProducts(c));
    expect(e.kind).toBe('api-limit');
    expect(e.resumable).toBe(true);
    expect(e.details.code).toBe('DAILY');
    expect(e.message).toMatch(/daily API limit/);
    expect(e.message).not.toContain('pat-test-token');
    expect(c.usage()).toEqual({ list: 1 });
  });

  it('retries 5xx and 423 with backoff until success', async () => {
    api().get(PRODUCTS).query(true).reply(503, { status: 'error', message: 'Service unavailable' });
    api().get(PRODUCTS).query(true).reply(423, { status: 'error', message: 'Locked' });
    api().get(PRODUCTS).query(true).reply(502, 'Bad gateway', { 'content-type': 'application/json' });
    api().get(PRODUCTS).query(true).reply(200, page);
    const c = connector({ retry: { retries: 4, minDelayMs: 1, maxDelayMs: 2 } });
    const pages = await pullProducts(c);
    expect(pages[0]!.records).toHaveLength(1);
    expect(c.usage()).toEqual({ list: 4 });
  });

  it('retries network errors (a loopback server drops the first connection)', async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      hits += 1;
      if (hits === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    nock.enableNetConnect('127.0.0.1');
    try {
      const { port } = server.address() as AddressInfo;
      const c = connector({ baseUrl: `http://127.0.0.1:${port}` });
      const pages = await pullProducts(c);
      expect(pages[0]!.records).toHaveLength(1);
      expect(c.usage()).toEqual({ list: 2 });
      expect(hits).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('abandons and retries a call that does not answer in time', async () => {
    api().get(PRODUCTS).query(true).delay(500).reply(200, { results: [] });
    api().get(PRODUCTS).query(true).reply(200, page);
    const c = connector({ requestTimeoutMs: 50 });
    const pages = await pullProducts(c);
    expect(pages[0]!.records.map((r) => r.id)).toEqual(['301']);
    expect(c.usage()).toEqual({ list: 2 });
  });

  it('gives up on 5xx after the configured retries as unavailable (resumable)', async () => {
    api().get(PRODUCTS).query(true).times(3).reply(500, { status: 'error', message: 'internal error' });
    const c = connector({ retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    const e = await failureOf(pullProducts(c));
    expect([e.kind, e.resumable, e.details.status]).toEqual(['unavailable', true, 500]);
    expect(c.usage()).toEqual({ list: 3 });
  });

  it('does not retry other 4xx', async () => {
    api().get(PRODUCTS).query(true).reply(400, { status: 'error', category: 'VALIDATION_ERROR', message: 'Invalid input JSON' });
    const c = connector();
    const e = await failureOf(pullProducts(c));
    expect([e.kind, e.resumable, e.details.status, e.details.code]).toEqual(['bad-response', false, 400, 'VALIDATION_ERROR']);
    expect(c.usage()).toEqual({ list: 1 });
  });

  it('a 403 is a configuration error (missing scope)', async () => {
    api().get(PRODUCTS).query(true).reply(403, { status: 'error', category: 'MISSING_SCOPES', message: 'This app hasn\'t been granted all required scopes' });
    const e = await failureOf(pullProducts(connector()));
    expect([e.kind, e.details.status]).toEqual(['config', 403]);
  });

  it('keeps to the ten-second budget of the connection', async () => {
    const time = fakeTime(0);
    api().get(PRODUCTS).query(true).reply(200, { results: [obj('1', {})], paging: { next: { after: '1' } } });
    api().get(PRODUCTS).query(true).reply(200, { results: [obj('2', {})], paging: { next: { after: '2' } } });
    api().get(PRODUCTS).query(true).reply(200, { results: [obj('3', {})] });
    const c = connector({ limits: { tenSecondBudget: 2 } }, time);
    const pages = await pullProducts(c);
    expect(pages).toHaveLength(3);
    // Two calls fit at t=0; the third waits until the first leaves the window.
    expect(time.waits).toEqual([10_000]);
  });

  it('pauses when the rate-limit headers say nothing remains in the window', async () => {
    const time = fakeTime(0);
    api().get(PRODUCTS).query(true).reply(200, { results: [obj('1', {})], paging: { next: { after: '1' } } }, {
      'X-HubSpot-RateLimit-Max': '100', 'X-HubSpot-RateLimit-Remaining': '0', 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
      'X-HubSpot-RateLimit-Daily': '250000', 'X-HubSpot-RateLimit-Daily-Remaining': '1234',
    });
    api().get(PRODUCTS).query(true).reply(200, { results: [obj('2', {})] });
    const c = connector({}, time);
    await pullProducts(c);
    // The window holds 99 requests that are not this connection's: the next one waits the whole
    // interval (looking again every 250 ms in case an answer says they left).
    expect(time.waits.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(time.waits.every((w) => w <= 250)).toBe(true);
    expect(c.dailyRemaining()).toBe(1234);
  });
});
