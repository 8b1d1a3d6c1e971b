// Writes the generated sample org as a spreadsheet input: an .xlsx workbook, or a folder of CSV
// files, with the column names of a common export; `kamflow connect --crm spreadsheet` reads it.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeSampleCsvFolder, writeSampleWorkbook, type InputRecord } from '../connectors/spreadsheet/sample-input.ts';
import { sampleOrgStream, type SampleOrgOptions } from '../src/sandbox/generate.ts';

const USAGE = `Usage: npm run sample:workbook -- --out FILE.xlsx|FOLDER [--format xlsx|csv] [--accounts N] [--seed N] [--as-of YYYY-MM-DD]

Writes the sample org (the planted cases of \`kamflow sample\` included) as an Excel workbook with
the sheets Accounts, Contacts, Products, Opportunities, Line Items and Users, or (--format csv)
as a folder of one CSV file per sheet. The same options always give the same records.
  --accounts N   accounts (default 200)   --seed N   random seed (default 1)
  --as-of DATE   the date the deals lead up to (default: today, UTC)`;

function main(): Promise<number> | number {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2), strict: true, allowPositionals: false,
      options: { out: { type: 'string' }, format: { type: 'string' }, accounts: { type: 'string' }, seed: { type: 'string' }, 'as-of': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = values.out;
  const format = values.format ?? (out?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
  if (!out || (format !== 'xlsx' && format !== 'csv') || (format === 'xlsx' && !out.toLowerCase().endsWith('.xlsx'))) {
    process.stderr.write(`--out must name an .xlsx file (or a folder with --format csv)\n\n${USAGE}\n`);
    return 2;
  }
  if (existsSync(out)) {
    process.stderr.write(`${out} exists already; choose a new name\n`);
    return 1;
  }
  const whole = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new RangeError(`--${name} must be a whole number, got "${raw}"`);
    return Number(raw);
  };
  let options: SampleOrgOptions;
  try {
    options = { seed: whole('seed', values.seed, 1), accounts: whole('accounts', values.accounts, 200), asOf: values['as-of'] ?? new Date().toISOString().slice(0, 10) };
    sampleOrgStream(options);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const records = (): Iterable<InputRecord> => sampleOrgStream(options).records;
  return (format === 'xlsx' ? writeSampleWorkbook(out, records) : writeSampleCsvFolder(out, records())).then(() => {
    const org = sampleOrgStream(options);
    process.stderr.write(`wrote ${org.counts.accounts} accounts, ${org.counts.contacts} contacts, ${org.counts.opportunities} opportunities to ${out}\n`);
    return 0;
  });
}


process.exitCode = await main();
