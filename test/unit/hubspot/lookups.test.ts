import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cursor, PullPage } from '../../../src/contract/connector.ts';
import { HubSpotConnector } from '../../../connectors/hubspot/index.ts';
import { api, setupNock, standingMocks, teardownNock, testOptions } from '../../integration/hubspot/helpers.ts';
import { loadGolden, servePortal, type PortalData } from '../../integration/hubspot/fake-portal.ts';

/**
 * HubSpot lookups that rarely change (the deal pipelines' stages, the portal's currencies) are
 * kept in the deals and line items streams' cursors and read again at most daily, or at once
 * when a pulled record names a stage or a currency the kept ones lack.
 */

beforeEach(setupNock);
afterEach(teardownNock);

const HOUR = 3_600_000;
const T0 = Date.parse('2026-06-30T12:00:00Z');

/** The deals search answers `deals()` (whatever changed since the cursor, as the test says). */
function serveSearch(deals: () => unknown[]): void {
  standingMocks(api().persist().post('/crm/v3/objects/deals/search').reply(() => [200, { total: deals().length, results: deals() }]));
}

async function pull(now: number, mode: 'full' | 'incremental', cursor?: Cursor): Promise<{ pages: PullPage[]; usage: Record<string, number> }> {
  // No probe: the search answers what the test says changed, whatever its filter.
  const c = new HubSpotConnector(testOptions({ currency: undefined, pageSizes: { probe: 0 } }), { now: () => now });
  const pages: PullPage[] = [];
  for await (const p of c.pull({ mode, cursors: cursor ? { opportunities: cursor } : {}, objects: ['opportunities'] })) pages.push(p);
  return { pages, usage: c.usage() };
}

function statuses(pages: PullPage[]): [string, string][] {
  return pages.flatMap((p) => p.records.map((r) => [r.id, 'status' in r ? String(r.status) : ''] as [string, string]));
}

describe('HubSpot lookups kept for a day', () => {
  it('reads pipelines and currencies with the full pull, none within the day, and both again a day later', async () => {
    const data: PortalData = loadGolden();
    servePortal(data);
    serveSearch(() => data.deals);
    const full = await pull(T0, 'full');
    expect(full.usage).toMatchObject({ pipelines: 1, currencies: 2 });
    const cursor = full.pages.at(-1)!.cursor;
    expect(typeof cursor['stages']).toBe('string');
    expect(typeof cursor['currencies']).toBe('string');

    const later = await pull(T0 + 6 * HOUR, 'incremental', cursor);
    expect(later.usage['pipelines'] ?? 0).toBe(0);
    expect(later.usage['currencies'] ?? 0).toBe(0);
    expect(statuses(later.pages)).toEqual(statuses(full.pages));

    const nextDay = await pull(T0 + 24 * HOUR, 'incremental', later.pages.at(-1)!.cursor);
    expect(nextDay.usage).toMatchObject({ pipelines: 1, currencies: 2 });
  });

  it('reads the pipelines at once when a deal names a stage the kept ones lack', async () => {
    const data: PortalData = loadGolden();
    servePortal(data);
    serveSearch(() => data.deals);
    const full = await pull(T0, 'full');

    // A stage added to the pipeline, and a deal moved into it.
    const pipeline = data.pipelines[0] as { stages: { id: string; label: string; metadata: Record<string, string> }[] };
    pipeline.stages.push({ id: 'contractsent', label: 'Contract sent', metadata: { isClosed: 'false', probability: '0.8' } });
    const deal = data.deals[0] as { id: string; properties: Record<string, string> };
    deal.properties['dealstage'] = 'contractsent';
    const next = await pull(T0 + HOUR, 'incremental', full.pages.at(-1)!.cursor);
    expect(next.usage).toMatchObject({ pipelines: 1 });
    expect(next.usage['currencies'] ?? 0).toBe(0);
    expect(statuses(next.pages)).toContainEqual([deal.id, 'open']);
    expect(next.pages.flatMap((p) => p.issues.map((i) => i.kind))).not.toContain('unknown-stage');
  });

  it('reads the currencies at once when a deal is in a currency the kept ones lack', async () => {
    const data: PortalData = loadGolden();
    servePortal(data);
    serveSearch(() => data.deals);
    const full = await pull(T0, 'full');

    data.exchangeRates = { USD: 0.9 };
    const deal = data.deals[1] as { id: string; properties: Record<string, string | null> };
    deal.properties['deal_currency_code'] = 'USD';
    deal.properties['amount_in_home_currency'] = null;
    deal.properties['amount'] = '1000';
    const next = await pull(T0 + HOUR, 'incremental', full.pages.at(-1)!.cursor);
    expect(next.usage).toMatchObject({ currencies: 2 });
    expect(next.usage['pipelines'] ?? 0).toBe(0);
  });
});
