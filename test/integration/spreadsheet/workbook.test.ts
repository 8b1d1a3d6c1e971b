import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCES, createConnector, sourceProfile } from '../../../connectors/registry.ts';
import { recordsOf, writeSampleCsvFolder, writeSampleWorkbook } from '../../../connectors/spreadsheet/sample-input.ts';
import { STATE_ARGB } from '../../../connectors/spreadsheet/layout.ts';
import { silentLogger } from '../../../src/log.ts';
import type { AnalysisResult } from '../../../src/model/insights.ts';
import { CELL_STATES } from '../../../src/model/matrix.ts';
import { OUTPUT_FIELD_KEYS } from '../../../src/model/output-fields.ts';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { runSync } from '../../../src/sync/pipeline.ts';
import type { SyncResult } from '../../../src/sync/types.ts';

/**
 * The annotated workbook a sync writes beside the input, read back: its sheets, the values on
 * every account row (those the analysis gave), the matrix's coloured states and legend, the
 * "changed" markers, and the same bytes for a rerun on unchanged input.
 */

const AS_OF = '2026-06-30';
let dir: string;
let store: SqliteStore;
let seed: Snapshot;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kamflow-sheet-wb-'));
  store = new SqliteStore({ path: join(dir, 'kamflow.db'), encryptionKey: Buffer.alloc(32, 7).toString('base64') });
  seed = generateSampleOrg({ seed: 3, accounts: 40, asOf: AS_OF, contactsPerAccount: 2 });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(id: string, path: string, extra: Record<string, unknown> = {}): Promise<void> {
  const input = SOURCES.spreadsheet.connect.fromFlags({ path });
  await store.createConnection({ id, crm: 'spreadsheet', ...input, options: { ...input.options, currency: seed.currency, ...extra } });
}

async function sync(id: string): Promise<{ result: SyncResult; analysis: AnalysisResult }> {
  let analysis: AnalysisResult | null = null;
  const result = await runSync({
    store, profileOf: sourceProfile, logger: silentLogger,
    analyze: (i) => (analysis = analyzeWithStoredConfig(i)),
    connectorFactory: (c, cred, onTokens) => createConnector(c, cred, onTokens, silentLogger),
  }, { connectionId: id, asOf: AS_OF, confirm: true });
  expect(result.run.status, result.message).toBe('succeeded');
  if (!analysis) throw new Error('no analysis');
  return { result, analysis };
}

async function read(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

/** The Accounts sheet as objects by header. */
function accountRows(wb: ExcelJS.Workbook): Record<string, unknown>[] {
  const ws = wb.getWorksheet('Accounts');
  if (!ws) throw new Error('no Accounts sheet');
  const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, unknown>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    rows.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1).value ?? null])));
  });
  return rows;
}

