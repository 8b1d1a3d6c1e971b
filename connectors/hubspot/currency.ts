import { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { HubSpotRateTable } from '../../mappings/hubspot-money.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type { HubSpotCaller } from './client.ts';
import { rawRequest, readCompanyCurrency } from './reads.ts';

/**
 * The portal's company currency and exchange rates, from the Settings API currencies endpoints
 * (scope settings.currencies.read): `GET /settings/v3/currencies/company-currency` gives
 * `{createdAt, id}` with `id` "the currency code for the company currency";
 * `GET /settings/v3/currencies/exchange-rates/current` gives `{results}` with `fromCurrencyCode`,
 * `toCurrencyCode` and `conversionRate`, "the exchange rate from the additional currency to your
 * company currency". Without the scope (an older install) the account details API still names
 * the company currency; the rates are then unknown.
 */

export interface PortalCurrencies extends HubSpotRateTable {
  source: string;
  /** Set when a documented source did not answer and something less was taken (a data issue of the run). */
  fallback: string | null;
}

const companyCurrencySchema = z.object({ id: z.string().regex(/^[A-Z]{3}$/) });
const exchangeRatesSchema = z.object({
  results: z.array(z.object({ fromCurrencyCode: z.string(), toCurrencyCode: z.string(), conversionRate: z.number().positive() })),
});

/** A limit, refused credentials or an unreachable portal stop the run; anything else falls back. */
function stopsTheRun(e: unknown): boolean {
  return e instanceof CrmError && (e.kind === 'api-limit' || e.kind === 'auth' || e.kind === 'unavailable');
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function companyCurrency(caller: HubSpotCaller): Promise<string> {
  const res = await caller.call('currencies', 'read company currency', (c) => rawRequest(c, 'GET', '/settings/v3/currencies/company-currency'));
  const parsed = companyCurrencySchema.safeParse(res.data);
  if (!parsed.success) throw new CrmError('bad-response', 'HubSpot company currency: no currency code in the answer', { crm: 'hubspot' });
  return parsed.data.id;
}

async function exchangeRates(caller: HubSpotCaller, company: string): Promise<Map<string, number>> {
  const res = await caller.call('currencies', 'read exchange rates', (c) => rawRequest(c, 'GET', '/settings/v3/currencies/exchange-rates/current'));
  const parsed = exchangeRatesSchema.safeParse(res.data);
  if (!parsed.success) throw new CrmError('bad-response', 'HubSpot exchange rates: unexpected answer', { crm: 'hubspot' });
  const rates = new Map<string, number>();
  for (const r of parsed.data.results) if (r.toCurrencyCode === company && r.fromCurrencyCode !== company) rates.set(r.fromCurrencyCode, r.conversionRate);
  return rates;
}

export async function readPortalCurrencies(caller: HubSpotCaller, optionCurrency: string | undefined, log: Logger): Promise<PortalCurrencies> {
  let company: string | null = null;
  let source = 'Settings API company currency';
  const problems: string[] = [];
  try {
    company = await companyCurrency(caller);
  } catch (e) {
    if (stopsTheRun(e)) throw e;
    problems.push(`company currency: ${reason(e)}`);
    try {
      company = await readCompanyCurrency(caller);
      source = 'account details companyCurrency';
      if (company === null) problems.push('account details: no companyCurrency');
    } catch (e2) {
      if (stopsTheRun(e2)) throw e2;
      problems.push(`account details: ${reason(e2)}`);
    }
  }
  if (company === null) {
    const code = optionCurrency ?? 'USD';
    const from = optionCurrency ? 'the connection option "currency"' : 'the default USD (set the connection option "currency" to choose)';
    const fallback = `the portal's company currency could not be read (${problems.join('; ')}); amounts are taken to be in ${code}, from ${from}`;
    log.warn({ currency: code }, fallback);
    return { company: code, rates: new Map(), source: 'fallback', fallback };
  }
  if (problems.length > 0) {
    // The exchange rates need the same scope as the company currency that was just refused.
    const fallback = `HubSpot currencies API unreadable (${problems.join('; ')}); the company currency came from the account details, and amounts HubSpot did not convert itself are left out`;
    log.warn({ currency: company }, fallback);
    return { company, rates: new Map(), source, fallback };
  }
  try {
    return { company, rates: await exchangeRates(caller, company), source, fallback: null };
  } catch (e) {
    if (stopsTheRun(e)) throw e;
    const fallback = `the portal's exchange rates could not be read (${reason(e)}); amounts in other currencies that HubSpot did not convert itself are left out`;
    log.warn({}, fallback);
    return { company, rates: new Map(), source, fallback };
  }
}
