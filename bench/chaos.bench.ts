/**
 * The chaos run: `npm run chaos -- --seed 1 --cycles 10 --accounts 60`. Both CRMs of the
 * simulator, each sync and rollback a real `kamflow` process under random 429s, 5xx, expired
 * tokens, locked records, answers dropped after a write was applied and kill -9 at random API
 * calls, with rep edits to Kamflow fields between runs; the invariants are checked after every
 * cycle (bench/chaos/checks.ts). Prints the counts; exits 1 on any invariant violation.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './chaos/run.ts';

const HELP = `Usage: npm run chaos -- [--seed N] [--cycles N] [--accounts N] [--json]

  --seed N       seed of every random choice (default 1)
  --cycles N     cycles per CRM (default 10)
  --accounts N   accounts in the generated org, at least 40 (default 60)
  --json         print the report as one JSON line as well`;

const { values } = parseArgs({
  options: { seed: { type: 'string' }, cycles: { type: 'string' }, accounts: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
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

const started = performance.now();
const report = await runChaos({
  seed: whole('seed', values.seed, 1), cycles: whole('cycles', values.cycles, 10), accounts: whole('accounts', values.accounts, 60),
  log: (line) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}\n`),
});
const out = [
  `cycles ${report.cycles} (per CRM, both CRMs), runs ${report.runs}, kills ${report.kills}, rollbacks ${report.rollbacks} (${report.rollbacksChecked} checked field by field)`,
  `faults injected: ${Object.entries(report.faults).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  `person edits ${report.personEdits}, conflicts reported ${report.conflicts}, record updates applied by Kamflow ${report.writesApplied}`,
  `invariant violations: ${report.violations.length}`,
  ...report.violations.map((v) => `  ${v}`),
];
process.stdout.write(`${out.join('\n')}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
process.exitCode = report.violations.length === 0 ? 0 : 1;
