import { describe, expect, it } from 'vitest';
import { IdSet, NumberSet } from '../../../src/model/id-set.ts';

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function sameAsASet(ids: readonly string[]): void {
  const set = new IdSet();
  const reference = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    const fresh = !reference.has(id);
    reference.add(id);
    if (set.add(id) !== fresh) throw new Error(`id ${i} ${JSON.stringify(id)}: IdSet said ${fresh ? 'seen' : 'new'}`);
  }
  expect(set.size).toBe(reference.size);
}

describe('IdSet', () => {
  it('tells an id seen from a new one exactly as a Set of strings does, whatever the ids look like', () => {
    const next = random(7);
    const int = (n: number) => Math.floor(next() * n);
    const ids: string[] = [];
    const prefixes = ['OLI-', 'CON-', '', 'ACC-KEY18-', 'a', 'Zoë-', '-', '0', 'x'.repeat(40)];
    for (let i = 0; i < 60_000; i++) {
      const form = int(8);
      const prefix = prefixes[int(prefixes.length)] as string;
      if (form === 0) ids.push(`${prefix}${String(int(3000)).padStart(7, '0')}`); // dense, zero-padded
      else if (form === 1) ids.push(`${prefix}${int(3000)}`); // the same numbers unpadded: other ids
      else if (form === 2) ids.push(String(int(1e12))); // sparse numbers, HubSpot style
      else if (form === 3) ids.push(`${String(int(1e9))}${String(int(1e9)).padStart(9, '0')}`); // 18 digits: past exact doubles
      else if (form === 4) ids.push(`00${int(40)}Q${int(20)}`); // many prefixes, each ending in a digit
      else if (form === 5) ids.push(`001xx${int(5000).toString(36)}AAG`); // no digits at the end
      else if (form === 6) ids.push(String(int(100)).padStart(int(4) + 1, '0')); // "7", "07", "007"
      else ids.push(`P${int(1e6)}-${int(5)}`); // a prefix per id (over the bound of prefixes)
    }
    // Repeats of ids seen long before, in a new order.
    for (let i = 0; i < 20_000; i++) ids.push(ids[int(ids.length)] as string);
    sameAsASet(ids);
  });

  it('keeps 999999999999999 and its neighbours apart, and 16 digits as text', () => {
    sameAsASet(['999999999999999', '999999999999998', '0999999999999999', '9999999999999999', '9999999999999998', '999999999999999', '9999999999999999', '0']);
  });
});

describe('NumberSet', () => {
  it('moves from its bitmap to a hash when the numbers are sparse, losing none', () => {
    const set = new NumberSet();
    for (let v = 0; v < 5_000; v++) expect(set.add(v)).toBe(true);
    // Far apart: a page each, until the bitmap is too sparse and becomes a hash.
    for (let k = 1; k <= 5_000; k++) expect(set.add(k * 1_000_003)).toBe(true);
    for (let v = 0; v < 5_000; v++) expect(set.add(v)).toBe(false);
    for (let k = 1; k <= 5_000; k++) expect(set.add(k * 1_000_003)).toBe(false);
    // Numbers with the same low bits (multiples of 2^20) spread over the table.
    for (let k = 1; k <= 5_000; k++) expect(set.add(k * 2 ** 20 + 2 ** 40)).toBe(true);
    expect(set.size).toBe(15_000);
  });
});
