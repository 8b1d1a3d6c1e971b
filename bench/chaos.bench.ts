/**
 * The chaos run: `npm run chaos -- --seed 1 --cycles 10 --accounts 60 [--store postgres]`.
 * Both CRMs of the simulator, each sync and rollback a real `kamflow` process under random
 * 429s, 5xx, expired tokens, locked records, answers dropped after a write was applied,
 * malformed answers and kill -9 at random API calls, with rep edits to Kamflow fields between
 * runs; a killed run's lock is left for the next run to take over; the invariants are checked
 * after every cycle (bench/chaos/checks.ts). Prints the counts; exits 1 on any invariant
 * violation.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runChaos } from './chaos/run.ts';
import type { ChaosStore } from './chaos/world.ts';

const HELP = `Usage: npm run chaos -- [--seed N] [--cycles N] [--accounts N] [--store sqlite|postgres] [--json]

  --seed N       seed of every random choice (default 1)
  --cycles N     cycles per CRM (default 10)
  --accounts N   accounts in the generated org, at least 40 (default 60)
  --store S      sqlite (default: a file in a temporary folder) or postgres: a new database,
                 dropped at the end, on the server of KAMFLOW_DATABASE_URL, else
                 KAMFLOW_TEST_DATABASE_URL, else the one scripts/ensure-postgres.sh starts
  --json         print the report as one JSON line as well`;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' }, cycles: { type: 'string' }, accounts: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
function whole(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

const storeKind = values.store ?? 'sqlite';
if (storeKind !== 'sqlite' && storeKind !== 'postgres') throw new Error(`--store must be sqlite or postgres, got "${storeKind}"`);

function postgresServer(): string {
  const given = process.env['KAMFLOW_DATABASE_URL']?.trim() || process.env['KAMFLOW_TEST_DATABASE_URL']?.trim();
  if (given) return given;
  const run = spawnSync('bash', [fileURLToPath(new URL('../scripts/ensure-postgres.sh', import.meta.url))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !url.startsWith('postgres')) throw new Error('--store postgres: no PostgreSQL server (set KAMFLOW_DATABASE_URL, or see scripts/ensure-postgres.sh)');
  return url;
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let store: ChaosStore = { kind: 'sqlite' };
let dropDatabase = async (): Promise<void> => {};
if (storeKind === 'postgres') {
  const server = postgresServer();
  const name = `kamflow_chaos_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(server, `CREATE DATABASE ${name}`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  store = { kind: 'postgres', url: u.toString() };
  dropDatabase = () => onServer(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

const started = performance.now();
const report = await runChaos({
  seed: whole('seed', values.seed, 1), cycles: whole('cycles', values.cycles, 10), accounts: whole('accounts', values.accounts, 60), store,
  log: (line) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}\n`),
}).finally(dropDatabase);
const out = [
  `store ${storeKind}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  `cycles ${report.cycles} (per CRM, both CRMs), runs ${report.runs}, kills ${report.kills}, lock takeovers ${report.lockTakeovers}, rollbacks ${report.rollbacks} (${report.rollbacksChecked} checked field by field)`,
  `faults injected: ${Object.entries(report.faults).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  `person edits ${report.personEdits}, conflicts reported ${report.conflicts}, record updates applied by Kamflow ${report.writesApplied}`,
  `invariant violations: ${report.violations.length}`,
  ...report.violations.map((v) => `  ${v}`),
];
process.stdout.write(`${out.join('\n')}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
process.exitCode = report.violations.length === 0 ? 0 : 1;
