/**
 * The store benchmark: on SQLite and on PostgreSQL, fills one connection's mirror with a
 * million records (a mix of accounts, contacts, opportunities and line items) in checkpoints
 * of 2,000 (one transaction each), then reads it back three ways: streamed in batches
 * (mirrorRecords), loaded whole as a sync does before the analysis (loadMirror), and, for
 * comparison, as one query returning everything. Each phase runs in its own process, so the
 * peak RSS printed is that phase's own. PostgreSQL comes from KAMFLOW_TEST_DATABASE_URL or
 * scripts/ensure-postgres.sh; a fresh database is made and dropped. `--help` lists flags.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { StoreLocation } from '../src/store/open.ts';
import { runPhase, type Phase } from './support/store-phase.ts';

const HELP = `Usage: npm run bench:store -- [options]

  --records N   records in the mirror (default 1000000)
  --page N      records per checkpoint (default 2000)
  --stores S    comma-separated: sqlite,postgres (default both)
  --json        print the measurements as one JSON line as well`;

const SELF = fileURLToPath(import.meta.url);
const PHASES: readonly Phase[] = ['idle', 'checkpoint', 'iterate', 'load', 'one-query'];

function whole(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) === 0) throw new Error(`--${name} must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

const { values } = parseArgs({
  options: {
    records: { type: 'string' }, page: { type: 'string' }, stores: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
    child: { type: 'string' }, location: { type: 'string' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const total = whole('records', values.records, 1_000_000);
const page = whole('page', values.page, 2_000);

if (values.child !== undefined) {
  // A phase process: measure, print one JSON line, exit.
  const location = JSON.parse(values.location ?? '') as StoreLocation;
  const start = performance.now();
  const result = await runPhase(values.child as Phase, location, total, page);
  const ms = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, ...result })}\n`);
  process.exit(0);
}

const stores = (values.stores ?? 'sqlite,postgres').split(',').map((s) => s.trim());
for (const s of stores) if (s !== 'sqlite' && s !== 'postgres') throw new Error(`--stores: unknown store "${s}" (sqlite, postgres)`);

function postgresServer(): string {
  const given = process.env['KAMFLOW_TEST_DATABASE_URL']?.trim();
  if (given) return given;
  const run = spawnSync('bash', [fileURLToPath(new URL('../scripts/ensure-postgres.sh', import.meta.url))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !url) throw new Error('no PostgreSQL server: set KAMFLOW_TEST_DATABASE_URL or see scripts/ensure-postgres.sh');
  return url;
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

type Measure = { ms: number; maxRssMb: number } & Record<string, number>;

function phase(name: Phase, location: StoreLocation): Measure {
  const run = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', name, '--location', JSON.stringify(location), '--records', String(total), '--page', String(page)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`phase ${name} failed (exit ${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Measure;
}

const results: Record<string, Record<string, Measure | number>> = {};
const line = (label: string, m: Measure, extra = ''): string =>
  `  ${label.padEnd(44)} ${(m.ms / 1000).toFixed(1).padStart(6)} s   peak RSS ${m.maxRssMb.toFixed(0).padStart(5)} MB${extra}`;

process.stdout.write(`store benchmark: ${total.toLocaleString('en-US')} records, checkpoints of ${page.toLocaleString('en-US')}\n`);
for (const kind of stores) {
  let location: StoreLocation;
  let cleanup: () => Promise<void>;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-bench-store-'));
    location = { kind: 'sqlite', path: join(dir, 'kamflow.db') };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const server = postgresServer();
    const name = `kamflow_bench_${process.pid}`;
    await admin(server, `CREATE DATABASE ${name}`);
    const u = new URL(server);
    u.pathname = `/${name}`;
    location = { kind: 'postgres', url: u.toString() };
    cleanup = () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  try {
    process.stdout.write(`${kind}:\n`);
    const m: Record<string, Measure | number> = {};
    for (const p of PHASES) {
      const r = phase(p, location);
      m[p] = r;
      if (p === 'idle') process.stdout.write(line('open and close (the process floor)', r));
      if (p === 'checkpoint') process.stdout.write(line(`checkpoint ${r['pages']} pages`, r, `   ${Math.round(total / (r.ms / 1000)).toLocaleString('en-US')} records/s`));
      if (p === 'iterate') process.stdout.write(line(`stream in ${r['batches']} batches (largest ${r['largest']})`, r));
      if (p === 'load') process.stdout.write(line('load whole (loadMirror)', r));
      if (p === 'one-query') process.stdout.write(line('one query returning everything (comparison)', r));
      process.stdout.write('\n');
    }
    if (location.kind === 'sqlite') m['fileMb'] = statSync(location.path).size / 1024 ** 2;
    results[kind] = m;
  } finally {
    await cleanup();
  }
}
if (values.json) process.stdout.write(`${JSON.stringify({ total, page, results })}\n`);
