import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Account } from '../../../src/model/snapshot.ts';
import { api, collect, connector, obj, queryOf, setupNock, teardownNock } from './helpers.ts';
import { loadGolden, servePortal } from './fake-portal.ts';

beforeEach(setupNock);
afterEach(teardownNock);

const NOW = Date.parse('2026-06-30T12:00:00Z');

describe('full pull', () => {
  it('gathers list pages into one association batch read of up to 1,000 ids, checkpointing the whole', async () => {
    const log = servePortal(loadGolden(), 1);
    const c = connector({}, { now: () => NOW });
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['accounts'] });
    // Three list pages of one company each; 1 + 100 (the next page's size) fits in 1,000 ids.
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['101', '102', '103']]);
    expect(pages[0]?.cursor).toEqual({ phase: 'search', since: NOW, sinceIds: '', archivedSince: NOW });
    expect(pages[0]?.fullPullComplete).toBe(true);
    expect((pages[0]?.records[1] as Account).parentId).toBe('101');
    expect(log.filter((l) => l.startsWith('POST /crm/v4/associations/companies/companies/batch/read'))).toHaveLength(1);
    expect(c.usage()).toEqual({ list: 3, associationsBatchRead: 1 });
  });

  it('pages companies with `after` until a page without `paging`, one association batch read per page', async () => {
    const log = servePortal(loadGolden(), 1);
    // An association batch of 100 ids cannot take a second list page of up to 100.
    const c = connector({ pageSizes: { associations: 100 } }, { now: () => NOW });
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['accounts'] });

    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['101'], ['102'], ['103']]);
    expect(pages.map((p) => p.cursor)).toEqual([
      { phase: 'list', after: '1', startedAt: NOW },
      { phase: 'list', after: '2', startedAt: NOW },
      { phase: 'search', since: NOW, sinceIds: '', archivedSince: NOW },
    ]);
    expect(pages.map((p) => p.fullPullComplete ?? false)).toEqual([false, false, true]);

    const lists = log.filter((l) => l.startsWith('GET /crm/v3/objects/companies'));
    expect(lists.map((l) => queryOf(l.slice(4)).get('after'))).toEqual([null, '1', '2']);
    // Properties go as repeated parameters and include Kamflow's own.
    const props = queryOf(lists[0]!.slice(4)).getAll('properties');
    expect(props).toEqual(expect.arrayContaining(['name', 'numberofemployees', 'hs_is_target_account', 'kam_tier', 'kam_updated_at', 'hs_lastmodifieddate']));
    expect(log.filter((l) => l.startsWith('POST /crm/v4/associations/companies/companies/batch/read'))).toHaveLength(3);
    expect(log.some((l) => l.includes('/crm/v4/objects/'))).toBe(false);

    // String values parsed: "1200" employees, "true" marking, parent from the child->parent association.
    const acme = pages[0]!.records[0] as Account;
    expect([acme.employees, acme.markedKey, acme.parentId]).toEqual([1200, true, null]);
    expect((pages[1]!.records[0] as Account).parentId).toBe('101');
    expect(c.usage()).toEqual({ list: 3, associationsBatchRead: 3 });
  });

  it('asks for the next list pages while the page before is still with the caller (checkpointing)', async () => {
    const log = servePortal(loadGolden(), 1);
    const c = connector({ pageSizes: { associations: 100 } }, { now: () => NOW });
    const pages = c.pull({ mode: 'full', cursors: {}, objects: ['accounts'] })[Symbol.asyncIterator]();
    const first = await pages.next();
    expect(first.value?.cursor).toEqual({ phase: 'list', after: '1', startedAt: NOW });
    const lists = (): (string | null)[] => log.filter((l) => l.startsWith('GET /crm/v3/objects/companies')).map((l) => queryOf(l.slice(4)).get('after'));
    // The first page is not handed back yet, and the second list page is already asked for.
    await vi.waitFor(() => expect(lists()).toEqual([null, '1']));
    const rest: string[][] = [];
    for (let r = await pages.next(); !r.done; r = await pages.next()) rest.push(r.value.records.map((x) => x.id));
    expect(rest).toEqual([['102'], ['103']]);
    expect(lists()).toEqual([null, '1', '2']);
    expect(c.usage()).toEqual({ list: 3, associationsBatchRead: 3 });
  });

  it('reads a later stream told ahead while the stream before it is pulled, and hands its pages to that stream', async () => {
    const log = servePortal(loadGolden(), 1);
    const c = connector({ pageSizes: { associations: 100 } }, { now: () => NOW });
    const lists = (): (string | null)[] => log.filter((l) => l.startsWith('GET /crm/v3/objects/companies')).map((l) => queryOf(l.slice(4)).get('after'));
    // Before the connection's first answer nothing is read ahead (the daily reading is not known).
    await collect(c, { mode: 'full', cursors: {}, objects: ['products'], readAhead: [{ object: 'accounts', cursor: null }] });
    expect(lists()).toEqual([]);
    const products = c.pull({ mode: 'full', cursors: {}, objects: ['products'], readAhead: [{ object: 'accounts', cursor: null }] })[Symbol.asyncIterator]();
    await products.next();
    // The companies are read while the products' page is still with the caller.
    await vi.waitFor(() => expect(lists()).toEqual([null, '1', '2']));
    for (let r = await products.next(); !r.done; r = await products.next());
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['accounts'] });
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['101'], ['102'], ['103']]);
    expect(pages.at(-1)?.cursor).toEqual({ phase: 'search', since: NOW, sinceIds: '', archivedSince: NOW });
    expect((pages[1]!.records[0] as Account).parentId).toBe('101');
    // Read once: the accounts pull took the pages read ahead.
    expect(lists()).toEqual([null, '1', '2']);
    expect(log.filter((l) => l.startsWith('POST /crm/v4/associations/companies/companies/batch/read'))).toHaveLength(3);
  });

  it('does not hand pages read ahead to a full pull that starts elsewhere', async () => {
    const log = servePortal(loadGolden(), 1);
    const c = connector({ pageSizes: { associations: 100 } }, { now: () => NOW });
    const lists = (): (string | null)[] => log.filter((l) => l.startsWith('GET /crm/v3/objects/companies')).map((l) => queryOf(l.slice(4)).get('after'));
    await collect(c, { mode: 'full', cursors: {}, objects: ['products'] });
    await collect(c, { mode: 'full', cursors: {}, objects: ['products'], readAhead: [{ object: 'accounts', cursor: null }] });
    await vi.waitFor(() => expect(lists().length).toBeGreaterThan(0));
    const pages = await collect(c, { mode: 'full', cursors: { accounts: { phase: 'list', after: '2', startedAt: 1234 } }, objects: ['accounts'] });
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['103']]);
    expect(pages[0]!.cursor).toEqual({ phase: 'search', since: 1234, sinceIds: '', archivedSince: 1234 });
    expect(lists().at(-1)).toBe('2');
  });

  it('resumes an interrupted full pull from its saved `after` and keeps its start time', async () => {
    const log = servePortal(loadGolden(), 1);
    const c = connector({}, { now: () => NOW });
    const pages = await collect(c, { mode: 'full', cursors: { accounts: { phase: 'list', after: '2', startedAt: 1234 } }, objects: ['accounts'] });
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['103']]);
    expect(pages[0]!.cursor).toEqual({ phase: 'search', since: 1234, sinceIds: '', archivedSince: 1234 });
    expect(log.filter((l) => l.startsWith('GET /crm/v3/objects/companies'))).toHaveLength(1);
  });

  it('follows the paging of one record inside an association batch read', async () => {
    const bodies: { inputs: { id: string; after?: string }[] }[] = [];
    api().get('/crm/v3/objects/contacts').query(true).reply(200, { results: [obj('1', { firstname: 'A' }), obj('2', { firstname: 'B' })] });
    api().post('/crm/v4/associations/contacts/companies/batch/read').times(2).reply((_u, b) => {
      const body = b as { inputs: { id: string; after?: string }[] };
      bodies.push(body);
      if (bodies.length === 1) {
        return [200, { status: 'COMPLETE', results: [
          { from: { id: '1' }, to: [{ toObjectId: 10, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] }], paging: { next: { after: 'p2' } } },
          { from: { id: '2' }, to: [{ toObjectId: 20, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' }] }] },
        ] }];
      }
      return [200, { status: 'COMPLETE', results: [
        { from: { id: '1' }, to: [{ toObjectId: 11, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' }] }] },
      ] }];
    });
    const pages = await collect(connector(), { mode: 'full', cursors: {}, objects: ['contacts'] });
    expect(bodies).toEqual([{ inputs: [{ id: '1' }, { id: '2' }] }, { inputs: [{ id: '1', after: 'p2' }] }]);
    // The primary company wins over the first one listed.
    expect(pages[0]!.records.map((r) => ['accountId' in r ? r.accountId : null])).toEqual([['11'], ['20']]);
  });

  it('reads deals with their stage outcome from the pipelines, read once per pull', async () => {
    const log = servePortal(loadGolden(), 2);
    const c = connector();
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['opportunities'] });
    expect(pages.flatMap((p) => p.records.map((r) => [r.id, 'status' in r ? r.status : '']))).toEqual([
      ['401', 'won'], ['402', 'open'], ['403', 'lost'], ['404', 'won'],
    ]);
    expect(log.filter((l) => l === 'GET /crm/v3/pipelines/deals')).toHaveLength(1);
  });

  it('reports a deal in an unknown stage or without a company, and goes on', async () => {
    const data = loadGolden();
    (data.deals[0] as { properties: Record<string, string> }).properties['dealstage'] = 'contractsent';
    delete data.associations['deals->companies']!['403'];
    servePortal(data);
    const pages = await collect(connector(), { mode: 'full', cursors: {}, objects: ['opportunities'] });
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['402', '404']);
    expect(pages.flatMap((p) => p.issues.map((i) => [i.recordId, i.kind]))).toEqual([
      ['401', 'unknown-stage'],
      ['403', 'no-account'],
    ]);
  });

  it('reads the company currency and the exchange rates from the Settings API', async () => {
    servePortal(loadGolden());
    const c = connector({ currency: undefined });
    expect(await c.currency()).toBe('EUR');
    expect(c.usage()).toEqual({ currencies: 2 });
  });
});
