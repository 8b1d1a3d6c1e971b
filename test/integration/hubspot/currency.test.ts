import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubSpotConnector } from '../../../connectors/hubspot/index.ts';
import { api, collect, obj, portalCurrencies, setupNock, teardownNock, testOptions } from './helpers.ts';

/**
 * The portal's company currency and exchange rates from the Settings API; what happens when the
 * app lacks settings.currencies.read (account details, then the option, each with a data
 * issue); deals and line items in other currencies.
 */

beforeEach(setupNock);
afterEach(teardownNock);

const PIPELINES = { results: [{ id: 'default', stages: [{ id: 'won', metadata: { isClosed: 'true', probability: '1.0' } }] }] };
const missingScope = { status: 'error', category: 'MISSING_SCOPES', message: "This app hasn't been granted all required scopes to make this call.", correlationId: 'c-1' };

function serveDeals(deals: unknown[]): void {
  api().get('/crm/v3/pipelines/deals').reply(200, PIPELINES);
  api().get(/^\/crm\/v3\/owners/).times(2).reply(200, { results: [] });
  api().get(/^\/crm\/v3\/objects\/deals\?/).reply(200, { results: deals });
  api().post('/crm/v4/associations/deals/companies/batch/read').reply(200, {
    status: 'COMPLETE', results: (deals as { id: string }[]).map((d) => ({ from: { id: d.id }, to: [{ toObjectId: 7, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 5 }] }] })),
  });
}

const deal = (id: string, props: Record<string, string>) => obj(id, { dealname: `Deal ${id}`, pipeline: 'default', dealstage: 'won', closedate: '2026-03-31', ...props });

describe('the portal currencies', () => {
  it('converts deals without a home-currency amount at the portal rate, and leaves out one without any rate', async () => {
    portalCurrencies('EUR', { GBP: 1.25 });
    serveDeals([
      deal('1', { amount: '800', deal_currency_code: 'GBP', amount_in_home_currency: '' }),
      deal('2', { amount: '900', deal_currency_code: 'EUR' }),
      deal('3', { amount: '700', deal_currency_code: 'CHF' }),
    ]);
    const c = new HubSpotConnector(testOptions({ currency: undefined }));
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['opportunities'] });
    const records = pages.flatMap((p) => p.records) as { id: string; amount: number | null }[];
    expect(records.map((r) => [r.id, r.amount])).toEqual([['1', 1000], ['2', 900], ['3', null]]);
    expect(pages.flatMap((p) => p.issues).map((i) => [i.kind, i.recordId])).toEqual([['no-exchange-rate', '3']]);
    expect(await c.currency()).toBe('EUR');
  });

  it('without settings.currencies.read, takes the account details currency, and records that rates are unknown', async () => {
    api().get('/settings/v3/currencies/company-currency').reply(403, missingScope);
    api().get('/account-info/v3/details').reply(200, { portalId: 1, companyCurrency: 'GBP' });
    serveDeals([deal('1', { amount: '800', deal_currency_code: 'EUR', amount_in_home_currency: '640' }), deal('2', { amount: '500', deal_currency_code: 'EUR', amount_in_home_currency: '' })]);
    const c = new HubSpotConnector(testOptions({ currency: undefined }));
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['opportunities'] });
    expect(await c.currency()).toBe('GBP');
    const records = pages.flatMap((p) => p.records) as { id: string; amount: number | null }[];
    // HubSpot's own conversion still counts; the deal it did not convert is left out.
    expect(records.map((r) => [r.id, r.amount])).toEqual([['1', 640], ['2', null]]);
    const issues = pages.flatMap((p) => p.issues);
    expect(issues.map((i) => i.kind).sort()).toEqual(['currency-fallback', 'no-exchange-rate']);
    expect(issues.find((i) => i.kind === 'currency-fallback')?.message).toMatch(/^HubSpot currencies API unreadable \(company currency: HubSpot refused read company currency \(missing scope or permission\)/);
  });

  it('with no currency source at all, takes the option, or USD, and says so; the sync goes on', async () => {
    api().get('/settings/v3/currencies/company-currency').reply(403, missingScope);
    api().get('/account-info/v3/details').reply(403, missingScope);
    api().get(/^\/crm\/v3\/objects\/products\?/).reply(200, { results: [] });
    const c = new HubSpotConnector(testOptions({ currency: 'CHF' }));
    expect(await c.currency()).toBe('CHF');
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['products'] });
    // Read before the products, reported with them (the first page after the lookup).
    expect(pages).toHaveLength(1);
    expect(pages[0]?.issues.map((i) => i.kind)).toEqual(['currency-fallback']);
    expect(pages[0]?.issues[0]?.message).toContain('taken to be in CHF, from the connection option "currency"');
  });

  it('still stops at the daily limit: a limit is no currency problem', async () => {
    api().get('/settings/v3/currencies/company-currency').reply(429, { status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', policyName: 'DAILY', correlationId: 'c-2' });
    const e = await new HubSpotConnector(testOptions({ currency: undefined })).currency().catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'CrmError', kind: 'api-limit' });
  });
});
