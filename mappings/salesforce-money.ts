import { createHash } from 'node:crypto';
import { multiplierConverter, type MoneyConverter } from './money.ts';

/**
 * A multi-currency org's rates, as Salesforce keeps them: CurrencyType.ConversionRate is the
 * "conversion rate of this currency type against the corporate currency" (units of the currency
 * for one corporate unit, so amount / rate is the corporate amount). With advanced currency
 * management, DatedConversionRate rows apply to opportunities and their line items by the
 * opportunity's close date ("dated exchange rates are used when converting currency fields on
 * opportunities, opportunity line items, and opportunity history"; SOQL and SOSL Reference,
 * convertCurrency()); every other object keeps the CurrencyType rate.
 */
export interface SalesforceRateTable {
  corporate: string;
  rates: ReadonlyMap<string, number>;
  dated: readonly DatedRate[] | null;
}

export interface DatedRate {
  code: string;
  rate: number;
  /** YYYY-MM-DD: the rate holds from StartDate up to (not including) NextStartDate. */
  start: string;
  next: string | null;
}

function staticRate(t: SalesforceRateTable, code: string): { rate: number; source: string } | null {
  const rate = t.rates.get(code);
  return rate !== undefined && rate > 0 ? { rate: 1 / rate, source: 'Salesforce CurrencyType' } : null;
}

/** For opportunities and line items: the dated rate of the close date, else the CurrencyType rate. */
export function opportunityConverter(t: SalesforceRateTable): MoneyConverter {
  return multiplierConverter(t.corporate, (code, onDate) => {
    if (t.dated && onDate) {
      const day = onDate.slice(0, 10);
      const row = t.dated.find((d) => d.code === code && d.start <= day && (d.next === null || day < d.next));
      if (row && row.rate > 0) return { rate: 1 / row.rate, source: `Salesforce DatedConversionRate from ${row.start}` };
    }
    return staticRate(t, code);
  });
}

/** For every other object (Account.AnnualRevenue): the CurrencyType rate. */
export function staticConverter(t: SalesforceRateTable): MoneyConverter {
  return multiplierConverter(t.corporate, (code) => staticRate(t, code));
}

/** Changes whenever a rate the conversions depend on changes: records converted before must be read again. */
export function rateFingerprint(t: SalesforceRateTable): string {
  const rates = [...t.rates.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, r]) => `${c}=${r}`);
  const dated = (t.dated ?? []).map((d) => `${d.code}@${d.start}=${d.rate}`).sort();
  return createHash('sha256').update([t.corporate, ...rates, ...dated].join(';')).digest('hex').slice(0, 16);
}
