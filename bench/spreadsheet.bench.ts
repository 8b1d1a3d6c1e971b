/**
 * The spreadsheet source at scale: the sample org of N accounts (default 20,000: 100,000
 * contacts, 60,000 opportunities, 200,000 line items, 40 offerings) as a folder of CSV files
 * and as one .xlsx workbook. Per form, each step in its own process: reading every row with no
 * mapping (the floor), a full pull of every stream through the connector, and two syncs
 * through the engine into SQLite (the first writes every account and the annotated workbook,
 * the second finds the input unchanged and writes nothing). Wall time, CPU and peak RSS; the
 * pull's CPU as a multiple of the floor's. The steps are held to each other: the pull must
 * return one record per data row with no issue, the second sync must write nothing.
 * `npm run bench:spreadsheet -- --accounts 2000` for a quick run, `--only csv` or `--only xlsx`.
 */

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mb, measureNode, secs, type Measured } from './support/measure.ts';

const { values } = parseArgs({ options: { accounts: { type: 'string' }, only: { type: 'string' }, dir: { type: 'string' } }, strict: true });
const accounts = Number(values.accounts ?? 20_000);
if (!Number.isInteger(accounts) || accounts < 1) throw new Error(`--accounts must be a positive whole number, got ${values.accounts ?? ''}`);
const forms = (values.only ?? 'csv,xlsx').split(',');
for (const f of forms) if (f !== 'csv' && f !== 'xlsx') throw new Error(`--only takes csv, xlsx or both, got ${f}`);
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'kamflow-bench-sheet-'));
if (!values.dir) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));
const STEP = fileURLToPath(new URL('./support/spreadsheet-step.ts', import.meta.url));
const RESULT = join(dir, 'step-result.json');

function step<T>(...args: string[]): { m: Measured; result: T } {
  rmSync(RESULT, { force: true });
  const m = measureNode(['--import', 'tsx', STEP, ...args], { KAMFLOW_BENCH_RESULT: RESULT });
  let result: unknown = null;
  try {
    result = JSON.parse(readFileSync(RESULT, 'utf8'));
  } catch {
    // write steps report nothing
  }
  return { m, result: result as T };
}

const line = (what: string, m: Measured, extra = ''): void => {
  process.stdout.write(`  ${what.padEnd(38)} ${secs(m.wallSeconds).padStart(9)} wall ${secs(m.cpuSeconds).padStart(9)} CPU  peak RSS ${mb(m.maxRssBytes).padStart(7)}${extra}\n`);
};
const size = (p: string): number => (statSync(p).isDirectory() ? readdirSync(p).reduce((n, f) => n + statSync(join(p, f)).size, 0) : statSync(p).size);

process.stdout.write(`Kamflow spreadsheet benchmark, Node ${process.version}: ${accounts} accounts, ${accounts * 5} contacts, ${accounts * 3} opportunities, ${accounts * 10} line items\n`);
for (const form of forms) {
  const path = join(dir, form === 'xlsx' ? 'customers.xlsx' : 'customers');
  // Both forms' annotated workbook is customers.kamflow.xlsx; each form starts without one.
  const annotated = join(dir, 'customers.kamflow.xlsx');
  rmSync(annotated, { force: true });
  const w = step(form === 'xlsx' ? 'write-xlsx' : 'write-csv', path, String(accounts));
  process.stdout.write(`${form === 'xlsx' ? 'Workbook (.xlsx)' : 'CSV folder'}: ${mb(size(path))}\n`);
  line('write the sample input', w.m);
  const floor = step<{ rows: number }>('floor', path);
  line('read every row, no mapping (floor)', floor.m, `  ${floor.result.rows} data rows`);
  const pull = step<{ records: number; issues: number }>('pull', path);
  if (pull.result.records !== floor.result.rows || pull.result.issues !== 0) {
    throw new Error(`the pull returned ${pull.result.records} records and ${pull.result.issues} issues for ${floor.result.rows} data rows`);
  }
  line('full pull through the connector', pull.m, `  ${(pull.m.cpuSeconds / floor.m.cpuSeconds).toFixed(2)}x the floor's CPU`);
  const db = join(dir, `${form}.db`);
  const first = step<{ accounts: number; written: number; failed: number }>('sync', path, db);
  if (first.result.written !== first.result.accounts || first.result.failed !== 0) {
    throw new Error(`the first sync wrote ${first.result.written} of ${first.result.accounts} accounts, ${first.result.failed} failed`);
  }
  line('first sync (pull, analyse, write)', first.m, `  ${first.result.written} accounts written`);
  const second = step<{ written: number }>('sync', path, db);
  if (second.result.written !== 0) throw new Error(`the second sync of unchanged input wrote ${second.result.written} accounts`);
  line('second sync, input unchanged', second.m, '  nothing written');
  process.stdout.write(`  annotated workbook: ${mb(statSync(annotated).size)}\n`);
  rmSync(db, { force: true });
}
