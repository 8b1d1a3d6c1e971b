import { describe, expect, it } from 'vitest';
import { Float64Column, Int32Column, TextColumn, Uint8Column } from '../../../src/analyze/columns.ts';

describe('TextColumn', () => {
  it('gives back every string as pushed: empty, beyond ASCII, a lone surrogate, longer than a call has arguments', () => {
    const strings = ['', 'CON-1', 'Zoë ★', '\ud800x', 'y\udfff', 'x'.repeat(10_000), ...Array.from({ length: 70_000 }, (_, i) => `C${i}`)];
    const col = new TextColumn();
    for (const s of strings) col.push(s);
    expect(col.length).toBe(strings.length);
    expect(col.toArray()).toEqual(strings);
  });
});

describe('Column', () => {
  it('reads and sets single values while it grows', () => {
    const col = new Int32Column(2);
    for (let i = 0; i < 100; i++) col.push(i);
    col.set(5, -1);
    expect(col.at(5)).toBe(-1);
    expect(col.at(99)).toBe(99);
    expect(Array.from(col.trimmed()).length).toBe(100);
  });

  it('keeps each kind of value as its typed array does', () => {
    const bytes = new Uint8Column(1);
    const doubles = new Float64Column(1);
    for (const v of [1, 255, 256, 0.5]) {
      bytes.push(v);
      doubles.push(v);
    }
    expect(Array.from(bytes.trimmed())).toEqual([1, 255, 0, 0]);
    expect(bytes.trimmed()).toBeInstanceOf(Uint8Array);
    expect(Array.from(doubles.view())).toEqual([1, 255, 256, 0.5]);
    expect(doubles.trimmed()).toBeInstanceOf(Float64Array);
  });
});
