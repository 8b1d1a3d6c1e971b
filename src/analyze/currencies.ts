import type { CurrenciesSummary, CurrencyConversion } from '../model/insights.ts';
import type { Conversion, Opportunity } from '../model/snapshot.ts';
import { compareStrings } from './format.ts';

/**
 * Which amounts came in other currencies, converted at which rates from which source, and which
 * were left out for want of a rate: tallied from the snapshot's conversion notes (opportunity
 * amounts and line-item totals) as records arrive. Sums are kept in whole cents, so they do not
 * depend on the order records come in (determinism) and print alike everywhere.
 */
export class CurrencyTally {
  private readonly converted = new Map<string, { currency: string; rate: number | null; source: string; amounts: number; original: number; converted: number }>();
  private readonly leftOut = new Map<string, { currency: string; amounts: number; original: number }>();

  /** One amount's note; `value` is the amount in the analysis currency it became. */
  note(n: Conversion | undefined, value: number | null): void {
    if (!n) return;
    if (n.source === null) {
      const e = this.leftOut.get(n.currency) ?? { currency: n.currency, amounts: 0, original: 0 };
      e.amounts += 1;
      e.original += toCents(n.amount);
      this.leftOut.set(n.currency, e);
      return;
    }
    const key = `${n.currency}\u0000${n.source}\u0000${n.rate ?? ''}`;
    const e = this.converted.get(key) ?? { currency: n.currency, rate: n.rate, source: n.source, amounts: 0, original: 0, converted: 0 };
    e.amounts += 1;
    e.original += toCents(n.amount);
    e.converted += toCents(value ?? 0);
    this.converted.set(key, e);
  }

  /** Undefined when every amount was in the analysis currency, so such an analysis is unchanged. */
  summary(): CurrenciesSummary | undefined {
    if (this.converted.size === 0 && this.leftOut.size === 0) return undefined;
    const order = (a: CurrencyConversion, b: CurrencyConversion): number =>
      compareStrings(a.currency, b.currency) || compareStrings(a.source, b.source) || (a.rate ?? 0) - (b.rate ?? 0);
    return {
      converted: [...this.converted.values()].map((e) => ({ ...e, original: e.original / 100, converted: e.converted / 100 })).sort(order),
      leftOut: [...this.leftOut.values()].map((e) => ({ ...e, original: e.original / 100 })).sort((a, b) => compareStrings(a.currency, b.currency)),
    };
  }
}

function toCents(n: number): number {
  return Math.round(n * 100);
}

/** The tally of opportunities already in memory. */
export function currencySummary(opportunities: readonly Opportunity[]): CurrenciesSummary | undefined {
  const tally = new CurrencyTally();
  for (const o of opportunities) {
    tally.note(o.conversion, o.amount);
    for (const li of o.lineItems) tally.note(li.conversion, li.totalPrice);
  }
  return tally.summary();
}
