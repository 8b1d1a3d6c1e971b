import type { Snapshot } from '../model/snapshot.ts';

/**
 * The currencies of the simulated org and portal. Rates are units of the corporate currency for
 * one unit of the other currency (HubSpot's form); `sfRate` gives Salesforce's inverse form.
 */
export interface CurrencySetup {
  corporate: string;
  multi: boolean;
  rates: Map<string, number>;
  /** Salesforce advanced currency management: each row holds from its start day on. */
  dated: { code: string; rate: number; start: string }[];
}

/** Exact both ways: 1 EUR = 2 USD is 0.5 EUR per USD. */
export const DEFAULT_RATES: Readonly<Record<string, number>> = { EUR: 2, GBP: 4, JPY: 0.00625 };

export type MultiCurrencyOption = boolean | { rates?: Record<string, number> | undefined; datedRates?: { code: string; rate: number; start: string }[] | undefined };

/** Salesforce's CurrencyType.ConversionRate for a rate: units of the currency per corporate unit. */
export function sfRate(rate: number): number {
  return Number((1 / rate).toPrecision(12));
}

/** The rates the seed's conversion notes use, by currency (the first note of each wins). */
function seedRates(seed: Snapshot | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of seed?.opportunities ?? []) {
    for (const note of [o.conversion, ...o.lineItems.map((l) => l.conversion)]) {
      if (note && note.rate !== null && !out.has(note.currency)) out.set(note.currency, note.rate);
    }
  }
  return out;
}

export function currencySetup(option: MultiCurrencyOption, seed: Snapshot | undefined): CurrencySetup {
  const corporate = seed?.currency ?? 'USD';
  if (option === false) return { corporate, multi: false, rates: new Map(), dated: [] };
  const given = option === true ? {} : (option.rates ?? {});
  const rates = new Map<string, number>(Object.entries(DEFAULT_RATES));
  for (const [code, rate] of seedRates(seed)) rates.set(code, rate);
  for (const [code, rate] of Object.entries(given)) rates.set(code, rate);
  rates.delete(corporate);
  return { corporate, multi: true, rates, dated: option === true ? [] : [...(option.datedRates ?? [])] };
}
