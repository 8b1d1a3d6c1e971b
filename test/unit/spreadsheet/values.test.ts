import { describe, expect, it } from 'vitest';
import { normalizeWord, parseBool, parseDate, parseDateTime, parseNumber, text } from '../../../connectors/spreadsheet/values.ts';

const POINT = { dateFormat: 'iso', decimalComma: false } as const;
const COMMA = { dateFormat: 'dd.mm.yyyy', decimalComma: true } as const;

describe('spreadsheet cell values', () => {
  it('reads numbers with a decimal point: grouped thousands, currency signs, accounting negatives', () => {
    expect(parseNumber('1,234.56', POINT)).toEqual({ ok: true, value: 1234.56 });
    expect(parseNumber('$ 1,234,567', POINT)).toEqual({ ok: true, value: 1234567 });
    expect(parseNumber('(12.50)', POINT)).toEqual({ ok: true, value: -12.5 });
    expect(parseNumber('EUR 920.5', POINT)).toEqual({ ok: true, value: 920.5 });
    expect(parseNumber('1e3', POINT)).toEqual({ ok: true, value: 1000 });
    expect(parseNumber(42, POINT)).toEqual({ ok: true, value: 42 });
    expect(parseNumber('  ', POINT)).toEqual({ ok: true, value: null });
  });

  it('never reads "1,5" as fifteen: a comma that does not group thousands is an error without decimalComma', () => {
    const r = parseNumber('1,5', POINT);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain('"1,5"');
    expect(parseNumber('12,34,567', POINT).ok).toBe(false);
    expect(parseNumber('many', POINT).ok).toBe(false);
  });

  it('reads numbers with a decimal comma when configured', () => {
    expect(parseNumber('1.234,56', COMMA)).toEqual({ ok: true, value: 1234.56 });
    expect(parseNumber('920,50 €', COMMA)).toEqual({ ok: true, value: 920.5 });
    expect(parseNumber('1 200', COMMA)).toEqual({ ok: true, value: 1200 });
    expect(parseNumber('-3,5', COMMA)).toEqual({ ok: true, value: -3.5 });
    // With a decimal comma a lone point groups thousands or is wrong, never a fraction.
    expect(parseNumber('1.5', COMMA).ok).toBe(false);
    expect(parseNumber('1.500', COMMA)).toEqual({ ok: true, value: 1500 });
  });

  it('reads dates: ISO always, date cells, Excel serial numbers, and the configured day order', () => {
    expect(parseDate('2026-03-31', POINT)).toEqual({ ok: true, value: '2026-03-31' });
    expect(parseDate('2026-03-31T23:30:00Z', POINT)).toEqual({ ok: true, value: '2026-03-31' });
    expect(parseDate(new Date(Date.UTC(2026, 1, 15)), POINT)).toEqual({ ok: true, value: '2026-02-15' });
    // 46112 days after 1899-12-30 is 2026-03-31.
    expect(parseDate(46112, POINT)).toEqual({ ok: true, value: '2026-03-31' });
    expect(parseDate('31.03.2026', COMMA)).toEqual({ ok: true, value: '2026-03-31' });
    expect(parseDate('1.5.2026 14:30', COMMA)).toEqual({ ok: true, value: '2026-05-01' });
    expect(parseDate('03/04/2026', { dateFormat: 'mm/dd/yyyy', decimalComma: false })).toEqual({ ok: true, value: '2026-03-04' });
    expect(parseDate('03/04/2026', { dateFormat: 'dd/mm/yyyy', decimalComma: false })).toEqual({ ok: true, value: '2026-04-03' });
  });

  it('refuses a date that is not in the configured order, not a calendar day, or has a two-digit year', () => {
    const r = parseDate('31.03.2026', POINT);
    expect(r.ok ? '' : r.message).toBe('not a date in the format YYYY-MM-DD (set dateFormat for other orders): "31.03.2026"');
    expect(parseDate('31.02.2026', COMMA)).toEqual({ ok: false, message: 'not a calendar date in the format dd.mm.yyyy: "31.02.2026"' });
    expect(parseDate('2026-02-30', POINT).ok).toBe(false);
    expect(parseDate('03/04/26', { dateFormat: 'mm/dd/yyyy', decimalComma: false }).ok).toBe(false);
  });

  it('reads yes/no words, refuses others', () => {
    expect(['TRUE', 'yes', 'x', 'Ja', '1'].map((w) => parseBool(w))).toEqual(Array(5).fill({ ok: true, value: true }));
    expect(['FALSE', 'no', 'nein', '0'].map((w) => parseBool(w))).toEqual(Array(4).fill({ ok: true, value: false }));
    expect(parseBool(null)).toEqual({ ok: true, value: null });
    expect(parseBool('maybe').ok).toBe(false);
    expect(parseBool(2).ok).toBe(false);
  });

  it('reads timestamps as ISO instants and text as trimmed text', () => {
    expect(parseDateTime('2026-01-01T01:00:00+01:00')).toEqual({ ok: true, value: '2026-01-01T00:00:00.000Z' });
    expect(parseDateTime('yesterday').ok).toBe(false);
    expect(text('  Acme ')).toBe('Acme');
    expect(text(101)).toBe('101');
    expect(text('')).toBeNull();
    expect(normalizeWord('Closed-Won')).toBe(normalizeWord('closed  won'));
  });
});
