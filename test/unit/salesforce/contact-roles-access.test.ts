import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/contract/errors.ts';
import type { PullPage } from '../../../src/contract/connector.ts';
import type { Logger } from '../../../src/log.ts';
import { unreadableAnswer } from '../../../connectors/salesforce/optional-streams.ts';
import { SalesforceHttpError } from '../../../connectors/salesforce/client.ts';
import { INSTANCE, V, collect, limitHeader, makeConnector, mockSingleCurrency, queryMatching, rec, setupNock, teardownNock } from '../../integration/salesforce/helpers.ts';

/**
 * OpportunityContactRole only enriches the analysis: when the integration user cannot read it
 * (the org answers INVALID_TYPE, INVALID_FIELD, ...), the contact roles stream is skipped with a
 * data issue and its cursor left where it was; a transient failure still stops the pull.
 */

beforeEach(setupNock);
afterEach(teardownNock);

const NOT_SUPPORTED = "\nSELECT Id, OpportunityId, ContactId, Role, IsPrimary, SystemModstamp FROM OpportunityContactRole ORDER BY Id\n                                                                      ^\nERROR at Row:1:Column:71\nsObject type 'OpportunityContactRole' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.";
const ROLES_FULL = /^SELECT Id, OpportunityId, ContactId, Role, IsPrimary, SystemModstamp FROM OpportunityContactRole ORDER BY Id$/;
const SAVED = { phase: 'incremental', ts: '2026-06-29T10:00:00.000Z', id: '00K000000000009AAA', complete: true } as const;

/** A logger whose warnings (and worse) are kept as the JSON lines pino writes. */
function warnings(): { logger: Logger; seen: { obj: Record<string, unknown>; msg: string }[] } {
  const seen: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger = pino({ level: 'warn' }, {
    write(line: string) {
      const { msg, ...obj } = JSON.parse(line) as Record<string, unknown>;
      seen.push({ obj, msg: String(msg) });
    },
  });
  return { logger, seen };
}

async function failure(pages: AsyncIterable<PullPage>): Promise<unknown> {
  try {
    for await (const _ of pages) { /* drain */ }
  } catch (e) {
    return e;
  }
  throw new Error('expected the pull to fail');
}

