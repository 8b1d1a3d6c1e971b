import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpreadsheetConnector } from '../../../connectors/spreadsheet/index.ts';
import type { Cursor, ObjectKind, PullPage } from '../../../src/contract/connector.ts';
import { CrmError } from '../../../src/contract/errors.ts';

/**
 * The spreadsheet connector's pulls from a folder of CSV files: what a full pull reads, what an
 * incremental pull sends for each kind of edit (nothing, changed rows, new rows, deletions),
 * and how bad rows and bad sheets are told.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kamflow-sheet-pull-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, lines: string[]): void => writeFileSync(join(dir, 'crm', file), `${lines.join('\r\n')}\r\n`);

function folder(accounts: string[], contacts?: string[]): string {
  const crm = join(dir, 'crm');
  rmSync(crm, { recursive: true, force: true });
  mkdirSync(crm, { recursive: true });
  write('Accounts.csv', ['Account ID,Account Name,Parent Account,Employees', ...accounts]);
  if (contacts) write('contacts.csv', ['Contact ID,Account,Full Name,Email', ...contacts]);
  return crm;
}

async function pull(c: SpreadsheetConnector, mode: 'full' | 'incremental', cursors: Partial<Record<ObjectKind, Cursor>> = {}, objects: ObjectKind[] = ['accounts', 'contacts']): Promise<PullPage[]> {
  const out: PullPage[] = [];
  for await (const p of c.pull({ mode, cursors, objects })) out.push(p);
  return out;
}

const last = (pages: PullPage[], o: ObjectKind): Cursor => pages.filter((p) => p.object === o).at(-1)?.cursor ?? {};
const cursorsOf = (pages: PullPage[]): Partial<Record<ObjectKind, Cursor>> => ({ accounts: last(pages, 'accounts'), contacts: last(pages, 'contacts') });
const ids = (pages: PullPage[], o: ObjectKind): string[] => pages.filter((p) => p.object === o).flatMap((p) => p.records.map((r) => r.id));

describe('spreadsheet pulls from a CSV folder', () => {
  it('a full pull reads every row; an incremental pull of the unchanged files sends nothing', async () => {
    const path = folder(['A1,Acme Group,,1200', 'A2,Acme Services,Acme Group,40'], ['C1,A1,Jane Doe,jane@acme.example']);
    const c = new SpreadsheetConnector(path);
    const full = await pull(c, 'full');
    expect(ids(full, 'accounts')).toEqual(['A1', 'A2']);
    // The parent given by name is resolved to its id.
    expect(full.flatMap((p) => p.records).find((r) => r.id === 'A2')).toMatchObject({ parentId: 'A1', employees: 40 });
    expect(full.filter((p) => p.fullPullComplete).map((p) => p.object)).toEqual(['accounts', 'contacts']);
    const again = await pull(new SpreadsheetConnector(path), 'incremental', cursorsOf(full));
    expect(again.map((p) => [p.object, p.records.length, p.deletedIds.length])).toEqual([['accounts', 0, 0], ['contacts', 0, 0]]);
    expect(cursorsOf(again)).toEqual(cursorsOf(full));
  });

  it('an incremental pull sends the changed and new rows, and the ids that disappeared as deletions', async () => {
    const path = folder(['A1,Acme Group,,1200', 'A2,Acme Services,A1,40', 'A3,Beta Ltd,,10']);
    const full = await pull(new SpreadsheetConnector(path), 'full', {}, ['accounts']);
    folder(['A1,Acme Group,,1300', 'A3,Beta Ltd,,10', 'A4,Gamma,,5']);
    const inc = await pull(new SpreadsheetConnector(path), 'incremental', { accounts: last(full, 'accounts') }, ['accounts']);
    expect(ids(inc, 'accounts')).toEqual(['A1', 'A4']);
    expect(inc.flatMap((p) => p.deletedIds)).toEqual(['A2']);
    expect(inc.some((p) => p.fullPullComplete)).toBe(false);
    // From the new cursor, nothing more.
    const after = await pull(new SpreadsheetConnector(path), 'incremental', { accounts: last(inc, 'accounts') }, ['accounts']);
    expect([ids(after, 'accounts'), after.flatMap((p) => p.deletedIds)]).toEqual([[], []]);
  });

  it('a contact naming its account moves with a rename of the account it names, though its own row is unchanged', async () => {
    const path = folder(['A1,Acme Group,,1'], ['C1,Acme Group,Jane Doe,jane@acme.example', 'C2,A1,John Roe,john@acme.example']);
    const full = await pull(new SpreadsheetConnector(path), 'full');
    expect(full.flatMap((p) => p.records).find((r) => r.id === 'C1')).toMatchObject({ accountId: 'A1' });
    folder(['A1,Acme Holding,,1'], ['C1,Acme Group,Jane Doe,jane@acme.example', 'C2,A1,John Roe,john@acme.example']);
    const inc = await pull(new SpreadsheetConnector(path), 'incremental', cursorsOf(full));
    expect(ids(inc, 'contacts')).toEqual(['C1']);
    expect(inc.flatMap((p) => p.records).find((r) => r.id === 'C1')).toMatchObject({ accountId: 'Acme Group' });
  });

  it('a bad value or a bad row is an issue naming file, row and column; the rest goes on; an unchanged bad row is not reported twice', async () => {
    const path = folder(['A1,Acme Group,,lots', ',,,', ',,A1,5', 'A1,Acme again,,3', 'A2,Beta,,2']);
    const full = await pull(new SpreadsheetConnector(path), 'full', {}, ['accounts']);
    expect(ids(full, 'accounts')).toEqual(['A1', 'A2']);
    expect(full.flatMap((p) => p.issues)).toEqual([
      { object: 'accounts', recordId: 'A1', kind: 'bad-value', message: 'Accounts.csv, row 2, column "Employees": not a number with a decimal point, e.g. 1,234.56: "lots"' },
      { object: 'accounts', recordId: null, kind: 'rejected', message: 'Accounts.csv, row 4: no account id or name' },
      { object: 'accounts', recordId: 'A1', kind: 'duplicate-id', message: 'Accounts.csv, row 5: the id "A1" is also on row 2; this row is left out' },
    ]);
    folder(['A1,Acme Group,,lots', ',,,', ',,A1,5', 'A1,Acme again,,3', 'A2,Beta,,3']);
    const inc = await pull(new SpreadsheetConnector(path), 'incremental', { accounts: last(full, 'accounts') }, ['accounts']);
    expect([ids(inc, 'accounts'), inc.flatMap((p) => p.issues)]).toEqual([['A2'], []]);
  });

  it('a change of the mapping reads the rows again: what it changes comes through', async () => {
    const path = folder(['A1,Acme Group,,"1.200,5"', 'A2,Beta,,7']);
    const full = await pull(new SpreadsheetConnector(path), 'full', {}, ['accounts']);
    expect(full.flatMap((p) => p.records).find((r) => r.id === 'A1')).toMatchObject({ employees: null });
    const inc = await pull(new SpreadsheetConnector(path, { decimalComma: true }), 'incremental', { accounts: last(full, 'accounts') }, ['accounts']);
    expect(inc.flatMap((p) => p.records).map((r) => [r.id, 'employees' in r ? r.employees : null])).toEqual([['A1', 1200.5]]);
  });

  it('a full pull resumed from a page cursor reads on from there; from a cursor of another file it starts over', async () => {
    const path = folder(Array.from({ length: 7 }, (_, i) => `A${i},Account ${i},,1`));
    const pages = await pull(new SpreadsheetConnector(path, { pageSize: 3 }), 'full', {}, ['accounts']);
    expect(pages.map((p) => p.records.length)).toEqual([3, 3, 1]);
    const rest = await pull(new SpreadsheetConnector(path, { pageSize: 3 }), 'full', { accounts: pages[0]?.cursor ?? {} }, ['accounts']);
    expect(ids(rest, 'accounts')).toEqual(['A3', 'A4', 'A5', 'A6']);
    folder(Array.from({ length: 7 }, (_, i) => `A${i},Account ${i},,2`));
    const over = await pull(new SpreadsheetConnector(path, { pageSize: 3 }), 'full', { accounts: pages[0]?.cursor ?? {} }, ['accounts']);
    expect(ids(over, 'accounts')).toHaveLength(7);
  });

  it('tells the delimiter from the header line and reads a byte-order mark and quoted fields', async () => {
    const crm = folder([]);
    writeFileSync(join(crm, 'Accounts.csv'), '\ufeffAccount ID;Account Name;Employees\r\nA1;"Acme; Group";"1.200"\r\nA2;"Quote ""Inc""";3\r\n');
    const pages = await pull(new SpreadsheetConnector(crm, { decimalComma: true }), 'full', {}, ['accounts']);
    expect(pages.flatMap((p) => p.records).map((r) => ('name' in r ? [r.id, r.name] : []))).toEqual([['A1', 'Acme; Group'], ['A2', 'Quote "Inc"']]);
  });

  it('stops with a config error naming the sheet, what it lacks and its headers; and without an accounts file', async () => {
    const crm = folder([]);
    writeFileSync(join(crm, 'Accounts.csv'), 'Kundennr,Ort\r\n1,Berlin\r\n');
    const run = pull(new SpreadsheetConnector(crm), 'full', {}, ['accounts']);
    await expect(run).rejects.toBeInstanceOf(CrmError);
    await expect(run).rejects.toMatchObject({ kind: 'config', message: 'Accounts.csv has no column for the account name (its headers: "Kundennr", "Ort"); name the column in the mapping\'s columns.accounts (kamflow connect --mapping FILE)' });
    unlinkSync(join(crm, 'Accounts.csv'));
    await expect(pull(new SpreadsheetConnector(crm), 'full', {}, ['accounts'])).rejects.toMatchObject({ kind: 'config', details: { code: 'NO_ACCOUNTS_SHEET' } });
    // A stream whose sheet is missing is empty, and complete.
    writeFileSync(join(crm, 'accounts.csv'), 'Name\r\nAcme\r\n');
    const contacts = await pull(new SpreadsheetConnector(crm), 'full', {}, ['contacts']);
    expect(contacts.map((p) => [p.records.length, p.fullPullComplete])).toEqual([[0, true]]);
  });
});
