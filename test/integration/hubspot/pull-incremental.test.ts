import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../../src/model/snapshot.ts';
import type { MirrorView } from '../../../src/contract/connector.ts';
import { api, collect, connector, obj, setupNock, standingMocks, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

interface SearchBody {
  filterGroups: { filters: { propertyName: string; operator: string; value: string }[] }[];
  sorts: { propertyName: string; direction: string }[];
  limit: number;
  after?: string;
}

function company(id: string, modified: string) {
  return obj(id, { name: `Company ${id}`, hs_lastmodifieddate: modified });
}

/** No probe: the filtered search from the first call (what a run whose changes fill the probe page does). */
const FILTERED = { pageSizes: { probe: 0 } };

function noAssociations(): void {
  const scope = api().persist().post('/crm/v4/associations/companies/companies/batch/read').reply(200, { status: 'COMPLETE', results: [] });
  standingMocks(scope);
}

describe('incremental pull', () => {
  it('searches modified-since ascending, restarts from the last value before the 10,000 cap, and reads archived records as deletes', async () => {
    noAssociations();
    const bodies: SearchBody[] = [];
    const replies = [
      // First query: a tie at the saved point that was already read, then new records.
      { results: [company('a', '1000'), company('b', '1970-01-01T00:00:02.000Z')], paging: { next: { after: '9800' } } },
      // Deep in the same query: the next `after` would pass 10,000.
      { results: [company('c', '3000'), company('d', '3000')], paging: { next: { after: '10000' } } },
      // Restarted at 3000: c and d come again and are skipped.
      { results: [company('c', '3000'), company('d', '3000'), company('e', '4000')] },
    ];
    api()
      .post('/crm/v3/objects/companies/search')
      .times(3)
      .reply((_uri, body) => {
        const b = body as SearchBody;
        bodies.push(b);
        if (Number(b.after ?? 0) >= 10_000) return [400, { status: 'error', category: 'VALIDATION_ERROR', message: 'paging past 10000 results' }];
        return [200, { total: 12_000, ...replies[bodies.length - 1] }];
      });
    api()
      .get('/crm/v3/objects/companies')
      .query((q) => q['archived'] === 'true')
      .reply(200, {
        results: [
          { ...company('z', '900'), archived: true, archivedAt: '2026-06-30T11:00:00.000Z' },
          { ...company('old', '800'), archived: true, archivedAt: '2026-01-01T00:00:00.000Z' },
        ],
      });

    const now = Date.parse('2026-06-30T12:00:00Z');
    const archivedSince = Date.parse('2026-06-30T10:00:00Z');
    const c = connector(FILTERED, { now: () => now });
    const pages = await collect(c, {
      mode: 'incremental',
      cursors: { accounts: { phase: 'search', since: 1000, sinceIds: 'a', archivedSince } },
      objects: ['accounts'],
    });

    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['b', 'c', 'd', 'e']);
    expect(bodies.map((b) => [b.filterGroups[0]!.filters[0]!.value, b.after ?? null])).toEqual([
      ['1000', null],
      ['1000', '9800'],
      ['3000', null],
    ]);
    expect(bodies[0]!.filterGroups[0]!.filters[0]).toEqual({ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: '1000' });
    expect(bodies[0]!.sorts).toEqual([{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }]);
    expect(pages.flatMap((p) => p.deletedIds)).toEqual(['z']);
    expect(pages.at(-2)!.cursor).toEqual({ phase: 'search', since: 4000, sinceIds: 'e', archivedSince });
    // These answers carry no `Date`: the archived list's point stays, never moved by this machine's clock.
    expect(pages.at(-1)!.cursor).toEqual({ phase: 'search', since: 4000, sinceIds: 'e', archivedSince });
    expect(pages.some((p) => p.fullPullComplete)).toBe(false);
    expect((pages[0]!.records[0] as Account).name).toBe('Company b');
    expect(c.usage()).toMatchObject({ search: 3, list: 1 });
  });

  it('counts results against the cap when `after` is opaque', async () => {
    noAssociations();
    const bodies: SearchBody[] = [];
    const replies = [
      { results: [company('a', '1000'), company('b', '2000')], paging: { next: { after: 'opaque-1' } } },
      { results: [company('c', '3000'), company('d', '3000')], paging: { next: { after: 'opaque-2' } } },
      { results: [company('d', '3000'), company('e', '5000')] },
    ];
    api().post('/crm/v3/objects/companies/search').times(3).reply((_u, body) => {
      bodies.push(body as SearchBody);
      return [200, { total: 5, ...replies[bodies.length - 1] }];
    });
    api().get('/crm/v3/objects/companies').query(true).reply(200, { results: [] });
    const pages = await collect(connector({ searchResultCap: 4, pageSizes: { search: 2, probe: 0 } }), {
      mode: 'incremental',
      cursors: { accounts: { phase: 'search', since: 500, sinceIds: '', archivedSince: 0 } },
      objects: ['accounts'],
    });
    expect(bodies.map((b) => [b.filterGroups[0]!.filters[0]!.value, b.after ?? null, b.limit])).toEqual([
      ['500', null, 2], ['500', 'opaque-1', 2], ['3000', null, 2],
    ]);
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gathers search pages until one association batch read covers them', async () => {
    const batches: number[] = [];
    standingMocks(api().persist().post('/crm/v4/associations/companies/companies/batch/read').reply((_u, body) => {
      batches.push((body as { inputs: unknown[] }).inputs.length);
      return [200, { status: 'COMPLETE', results: [] }];
    }));
    const replies = [
      { results: [company('a', '1000'), company('b', '1001')], paging: { next: { after: '2' } } },
      { results: [company('c', '1002'), company('d', '1003')], paging: { next: { after: '4' } } },
      { results: [company('e', '1004')] },
    ];
    let n = 0;
    api().post('/crm/v3/objects/companies/search').times(3).reply(() => [200, { total: 5, ...replies[n++] }]);
    api().get('/crm/v3/objects/companies').query(true).reply(200, { results: [] });
    const c = connector({ pageSizes: { search: 2, associations: 5, probe: 0 } });
    const pages = await collect(c, {
      mode: 'incremental',
      cursors: { accounts: { phase: 'search', since: 500, sinceIds: '', archivedSince: 0 } },
      objects: ['accounts'],
    });
    // Two pages (4 ids) fit a batch of 5, a third would not: 2 association reads for 3 search pages.
    expect(batches).toEqual([4, 1]);
    expect(pages.filter((p) => p.records.length > 0).map((p) => p.records.map((r) => r.id))).toEqual([['a', 'b', 'c', 'd'], ['e']]);
    expect(c.usage()).toMatchObject({ search: 3, associationsBatchRead: 2, list: 1 });
  });

  it('looks back behind the saved point by the configured margin', async () => {
    noAssociations();
    let value = '';
    api().post('/crm/v3/objects/companies/search').reply((_u, body) => {
      value = (body as SearchBody).filterGroups[0]!.filters[0]!.value;
      return [200, { total: 0, results: [] }];
    });
    api().get('/crm/v3/objects/companies').query(true).reply(200, { results: [] });
    await collect(connector({ searchLookbackMs: 60_000, ...FILTERED }), {
      mode: 'incremental',
      cursors: { accounts: { phase: 'search', since: 100_000, sinceIds: '', archivedSince: 100_000 } },
      objects: ['accounts'],
    });
    expect(value).toBe('40000');
  });

  it('without a saved search cursor, an incremental pull starts with a full pull', async () => {
    noAssociations();
    api().get('/crm/v3/objects/companies').query((q) => q['archived'] === 'false').reply(200, { results: [company('a', '1000')] });
    const pages = await collect(connector({}, { now: () => 5000 }), { mode: 'incremental', cursors: {}, objects: ['accounts'] });
    expect(pages.map((p) => [p.records.length, p.fullPullComplete, p.cursor['phase']])).toEqual([[1, true, 'search']]);
  });
});

