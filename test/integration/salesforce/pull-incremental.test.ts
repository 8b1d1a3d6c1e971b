import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INSTANCE, V, collect, limitHeader, makeConnector, mockSingleCurrency, rec, setupNock, soqlOf, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

const FIELDS = 'Id, AccountId, Name, Email, Title, SystemModstamp, IsDeleted';

/** Contact ids as Salesforce makes them: 15 characters and the case-safe suffix. */
function cid(i: number): string {
  return `003Kf0${String(i).padStart(9, '0')}AAA`;
}

function contact(i: number, stamp: string, deleted = false): Record<string, unknown> {
  const id = cid(i);
  return rec('Contact', { Id: id, AccountId: 'A1', Name: `Person ${i}`, Email: null, Title: null, SystemModstamp: stamp, IsDeleted: deleted });
}

describe('incremental pull', () => {
  it('pages by (SystemModstamp, Id) so records sharing a timestamp are not skipped, and reports deletes', async () => {
    const same = '2026-06-30T10:05:00.000+0000';
    const first = Array.from({ length: 200 }, (_, i) => contact(i, same, i === 150));
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    const seen: string[] = [];
    const record = (q: Record<string, unknown>, needle: string): boolean => {
      const soql = soqlOf(q);
      if (!soql.includes(needle)) return false;
      if (!seen.includes(soql)) seen.push(soql);
      return true;
    };
    scope
      .get(`${V}/queryAll`)
      .query((q) => record(q, 'SystemModstamp >= 2026-06-30T09:55:00Z'))
      .reply(200, { totalSize: 200, done: true, records: first }, limitHeader(10))
      .get(`${V}/queryAll`)
      .query((q) => record(q, `AND Id > '${cid(199)}')`))
      .reply(200, { totalSize: 2, done: true, records: [contact(200, same), contact(201, '2026-06-30T10:06:00.000+0000')] }, limitHeader(11));

    const sf = makeConnector({ lookbackSeconds: 300 });
    const pages = await collect(
      sf.pull({ mode: 'incremental', cursors: { contacts: { phase: 'incremental', ts: '2026-06-30T10:00:00.000Z', id: cid(999), complete: true } }, objects: ['contacts'] }),
    );

    // The finished cursor is moved back by the 5-minute lookback and the Id tie-break restarts:
    // from that moment on, everything, with no ID literal (an empty one would be refused).
    expect(seen[0]).toBe(
      `SELECT ${FIELDS} FROM Contact WHERE SystemModstamp >= 2026-06-30T09:55:00Z ORDER BY SystemModstamp, Id LIMIT 200`,
    );
    expect(seen[1]).toBe(
      `SELECT ${FIELDS} FROM Contact WHERE (SystemModstamp > 2026-06-30T10:05:00Z OR (SystemModstamp = 2026-06-30T10:05:00Z AND Id > '${cid(199)}')) ORDER BY SystemModstamp, Id LIMIT 200`,
    );
    expect(pages).toHaveLength(2);
    expect(pages[0]?.records).toHaveLength(199);
    expect(pages[0]?.deletedIds).toEqual([cid(150)]);
    expect(pages[0]?.cursor).toEqual({ phase: 'incremental', ts: '2026-06-30T10:05:00.000Z', id: cid(199), complete: false });
    expect(pages[1]?.records.map((r) => r.id)).toEqual([cid(200), cid(201)]);
    expect(pages[1]?.cursor).toEqual({ phase: 'incremental', ts: '2026-06-30T10:06:00.000Z', id: cid(201), complete: true });
    expect(pages.some((p) => p.fullPullComplete)).toBe(false);
    expect(sf.usage()).toMatchObject({ queryAll: 2 });
  });

  it('resumes an unfinished run exactly after the saved (timestamp, Id), without the lookback', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    let soql = '';
    scope
      .get(`${V}/queryAll`)
      .query((q) => {
        soql = soqlOf(q);
        return true;
      })
      .reply(200, { totalSize: 0, done: true, records: [] }, limitHeader(10));
    const sf = makeConnector();
    const pages = await collect(
      sf.pull({ mode: 'incremental', cursors: { contacts: { phase: 'incremental', ts: '2026-06-30T10:05:00.000Z', id: cid(199), complete: false } }, objects: ['contacts'] }),
    );
    expect(soql).toContain(`WHERE (SystemModstamp > 2026-06-30T10:05:00Z OR (SystemModstamp = 2026-06-30T10:05:00Z AND Id > '${cid(199)}'))`);
    expect(pages[0]?.cursor).toEqual({ phase: 'incremental', ts: '2026-06-30T10:05:00.000Z', id: cid(199), complete: true });
  });

  it('keeps a finished cursor where it was when the lookback window only re-reads older records', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    scope
      .get(`${V}/queryAll`)
      .query(true)
      .reply(200, { totalSize: 1, done: true, records: [contact(5, '2026-06-30T09:58:00.000+0000')] }, limitHeader(10));
    const sf = makeConnector();
    const pages = await collect(
      sf.pull({ mode: 'incremental', cursors: { contacts: { phase: 'incremental', ts: '2026-06-30T10:00:00.000Z', id: cid(10), complete: true } }, objects: ['contacts'] }),
    );
    expect(pages[0]?.records.map((r) => r.id)).toEqual([cid(5)]);
    expect(pages[0]?.cursor).toEqual({ phase: 'incremental', ts: '2026-06-30T10:00:00.000Z', id: cid(10), complete: true });
  });

  it('reads users (which have no IsDeleted) through query, and starts in full without a cursor', async () => {
    const scope = nock(INSTANCE);
    mockSingleCurrency(scope);
    let soql = '';
    scope
      .get(`${V}/query`)
      .query((q) => {
        soql = soqlOf(q);
        return soql.includes('FROM User WHERE');
      })
      .reply(200, { totalSize: 1, done: true, records: [rec('User', { Id: 'U1', Name: 'Ann', IsActive: true, SystemModstamp: '2026-06-30T11:00:00.000+0000' })] }, limitHeader(10))
      .get(`${V}/query`)
      .query((q) => soqlOf(q) === 'SELECT Id, Name, IsActive, SystemModstamp, Family FROM Product2 ORDER BY Id')
      .reply(200, { totalSize: 0, done: true, records: [] }, limitHeader(12));
    const sf = makeConnector();
    const pages = await collect(
      sf.pull({ mode: 'incremental', cursors: { users: { phase: 'incremental', ts: '2026-06-30T10:00:00.000Z', id: 'U0', complete: true } }, objects: ['users', 'products'] }),
    );
    expect(soql).not.toContain('IsDeleted');
    expect(pages.map((p) => [p.object, p.records.length, p.fullPullComplete ?? false])).toEqual([
      ['users', 1, false],
      ['products', 0, true],
    ]);
  });
});
