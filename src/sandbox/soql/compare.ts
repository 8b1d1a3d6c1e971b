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

export function checkLiteral(field: SfFieldDef, lit: Literal): void {
  if (literalFits(field, lit)) return;
  const quoted = field.type === 'datetime' || field.type === 'date' || field.type === 'boolean' || NUMERIC.has(field.type)
    ? 'should not be enclosed in quotes'
    : 'should be enclosed in quotes';
  throw new SoqlError('INVALID_FIELD', `value of filter criterion for field '${field.name}' must be of type ${typeName(field)} and ${quoted}`);
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