describe('an OpportunityContactRole the integration user cannot read', () => {
  it('skips the contact roles stream with a data issue naming the object and the answer; the streams before it are read as ever', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope
      .get(`${V}/query`).query(queryMatching(/FROM User ORDER BY Id$/))
      .reply(200, { totalSize: 1, done: true, records: [rec('User', { Id: 'U1', Name: 'Ann', IsActive: true })] }, limitHeader(3))
      .get(`${V}/query`).query(queryMatching(ROLES_FULL)).once()
      .reply(400, [{ message: NOT_SUPPORTED, errorCode: 'INVALID_TYPE' }], limitHeader(4));
    const { logger, seen } = warnings();
    const sf = makeConnector({ logger });
    const pages = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['users', 'contactRoles'] }));

    expect(pages.map((p) => [p.object, p.records.length])).toEqual([['users', 1], ['contactRoles', 0]]);
    const skipped = pages[1] as PullPage;
    // Not a finished full pull (nothing is swept) and no cursor moved: the stream read nothing.
    expect(skipped.fullPullComplete).toBeUndefined();
    expect(skipped.cursor).toEqual({});
    expect(skipped.deletedIds).toEqual([]);
    expect(skipped.issues).toHaveLength(1);
    const issue = skipped.issues[0];
    expect(issue).toMatchObject({ object: 'contactRoles', recordId: null, kind: 'object-unreadable' });
    expect(issue?.message).toMatch(/^Contact roles not pulled: the integration user cannot read Salesforce OpportunityContactRole \(400 INVALID_TYPE\)\./);
    expect(issue?.message).toContain('give the integration user Read on OpportunityContactRole and on its fields OpportunityId, ContactId, Role, IsPrimary');
    expect(issue?.message).toContain("sObject type 'OpportunityContactRole' is not supported");
    // One query, not retried: the answer is for good.
    expect(sf.usage()).toMatchObject({ query: 2 });
    expect(seen.filter((w) => w.obj['object'] === 'contactRoles')).toEqual([{ obj: expect.objectContaining({ object: 'contactRoles', sobject: 'OpportunityContactRole', status: 400, code: 'INVALID_TYPE' }), msg: expect.stringMatching(/cannot read OpportunityContactRole: contactRoles skipped/) }]);
  });

  it.each([
    ['a field hidden by field-level security', 400, 'INVALID_FIELD', "No such column 'Role' on entity 'OpportunityContactRole'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name."],
    ['an object that does not support query', 400, 'INVALID_TYPE_FOR_OPERATION', 'entity type OpportunityContactRole does not support query'],
    ['no access', 403, 'INSUFFICIENT_ACCESS', 'insufficient access rights on object id'],
  ])('keeps the saved incremental cursor as it was for %s', async (_what, status, code, message) => {
    nock(INSTANCE)
      .get(`${V}/queryAll`).query(queryMatching(/FROM OpportunityContactRole WHERE/)).once()
      .reply(status, [{ message, errorCode: code }], limitHeader(5));
    const sf = makeConnector();
    const pages = await collect(sf.pull({ mode: 'incremental', cursors: { contactRoles: { ...SAVED } }, objects: ['contactRoles'] }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.cursor).toEqual(SAVED);
    expect(pages[0]?.records).toEqual([]);
    expect(pages[0]?.issues.map((i) => [i.kind, i.object])).toEqual([['object-unreadable', 'contactRoles']]);
    expect(pages[0]?.issues[0]?.message).toContain(`(${status} ${code})`);
    expect(pages[0]?.issues[0]?.message).toContain(message);
  });

  it('when the object becomes unreadable part way, stays at the last page it did read', async () => {
    const scope = nock(INSTANCE);
    scope
      .get(`${V}/query`).query(queryMatching(ROLES_FULL))
      .reply(200, {
        totalSize: 3, done: false, nextRecordsUrl: `${V}/query/01gR-1`,
        records: [rec('OpportunityContactRole', { Id: '00K000000000001AAA', OpportunityId: '006A', ContactId: '003A', Role: 'Decision Maker', IsPrimary: true })],
      }, { ...limitHeader(3), Date: 'Tue, 30 Jun 2026 12:00:00 GMT' })
      .get(`${V}/query/01gR-1`)
      .reply(400, [{ message: "sObject type 'OpportunityContactRole' is not supported.", errorCode: 'INVALID_TYPE' }], limitHeader(4));
    const sf = makeConnector();
    const pages = await collect(sf.pull({ mode: 'full', cursors: {}, objects: ['contactRoles'] }));
    expect(pages.map((p) => p.records.length)).toEqual([1, 0]);
    const read = { phase: 'full', afterId: '00K000000000001AAA', startedAt: '2026-06-30T12:00:00.000Z' };
    expect(pages[0]?.cursor).toEqual(read);
    expect(pages[1]?.cursor).toEqual(read);
    expect(pages[1]?.issues[0]?.kind).toBe('object-unreadable');
    expect(pages.some((p) => p.fullPullComplete)).toBe(false);
  });

  it('a later run with the empty cursor reads the stream in full, without calling the cursor not understood', async () => {
    nock(INSTANCE)
      .get(`${V}/query`).query(queryMatching(ROLES_FULL))
      .reply(200, { totalSize: 1, done: true, records: [rec('OpportunityContactRole', { Id: '00K000000000001AAA', OpportunityId: '006A', ContactId: '003A', Role: null, IsPrimary: false })] }, limitHeader(3));
    const { logger, seen } = warnings();
    const pages = await collect(makeConnector({ logger }).pull({ mode: 'incremental', cursors: { contactRoles: {} }, objects: ['contactRoles'] }));
    expect(pages.map((p) => p.records.length)).toEqual([1]);
    expect(pages[0]?.fullPullComplete).toBe(true);
    expect(seen.filter((w) => /not understood/.test(w.msg))).toEqual([]);
  });
});

