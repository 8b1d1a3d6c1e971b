import { describe, expect, it } from 'vitest';
import { RefTable } from '../../../src/analyze/ref-table.ts';
import { StringTable } from '../../../src/model/string-table.ts';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('RefTable', () => {
  it('numbers ids and finds them exactly as a StringTable does, whatever the ids look like', () => {
    const next = random(11);
    const int = (n: number) => Math.floor(next() * n);
    const refs = new RefTable();
    const reference = new StringTable();
    const prefixes = ['ACC-', '', 'ACC-KEY18-', 'Zoë-', '0', 'PRD-'];
    const make = (): string => {
      const form = int(7);
      const prefix = prefixes[int(prefixes.length)] as string;
      if (form === 0) return `${prefix}${String(int(20_000)).padStart(7, '0')}`;
      if (form === 1) return `${prefix}${int(20_000)}`;
      if (form === 2) return String(int(1e12)); // sparse: the pages give way to a map
      if (form === 3) return `${String(int(1e9))}${String(int(1e9)).padStart(9, '0')}`;
      if (form === 4) return `P${int(1e6)}-${int(3)}`; // a prefix per id, past the bound
      if (form === 5) return `001xx${int(9000).toString(36)}AAG`;
      return String(int(50)).padStart(int(3) + 1, '0');
    };
    for (let i = 0; i < 80_000; i++) {
      const id = make();
      if (int(3) === 0) {
        // A lookup that does not add, of an id that may or may not be there.
        expect(refs.find(id)).toBe(reference.find(id));
      } else {
        const want = reference.add(id);
        if (refs.add(id) !== want) throw new Error(`id ${i} ${JSON.stringify(id)}: not numbered ${want}`);
      }
    }
    expect(refs.size).toBe(reference.size);
    expect(refs.values).toEqual(reference.values);
  });

  it('finds nothing in an empty table, and an id of a prefix it has not seen', () => {
    const refs = new RefTable();
    expect(refs.find('ACC-1')).toBe(-1);
    expect(refs.add('ACC-1')).toBe(0);
    expect(refs.find('ACC-01')).toBe(-1);
    expect(refs.find('BCC-1')).toBe(-1);
    expect(refs.find('ACC-1')).toBe(0);
  });
});
