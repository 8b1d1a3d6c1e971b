/**
 * The scale benchmark: 1,000,000 accounts, 5,000,000 contacts, 3,000,000 opportunities and
 * 10,000,000 line items (40 offerings), generated with `kamflow sample` (streamed) and analysed
 * through the compiled CLI from the file, writing the JSON result: wall time and peak RSS
 * against the targets (under 60 s, under 6 GB). About 2.5 GB of snapshot and 2 GB of result
 * go to a temporary directory (or --dir). `npm run bench:scale -- --help` lists the flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gb, measureNode, secs } from './support/measure.ts';

const HELP = `Usage: npm run bench:scale -- [options]

  --accounts N      accounts (default 1000000; contacts 5, opportunities 3, line items 10 per account)
  --snapshot FILE   analyse this snapshot instead of generating one
  --format F        json (default) or ndjson, for the generated file
  --dir DIR         where the snapshot and the result go (default: a temporary directory, removed after)
  --as-of DATE      analysis date (default 2026-06-30)`;

const { values } = parseArgs({
  options: {
    accounts: { type: 'string' }, snapshot: { type: 'string' }, format: { type: 'string' }, dir: { type: 'string' },
    'as-of': { type: 'string' }, help: { type: 'boolean' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kamflow.js');
if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  process.stderr.write('bench:scale measures the compiled CLI: run `npm run build` first\n');
  process.exit(1);
}
const accounts = Number(values.accounts ?? 1_000_000);
const asOf = values['as-of'] ?? '2026-06-30';
const format = values.format ?? 'json';
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'kamflow-scale-'));
if (!values.dir) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));
const log = (line: string) => process.stdout.write(`${line}\n`);

log(`Kamflow scale benchmark, Node ${process.version}: ${accounts} accounts, ${accounts * 5} contacts, ${accounts * 3} opportunities, ${accounts * 10} line items`);
let file = values.snapshot;
if (!file) {
  file = join(dir, `snapshot.${format}`);
  const g = measureNode([BIN, 'sample', '--out', file, '--format', format, '--accounts', String(accounts), '--contacts-per-account', '5',
    '--opportunities', String(accounts * 3), '--line-items', String(accounts * 10), '--offerings', '40', '--seed', '1', '--as-of', asOf]);
  log(`kamflow sample    ${secs(g.wallSeconds)} wall, ${secs(g.cpuSeconds)} CPU, peak RSS ${gb(g.maxRssBytes)}; ${gb(statSync(file).size)} written`);
}
const out = join(dir, 'analysis.json');
const a = measureNode([BIN, 'analyze', '--snapshot', file, '--as-of', asOf, '--json', out]);
log(`kamflow analyze   ${secs(a.wallSeconds)} wall (target < 60 s: ${a.wallSeconds < 60 ? 'ok' : 'OVER'}), ${secs(a.cpuSeconds)} CPU, `
  + `peak RSS ${gb(a.maxRssBytes)} (target < 6 GB: ${a.maxRssBytes < 6 * 1024 ** 3 ? 'ok' : 'OVER'}); result ${gb(statSync(out).size)}`);
const check = spawnSync('uptime', { encoding: 'utf8' });
if (check.status === 0) log(`machine: ${check.stdout.trim()}`);
