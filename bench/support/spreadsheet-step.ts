/**
 * One step of the spreadsheet benchmark, run in its own process so that its peak RSS is its
 * own: write the sample org as a workbook or CSV folder, read every row without mapping (the
 * floor), pull every stream through the connector, or sync through the engine into a store.
 * What it counted goes as JSON to the file KAMFLOW_BENCH_RESULT names, so that the bench can
 * hold the steps to each other (the pull must see every row the floor read).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnector, SOURCES, sourceProfile } from '../../connectors/registry.ts';
import { csvRows } from '../../connectors/spreadsheet/csv-rows.ts';
import { SpreadsheetConnector } from '../../connectors/spreadsheet/index.ts';
import { writeSampleCsvFolder, writeSampleWorkbook } from '../../connectors/spreadsheet/sample-input.ts';
import { workbookSheets } from '../../connectors/spreadsheet/xlsx-rows.ts';
import { silentLogger } from '../../src/log.ts';
import { sampleOrgStream } from '../../src/sandbox/generate.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { analyzeWithStoredConfig } from '../../src/sync/analyze-adapter.ts';
import { runSync } from '../../src/sync/pipeline.ts';

const [step, path, arg] = process.argv.slice(2);
const AS_OF = '2026-06-30';
const out = (o: unknown): void => {
  const file = process.env['KAMFLOW_BENCH_RESULT'];
  if (file) writeFileSync(file, JSON.stringify(o));
};

if (!path) throw new Error('usage: spreadsheet-step.ts STEP PATH [ARG]');
if (step === 'write-xlsx' || step === 'write-csv') {
  const accounts = Number(arg);
  const options = { seed: 1, accounts, asOf: AS_OF, contactsPerAccount: 5, opportunities: accounts * 3, lineItems: accounts * 10, offerings: 40 };
  if (step === 'write-xlsx') await writeSampleWorkbook(path, () => sampleOrgStream(options).records);
  else await writeSampleCsvFolder(path, sampleOrgStream(options).records);
} else if (step === 'floor') {
  // Data rows: every row but each sheet's header.
  let rows = 0;
  if (path.endsWith('.xlsx')) {
    for await (const sheet of workbookSheets(path)) for await (const r of sheet.rows) if (r.row > 1) rows++;
  } else {
    for (const f of readdirSync(path)) for await (const r of csvRows(join(path, f), { delimiter: null, encoding: 'utf8' })) if (r.row > 1) rows++;
  }
  out({ rows });
} else if (step === 'pull') {
  const c = new SpreadsheetConnector(path, { output: `${path.replace(/\.xlsx$/, '')}.bench-none.xlsx` });
  let records = 0;
  let issues = 0;
  for await (const p of c.pull({ mode: 'full', cursors: {} })) {
    records += p.records.length;
    issues += p.issues.length;
  }
  out({ records, issues });
} else if (step === 'sync') {
  if (!arg) throw new Error('sync needs the store path');
  const store = new SqliteStore({ path: arg });
  if (!(await store.getConnection('bench'))) {
    const input = SOURCES.spreadsheet.connect.fromFlags({ path });
    await store.createConnection({ id: 'bench', crm: 'spreadsheet', ...input });
  }
  const r = await runSync({
    store, profileOf: sourceProfile, analyze: analyzeWithStoredConfig, logger: silentLogger,
    connectorFactory: (c, cred, onTokens) => createConnector(c, cred, onTokens, silentLogger),
  }, { connectionId: 'bench', asOf: AS_OF, confirm: true });
  await store.close();
  if (r.run.status !== 'succeeded') throw new Error(r.message);
  out({ accounts: r.run.counts.accounts, written: r.run.counts.written, failed: r.run.counts.failed });
} else {
  throw new Error(`unknown step ${step ?? ''}`);
}
