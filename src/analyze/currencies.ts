import type { CurrenciesSummary, CurrencyConversion } from '../model/insights.ts';
import type { Conversion, Opportunity } from '../model/snapshot.ts';
import { compareStrings } from './format.ts';

/** Cents, so that sums of many amounts stay exact enough and print alike everywhere. */
function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Which amounts came in other currencies, converted at which rates from which source, and which
 * were left out for want of a rate: read from the snapshot's conversion notes (opportunity
 * amounts and line-item totals). Undefined when every amount was in the analysis currency, so
 * an analysis without conversions is unchanged. Sums run in id order (determinism).
 */
export function currencySummary(opportunities: readonly Opportunity[]): CurrenciesSummary | undefined {
  const converted = new Map<string, CurrencyConversion>();
  const leftOut = new Map<string, { currency: string; amounts: number; original: number }>();
  const note = (n: Conversion | undefined, value: number | null): void => {
    if (!n) return;
    if (n.source === null) {
      const e = leftOut.get(n.currency) ?? { currency: n.currency, amounts: 0, original: 0 };
      e.amounts += 1;
      e.original = cents(e.original + n.amount);
      leftOut.set(n.currency, e);
      return;
    }
    const key = `${n.currency}\u0000${n.source}\u0000${n.rate ?? ''}`;
    const e = converted.get(key) ?? { currency: n.currency, rate: n.rate, source: n.source, amounts: 0, original: 0, converted: 0 };
    e.amounts += 1;
    e.original = cents(e.original + n.amount);
    e.converted = cents(e.converted + (value ?? 0));
    converted.set(key, e);
  };
  const byId = [...opportunities].sort((a, b) => compareStrings(a.id, b.id));
  for (const o of byId) {
    note(o.conversion, o.amount);
    for (const li of [...o.lineItems].sort((a, b) => compareStrings(a.id, b.id))) note(li.conversion, li.totalPrice);
  }
  if (converted.size === 0 && leftOut.size === 0) return undefined;
  const order = (a: CurrencyConversion, b: CurrencyConversion): number =>
    compareStrings(a.currency, b.currency) || compareStrings(a.source, b.source) || (a.rate ?? 0) - (b.rate ?? 0);
  return {
    converted: [...converted.values()].sort(order),
    leftOut: [...leftOut.values()].sort((a, b) => compareStrings(a.currency, b.currency)),
  };
}
