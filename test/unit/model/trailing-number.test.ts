import { describe, expect, it } from 'vitest';
import { hasTrailingNumber, MAX_TRAILING_DIGITS, splitTrailingNumber, type TrailingNumber } from '../../../src/model/trailing-number.ts';
import { IdSet } from '../../../src/model/id-set.ts';
import { RefTable } from '../../../src/analyze/ref-table.ts';

function split(id: string): { prefix: string; digits: number; value: number; numbered: boolean } {
  const t = splitTrailingNumber(id, { digits: -1, value: -1 });
  return { prefix: id.slice(0, id.length - t.digits), digits: t.digits, value: t.value, numbered: hasTrailingNumber(t) };
}

describe('splitTrailingNumber', () => {
  it('splits a prefix and its running number', () => {
    expect(split('OLI-0999873')).toEqual({ prefix: 'OLI-', digits: 7, value: 999873, numbered: true });
    expect(split('P12-3')).toEqual({ prefix: 'P12-', digits: 1, value: 3, numbered: true });
  });

  it('an id without trailing digits has none, whatever digits it holds before', () => {
    expect(split('001xx000003DGbAAG')).toEqual({ prefix: '001xx000003DGbAAG', digits: 0, value: 0, numbered: false });
    expect(split('')).toEqual({ prefix: '', digits: 0, value: 0, numbered: false });
    expect(split('Zoë')).toMatchObject({ digits: 0, numbered: false });
    // Digits of other scripts are not ASCII digits.
    expect(split('A-٣')).toMatchObject({ digits: 0, numbered: false });
  });

  it('an id of digits only has an empty prefix', () => {
    expect(split('1234567')).toEqual({ prefix: '', digits: 7, value: 1234567, numbered: true });
    expect(split('0')).toEqual({ prefix: '', digits: 1, value: 0, numbered: true });
  });

  it('counts leading zeros as digits of the number, so that A-07 and A-7 keep apart', () => {
    expect(split('A-07')).toEqual({ prefix: 'A-', digits: 2, value: 7, numbered: true });
    expect(split('A-7')).toEqual({ prefix: 'A-', digits: 1, value: 7, numbered: true });
    expect(split('000')).toEqual({ prefix: '', digits: 3, value: 0, numbered: true });
    // Leading zeros count towards the 15 digits a number may have.
    expect(split('x000000000000001')).toEqual({ prefix: 'x', digits: 15, value: 1, numbered: true });
    expect(split('x0000000000000001')).toMatchObject({ digits: 16, numbered: false });
  });

  it('reads 15 digits exactly and stops counting past them (such ids are not numbered)', () => {
    expect(MAX_TRAILING_DIGITS).toBe(15);
    expect(split('999999999999999')).toEqual({ prefix: '', digits: 15, value: 999_999_999_999_999, numbered: true });
    expect(split('K-0999999999999999')).toMatchObject({ digits: 16, numbered: false });
    expect(split('123456789012345678')).toMatchObject({ digits: 16, numbered: false });
  });

  it('writes into the object it is given and returns it', () => {
    const out: TrailingNumber = { digits: 0, value: 0 };
    expect(splitTrailingNumber('A-12', out)).toBe(out);
    expect(out).toEqual({ digits: 2, value: 12 });
    splitTrailingNumber('B', out);
    expect(out).toEqual({ digits: 0, value: 0 });
  });

  it('both callers keep ids that differ only in leading zeros or digit count apart', () => {
    const ids = ['A-7', 'A-07', 'A-007', '7', '07', 'A-', 'A', '0999999999999999', '999999999999999', 'A-7'];
    const set = new IdSet();
    expect(ids.map((id) => set.add(id))).toEqual([true, true, true, true, true, true, true, true, true, false]);
    const refs = new RefTable();
    expect(ids.map((id) => refs.add(id))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
    expect(refs.values).toEqual(ids.slice(0, 9));
    expect(refs.find('A-0007')).toBe(-1);
    expect(refs.find('07')).toBe(4);
  });
});
