import type { Conversion } from '../src/model/snapshot.ts';

/**
 * Amounts in another currency than the corporate (company) one, converted with the CRM's own
 * rates. A converter answers with the value in the corporate currency and, when a conversion
 * happened (or could not), the note the snapshot keeps: what the CRM held, at which rate, by
 * whose rate. An amount without a rate has no value: it is left out, never summed as if it were
 * in the corporate currency.
 */

export interface Converted {
  value: number | null;
  conversion?: Conversion;
}

/** `onDate` (YYYY-MM-DD) picks a dated rate where the CRM keeps them, e.g. an opportunity's close date. */
export type MoneyConverter = (amount: number | null, isoCode: string | null, onDate: string | null) => Converted;

/** Every amount is in the corporate currency already (a single-currency org or portal). */
export const sameCurrency: MoneyConverter = (amount) => ({ value: amount });

/**
 * Rounds half away from zero to `decimals` places. The float product or quotient is cleaned to
 * nine places first, so that 0.02 / 0.8 and 0.02 * 1.25 (both 0.025 on paper) round alike.
 */
export function roundMoney(x: number, decimals = 2): number {
  const clean = Number(x.toFixed(9));
  const scaled = Number((Math.abs(clean) * 10 ** decimals).toFixed(6));
  const rounded = Math.round(scaled) / 10 ** decimals;
  return clean < 0 ? -rounded : rounded;
}

/** A rate shown as the multiplier it is, without float noise (1 / 0.8 gives 1.25). */
export function cleanRate(rate: number): number {
  return Number(rate.toPrecision(12));
}

/**
 * The converter for rates given as "corporate units for one unit of the currency" by code, with
 * an optional dated lookup before them. `describe` names the source of each rate in the note.
 */
export function multiplierConverter(corporate: string, lookup: (code: string, onDate: string | null) => { rate: number; source: string } | null): MoneyConverter {
  return (amount, isoCode, onDate) => {
    if (amount === null) return { value: null };
    const code = isoCode ?? corporate;
    if (code === corporate) return { value: amount };
    const found = lookup(code, onDate);
    if (!found) return { value: null, conversion: { currency: code, amount, rate: null, source: null } };
    return { value: roundMoney(amount * found.rate), conversion: { currency: code, amount, rate: cleanRate(found.rate), source: found.source } };
  };
}
