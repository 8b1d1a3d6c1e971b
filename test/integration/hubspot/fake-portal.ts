import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { api, queryOf, standingMocks } from './helpers.ts';

export interface PortalData {
  accountDetails: Record<string, unknown>;
  /** A multi-currency portal: company-currency units for one unit of each other currency. */
  exchangeRates?: Record<string, number>;
  owners: { archived: boolean }[];
  pipelines: unknown[];
  companies: unknown[];
  contacts: unknown[];
  deals: unknown[];
  line_items: unknown[];
  products: unknown[];
  associations: Record<string, Record<string, unknown[]>>;
}

export function loadGolden(): PortalData {
  const path = fileURLToPath(new URL('../../fixtures/hubspot/golden-hubspot.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as PortalData;
}

/**
 * Serves a portal's data with the documented shapes: list pages with `after` (no `paging` on
 * the last page), v4 association batch reads (207 with errors for records without any),
 * pipelines, owners and the account details. Returns the request log.
 */
export function servePortal(data: PortalData, pageSize = 100): string[] {
  const log: string[] = [];
  const scope = api().persist();
  scope.get(/^\/crm\/v3\/objects\/(companies|contacts|deals|line_items|products)\?/).reply((uri) => {
    log.push(`GET ${uri}`);
    const type = /objects\/([a-z_]+)/.exec(uri)?.[1] as keyof PortalData;
    const q = queryOf(uri);
    if (q.get('archived') === 'true') return [200, { results: [] }];
    const all = data[type] as unknown[];
    const start = Number(q.get('after') ?? '0');
    const size = Math.min(pageSize, Number(q.get('limit') ?? '10'));
    const results = all.slice(start, start + size);
    const next = start + size < all.length ? { paging: { next: { after: String(start + size), link: '?after=' } } } : {};
    return [200, { results, ...next }];
  });
  scope.post(/^\/crm\/v4\/associations\/[a-z_]+\/[a-z_]+\/batch\/read$/).reply((uri, body) => {
    log.push(`POST ${uri}`);
    const [, from, to] = /associations\/([a-z_]+)\/([a-z_]+)\//.exec(uri) ?? [];
    const table = data.associations[`${from}->${to}`] ?? {};
    const inputs = (body as { inputs: { id: string }[] }).inputs;
    const results = inputs.filter((i) => table[i.id]).map((i) => ({ from: { id: i.id }, to: table[i.id] }));
    const missing = inputs.filter((i) => !table[i.id]);
    const base = { status: 'COMPLETE', results, startedAt: '2026-06-01T00:00:00Z', completedAt: '2026-06-01T00:00:01Z' };
    if (missing.length === 0) return [200, base];
    const errors = missing.map((i) => ({ status: 'error', category: 'OBJECT_NOT_FOUND', message: `No ${to} is associated with ${from} ${i.id}.`, context: { fromObjectId: [i.id] } }));
    return [207, { ...base, numErrors: errors.length, errors }];
  });
  scope.get('/crm/v3/pipelines/deals').reply(() => {
    log.push('GET /crm/v3/pipelines/deals');
    return [200, { results: data.pipelines }];
  });
  scope.get(/^\/crm\/v3\/owners/).reply((uri) => {
    log.push(`GET ${uri}`);
    const archived = queryOf(uri).get('archived') === 'true';
    return [200, { results: data.owners.filter((o) => o.archived === archived) }];
  });
  scope.get('/account-info/v3/details').reply(() => {
    log.push('GET /account-info/v3/details');
    return [200, data.accountDetails];
  });
  const company = String(data.accountDetails['companyCurrency']);
  scope.get('/settings/v3/currencies/company-currency').reply(() => {
    log.push('GET /settings/v3/currencies/company-currency');
    return [200, { createdAt: '2026-01-01T00:00:00Z', id: company }];
  });
  scope.get('/settings/v3/currencies/exchange-rates/current').reply(() => {
    log.push('GET /settings/v3/currencies/exchange-rates/current');
    const results = Object.entries(data.exchangeRates ?? {}).map(([code, rate], i) => ({
      id: String(i + 1), fromCurrencyCode: code, toCurrencyCode: company, conversionRate: rate,
      effectiveAt: '2026-01-01T00:00:00Z', visibleInUI: true, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
    }));
    return [200, { results }];
  });
  standingMocks(scope);
  return log;
}
