import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotJson } from '../../../src/cli/snapshot-json.ts';
import { parseSnapshot, SnapshotFormatError, type ContactRole, type Snapshot } from '../../../src/model/snapshot.ts';
import { readSnapshotFile, sniffFormat, SnapshotSyntaxError } from '../../../src/snapshot/read.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';

const dir = mkdtempSync(join(tmpdir(), 'kamflow-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function read(path: string) {
  const s: Snapshot = { version: 1, source: 'file', currency: 'USD', accounts: [], contacts: [], products: [], opportunities: [], users: [] };
  const roles: ContactRole[] = [];
  const r = await readSnapshotFile(path, {
    account: (a) => s.accounts.push(a),
    contact: (c) => s.contacts.push(c),
    product: (p) => s.products.push(p),
    user: (u) => s.users.push(u),
    opportunity: (o, lineItems) => s.opportunities.push({ ...o, lineItems }),
    contactRole: (r) => roles.push(r),
  });
  const v2 = r.header.version === 2 ? { fiscalYearStartMonth: r.header.fiscalYearStartMonth, contactRoles: roles } : {};
  return { ...r, snapshot: { ...s, version: r.header.version, source: r.header.source, currency: r.header.currency, ...v2 } };
}

// One of each kind of trouble: bad fields, a duplicate, a bad line item, a record that is not an object.
const MESSY = {
  version: 1,
  source: 'hubspot',
  currency: 'EUR',
  accounts: [{ id: 'A1', name: 'Acme', industry: 'Retail' }, { id: 'A2', name: 'Beta', employees: -3 }, { id: 'A1', name: 'Again' }, 7],
  contacts: [{ id: 'C1', accountId: 'A1' }, { id: 'C2', accountId: 'A1', active: 'yes' }],
  products: [{ id: 'P1', name: 'Widget', family: 'Hardware' }],
  opportunities: [
    { id: 'O1', accountId: 'A1', status: 'won', amount: 100, closeDate: '2026-05-01',
      lineItems: [{ id: 'L1', productId: 'P1', totalPrice: 100 }, { id: 'L2', productId: 'P1' }, { id: 'L1', productId: 'P1', totalPrice: 1 }] },
    { id: 'O2', accountId: 'A1', status: 'maybe', closeDate: '2026-05-01' },
    { id: 'O3', accountId: 'A1', status: 'open', closeDate: '2026-02-30' },
  ],
  users: [{ id: 'U1', name: 'Ann' }],
};

describe('readSnapshotFile', () => {
  it('gives, record by record, what parseSnapshot gives for the whole document', async () => {
    const expected = parseSnapshot(MESSY);
    const pretty = await read(file('messy.json', JSON.stringify(MESSY, null, 2)));
    expect(pretty.format).toBe('json');
    expect(pretty.snapshot).toEqual(expected.snapshot);
    expect(pretty.rejected).toEqual(expected.rejected);
    expect(pretty.rejected.map((r) => [r.kind, r.id, r.index])).toEqual([
      ['account', 'A2', 1], ['account', 'A1', 2], ['account', null, 3], ['contact', 'C2', 1],
      ['lineItem', 'L2', 1], ['lineItem', 'L1', 2], ['opportunity', 'O2', 1], ['opportunity', 'O3', 2],
    ]);
    expect(pretty.rejected.find((r) => r.id === 'O3')?.reason).toMatch(/closeDate: expected an ISO 8601 date/);
    expect(pretty.counts).toEqual({ account: 4, contact: 2, product: 1, opportunity: 3, user: 1, contactRole: 0 });
  });

  it('reads the NDJSON form of the same snapshot to the same records, kinds in any order', async () => {
    const org = generateSampleOrg({ seed: 3, accounts: 60, asOf: '2026-06-30' });
    const viaJson = await read(file('org.json', snapshotJson(org)));
    const viaNdjson = await read(file('org.ndjson', snapshotJson(org, 'ndjson')));
    expect(viaNdjson.format).toBe('ndjson');
    expect(viaJson.snapshot).toEqual(org);
    expect(viaNdjson.snapshot).toEqual(org);

    const lines = [
      '{"version":1,"currency":"EUR"}',
      '',
      '{"kind":"opportunity","id":"O1","accountId":"A1","status":"won","closeDate":"2026-05-01","lineItems":[{"id":"L1","productId":"P1","totalPrice":5}]}',
      '{"kind":"account","id":"A1","name":"Acme"}\r',
      '{"kind":"account","id":"A1","name":"Twice"}',
      '{"kind":"account","id":"","name":"No id"}',
    ];
    const r = await read(file('mixed.ndjson', `${lines.join('\n')}\n`));
    expect(r.header).toEqual({ version: 1, source: 'file', currency: 'EUR', fiscalYearStartMonth: null });
    expect(r.snapshot.accounts.map((a) => a.name)).toEqual(['Acme']);
    expect(r.snapshot.opportunities[0]?.lineItems).toHaveLength(1);
    expect(r.rejected.map((x) => [x.kind, x.id, x.index, x.reason])).toEqual([
      ['account', 'A1', 1, 'duplicate account id'],
      ['account', null, 2, 'id: id must be a non-empty string'],
    ]);
  });

  it('names the line of an NDJSON problem', async () => {
    const header = '{"version":1}';
    const cases: [string, RegExp, typeof SnapshotSyntaxError | typeof SnapshotFormatError][] = [
      [`${header}\n{"kind":"account","id":"A1","name":"x"}\n{"kind":"contact",\n`, /is not valid NDJSON: line 3: /, SnapshotSyntaxError],
      [`${header}\n{"kind":"acount","id":"A1"}\n{"kind":"account","id":"A2","name":"x"}\n`, /line 2: expected a record with "kind" account, contact, product, opportunity, user or contactRole, got kind "acount"/, SnapshotFormatError],
      [`${header}\n[1,2]\n`, /line 2: expected a record with "kind"/, SnapshotFormatError],
      ['{"kind":"account","id":"A1","name":"x"}\n{"kind":"account","id":"A2","name":"x"}\n', /line 1: the first line of an NDJSON snapshot is its header/, SnapshotFormatError],
      ['{"version":3}\n{"kind":"account","id":"A2","name":"x"}\n', /not a valid snapshot: version: unsupported snapshot version/, SnapshotFormatError],
      ['{"version":1,"accounts":[]}\n{"kind":"account","id":"A2","name":"x"}\n', /the NDJSON header holds no records/, SnapshotFormatError],
    ];
    for (const [text, message, type] of cases) {
      const path = file('bad.ndjson', text);
      await expect(read(path), text).rejects.toBeInstanceOf(type);
      await expect(read(path), text).rejects.toThrow(message);
    }
  });

  it('fails early on a wrong version or a list that is not an array, like the whole-document check', async () => {
    await expect(read(file('v3.json', '{"version":3,"accounts":[{"id":"A"}]}'))).rejects.toThrow(/^not a valid snapshot: version: unsupported snapshot version: expected 1 or 2$/);
    await expect(read(file('obj.json', '{"accounts":{"id":"A"},"version":1}'))).rejects.toThrow(/not a valid snapshot: accounts: /);
    await expect(read(file('none.json', '{"accounts":[]}'))).rejects.toThrow(/not a valid snapshot: version: /);
    await expect(read(file('empty.json', ''))).rejects.toThrow(/^is empty$/);
  });

  it('reads version 2 in both forms: the fiscal-year start in the header, contact roles as records', async () => {
    const json = await read(file('v2.json', JSON.stringify({
      version: 2, fiscalYearStartMonth: 2, currency: 'EUR',
      contactRoles: [{ id: 'R1', opportunityId: 'O1', contactId: 'C1', role: 'Evaluator' }],
    })));
    expect(json.header).toEqual({ version: 2, source: 'file', currency: 'EUR', fiscalYearStartMonth: 2 });
    expect(json.snapshot.contactRoles).toEqual([{ id: 'R1', opportunityId: 'O1', contactId: 'C1', role: 'Evaluator', primary: false }]);
    const nd = await read(file('v2.ndjson', [
      '{"version":2,"source":"file","currency":"USD","fiscalYearStartMonth":11}',
      '{"kind":"contactRole","id":"R1","opportunityId":"O1","contactId":"C1","role":"Decision Maker","primary":true}',
      '{"kind":"contactRole","id":"R2","opportunityId":"O1"}',
    ].join('\n')));
    expect(nd.header.fiscalYearStartMonth).toBe(11);
    expect(nd.snapshot.contactRoles).toEqual([{ id: 'R1', opportunityId: 'O1', contactId: 'C1', role: 'Decision Maker', primary: true }]);
    expect(nd.rejected.map((r) => `${r.kind} ${r.id ?? ''}`)).toEqual(['contactRole R2']);
  });

  it('tells the two forms apart by the first line', () => {
    const b = (s: string) => Buffer.from(s);
    expect(sniffFormat(b('{"version":1}\n{"kind":"account"}\n'))).toBe('ndjson');
    expect(sniffFormat(b('\ufeff  {"version":1}\r\n{"kind":"account"}'))).toBe('ndjson');
    expect(sniffFormat(b('{"version":1,\n"accounts":[]}\n'))).toBe('json');
    expect(sniffFormat(b('{\n  "version": 1\n}\n'))).toBe('json');
    expect(sniffFormat(b('{"version":1,"accounts":[]}\n\n'))).toBe('json');
    expect(sniffFormat(b('{"version":1}'))).toBe('json');
  });
});
