import { multiplierConverter, type MoneyConverter } from './money.ts';

/**
 * A portal's currencies: the company currency ("used in deal totals, reports, and the default
 * currency for new deals") and, for each other currency, "the exchange rate from the additional
 * currency to your company currency" (Settings API | Currencies): company units for one unit.
 */
export interface HubSpotRateTable {
  company: string;
  rates: ReadonlyMap<string, number>;
}

/** Line items and deals HubSpot did not convert itself: the portal's current exchange rate. */
export function portalConverter(t: HubSpotRateTable): MoneyConverter {
  return multiplierConverter(t.company, (code) => {
    const rate = t.rates.get(code);
    return rate !== undefined && rate > 0 ? { rate, source: 'HubSpot exchange rate' } : null;
  });
}

/** Changes whenever a rate changes: records converted before must be read again. */
export function portalRateFingerprint(t: HubSpotRateTable): string {
  return [t.company, ...[...t.rates.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, r]) => `${c}=${r}`)].join(';');
}
