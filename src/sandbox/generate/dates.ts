/**
 * Dates as whole UTC days since 1970-01-01, so the generator does arithmetic on integers and
 * formats each day once.
 */

const MS_PER_DAY = 86_400_000;

export function parseDay(iso: string): number {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return Math.round(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / MS_PER_DAY);
}

export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The same calendar date `years` earlier, clamped to the month's end (2024-02-29 -> 2023-02-28). */
export function yearsEarlier(day: number, years: number): number {
  const date = new Date(day * MS_PER_DAY);
  const y = date.getUTCFullYear() - years;
  const m = date.getUTCMonth();
  const lastOfMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(y, m, Math.min(date.getUTCDate(), lastOfMonth)) / MS_PER_DAY);
}

/** The analysis windows of DOMAIN.md: 12 months ending at asOf, and the 12 months before. */
export interface Windows {
  asOf: number;
  windowStart: number;
  priorStart: number;
}

export function windowsFor(asOf: number): Windows {
  return { asOf, windowStart: yearsEarlier(asOf, 1) + 1, priorStart: yearsEarlier(asOf, 2) + 1 };
}

/** Formats days in a known range once each instead of once per record. */
export class DayFormatter {
  private readonly cache: string[] = [];

  constructor(
    private readonly first: number,
    last: number,
  ) {
    for (let d = first; d <= last; d++) this.cache.push(formatDay(d));
  }

  format(day: number): string {
    return this.cache[day - this.first] ?? formatDay(day);
  }
}
