import type { SfFieldDef } from '../salesforce/schema.ts';
import type { SfValue } from '../salesforce/values.ts';
import type { Literal } from './ast.ts';
import { SoqlError } from './errors.ts';

/** How SOQL compares values: literal type checks, case rules, LIKE patterns. */

export const NUMERIC = new Set(['int', 'double', 'currency', 'percent']);
const CASE_SENSITIVE = new Set(['id', 'reference']);

export function literalFits(field: SfFieldDef, lit: Literal): boolean {
  if (lit.kind === 'null') return true;
  if (field.type === 'datetime') return lit.kind === 'datetime';
  if (field.type === 'date') return lit.kind === 'date';
  if (field.type === 'boolean') return lit.kind === 'boolean';
  if (NUMERIC.has(field.type)) return lit.kind === 'number';
  return lit.kind === 'string';
}

export function typeName(field: SfFieldDef): string {
  if (field.type === 'datetime') return 'dateTime';
  if (NUMERIC.has(field.type)) return 'number';
  return field.type === 'date' || field.type === 'boolean' ? field.type : 'string';
}

/**
 * A Salesforce record id: 15 case-sensitive alphanumerics, or 18 with the 3-character case-safe
 * suffix (each from A-Z and 0-5, read without regard to case).
 */
export function isSalesforceIdLiteral(value: string): boolean {
  return /^[A-Za-z0-9]{15}(?:[A-Za-z0-5]{3})?$/.test(value);
}

/**
 * The message Salesforce gives for an error at a point of the query: the query around it, a
 * caret under it, its row and column, then the reason.
 */
export function pointedMessage(source: string | undefined, pos: number | undefined, reason: string, length = 0): string {
  if (source === undefined || pos === undefined) return reason;
  const before = source.slice(0, pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const start = Math.max(lineStart, pos - 40);
  const lineEnd = source.indexOf('\n', pos);
  const end = Math.min(lineEnd === -1 ? source.length : lineEnd, pos + length);
  return `\n${source.slice(start, end)}\n${' '.repeat(pos - start)}^\nERROR at Row:${row}:Column:${pos - lineStart + 1}\n${reason}`;
}

/**
 * Checks a literal against the field it is compared with. ID and reference fields take only
 * well-formed ids: Salesforce refuses anything else, the empty string included, with
 * INVALID_QUERY_FILTER_OPERATOR "invalid ID field: ..." (reported in jsforce/jsforce#684,
 * restforce/restforce#557 and forcedotcom/salesforcedx-apex#153, whose message this copies).
 */
export function checkLiteral(field: SfFieldDef, lit: Literal, source?: string): void {
  if ((field.type === 'id' || field.type === 'reference') && lit.kind === 'string' && !isSalesforceIdLiteral(lit.value)) {
    // The literal as typed runs from its opening quote to its closing one.
    const typed = lit.pos !== undefined && source !== undefined ? literalEnd(source, lit.pos) - lit.pos : 0;
    throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', pointedMessage(source, lit.pos, `invalid ID field: ${lit.value}`, typed));
  }
  if (literalFits(field, lit)) return;
  const quoted = field.type === 'datetime' || field.type === 'date' || field.type === 'boolean' || NUMERIC.has(field.type)
    ? 'should not be enclosed in quotes'
    : 'should be enclosed in quotes';
  throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${field.name}' must be of type ${typeName(field)} and ${quoted}`);
}

/** Index just past the closing quote of the string literal that opens at `pos`. */
function literalEnd(source: string, pos: number): number {
  for (let i = pos + 1; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === '\\') i += 1;
    else if (c === "'") return i + 1;
  }
  return source.length;
}

export function literalValue(lit: Literal): SfValue {
  switch (lit.kind) {
    case 'null':
      return null;
    case 'string':
    case 'number':
    case 'boolean':
    case 'date':
    case 'datetime':
      return lit.value;
  }
}

export function normalize(field: SfFieldDef, v: SfValue): SfValue {
  if (typeof v !== 'string') return v;
  if (CASE_SENSITIVE.has(field.type)) return v.length === 18 ? v.slice(0, 15) : v;
  return v.toLowerCase();
}

export function compareValues(a: SfValue, b: SfValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) {
      re += pattern.charAt(i + 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i += 1;
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

