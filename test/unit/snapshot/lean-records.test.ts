import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalysisInputBuilder } from '../../../src/analyze/input.ts';
import { createPrng, type Prng } from '../../../src/sandbox/prng.ts';
import { readSnapshotFile } from '../../../src/snapshot/read.ts';
import { LeanRecordReader } from '../../../src/snapshot/lean-records.ts';

/**
 * The lean reader is a fast lane: whatever it accepts must come out exactly as JSON.parse and
 * the record checks give it, and whatever it is not sure of goes the usual way. Each case reads
 * one file twice, with rows (the lean reader) and without (JSON.parse for every record), and
 * compares the analysis's columns, the refused records and their reasons, and any error.
 */

const dir = mkdtempSync(join(tmpdir(), 'kamflow-lean-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Read with rows in pieces of `chunkBytes` (records cut anywhere), and without rows in one piece. */
async function readBoth(text: string | Buffer, chunkBytes?: number) {
  const path = join(dir, `s${files++}.json`);
  writeFileSync(path, text);
  const once = async (rows: boolean) => {
    const builder = new AnalysisInputBuilder();
    try {
      const r = await readSnapshotFile(path, builder, rows && chunkBytes !== undefined ? { rows, chunkBytes } : { rows });
      return { input: builder.finish(r.header.currency), rejected: r.rejected, counts: r.counts };
    } catch (error) {
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  };
  return { lean: await once(true), usual: await once(false) };
}

const pick = <T>(rng: Prng, list: readonly T[]): T => list[Math.floor(rng.next() * list.length)] as T;
const space = (rng: Prng): string => (rng.next() < 0.85 ? '' : pick(rng, [' ', '\n', '\t ', '\r\n  ']));

/** Values of every JSON type, good and bad for any field, as JSON text. */
const ANY = [
  'null', 'true', 'false', '0', '-0', '1', '-1.5', '12.50', '1e3', '1E-2', '2.5e+1', '123456789012345678', '0.30000000000000004',
  '1.2345678901234567', '1e400', '-1e400', '1000000000000000', '1000000000000001', '""', '"x"', '"Zoë ★"', '"a\\"b"', '"\\u0041"',
  '"tab\\there"', '[]', '[1,"a",{"b":[null]}]', '{}', '{"a":{"b":[true,false]}}', '"2025-02-29"', '"2024-02-29"', '"2025-13-01"',
  '"2025-06-30T10:00:00Z"', '"won"', '"open"', '"lost"', '"Won"',
];

const CONTACT: Record<string, string[]> = {
  id: ['"CON-1"', '"CON-2"', '"CON-0001"', '"c-é"', '""', '7', 'null'],
  accountId: ['"ACC-1"', '"ACC-2"', '"ACC-9"', '""', 'null', '"A\\u0031"', '3'],
  name: ['"Ann Lee"', '"Zoë"', '""', 'null', '5'],
  email: ['"ann@acme.example"', '"ANN@WWW.Beta.Example"', '"x@é.example"', 'null', '""', 'false'],
  title: ['"CFO"', 'null', '""', '[]'],
  active: ['true', 'false', 'null', '"true"', '1'],
  referenceable: ['true', 'false', 'null', '0'],
};

const OPPORTUNITY: Record<string, string[]> = {
  id: ['"OPP-1"', '"OPP-2"', '"OPP-10"', '""', '1'],
  accountId: ['"ACC-1"', '"ACC-2"', '"ACC-7"', '""', 'null'],
  name: ['"Deal"', '""', 'null'],
  status: ['"won"', '"open"', '"lost"', '"Won"', '"closed"', 'null'],
  amount: ['1000', '1000.25', '-5', 'null', '1e15', '1.0000000000000002e15', '"10"', '0.1', '99.99'],
  closeDate: ['"2026-01-15"', '"2025-11-30"', '"2024-02-29"', '"2025-02-29"', '"2026-01-15T08:00:00Z"', '"15/01/2026"', 'null'],
  ownerId: ['"USR-1"', '"USR-2"', 'null', '4'],
  conversion: ['{"currency":"EUR","amount":900,"rate":1.1,"source":"ecb"}', 'null'],
};

const LINE_ITEM: Record<string, string[]> = {
  id: ['"OLI-1"', '"OLI-2"', '"OLI-3"', '"OLI-4"', '""', '8'],
  productId: ['"PRD-1"', '"PRD-2"', '"PRD-9"', '""', 'null'],
  quantity: ['1', '2.5', '-1', '1e13', 'null', '"2"'],
  totalPrice: ['500', '500.5', '-20', '0', '1e16', 'null', '"5"'],
  cost: ['100', '0.3', 'null', '-1', '"1"', '1e16'],
  conversion: ['{"currency":"EUR","amount":90,"rate":1.1,"source":"ecb"}'],
};

/**
 * A record from `fields`: mostly good values (the first three of each), now and then any
 * value at all, a key left out, a key twice, an unknown key, the keys in any order.
 */
function record(rng: Prng, fields: Record<string, string[]>, extra?: () => string): string {
  const entries: [string, string][] = [];
  for (const [key, values] of Object.entries(fields)) {
    const r = rng.next();
    if (key === 'conversion' && r < 0.9) continue;
    if (r < 0.08) continue;
    const value = r < 0.16 ? pick(rng, ANY) : r < 0.3 ? pick(rng, values) : pick(rng, values.slice(0, 3));
    entries.push([key, value]);
  }
  if (extra) entries.push(['lineItems', extra()]);
  if (rng.next() < 0.1) entries.push([pick(rng, ['"notes"', '"fields"', '"__proto__"', '"n\\u0061me"', '"é"']).slice(1, -1), pick(rng, ANY)]);
  if (rng.next() < 0.05 && entries.length > 0) entries.push([(entries[0] as [string, string])[0], pick(rng, ANY)]);
  for (let i = entries.length - 1; i > 0; i--) {
    if (rng.next() < 0.2) {
      const j = Math.floor(rng.next() * (i + 1));
      [entries[i], entries[j]] = [entries[j] as [string, string], entries[i] as [string, string]];
    }
  }
  return `{${space(rng)}${entries.map(([k, v]) => `"${k}"${space(rng)}:${space(rng)}${v}`).join(`${space(rng)},${space(rng)}`)}${space(rng)}}`;
}

function lineItems(rng: Prng): string {
  if (rng.next() < 0.05) return pick(rng, ['null', '{}', '"x"', '[1]']);
  const n = Math.floor(rng.next() * 4);
  return `[${Array.from({ length: n }, () => record(rng, LINE_ITEM)).join(',')}]`;
}

function snapshotText(rng: Prng, contacts: string[], opportunities: string[]): string {
  const lists = [
    `"accounts":[{"id":"ACC-1","name":"Acme"},{"id":"ACC-2","name":"Beta","parentId":"ACC-1"}]`,
    `"products":[{"id":"PRD-1","name":"One"},{"id":"PRD-2","name":"Two"}]`,
    `"contacts":[${contacts.join(`,${space(rng)}`)}]`,
    `"opportunities":[${opportunities.join(`,${space(rng)}`)}]`,
    '"users":[]',
  ];
  if (rng.next() < 0.5) lists.reverse();
  return `{"version":1,"source":"file","currency":"USD",\n${lists.join(',\n')}}`;
}

describe('the lean record reader', () => {
  it('gives the same columns, refusals and reasons as JSON.parse with the checks, on 400 files of mutated records', async () => {
    const rng = createPrng(20261203);
    let leanRead = 0;
    for (let f = 0; f < 400; f++) {
      const contacts = Array.from({ length: 1 + Math.floor(rng.next() * 6) }, () => record(rng, CONTACT));
      const opportunities = Array.from({ length: 1 + Math.floor(rng.next() * 6) }, () => record(rng, OPPORTUNITY, () => lineItems(rng)));
      const text = snapshotText(rng, contacts, opportunities);
      const { lean, usual } = await readBoth(text, f % 3 === 0 ? 1 + Math.floor(rng.next() * 64) : undefined);
      expect(lean, text).toEqual(usual);
      if (!('error' in lean)) leanRead++;
    }
    // Most files are readable: the comparison is not only between two errors.
    expect(leanRead).toBeGreaterThan(300);
  });

  it('reads the usual records itself, and leaves what it is not sure of', () => {
    const reader = new LeanRecordReader();
    const take = (json: string) => reader.contact(Buffer.from(json), 0, Buffer.byteLength(json));
    expect(take('{"id":"C1","accountId":"A1","name":"N","email":"n@a.example","title":null,"active":false,"referenceable":true}'))
      .toMatchObject({ id: 'C1', accountId: 'A1', email: 'n@a.example', active: false, referenceable: true });
    expect(take(' { "id" : "C1" } ')).toMatchObject({ id: 'C1', accountId: null, email: null, active: true, referenceable: false });
    // It stops after the record's closing brace: what follows is the scanner's to judge.
    expect(take('{"id":"C1"} x')).not.toBeNull();
    expect(reader.end).toBe(11);
    for (const unsure of ['{"id":"C\\u0031"}', '{"id":"C1","id":"C2"}', '{"id":"C1","__proto__":{}}', '{"id":""}', '{"id":"C1"', '{"id":"C1","active":1}']) {
      expect(take(unsure), unsure).toBeNull();
    }
    const opp = (json: string) => reader.opportunity(Buffer.from(json), 0, Buffer.byteLength(json));
    const read = opp('{"id":"O1","accountId":"A1","status":"won","amount":12.34,"closeDate":"2026-01-02","lineItems":[{"id":"L1","productId":"P1","totalPrice":0.1,"cost":null}]}');
    expect(read?.row).toMatchObject({ id: 'O1', accountId: 'A1', status: 'won', amount: 12.34, closeDate: '2026-01-02', ownerId: null });
    expect(read?.lineItems).toEqual([{ id: 'L1', productId: 'P1', quantity: 1, totalPrice: 0.1, cost: null }]);
    expect(opp('{"id":"O1","accountId":"A1","status":"won","closeDate":"2026-01-02","conversion":{}}')).toBeNull();
    expect(opp('{"id":"O1","accountId":"A1","status":"won","closeDate":"2026-02-30"}')).toBeNull();
  });

  it('reads numbers as JSON.parse does, to the last bit', () => {
    const reader = new LeanRecordReader();
    const rng = createPrng(7);
    const texts = ['0', '-0', '0.1', '0.30000000000000004', '123456789012345', '1234567890123456', '9007199254740993', '1.7976931348623157e308',
      '5e-324', '2.2250738585072014e-308', '0.000001', '1E+2', '-12.5e-3', '999999999999999.9', '0.1234567890123456789'];
    for (let i = 0; i < 2000; i++) {
      const digits = String(Math.floor(rng.next() * 1e15)).padStart(1 + Math.floor(rng.next() * 15), '0').replace(/^0+(?=\d)/, '');
      const point = Math.floor(rng.next() * (digits.length + 1));
      texts.push(point === digits.length ? digits : `${digits.slice(0, point) || '0'}.${digits.slice(point)}`);
    }
    for (const t of texts) {
      const json = `{"id":"O","accountId":"A","status":"open","closeDate":"2026-01-01","lineItems":[{"id":"L","productId":"P","totalPrice":${t}}]}`;
      const read = reader.opportunity(Buffer.from(json), 0, json.length);
      const expected = JSON.parse(t) as number;
      if (Math.abs(expected) > 1e15) {
        expect(read, t).toBeNull();
        continue;
      }
      expect(Object.is(read?.lineItems[0]?.totalPrice, expected), `${t}: ${read?.lineItems[0]?.totalPrice} vs ${expected}`).toBe(true);
    }
  });

  it('names the same record and byte for a record that does not parse', async () => {
    const good = '{"id":"CON-1","accountId":"ACC-1"}';
    for (const bad of ['{"id":"CON-2",}', '{"id":"CON-2" "x":1}', '{"id":"CON-2","n":01}', '', '{"id":"CON-2","n":tru}', '{"id":"CON-2"} x', '{"id":"CON-2"}{}']) {
      const text = `{"version":1,"source":"file","currency":"USD","accounts":[{"id":"ACC-1","name":"A"}],"contacts":[${good},${good.replace('1"', '3"')},${bad}],"opportunities":[]}`;
      for (const chunk of [undefined, 1, 5, 17]) {
        const { lean, usual } = await readBoth(text, chunk);
        expect(lean).toEqual(usual);
        expect('error' in lean && lean.error, bad).toMatch(/record 2 of "contacts"/);
      }
    }
  });

  it('decodes text beyond ASCII, and bytes that are not UTF-8, as the usual reader does', async () => {
    const head = '{"version":1,"source":"file","currency":"USD","accounts":[{"id":"ACC-é","name":"A"}],"contacts":[';
    const bytes = Buffer.concat([
      Buffer.from(`${head}{"id":"C-1","accountId":"ACC-é","email":"zoë@exämple.com"},{"id":"C-2","accountId":"ACC-`),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('","email":"a@b.example"}],"opportunities":[]}'),
    ]);
    const { lean, usual } = await readBoth(bytes);
    expect(lean).toEqual(usual);
    if (!('input' in lean) || lean.input === undefined) throw new Error(`not read: ${JSON.stringify(lean)}`);
    // The contact whose account id is not UTF-8 points at no account.
    expect(lean.input.issues.map((i) => i.recordId)).toEqual(['C-2']);
  });
});
