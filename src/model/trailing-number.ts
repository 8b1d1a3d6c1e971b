/**
 * Splitting an id into the prefix before its trailing decimal digits and the number they spell:
 * most CRM and exported ids are a fixed prefix and a running number (`OLI-0999873`, HubSpot's
 * `1234567`), which the id sets and reference tables keep as a number under its prefix and digit
 * count instead of hashing the id's characters.
 */

/** Trailing digits an id may have to be read as a number: 15 decimal digits are below 2^53, so exact in a double. */
export const MAX_TRAILING_DIGITS = 15;

/** The answer of splitTrailingNumber, in an object the caller keeps and hands in again (no allocation per id). */
export interface TrailingNumber {
  /**
   * How many decimal digits end the id, leading zeros included (`A-07` has 2, `A-7` has 1): 0 when
   * the id ends in none, MAX_TRAILING_DIGITS + 1 when it ends in more (the count stops there).
   * The prefix is the id's first `length - digits` characters.
   */
  digits: number;
  /** The number the digits spell (leading zeros add nothing: 7 for both `A-07` and `A-7`); meaningful for 1 to MAX_TRAILING_DIGITS digits. */
  value: number;
}

/** Reads the trailing digits of `id` into `out` and returns it. */
export function splitTrailingNumber(id: string, out: TrailingNumber): TrailingNumber {
  const n = id.length;
  let p = n;
  let value = 0;
  let scale = 1;
  while (p > 0 && n - p <= MAX_TRAILING_DIGITS) {
    const c = id.charCodeAt(p - 1);
    if (c < 0x30 || c > 0x39) break;
    value += (c - 0x30) * scale;
    scale *= 10;
    p--;
  }
  out.digits = n - p;
  out.value = value;
  return out;
}

/** True when the split id is kept as a number (1 to MAX_TRAILING_DIGITS trailing digits). */
export function hasTrailingNumber(t: TrailingNumber): boolean {
  return t.digits > 0 && t.digits <= MAX_TRAILING_DIGITS;
}