describe('the annotated workbook', () => {
  let input: string;
  let output: string;
  let first: { result: SyncResult; analysis: AnalysisResult };
  let inputBytes: Buffer;

  beforeAll(async () => {
    input = join(dir, 'customers.xlsx');
    output = join(dir, 'customers.kamflow.xlsx');
    await writeSampleWorkbook(input, () => recordsOf(seed));
    inputBytes = readFileSync(input);
    await connect('book', input);
    first = await sync('book');
  });

  it('has the account rows with every Kamflow field, the key accounts, the concentration, a matrix per family and the about sheet', async () => {
    const wb = await read(output);
    const names = wb.worksheets.map((w) => w.name);
    expect(names.slice(0, 3)).toEqual(['Accounts', 'Key accounts', 'Concentration']);
    expect(names.at(-1)).toBe('About');
    expect(names.filter((n) => /^M\d+ /.test(n))).toHaveLength(first.analysis.families.length);
    const headers = (wb.getWorksheet('Accounts')?.getRow(1).values as unknown[]).slice(1);
    expect(headers.slice(0, 9)).toEqual(['Account ID', 'Account Name', 'Parent Account ID', 'Industry', 'Employees', 'Annual Revenue', 'Billing Country', 'Account Owner ID', 'Key Account']);
    expect(headers.slice(9)).toEqual(['kam_account_id', 'kam_changed', 'kam_changed_fields', ...OUTPUT_FIELD_KEYS, 'kam_row_issues']);
  });

  it('holds on each account row the values the analysis computed (what a CRM would hold)', async () => {
    const rows = accountRows(await read(output));
    expect(rows).toHaveLength(seed.accounts.length);
    for (const a of first.analysis.accounts) {
      const row = rows.find((r) => r['kam_account_id'] === a.id);
      expect(row, a.id).toBeDefined();
      expect(row?.['kam_tier']).toBe(a.kam_tier);
      expect(row?.['kam_key_account']).toBe(a.kam_key_account);
      expect(row?.['kam_score']).toBe(a.kam_score);
      expect(row?.['kam_reasons']).toBe(a.kam_reasons);
      expect(row?.['kam_ultimate_parent']).toBe(a.kam_ultimate_parent);
      expect(row?.['kam_changed']).toBe(true);
      expect(row?.['kam_updated_at']).toBe(first.result.plan?.writes.find((w) => w.accountId === a.id)?.fields.kam_updated_at);
    }
  });

  it('lists every key family with its reasons, and the portfolio figures with each loss scenario', async () => {
    const wb = await read(output);
    const key = first.analysis.families.filter((f) => f.tier === 'Key');
    expect(key.length).toBeGreaterThan(0);
    const ws = wb.getWorksheet('Key accounts');
    const listed: string[] = [];
    ws?.eachRow((row, n) => {
      if (n > 1) listed.push(String(row.getCell(1).value));
    });
    expect(listed.sort()).toEqual(key.map((f) => f.id).sort());
    const acme = key[0];
    let reasons: unknown = null;
    ws?.eachRow((row) => {
      if (row.getCell(1).value === acme?.id) reasons = row.getCell(13).value;
    });
    expect(reasons).toBe(acme?.reasons.join('\n'));
    const conc = wb.getWorksheet('Concentration');
    expect(conc?.getRow(3).values).toEqual([undefined, 'Top 1 share %', Math.round(first.analysis.portfolio.top1Share * 10_000) / 100]);
    expect(conc?.getRow(6).getCell(2).value).toBe(Math.round(first.analysis.portfolio.hhi * 10_000) / 10_000);
  });

  it('colours the five cell states of each matrix and shows a legend', async () => {
    const wb = await read(output);
    const family = [...first.analysis.families].sort((a, b) => b.revenue - a.revenue || (a.id < b.id ? -1 : 1))[0];
    const ws = wb.worksheets.find((w) => w.name.startsWith('M1 '));
    expect(family && ws?.getRow(1).getCell(1).value).toBe(family?.name);
    const legend = ws?.getRow(2);
    expect(CELL_STATES.map((s, k) => [legend?.getCell(k + 3).value, (legend?.getCell(k + 3).fill as ExcelJS.FillPattern).fgColor?.argb]))
      .toEqual(CELL_STATES.map((s) => [s, STATE_ARGB[s]]));
    const m = family?.matrix;
    const seen = new Set<string>();
    m?.entities.forEach((entity, e) => {
      const row = ws?.getRow(5 + e);
      expect(row?.getCell(1).value).toBe(entity);
      m.offerings.forEach((_o, o) => {
        const state = m.state(m.cellIndex(e, o));
        const cell = row?.getCell(3 + o);
        expect(String(cell?.value).split(':')[0]).toBe(state);
        expect((cell?.fill as ExcelJS.FillPattern).fgColor?.argb).toBe(STATE_ARGB[state]);
        seen.add(state);
      });
    });
    expect(seen.size).toBeGreaterThan(1);
  });

  it('never touches the input', () => {
    expect(readFileSync(input).equals(inputBytes)).toBe(true);
  });

  it('a rerun on unchanged input writes nothing and clears the changed markers; the run after gives the same bytes', async () => {
    const second = await sync('book');
    expect([second.result.run.counts.plannedAccounts, second.result.run.counts.written]).toEqual([0, 0]);
    const after2 = readFileSync(output);
    const rows = accountRows(await read(output));
    expect(rows.every((r) => r['kam_changed'] === false && r['kam_changed_fields'] === null)).toBe(true);
    const third = await sync('book');
    expect(third.result.run.counts.written).toBe(0);
    expect(readFileSync(output).equals(after2)).toBe(true);
  });

  it('an edit the analysis ignores writes nothing, yet the workbook shows the input as it is now', async () => {
    const edited = structuredClone(seed);
    const acc = edited.accounts[5];
    if (!acc) throw new Error('no account');
    acc.country = 'Iceland';
    await writeSampleWorkbook(input, () => recordsOf(edited));
    const run = await sync('book');
    expect(run.result.run.counts.pulled.accounts).toBe(1);
    expect(run.result.run.counts.written).toBe(0);
    expect(accountRows(await read(output)).find((r) => r['kam_account_id'] === acc.id)?.['Billing Country']).toBe('Iceland');
  });

  it('a full resync reads the values back from the workbook as they were written: it plans nothing', async () => {
    const result = await runSync({
      store, profileOf: sourceProfile, logger: silentLogger, analyze: analyzeWithStoredConfig,
      connectorFactory: (c, cred, onTokens) => createConnector(c, cred, onTokens, silentLogger),
    }, { connectionId: 'book', asOf: AS_OF, full: true });
    expect(result.run.status).toBe('succeeded');
    expect(result.run.counts.pulled.accounts).toBe(seed.accounts.length);
    expect(result.run.counts.plannedAccounts).toBe(0);
  });
});

