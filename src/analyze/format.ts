/**
 * Number and text formatting shared by the analysis. Locale-free on purpose: output must be
 * byte-identical on every machine, whatever its ICU data or LANG.
 */

/** Code-unit order, the same everywhere (localeCompare is not). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Money: 2 decimals. */
export function roundMoney(x: number): number {
  return Math.round(x * 100) / 100 + 0;
}

/** Fractions (shares, growth, penetration, HHI): 6 decimals. */
export function roundFraction(x: number): number {
  return Math.round(x * 1e6) / 1e6 + 0;
}

/** Half up to one decimal; the epsilon keeps 12.25 (stored as 12.2499999...) going up. */
export function roundHalfUp1(x: number): number {
  return Math.floor(x * 10 + 0.5 + 1e-9) / 10 + 0;
}

/** Percent 0..100 at 2 decimals, as the CRM's percent fields store it. */
export function toPercent(fraction: number): number {
  return Math.round(fraction * 10000) / 100 + 0;
}

/** 48000 -> "48,000"; rounds to a whole number. */
export function formatWhole(x: number): string {
  const r = Math.round(x);
  const digits = String(Math.abs(r));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return r < 0 ? `-${out}` : out;
}

/** 0.124 -> "12.4%" (one decimal always). */
export function formatPercent1(fraction: number): string {
  return `${(Math.round(fraction * 1000) / 10 + 0).toFixed(1)}%`;
}

/** 0.1 -> "10%", 0.125 -> "12.5%" (no trailing zero), for thresholds. */
export function formatPercentShort(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10 + 0}%`;
}
