/**
 * The sync benchmark: a generated org (50,000 accounts by default) seeded into the simulator's
 * Salesforce and HubSpot, a per-call latency (30 ms by default), then per CRM: provisioning,
 * a full sync with write-back and a second, unchanged sync. Reports wall time and the API
 * calls used by kind against the fewest the APIs' page and batch sizes allow, and the second
 * run's calls (target: no write call). `npm run bench:sync -- --accounts 2000 --latency 0`
 * runs a small one; --help lists the flags.
 */
import { parseArgs } from 'node:util';
import type { CrmKind } from '../src/demo/environment.ts';
import { totalCalls } from '../src/demo/calls.ts';
import { runDemo, type CrmDemo, type CrmRun } from '../src/demo/run.ts';
import { createLogger } from '../src/log.ts';
import { formatUsage } from '../src/cli/sync-support.ts';
import { minimumCalls } from './support/minimum-calls.ts';

const HELP = `Usage: npm run bench:sync -- [options]

  --accounts N              accounts per CRM (default 50000)
  --latency MS              added to every simulator API call (default 30)
  --contacts-per-account N  average contacts per account (default 5)
  --deals-per-account N     deals per account (default 3; line items 10 per 3 deals)
  --hubspot-budget N        HubSpot requests per rolling 10 s the connector allows itself
                            (default 190, HubSpot Professional and Enterprise; 100 on Starter)
  --seed N                  generator seed (default 1)
  --as-of DATE              analysis date (default 2026-06-30)
  --json                    print the measurements as one JSON line as well`;

function whole(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new Error(`--${name} must be a non-negative number, got "${raw}"`);
  return Number(raw);
}

const { values } = parseArgs({
  options: {
    accounts: { type: 'string' }, latency: { type: 'string' }, 'contacts-per-account': { type: 'string' },
    'deals-per-account': { type: 'string' }, 'hubspot-budget': { type: 'string' }, seed: { type: 'string' },
    'as-of': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const accounts = whole('accounts', values.accounts, 50_000);
const latencyMs = whole('latency', values.latency, 30);
const dealsPerAccount = whole('deals-per-account', values['deals-per-account'], 3);
const hubspotBudget = whole('hubspot-budget', values['hubspot-budget'], 190);
const asOf = values['as-of'] ?? '2026-06-30';
const LABEL: Record<CrmKind, string> = { salesforce: 'Salesforce', hubspot: 'HubSpot' };

// Ending through process.exit runs the exit hook that removes the temporary store.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);
};
let lastPull = 0;
const result = await runDemo({
  accounts,
  seed: whole('seed', values.seed, 1),
  asOf,
  latencyMs,
  hubspotTenSecondBudget: hubspotBudget,
  org: {
    ...(values['contacts-per-account'] !== undefined ? { contactsPerAccount: whole('contacts-per-account', values['contacts-per-account'], 5) } : {}),
    opportunities: Math.round(accounts * dealsPerAccount),
  },
  env: {},
  // The CRMs' sync is what this measures; bench:spreadsheet measures the workbook.
  spreadsheet: false,
  logger: createLogger({ level: process.env['KAMFLOW_LOG_LEVEL'] ?? 'warn' }),
  onProgress: (crm, e) => {
    if (e.stage === 'provision') log(`${LABEL[crm]}: provisioning`);
    else if (e.stage === 'start') log(`${LABEL[crm]}: ${e.run === 1 ? 'first sync (full, write-back)' : 'second sync (unchanged)'}`);
    else if (e.stage === 'pull' && e.pulled - lastPull >= 50_000) {
      lastPull = e.pulled;
      log(`  ${e.object}: ${e.pulled}`);
    } else if (e.stage === 'analyze') {
      lastPull = 0;
      log(`  analysed ${e.accounts} accounts`);
    } else if (e.stage === 'plan') log(`  plan: ${e.changedAccounts} to change`);
  },
});

interface RunReport {
  wallSeconds: number;
  pulled: Partial<Record<string, number>>;
  written: number;
  calls: Record<string, number>;
  reads: number;
  writes: number;
  minimum: { reads: number; writes: number };
  simulatorWriteCalls: number;
}

function runReport(crm: CrmKind, run: CrmRun): RunReport {
  const { counts, apiUsage } = run.result.run;
  const writes = run.writeCalls.client;
  const min = minimumCalls(crm, counts.pulled, counts.written);
  return {
    wallSeconds: Math.round(run.wallMs / 100) / 10,
    pulled: counts.pulled,
    written: counts.written,
    calls: apiUsage,
    reads: totalCalls(apiUsage) - writes,
    writes,
    minimum: run.result.run.mode === 'full' ? min : { reads: Object.keys(counts.pulled).length, writes: 0 },
    simulatorWriteCalls: run.writeCalls.simulator,
  };
}

const reports = result.crms.map((c: CrmDemo) => ({ crm: c.crm, first: runReport(c.crm, c.first), second: runReport(c.crm, c.second) }));
const o = result.org;
const lines = [
  `Sync benchmark: ${o.accounts} accounts, ${o.contacts} contacts, ${o.opportunities} deals per CRM; ${latencyMs} ms per call; HubSpot budget ${hubspotBudget} per 10 s`,
];
for (const r of reports) {
  for (const [name, run] of [['first run (full + write-back)', r.first], ['second run (unchanged)', r.second]] as const) {
    const reread = Object.values(run.pulled).reduce((a: number, b) => a + (b ?? 0), 0);
    lines.push(`${LABEL[r.crm]}, ${name}: ${run.wallSeconds} s, ${reread} records pulled, ${run.written} accounts written`);
    lines.push(`  reads  ${String(run.reads).padStart(6)}  (minimum ${run.minimum.reads}${name.startsWith('second') ? ': one per stream' : ''})`);
    lines.push(`  writes ${String(run.writes).padStart(6)}  (minimum ${run.minimum.writes}; simulator saw ${run.simulatorWriteCalls})`);
    lines.push(`  by kind: ${formatUsage(run.calls)}`);
  }
}
const clean = reports.every((r) => r.second.writes === 0 && r.second.simulatorWriteCalls === 0);
lines.push(clean ? 'Second run: no write call in either CRM (target met).' : 'Second run: write calls made (target missed).');
lines.push(`Total wall time ${(result.wallMs / 1000).toFixed(1)} s (generation and seeding included).`);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) process.stdout.write(`${JSON.stringify({ accounts, latencyMs, hubspotBudget, wallMs: result.wallMs, reports })}\n`);
