import { describe, expect, it } from 'vitest';
import { CompactJsonWriter, JsonBytes } from '../../../src/analyze/json.ts';

function written(values: unknown[]): { bytes: string; lefts: boolean[] } {
  const out = new JsonBytes(4);
  const w = new CompactJsonWriter(out);
  const lefts: boolean[] = [];
  const pieces: Buffer[] = [];
  for (const v of values) {
    lefts.push(w.value(v));
    out.byte(0x0a);
    pieces.push(Buffer.from(out.take()));
  }
  return { bytes: Buffer.concat(pieces).toString('utf8'), lefts };
}

const expected = (values: unknown[]) => values.map((v) => `${JSON.stringify(v) ?? ''}\n`).join('');

/** A small deterministic generator, so that a failure names a seed that repeats it. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', 'é', '★', '→', '\u2028', '\ud83d\ude00', '\ud800', '\udfff', '/'];

function randomString(r: () => number): string {
  const n = r() < 0.3 ? 25 + Math.floor(r() * 80) : Math.floor(r() * 26);
  let s = '';
  const plain = r() < 0.5;
  for (let i = 0; i < n; i++) s += plain ? String.fromCharCode(0x20 + Math.floor(r() * 95)) : (ALPHABET[Math.floor(r() * ALPHABET.length)] as string);
  return s;
}

const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456.789, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Infinity, -Infinity, 2 ** 53, 0.000001];

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (k) {
    case 0: return randomString(r);
    case 1: return r() < 0.5 ? NUMBERS[Math.floor(r() * NUMBERS.length)] : (r() - 0.5) * 10 ** Math.floor(r() * 12);
    case 2: return r() < 0.5;
    case 3: return null;
    case 4: return undefined;
    case 5: return r() < 0.5 ? () => 1 : Symbol('s');
    case 6: return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
    case 7: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) o[r() < 0.2 ? String(Math.floor(r() * 10)) : randomString(r)] = randomValue(r, depth + 1);
      return o;
    }
    default: {
      const made = randomString(r);
      return r() < 0.5 ? new Date(Date.UTC(2026, 5, 30, 12)) : { toJSON: () => ({ made }) };
    }
  }
}

describe('compact JSON written as bytes', () => {
  it('is exactly the UTF-8 of JSON.stringify for random values: escapes, lone surrogates, -0, NaN, left-out members, toJSON, dates', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      const values = Array.from({ length: 20 }, () => randomValue(r, 0));
      const { bytes, lefts } = written(values);
      expect(bytes, `seed ${seed}`).toBe(expected(values));
      expect(lefts, `seed ${seed}`).toEqual(values.map((v) => JSON.stringify(v) !== undefined));
    }
  });

  it('writes a text met again (a family reason on each of its entities) the same every time, past the size of its table', () => {
    const shared = `★ Key, score 80.0: revenue share 12%\n✓ "quoted" \\ ${'x'.repeat(40)}`;
    const values = Array.from({ length: 10_000 }, (_, i) => ({ id: `A${i}`, reasons: i % 3 === 0 ? shared : `${shared} ${i}`, n: i / 7 }));
    expect(written(values).bytes).toBe(expected(values));
  });

  it('writes objects with more distinct keys than its key table holds', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) wide[`key-${i}`] = i;
    const values = [wide, wide, { 'key-1': 'again' }];
    expect(written(values).bytes).toBe(expected(values));
  });

  it('keeps key order, integer-like keys first, as JSON.stringify does; objects without a prototype too', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare['b'] = 1;
    bare['2'] = 'two';
    bare['a'] = [undefined, () => 0, 3];
    const values = [{ z: 1, 10: 'ten', 1: 'one', a: { 'é"k': true } }, bare, [[]], {}, ''];
    expect(written(values).bytes).toBe(expected(values));
  });

  it('fails for what JSON.stringify fails for: a cycle, a BigInt', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle['self'] = { back: cycle };
    expect(() => written([cycle])).toThrow(TypeError);
    expect(() => written([{ n: 1n }])).toThrow(TypeError);
  });
});
