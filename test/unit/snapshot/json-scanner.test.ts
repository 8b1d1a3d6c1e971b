import { describe, expect, it } from 'vitest';
import { SnapshotFormatError } from '../../../src/model/snapshot.ts';
import { SnapshotSyntaxError } from '../../../src/snapshot/bytes.ts';
import { JsonSnapshotScanner } from '../../../src/snapshot/json-scanner.ts';

interface Seen {
  values: [string, string | null][];
  records: Record<string, unknown[]>;
}

function scan(text: string | Uint8Array, pieceSize: number): Seen {
  const seen: Seen = { values: [], records: {} };
  const s = new JsonSnapshotScanner({
    value: (key, t) => seen.values.push([key, t]),
    records: (list, values, index) => {
      const all = (seen.records[list] ??= []);
      expect(index).toBe(all.length);
      all.push(...values);
    },
  });
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < bytes.length; i += pieceSize) s.feed(bytes.subarray(i, i + pieceSize));
  s.finish();
  return seen;
}

// Brackets, braces, commas, escaped quotes and backslashes inside strings, multi-byte UTF-8,
// an unknown key with a nested value, an empty list and whitespace everywhere.
const DOC = `\ufeff{ "version" : 1, "source":"file",
  "accounts": [ {"id":"A1","name":"Müller [GmbH], {\\"quoted\\"} \\\\"}, {"id":"A2","name":"日本"} ,
  {"id":"A3","name":"x\\\\\\"y","fields":{"k":[1,2,{"z":"]"}]}} ],
  "extra": {"nested": [[{"a": "}"}]], "s": "\\"]"},
  "contacts": [],
  "currency": "EUR" }
`;

describe('JsonSnapshotScanner', () => {
  it('finds the same values and records however the bytes are cut', () => {
    const expected = JSON.parse(DOC.slice(1)) as Record<string, unknown>;
    for (const size of [1, 2, 3, 5, 7, 64, 4096]) {
      const seen = scan(DOC, size);
      expect(seen.records['accounts'], `pieces of ${size}`).toEqual(expected['accounts']);
      expect(seen.records['contacts']).toBeUndefined();
      expect(seen.values.map(([k, t]) => [k, t === null ? null : JSON.parse(t) as unknown])).toEqual([
        ['version', 1], ['source', 'file'], ['extra', expected['extra']], ['currency', 'EUR'],
      ]);
    }
  });

  it('hands a long list over in runs, none of them the whole list', () => {
    const records = Array.from({ length: 30_000 }, (_, i) => ({ id: `C${i}`, name: 'x'.repeat(60), note: '[{,}]' }));
    const runs: number[] = [];
    const s = new JsonSnapshotScanner({ value: () => undefined, records: (_l, v) => runs.push(v.length) });
    const bytes = Buffer.from(JSON.stringify({ version: 1, contacts: records }));
    for (let i = 0; i < bytes.length; i += 100_000) s.feed(bytes.subarray(i, i + 100_000));
    s.finish();
    expect(runs.reduce((a, b) => a + b, 0)).toBe(30_000);
    expect(runs.length).toBeGreaterThan(1);
  });

  it('names what is wrong and where', () => {
    const cases: [string, RegExp][] = [
      ['{"version":1,"accounts":[{"id":"A1"},{"id":}]}', /record 1 of "accounts": .*\(byte 37\)/],
      ['{"version":1,"accounts":[{"id":"A1"},]}', /record 1 of "accounts"/],
      ['{"version":1,"accounts":[{"id":"A1"}', /ends before it is complete/],
      ['{"version":1,}', /trailing comma/],
      ['{"version":1 "x":2}', /expected "," or "}" after the value of "version"/],
      ['{"version":1,"version":1}', /the key "version" appears twice/],
      ['{"version":1} {}', /unexpected content after the end of the document/],
      ['{"version":1,"accounts":[}]}', /unexpected "}" in the "accounts" list/],
    ];
    for (const [text, message] of cases) {
      expect(() => scan(text, 3), text).toThrow(SnapshotSyntaxError);
      expect(() => scan(text, 3), text).toThrow(message);
    }
    expect(() => scan('   ', 1)).toThrow(/^is empty$/);
    expect(() => scan('[1,2]', 1)).toThrow(SnapshotFormatError);
  });
});
