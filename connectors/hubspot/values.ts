/**
 * HubSpot property values arrive as strings (or null): numbers, booleans and dates are parsed on
 * purpose here, and an empty string means "no value".
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

export function text(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const t = raw.trim();
  return t === '' ? null : t;
}

export function parseNumber(raw: string | null | undefined): Parsed<number | null> {
  const t = text(raw);
  if (t === null) return ok(null);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { ok: false, message: `not a number: "${t}"` };
  return ok(Number(t));
}

export function parseBool(raw: string | null | undefined): Parsed<boolean | null> {
  const t = text(raw)?.toLowerCase() ?? null;
  if (t === null) return ok(null);
  if (t === 'true') return ok(true);
  if (t === 'false') return ok(false);
  return { ok: false, message: `not true/false: "${t}"` };
}

/** Epoch milliseconds (as HubSpot often sends) or ISO 8601, to an ISO timestamp. */
export function parseDateTime(raw: string | null | undefined): Parsed<string | null> {
  const t = text(raw);
  if (t === null) return ok(null);
  const d = /^\d+$/.test(t) ? new Date(Number(t)) : /^\d{4}-\d{2}-\d{2}/.test(t) ? new Date(t.length === 10 ? `${t}T00:00:00Z` : t) : null;
  if (!d || Number.isNaN(d.getTime())) return { ok: false, message: `not a date: "${t}"` };
  return ok(d.toISOString());
}

/** The UTC calendar date (HubSpot stores date properties at UTC midnight). */
export function parseDate(raw: string | null | undefined): Parsed<string | null> {
  const r = parseDateTime(raw);
  return r.ok && r.value !== null ? ok(r.value.slice(0, 10)) : r;
}

/** Collects value problems of one record without stopping its mapping. */
export class ValueReader {
  readonly problems: string[] = [];
  constructor(private readonly properties: Record<string, string | null>) {}
  text(p: string): string | null {
    return text(this.properties[p]);
  }
  private take<T>(p: string, r: Parsed<T | null>): T | null {
    if (r.ok) return r.value;
    this.problems.push(`${p}: ${r.message}`);
    return null;
  }
  number(p: string): number | null {
    return this.take(p, parseNumber(this.properties[p]));
  }
  bool(p: string): boolean | null {
    return this.take(p, parseBool(this.properties[p]));
  }
  date(p: string): string | null {
    return this.take(p, parseDate(this.properties[p]));
  }
  dateTime(p: string): string | null {
    return this.take(p, parseDateTime(this.properties[p]));
  }
}
