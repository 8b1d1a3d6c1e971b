import type { SfFieldDef } from './schema.ts';

/**
 * How field values are held in the store and shown on the wire. Datetimes are epoch
 * milliseconds in the store and Salesforce's `2024-01-02T03:04:05.000+0000` on the wire; dates
 * are `YYYY-MM-DD` strings both ways.
 */
export type SfValue = string | number | boolean | null;
export type SfRecord = Record<string, SfValue>;

export function formatDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function toWire(def: SfFieldDef, value: SfValue | undefined): SfValue {
  if (value === undefined || value === null) return null;
  if (def.type === 'datetime' && typeof value === 'number') return formatDatetime(value);
  return value;
}

/** The message of a value that does not fit its field, or null when it fits. */
export type Coerced = { ok: true; value: SfValue } | { ok: false; code: string; message: string };

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function parseDatetime(text: string): number | null {
  const normalized = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? null : ms;
}

/** Converts a value from a JSON write into the stored form, checking it against the field. */
export function coerceJson(def: SfFieldDef, value: unknown): Coerced {
  if (value === null || value === undefined) return { ok: true, value: null };
  const bad = (what: string): Coerced => ({
    ok: false,
    code: 'JSON_PARSER_ERROR',
    message: `Cannot deserialize instance of ${what} from ${JSON.stringify(value)} for field ${def.name}`,
  });
  switch (def.type) {
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : bad('boolean');
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) return bad(def.type);
      return checkNumber(def, n);
    }
    case 'date':
      return typeof value === 'string' && DATE_RE.test(value) ? { ok: true, value } : bad('date');
    case 'datetime': {
      const ms = typeof value === 'string' ? parseDatetime(value) : null;
      return ms === null ? bad('datetime') : { ok: true, value: ms };
    }
    default:
      if (typeof value !== 'string') return bad('string');
      return checkText(def, value);
  }
}

/** Converts a Bulk API CSV cell; `#N/A` clears the field. */
export function coerceCsv(def: SfFieldDef, cell: string): Coerced {
  if (cell === '#N/A') return { ok: true, value: null };
  switch (def.type) {
    case 'boolean': {
      const v = cell.toLowerCase();
      if (v === 'true' || v === '1') return { ok: true, value: true };
      if (v === 'false' || v === '0') return { ok: true, value: false };
      return { ok: false, code: 'INVALID_TYPE_ON_FIELD_IN_RECORD', message: `${def.label}: value not of required type: ${cell}` };
    }
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n = Number(cell);
      if (!Number.isFinite(n)) {
        return { ok: false, code: 'INVALID_TYPE_ON_FIELD_IN_RECORD', message: `${def.label}: value not of required type: ${cell}` };
      }
      return checkNumber(def, n);
    }
    default:
      return coerceJson(def, cell);
  }
}

function checkNumber(def: SfFieldDef, n: number): Coerced {
  if (def.precision !== undefined) {
    const intDigits = Math.trunc(Math.abs(n)).toString().length;
    if (intDigits > def.precision - (def.scale ?? 0)) {
      return { ok: false, code: 'NUMBER_OUTSIDE_VALID_RANGE', message: `${def.label}: value outside of valid range on numeric field: ${n}` };
    }
  }
  const value = def.scale !== undefined ? Number(n.toFixed(def.scale)) : n;
  return { ok: true, value: def.type === 'int' ? Math.trunc(value) : value };
}

function checkText(def: SfFieldDef, value: string): Coerced {
  if (def.length !== undefined && value.length > def.length) {
    return {
      ok: false,
      code: 'STRING_TOO_LONG',
      message: `${def.label}: data value too large: ${value.slice(0, 20)}... (max length=${def.length})`,
    };
  }
  if (def.picklistValues && def.custom && value !== '' && !def.picklistValues.includes(value)) {
    return {
      ok: false,
      code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: `${def.label}: bad value for restricted picklist field: ${value}`,
    };
  }
  return { ok: true, value };
}
