import nock from 'nock';
import { HubSpotConnector, type HubSpotOptionsInput, type HubSpotRuntime } from '../../../connectors/hubspot/index.ts';
import type { PullOptions, PullPage } from '../../../src/contract/connector.ts';

export const BASE = 'http://127.0.0.1:47001';

/** Options with tiny waits so retries and rate-limit pauses take milliseconds. */
export function testOptions(extra: Partial<HubSpotOptionsInput> = {}): HubSpotOptionsInput {
  return {
    baseUrl: BASE,
    auth: { kind: 'private-app', token: 'pat-test-token' },
    currency: 'EUR',
    searchLookbackMs: 0,
    ...extra,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, tenSecondlyWaitMs: 5, secondlyWaitMs: 5, lockedWaitMs: 5, ...extra.retry },
  };
}

export function connector(extra: Partial<HubSpotOptionsInput> = {}, runtime: HubSpotRuntime = {}): HubSpotConnector {
  portalCurrencies('EUR');
  return new HubSpotConnector(testOptions(extra), runtime);
}

/**
 * The Settings API currency endpoints of a portal (spec settings-multicurrency v3), served for
 * the whole test: the company currency, and the exchange rates of its other currencies (company
 * units for one unit of each).
 */
export function portalCurrencies(company: string, rates: Record<string, number> = {}): void {
  const scope = nock(BASE).persist();
  scope.get('/settings/v3/currencies/company-currency').reply(200, { createdAt: '2026-01-01T00:00:00Z', id: company });
  scope.get('/settings/v3/currencies/exchange-rates/current').reply(200, {
    results: Object.entries(rates).map(([code, rate], i) => ({
      id: String(i + 1), fromCurrencyCode: code, toCurrencyCode: company, conversionRate: rate,
      effectiveAt: '2026-01-01T00:00:00Z', visibleInUI: true, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
    })),
  });
  standingMocks(scope);
}

export function api(): nock.Scope {
  return nock(BASE);
}

export async function collect(c: HubSpotConnector, options: PullOptions): Promise<PullPage[]> {
  const pages: PullPage[] = [];
  for await (const p of c.pull(options)) pages.push(p);
  return pages;
}

/** A HubSpot v3 object with string property values, as the API sends them. */
export function obj(id: string, properties: Record<string, string | null>, extra: Record<string, unknown> = {}) {
  return { id, properties: { hs_object_id: id, ...properties }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z', archived: false, ...extra };
}

/** Query parameters, with repeated keys gathered into arrays. */
export function queryOf(uri: string): URLSearchParams {
  return new URL(uri, BASE).searchParams;
}

export function setupNock(): void {
  nock.disableNetConnect();
}

/** Interceptors that serve as long as a test runs; not having been called is no failure. */
const standing = new Set<string>();
export function standingMocks(scope: nock.Scope): void {
  for (const m of scope.pendingMocks()) standing.add(m);
}

export function teardownNock(): void {
  const pending = nock.pendingMocks().filter((m) => !standing.has(m));
  standing.clear();
  nock.cleanAll();
  nock.enableNetConnect();
  if (pending.length > 0) throw new Error(`unused mocks: ${pending.join(', ')}`);
}