describe('where the annotated workbook goes', () => {
  it('beside a CSV folder, named after it', async () => {
    const crm = join(dir, 'crm');
    await writeSampleCsvFolder(crm, recordsOf(seed));
    await connect('folder', crm);
    const { analysis } = await sync('folder');
    const rows = accountRows(await read(join(dir, 'crm.kamflow.xlsx')));
    expect(rows.map((r) => r['kam_tier'])).toEqual(seed.accounts.map((a) => analysis.accounts.find((x) => x.id === a.id)?.kam_tier));
  });

  it('never over a file Kamflow did not write: provisioning and the sync stop, the file is left as it was', async () => {
    const input = join(dir, 'other.xlsx');
    await writeSampleWorkbook(input, () => recordsOf(seed));
    const foreign = join(dir, 'budget.xlsx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Budget').addRow(['Q1', 100]);
    await wb.xlsx.writeFile(foreign);
    const before = readFileSync(foreign);
    await connect('foreign', input, { output: foreign });
    const connection = await store.getConnection('foreign');
    if (!connection) throw new Error('no connection');
    const report = await createConnector(connection, { tokens: null, clientSecret: null }, () => undefined).provision();
    expect(report.steps.at(-1)).toMatchObject({ name: 'output budget.xlsx', status: 'failed' });
    expect(report.fields.every((f) => f.status === 'failed')).toBe(true);
    const run = await runSync({
      store, profileOf: sourceProfile, logger: silentLogger, analyze: analyzeWithStoredConfig,
      connectorFactory: (c, cred, onTokens) => createConnector(c, cred, onTokens, silentLogger),
    }, { connectionId: 'foreign', asOf: AS_OF });
    expect(run.run.status).toBe('failed');
    expect(run.run.error).toContain('is not a workbook Kamflow wrote');
    expect(readFileSync(foreign).equals(before)).toBe(true);
  });

  it('refuses at connect an output that is the input, or not .xlsx', () => {
    const input = join(dir, 'x.xlsx');
    writeFileSync(input, '');
    expect(() => SOURCES.spreadsheet.connect.fromFlags({ path: input, output: input })).toThrow(/is the input itself/);
    expect(() => SOURCES.spreadsheet.connect.fromFlags({ path: input, output: join(dir, 'out.csv') })).toThrow(/must be an \.xlsx file/);
    expect(() => SOURCES.spreadsheet.connect.fromFlags({ path: join(dir, 'missing.xlsx') })).toThrow(/no such file or folder/);
  });
});
