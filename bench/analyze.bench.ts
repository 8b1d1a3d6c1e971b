/**
 * The analysis benchmark, through the command line from a file: generates the reference
 * portfolio with `kamflow sample` (100,000 accounts in families of 1-200, 500,000 contacts,
 * 300,000 opportunities, 1,000,000 line items, 40 offerings), then runs, each in its own
 * process and side by side so that the machine's load hits all alike:
 *
 * - the read-and-parse floor: read the file and JSON.parse it, nothing else;
 * - `kamflow analyze --snapshot FILE --json OUT` (the compiled CLI, whole process);
 * - the DuckDB SQL peer of the analysis core over the same file, writing its results.
 *
 * and reports median CPU seconds (all threads), the ratios against the targets (at most 1.0x
 * the peer, at most 3x the floor), peak memory and the output's size against the input's.
 * `--format ndjson` measures the NDJSON form too (no floor: it is not one JSON document).
 * `npm run bench:analyze -- --help` lists the flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gb, mb, measureNode, median, secs, type Measured } from './support/measure.ts';

const HELP = `Usage: npm run bench:analyze -- [options]

  --accounts N       accounts of the generated portfolio (default 100000; contacts 5,
                     opportunities 3 and line items 10 per account, 40 offerings)
  --snapshot FILE    measure this snapshot instead of generating one
  --format F         json (default), ndjson or both
  --runs N           runs of each, the median is reported (default 3)
  --no-peer          skip the DuckDB peer
  --as-of DATE       analysis date (default 2026-06-30)
  --json             print the measurements as one JSON line as well`;

const { values } = parseArgs({
  options: {
    accounts: { type: 'string' }, snapshot: { type: 'string' }, format: { type: 'string' }, runs: { type: 'string' },
    'no-peer': { type: 'boolean' }, 'as-of': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kamflow.js');
const FLOOR = join(ROOT, 'bench', 'support', 'floor.mjs');
const PEER = join(ROOT, 'bench', 'duckdb-peer.ts');
const accounts = Number(values.accounts ?? 100_000);
const runs = Math.max(1, Number(values.runs ?? 3));
const asOf = values['as-of'] ?? '2026-06-30';
const formats = values.format === 'both' ? ['json', 'ndjson'] : [values.format ?? 'json'];
const log = (line: string) => process.stdout.write(`${line}\n`);

if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  process.stderr.write('bench:analyze measures the compiled CLI: run `npm run build` first\n');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'kamflow-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));

function sample(format: string): string {
  const out = join(work, `snapshot.${format}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'sample', '--out', out, '--format', format, '--accounts', String(accounts),
    '--contacts-per-account', '5', '--opportunities', String(accounts * 3), '--line-items', String(accounts * 10),
    '--offerings', '40', '--seed', '1', '--as-of', asOf], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('kamflow sample failed');
  log(`generated ${out} (${mb(statSync(out).size)}) in ${secs((performance.now() - t0) / 1000)}`);
  return out;
}

function peer(file: string): Measured {
  const out = join(work, 'duckdb-out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  const r = spawnSync(process.execPath, ['--import', 'tsx', PEER, file, out, '--as-of', asOf], { cwd: ROOT, maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`duckdb peer failed: ${r.stderr.toString().slice(0, 2000)}`);
  const p = JSON.parse(r.stdout.toString().trim().split('\n').pop() ?? '{}') as { cpuSeconds: number; wallSeconds: number; aggregates: unknown };
  peerAggregates = p.aggregates;
  return { cpuSeconds: p.cpuSeconds, wallSeconds: p.wallSeconds, maxRssBytes: 0 };
}
let peerAggregates: unknown = null;

log(`Kamflow analysis benchmark, Node ${process.version}, ${runs} run(s) of each, median CPU seconds (all threads)`);
const report: Record<string, unknown> = { accounts, runs };
for (const format of formats) {
  const file = values.snapshot ?? sample(format);
  const inputBytes = statSync(file).size;
  const out = join(work, 'analysis.json');
  const series: Record<string, Measured[]> = { floor: [], kamflow: [], peer: [] };
  for (let i = 0; i < runs; i++) {
    if (format === 'json') series['floor']?.push(measureNode([FLOOR, file]));
    series['kamflow']?.push(measureNode([BIN, 'analyze', '--snapshot', file, '--as-of', asOf, '--json', out]));
    if (!values['no-peer']) series['peer']?.push(peer(file));
    const last = (k: string) => series[k]?.at(-1);
    log(`run ${i + 1} (${format}): kamflow ${secs(last('kamflow')?.cpuSeconds ?? 0)}`
      + `${last('floor') ? `, floor ${secs(last('floor')?.cpuSeconds ?? 0)}` : ''}${last('peer') ? `, duckdb ${secs(last('peer')?.cpuSeconds ?? 0)}` : ''}`);
  }
  const cpu = (k: string) => median((series[k] ?? []).map((m) => m.cpuSeconds));
  const outputBytes = statSync(out).size;
  const k = cpu('kamflow');
  log('');
  log(`${format}: input ${mb(inputBytes)}, output ${mb(outputBytes)} (${(outputBytes / inputBytes).toFixed(2)}x the input; target at most 1x)`);
  log(`  kamflow analyze   ${secs(k)} CPU, wall ${secs(median((series['kamflow'] ?? []).map((m) => m.wallSeconds)))}, peak RSS ${gb(Math.max(...(series['kamflow'] ?? []).map((m) => m.maxRssBytes)))}`);
  if ((series['floor'] ?? []).length > 0) {
    const f = cpu('floor');
    log(`  read + JSON.parse ${secs(f)} CPU, peak RSS ${gb(Math.max(...(series['floor'] ?? []).map((m) => m.maxRssBytes)))}   kamflow = ${(k / f).toFixed(2)}x the floor (target at most 3x)`);
    report[`${format}FloorCpu`] = f;
  }
  if ((series['peer'] ?? []).length > 0) {
    const p = cpu('peer');
    log(`  DuckDB SQL peer   ${secs(p)} CPU                       kamflow = ${(k / p).toFixed(2)}x the peer (target at most 1.0x)`);
    log(`  peer aggregates   ${JSON.stringify(peerAggregates)}`);
    report[`${format}PeerCpu`] = p;
  }
  report[`${format}KamflowCpu`] = k;
  report[`${format}InputBytes`] = inputBytes;
  report[`${format}OutputBytes`] = outputBytes;
  // The portfolio comes first in the file; the whole may be more than a string can hold.
  const head = readFileSync(out).subarray(0, 4096).toString('utf8');
  log(`  kamflow portfolio ${/"portfolio":(\{[^}]*\})/.exec(head)?.[1] ?? '?'}`);
}
if (values.json) log(JSON.stringify(report));
