/**
 * Calendar days as integers `yyyymmdd` (20260630): they compare like dates, cost nothing to
 * store in typed arrays, and convert back to `YYYY-MM-DD` without a Date object.
 */

export type DayNumber = number;

/** Raised for an analysis date that is not a real `YYYY-MM-DD` calendar date. */
export class AsOfError extends Error {
  override readonly name = 'AsOfError';
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Returns `s` when it is a real calendar date written `YYYY-MM-DD`; throws {@link AsOfError} otherwise. */
export function validateAsOf(s: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const bad = () => new AsOfError(`invalid analysis date "${s}": expected a real calendar date written YYYY-MM-DD`);
  if (!m) throw bad();
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw bad();
  return s;
}

/** The date part of an ISO date or timestamp as a day number (the snapshot already checked it). */
export function toDayNumber(isoDate: string): DayNumber {
  // Character arithmetic: this runs once per opportunity, and parseInt/slice would allocate.
  // 533,333,328 is 48 (the code of '0') times the sum of the place values, 11,111,111.
  return (
    isoDate.charCodeAt(0) * 10_000_000 + isoDate.charCodeAt(1) * 1_000_000 + isoDate.charCodeAt(2) * 100_000 +
    isoDate.charCodeAt(3) * 10_000 + isoDate.charCodeAt(5) * 1000 + isoDate.charCodeAt(6) * 100 +
    isoDate.charCodeAt(8) * 10 + isoDate.charCodeAt(9) - 533_333_328
  );
}

export function fromDayNumber(d: DayNumber): string {
  const y = Math.floor(d / 10000);
  const m = Math.floor(d / 100) % 100;
  const day = d % 100;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${day < 10 ? '0' : ''}${day}`;
}

/** Moves a day by whole months, clamping to the end of a shorter month (29 Feb - 12 months = 28 Feb). */
export function addMonths(d: DayNumber, months: number): DayNumber {
  const y = Math.floor(d / 10000);
  const m = Math.floor(d / 100) % 100;
  const day = d % 100;
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return ny * 10000 + nm * 100 + Math.min(day, daysInMonth(ny, nm));
}

export function nextDay(d: DayNumber): DayNumber {
  const y = Math.floor(d / 10000);
  const m = Math.floor(d / 100) % 100;
  const day = d % 100;
  if (day < daysInMonth(y, m)) return d + 1;
  if (m < 12) return y * 10000 + (m + 1) * 100 + 1;
  return (y + 1) * 10000 + 101;
}

/** Both ends inclusive. */
export interface DayRange {
  from: DayNumber;
  to: DayNumber;
}

/** The `months` ending at `end`, both ends inclusive: from the day after `end - months`. */
export function monthsEndingAt(end: DayNumber, months: number): DayRange {
  return { from: nextDay(addMonths(end, -months)), to: end };
}

export interface AnalysisWindows {
  asOf: DayNumber;
  /** The 12 months ending at asOf. */
  window: DayRange;
  /** The 12 months before the window. */
  prior: DayRange;
  /** The months ending at asOf in which a family must have won something not to be stalled. */
  recent: DayRange;
}

export function analysisWindows(asOf: string, stalledMonths: number): AnalysisWindows {
  const end = toDayNumber(validateAsOf(asOf));
  const window = monthsEndingAt(end, 12);
  const prior = monthsEndingAt(addMonths(end, -12), 12);
  return { asOf: end, window, prior, recent: monthsEndingAt(end, stalledMonths) };
}

export function inRange(d: DayNumber, r: DayRange): boolean {
  return d >= r.from && d <= r.to;
}