describe('what still stops the pull', () => {
  it('a server error is retried, then stops the pull resumably (unavailable), the roles not skipped', async () => {
    nock(INSTANCE).get(`${V}/query`).query(queryMatching(ROLES_FULL)).times(4).reply(503, [{ message: 'Service Unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
    const sf = makeConnector();
    const err = await failure(sf.pull({ mode: 'full', cursors: {}, objects: ['contactRoles'] }));
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).kind).toBe('unavailable');
    expect((err as CrmError).resumable).toBe(true);
    expect(sf.usage()).toEqual({ query: 4 });
  });

  it('a dropped connection is retried, then stops the pull resumably (real loopback socket)', async () => {
    nock.enableNetConnect('127.0.0.1');
    let hits = 0;
    const server = http.createServer((req) => {
      hits += 1;
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const err = await failure(makeConnector({ instanceUrl: `http://127.0.0.1:${port}` }).pull({ mode: 'full', cursors: {}, objects: ['contactRoles'] }));
      expect((err as CrmError).kind).toBe('unavailable');
      expect((err as CrmError).resumable).toBe(true);
      expect(hits).toBe(4);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the daily limit and a 429 stop it as before', async () => {
    nock(INSTANCE).get(`${V}/query`).query(queryMatching(ROLES_FULL)).once()
      .reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    const limit = await failure(makeConnector().pull({ mode: 'full', cursors: {}, objects: ['contactRoles'] }));
    expect((limit as CrmError).kind).toBe('api-limit');
    nock(INSTANCE).get(`${V}/query`).query(queryMatching(ROLES_FULL)).once().reply(429, [{ message: 'Too many requests', errorCode: 'INVALID_TYPE' }]);
    const tooMany = await failure(makeConnector().pull({ mode: 'full', cursors: {}, objects: ['contactRoles'] }));
    expect(tooMany).toBeInstanceOf(CrmError);
    expect((tooMany as CrmError).details.status).toBe(429);
  });

  it('the same answer for a stream the analysis stands on (opportunities) stops the run naming it', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope.get(`${V}/query`).query(queryMatching(/FROM Opportunity ORDER BY Id$/)).once()
      .reply(400, [{ message: "sObject type 'Opportunity' is not supported.", errorCode: 'INVALID_TYPE' }], limitHeader(4));
    const err = await failure(makeConnector().pull({ mode: 'full', cursors: {}, objects: ['opportunities'] }));
    expect((err as CrmError).kind).toBe('config');
    expect((err as CrmError).details.code).toBe('INVALID_TYPE');
    expect((err as CrmError).message).toMatch(/Opportunity query/);
  });
});

describe('unreadableAnswer', () => {
  it('takes only the permanent refusals of a 4xx answer', () => {
    expect(unreadableAnswer(new SalesforceHttpError(400, 'INVALID_TYPE', 'x'))).toEqual({ status: 400, code: 'INVALID_TYPE', message: 'x' });
    expect(unreadableAnswer(new CrmError('config', 'Salesforce rejected q (400 INVALID_FIELD): y', { status: 400, code: 'INVALID_FIELD' }))).toMatchObject({ code: 'INVALID_FIELD' });
    expect(unreadableAnswer(new SalesforceHttpError(400, 'MALFORMED_QUERY', 'x'))).toBeNull();
    expect(unreadableAnswer(new SalesforceHttpError(500, 'INVALID_TYPE', 'x'))).toBeNull();
    expect(unreadableAnswer(new SalesforceHttpError(401, 'INVALID_TYPE', 'x'))).toBeNull();
    expect(unreadableAnswer(new SalesforceHttpError(429, 'INVALID_TYPE', 'x'))).toBeNull();
    expect(unreadableAnswer(new CrmError('unavailable', 'down', { status: 400, code: 'INVALID_TYPE' }))).toBeNull();
    expect(unreadableAnswer(new CrmError('api-limit', 'limit', { status: 403, code: 'REQUEST_LIMIT_EXCEEDED' }))).toBeNull();
    expect(unreadableAnswer(new Error('INVALID_TYPE'))).toBeNull();
  });
});
