import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, collect, connector, obj, setupNock, standingMocks, teardownNock } from '../../integration/hubspot/helpers.ts';

/**
 * The search cursor anchors to the portal's clock (the `Date` header of its answers), never to
 * this machine's: a portal whose clock is hours behind or ahead of the local one loses no change
 * and reads nothing twice that the last run saw.
 */

beforeEach(setupNock);
afterEach(teardownNock);

interface SearchBody {
  filterGroups: { filters: { propertyName: string; value: string }[] }[];
}

const HOUR = 3_600_000;

function company(id: string, modified: number) {
  return obj(id, { name: `Company ${id}`, hs_lastmodifieddate: new Date(modified).toISOString() });
}

function noAssociations(): void {
  standingMocks(api().persist().post('/crm/v4/associations/companies/companies/batch/read').reply(200, { status: 'COMPLETE', results: [] }));
}

/** One search answer (and the archived list after it), each with the portal's `Date`, or none. */
function portal(results: ReturnType<typeof company>[], date: number | null): { bodies: SearchBody[] } {
  const bodies: SearchBody[] = [];
  const headers: Record<string, string> = date === null ? {} : { Date: new Date(date).toUTCString() };
  api().post('/crm/v3/objects/companies/search').reply((_u, body) => {
    bodies.push(body as SearchBody);
    return [200, { total: results.length, results }, headers];
  });
  api().get('/crm/v3/objects/companies').query((q) => q['archived'] === 'true').reply(200, { results: [] }, headers);
  return { bodies };
}

async function run(since: number, archivedSince: number, lookbackMs = 60_000) {
  const pages = await collect(connector({ searchLookbackMs: lookbackMs, pageSizes: { probe: 0 } }), {
    mode: 'incremental',
    cursors: { accounts: { phase: 'search', since, sinceIds: '', archivedSince } },
    objects: ['accounts'],
  });
  return { pages, cursor: pages.at(-1)!.cursor };
}

describe('HubSpot search cursor on the portal clock', () => {
  for (const [name, skew] of [['five hours behind', -5 * HOUR], ['five hours ahead of', 5 * HOUR]] as const) {
    it(`settles to the portal's clock ${name} this machine, and the next search starts the look-back before it`, async () => {
      noAssociations();
      const clock = Math.floor((Date.now() + skew) / 1000) * 1000;
      // The last run saw a company written two hours ago; nothing changed since.
      const written = clock - 2 * HOUR;
      const first = portal([company('w', written)], clock);
      const a = await run(written, written);
      expect(first.bodies[0]!.filterGroups[0]!.filters[0]!.value).toBe(String(written - 60_000));
      // No answer came before the search: its own `Date` less a second (the header is whole seconds).
      expect(a.cursor).toEqual({ phase: 'search', since: clock - 1_000, sinceIds: '', archivedSince: clock - 1_000 });

      // The next run, an hour on: the search starts a minute before the settled point, so the
      // written company is not read back; nothing depends on this machine's clock.
      const later = clock + HOUR;
      const second = portal([], later);
      const b = await run(a.cursor['since'] as number, a.cursor['archivedSince'] as number);
      expect(second.bodies[0]!.filterGroups[0]!.filters[0]!.value).toBe(String(clock - 1_000 - 60_000));
      expect(b.pages.flatMap((p) => p.records)).toEqual([]);
      expect(b.cursor['since']).toBe(later - 1_000);
    });
  }

  it('a change stamped after the anchor (made during the run) keeps the cursor at its stamp with the tie', async () => {
    noAssociations();
    const clock = Date.parse('2026-03-01T10:00:00Z');
    portal([company('x', clock - HOUR), company('y', clock + 30_000)], clock);
    const { pages, cursor } = await run(clock - 2 * HOUR, clock - 2 * HOUR);
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['x', 'y']);
    expect(cursor).toMatchObject({ since: clock + 30_000, sinceIds: 'y' });
  });

  it('without a Date header the cursor stays at the newest stamp seen and the archived point does not move', async () => {
    noAssociations();
    const stamp = Date.parse('2026-03-01T08:00:00Z');
    portal([company('x', stamp)], null);
    const { cursor } = await run(stamp - HOUR, stamp - HOUR);
    expect(cursor).toEqual({ phase: 'search', since: stamp, sinceIds: 'x', archivedSince: stamp - HOUR });
  });
});
