/**
 * Cell values of a workbook or CSV file, read on purpose: a CSV cell is text, an XLSX cell may
 * already be a number, a boolean or a date. An empty cell means "no value"; anything that cannot
 * be read as asked is an error with the text it found, never a guess.
 */

/** One cell as the readers hand it over. */
export type Cell = string | number | boolean | Date | null;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

export type DateFormat = 'iso' | 'dd.mm.yyyy' | 'dd/mm/yyyy' | 'mm/dd/yyyy';

/** How numbers and dates are written in the files (validated settings; see the options schema). */
export interface ValueFormats {
  dateFormat: DateFormat;
  /** "1.234,56" rather than "1,234.56". */
  decimalComma: boolean;
}

const show = (c: Cell): string => (c instanceof Date ? c.toISOString() : String(c));

function isoDay(y: number, m: number, d: number): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Trimmed text; numbers as written in JSON (an id column of numbers reads "101"), dates as ISO days. */
export function text(c: Cell): string | null {
  if (c === null) return null;
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? null : c.toISOString().slice(0, 10);
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : null;
  if (typeof c === 'boolean') return c ? 'true' : 'false';
  const t = c.trim();
  return t === '' ? null : t;
}

// Grouped thousands must really be groups of three, so that "1,5" is never read as 15.
const POINT = /^[+-]?(?:\d{1,3}(?:[,\u00a0\u202f' ]\d{3})+|\d+)(?:\.\d+)?$/;
const COMMA = /^[+-]?(?:\d{1,3}(?:[.\u00a0\u202f' ]\d{3})+|\d+)(?:,\d+)?$/;

/** A number: currency signs, spaces and thousands separators allowed; "(12.50)" is negative. */
export function parseNumber(c: Cell, formats: ValueFormats): Parsed<number | null> {
  if (c === null) return ok(null);
  if (typeof c === 'number') return Number.isFinite(c) ? ok(c) : fail(`not a number: ${c}`);
  if (typeof c === 'boolean' || c instanceof Date) return fail(`not a number: ${show(c)}`);
  let t = c.trim();
  if (t === '') return ok(null);
  let negative = false;
  const paren = /^\((.*)\)$/.exec(t);
  if (paren) {
    negative = true;
    t = (paren[1] ?? '').trim();
  }
  t = t.replace(/^(?:[A-Z]{3}|[$€£¥])\s*/u, '').replace(/\s*(?:[A-Z]{3}|[$€£¥])$/u, '').trim();
  if (/^[+-]?\d+(?:\.\d+)?e[+-]?\d+$/i.test(t)) return ok((negative ? -1 : 1) * Number(t));
  const pattern = formats.decimalComma ? COMMA : POINT;
  if (!pattern.test(t)) {
    const hint = formats.decimalComma ? 'decimal comma, e.g. 1.234,56' : 'decimal point, e.g. 1,234.56';
    return fail(`not a number with a ${hint}: "${c.trim()}"`);
  }
  const plain = formats.decimalComma ? t.replace(/[.\u00a0\u202f' ]/g, '').replace(',', '.') : t.replace(/[,\u00a0\u202f' ]/g, '');
  return ok((negative ? -1 : 1) * Number(plain));
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'x', 'ja', 'j', 'wahr', 'oui', 'si', 'sí', '✓', '✔']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'nein', 'falsch', 'non', '-', '✗']);

/** Yes/no in the words exports use (TRUE/FALSE, yes/no, 1/0, x, ja/nein...). */
export function parseBool(c: Cell): Parsed<boolean | null> {
  if (c === null) return ok(null);
  if (typeof c === 'boolean') return ok(c);
  if (typeof c === 'number') return c === 1 ? ok(true) : c === 0 ? ok(false) : fail(`not yes/no: ${c}`);
  if (c instanceof Date) return fail(`not yes/no: ${show(c)}`);
  const t = c.trim().toLowerCase();
  if (t === '') return ok(null);
  if (TRUE_WORDS.has(t)) return ok(true);
  if (FALSE_WORDS.has(t)) return ok(false);
  return fail(`not yes/no (true/false, yes/no, 1/0): "${c.trim()}"`);
}

/** Days from 1899-12-30: Excel's 1900 date system, its phantom 29 February 1900 included. */
function fromExcelSerial(serial: number): string | null {
  if (!(serial >= 1 && serial < 2958466)) return null;
  const d = new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const TIME = String.raw`(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?)?`;
const DAY_FIRST: Record<Exclude<DateFormat, 'iso'>, { re: RegExp; dayFirst: boolean }> = {
  'dd.mm.yyyy': { re: new RegExp(String.raw`^(\d{1,2})\.(\d{1,2})\.(\d{4})${TIME}$`), dayFirst: true },
  'dd/mm/yyyy': { re: new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})${TIME}$`), dayFirst: true },
  'mm/dd/yyyy': { re: new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})${TIME}$`), dayFirst: false },
};

/**
 * A calendar day, `YYYY-MM-DD`: a date cell, an Excel serial number, an ISO date (always
 * understood), or text in the configured order. Two-digit years are refused: "03/04/26" has
 * too many readings.
 */
export function parseDate(c: Cell, formats: ValueFormats): Parsed<string | null> {
  if (c === null) return ok(null);
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? fail('not a date') : ok(c.toISOString().slice(0, 10));
  if (typeof c === 'number') {
    const day = fromExcelSerial(c);
    return day ? ok(day) : fail(`not a date: ${c}`);
  }
  if (typeof c === 'boolean') return fail(`not a date: ${c}`);
  const t = c.trim();
  if (t === '') return ok(null);
  const iso = ISO_DAY.exec(t);
  if (iso) {
    const day = isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return day ? ok(day) : fail(`not a calendar date: "${t}"`);
  }
  if (formats.dateFormat !== 'iso') {
    const { re, dayFirst } = DAY_FIRST[formats.dateFormat];
    const m = re.exec(t);
    if (m) {
      const [a, b] = [Number(m[1]), Number(m[2])];
      const day = isoDay(Number(m[3]), dayFirst ? b : a, dayFirst ? a : b);
      return day ? ok(day) : fail(`not a calendar date in the format ${formats.dateFormat}: "${t}"`);
    }
  }
  const expected = formats.dateFormat === 'iso' ? 'YYYY-MM-DD (set dateFormat for other orders)' : `${formats.dateFormat} or YYYY-MM-DD`;
  return fail(`not a date in the format ${expected}: "${t}"`);
}

/** A moment, as an ISO timestamp (Kamflow's own `kam_updated_at`). */
export function parseDateTime(c: Cell): Parsed<string | null> {
  if (c === null) return ok(null);
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? fail('not a date') : ok(c.toISOString());
  if (typeof c !== 'string') return fail(`not a timestamp: ${show(c)}`);
  const t = c.trim();
  if (t === '') return ok(null);
  if (!ISO_DAY.test(t)) return fail(`not an ISO 8601 timestamp: "${t}"`);
  const d = new Date(t.length === 10 ? `${t}T00:00:00Z` : t);
  return Number.isNaN(d.getTime()) ? fail(`not an ISO 8601 timestamp: "${t}"`) : ok(d.toISOString());
}

/** Stage and status words compared loosely: "Closed-Won", "closed won" and "CLOSED_WON" are one. */
export function normalizeWord(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s_\-/.]+/g, ' ').trim();
}