/** A mirror holding these company ids. */
function mirrorOf(ids: string[]): MirrorView {
  return {
    count: async () => ids.length,
    holds: async (_kind, asked) => new Set(asked.filter((id) => ids.includes(id))),
  };
}

interface ProbeBody { filterGroups?: unknown[]; sorts: { propertyName: string; direction: string }[]; limit: number; properties: string[]; after?: string }

/**
 * The probe's answer (newest first) with the portal's `Date`, and the archived list when the
 * test expects it read (nock refuses it otherwise, and the teardown fails on a mock not used).
 */
function probeAnswer(results: ReturnType<typeof company>[], total: number, date: number, archived: boolean): { bodies: ProbeBody[] } {
  const bodies: ProbeBody[] = [];
  const headers = { Date: new Date(date).toUTCString() };
  api().post('/crm/v3/objects/companies/search').reply((_u, body) => {
    bodies.push(body as ProbeBody);
    return [200, { total, results }, headers];
  });
  if (archived) api().get('/crm/v3/objects/companies').query((q) => q['archived'] === 'true').reply(200, { results: [] }, headers);
  return { bodies };
}

const T = Date.parse('2026-06-30T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

describe('incremental pull: the probe', () => {
  const cursor = { phase: 'search', since: T - 3_600_000, sinceIds: '', archivedSince: T - 3_600_000 };

  it('asks for every live record newest first with no filter, and takes the modified ones oldest first', async () => {
    noAssociations();
    const p = probeAnswer([company('n', iso(T - 60_000)), company('m', iso(T - 120_000)), company('old', iso(T - 7_200_000))], 3, T, false);
    const c = connector({ pageSizes: { probe: 3 } });
    const pages = await collect(c, { mode: 'incremental', cursors: { accounts: cursor }, objects: ['accounts'], mirror: mirrorOf(['n', 'm', 'old']) });
    expect(p.bodies).toHaveLength(1);
    expect(p.bodies[0]).toMatchObject({ filterGroups: [], sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'DESCENDING' }], limit: 3 });
    expect(p.bodies[0]!.after).toBeUndefined();
    expect(p.bodies[0]!.properties).toContain('hs_lastmodifieddate');
    expect(pages.flatMap((x) => x.records.map((r) => r.id))).toEqual(['m', 'n']);
    // Three live, three mirrored, none new: no deletion, the archived list is not read.
    expect(c.usage()).toEqual({ search: 1, associationsBatchRead: 1 });
    // The cursor settles to the portal's clock of the probe (its own Date less a second).
    expect(pages.at(-1)!.cursor).toEqual({ phase: 'search', since: T - 1_000, sinceIds: '', archivedSince: cursor.archivedSince });
  });

  it('reads the archived list when the total is not the mirror plus the new records', async () => {
    noAssociations();
    // "new" is not in the mirror: three live expected, the search counts two (one was deleted).
    probeAnswer([company('new', iso(T - 60_000)), company('old', iso(T - 7_200_000))], 2, T, true);
    const pages = await collect(connector({ pageSizes: { probe: 5 } }), { mode: 'incremental', cursors: { accounts: cursor }, objects: ['accounts'], mirror: mirrorOf(['old', 'gone']) });
    expect(pages.flatMap((x) => x.records.map((r) => r.id))).toEqual(['new']);
    // The archived list was read: its point moves to this run's anchor.
    expect(pages.at(-1)!.cursor['archivedSince']).toBe(T - 1_000);
  });

  it('reads the archived list without a mirror to count against, and a day after it was last read', async () => {
    noAssociations();
    probeAnswer([company('old', iso(T - 7_200_000))], 1, T, true);
    await collect(connector(), { mode: 'incremental', cursors: { accounts: cursor }, objects: ['accounts'] });
    probeAnswer([company('old', iso(T - 7_200_000))], 1, T, true);
    await collect(connector(), { mode: 'incremental', cursors: { accounts: { ...cursor, archivedSince: T - 24 * 3_600_000 } }, objects: ['accounts'], mirror: mirrorOf(['old']) });
  });

  it('falls back to the filtered search when the whole probe page is modified and more pages follow', async () => {
    noAssociations();
    const bodies: SearchBody[] = [];
    api().post('/crm/v3/objects/companies/search').times(2).reply((_u, body) => {
      bodies.push(body as SearchBody);
      if (bodies.length === 1) return [200, { total: 3, results: [company('c', iso(T - 60_000)), company('b', iso(T - 70_000))], paging: { next: { after: '2' } } }, { Date: new Date(T).toUTCString() }];
      return [200, { total: 3, results: [company('a', iso(T - 80_000)), company('b', iso(T - 70_000)), company('c', iso(T - 60_000))] }];
    });
    const pages = await collect(connector({ pageSizes: { probe: 2 } }), { mode: 'incremental', cursors: { accounts: cursor }, objects: ['accounts'], mirror: mirrorOf(['a', 'b', 'c']) });
    expect(bodies[1]!.filterGroups[0]!.filters[0]).toEqual({ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(cursor.since) });
    expect(pages.flatMap((x) => x.records.map((r) => r.id))).toEqual(['a', 'b', 'c']);
    // The probe's total still decides: three live, three mirrored, no archived list (nock would refuse it).
  });

  it('leaves a probe page with a record it cannot read to the filtered search', async () => {
    noAssociations();
    const bodies: SearchBody[] = [];
    api().post('/crm/v3/objects/companies/search').times(2).reply((_u, body) => {
      bodies.push(body as SearchBody);
      if (bodies.length === 1) return [200, { total: 2, results: [{ properties: {} }, company('old', iso(T - 7_200_000))] }];
      return [200, { total: 0, results: [] }];
    });
    api().get('/crm/v3/objects/companies').query((q) => q['archived'] === 'true').reply(200, { results: [] });
    await collect(connector(), { mode: 'incremental', cursors: { accounts: cursor }, objects: ['accounts'], mirror: mirrorOf(['old', 'x']) });
    expect(bodies).toHaveLength(2);
    expect(bodies[1]!.filterGroups[0]!.filters[0]!.operator).toBe('GTE');
  });
});
