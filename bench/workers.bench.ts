/**
 * The workers benchmark: fifty connections (by default) on simulated orgs, half Salesforce and
 * half HubSpot, 2,000 accounts each, all enqueued at once on a fresh PostgreSQL database, run
 * first by one `kamflow worker` process and then, on fresh orgs and a fresh database, by four.
 * Prints each phase's wall time, throughput and the simulators' CPU, and the ratio of the two
 * throughputs. The simulators all run in this process, on one core: the CPU figure says how
 * close they came to being the limit. PostgreSQL from KAMFLOW_TEST_DATABASE_URL or
 * scripts/ensure-postgres.sh. `--help` lists the flags.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { silentLogger } from '../src/log.ts';
import { QueueClient } from '../src/queue/client.ts';
import { generateSampleOrg } from '../src/sandbox/generate.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { openStoreFromEnv } from '../src/store/open.ts';
import { connectBoth, spawnWorker, stopWorker, until, type WorkerProcess } from './support/queue-world.ts';

const HELP = `Usage: npm run bench:workers -- [options]

  --connections N     connections, half Salesforce and half HubSpot (even; default 50)
  --accounts N        accounts per connection's org (default 2000)
  --workers N         worker processes of the second phase (default 4; the first has one)
  --latency MS        added to every simulator API call (default 0)
  --hubspot-budget N  HubSpot requests per rolling 10 s the connector allows itself (default 190)
  --setup-only        only the first phase's set-up (database, seeded orgs, connect and provision
                      every connection), timed, then stop: no worker runs`;

const { values } = parseArgs({
  options: {
    connections: { type: 'string' }, accounts: { type: 'string' }, workers: { type: 'string' }, latency: { type: 'string' },
    'hubspot-budget': { type: 'string' }, 'setup-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, got "${raw}"`);
  return n;
}
const connections = whole('connections', values.connections, 50, 2);
if (connections % 2 !== 0) throw new Error(`--connections must be even (one Salesforce and one HubSpot connection per org), got ${connections}`);
const accounts = whole('accounts', values.accounts, 2000, 10);
const many = whole('workers', values.workers, 4, 2);
const latencyMs = whole('latency', values.latency, 0, 0);
const budget = whole('hubspot-budget', values['hubspot-budget'], 190, 1);
const setupOnly = values['setup-only'] === true;

const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);
};

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

interface Setup { seconds: number; cpuSeconds: number; seedSeconds: number; connectSeconds: number }
interface PhaseResult { workers: number; setup: Setup; seconds: number; records: number; simulatorCpu: number }

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

const seed = generateSampleOrg({ seed: 1, accounts, asOf: '2026-06-30' });
const server = postgresServer();

/** One phase: fresh orgs and database, `workers` processes of one slot each, every connection enqueued at once. */
async function phase(workers: number): Promise<PhaseResult> {
  const name = `kamflow_bench_workers_${process.pid}_${workers}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  const env = { KAMFLOW_DATABASE_URL: u.toString(), KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'), KAMFLOW_SCHEDULE_TICK_MS: '1000' };
  const orgs: Sandbox[] = [];
  const procs: WorkerProcess[] = [];
  const store = await openStoreFromEnv(env);
  let queue: QueueClient | null = null;
  try {
    const setupCpu0 = process.cpuUsage();
    const setup0 = performance.now();
    for (let n = 0; n < connections / 2; n++) orgs.push(await startSandbox({ seed, ...(latencyMs > 0 ? { latencyMs } : {}) }));
    const seeded = performance.now();
    // kamflow connect and provision, every org at once, on this phase's open store. (Not while the
    // next org seeds: a seeding holds the event loop for seconds, past the pool's connect timeout.)
    const hubspot = ['--option', `limits={"tenSecondBudget":${budget}}`];
    const pending = orgs.map((sb, n) => connectBoth(env, sb, n, { hubspot, store }));
    const ids = (await Promise.all(pending)).flatMap((both) => [both.sf, both.hs]);
    const setup: Setup = {
      seconds: (performance.now() - setup0) / 1000, cpuSeconds: cpuSeconds(setupCpu0),
      seedSeconds: (seeded - setup0) / 1000, connectSeconds: (performance.now() - seeded) / 1000,
    };
    log(`${workers} worker(s): ${ids.length} connections connected and provisioned in ${setup.seconds.toFixed(1)} s`);
    if (setupOnly) return { workers, setup, seconds: 0, records: 0, simulatorCpu: 0 };
    // The compiled CLI, as deployed (the script builds it first).
    for (let i = 0; i < workers; i++) procs.push(spawnWorker(env, 1, { compiled: true }));
    queue = await QueueClient.open(env.KAMFLOW_DATABASE_URL, store, silentLogger);
    const pool = new pg.Pool({ connectionString: env.KAMFLOW_DATABASE_URL, max: 1 });
    try {
      await until('the workers to start', async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM worker_processes')).rows[0]?.n === workers, 600_000);
    } finally {
      await pool.end();
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const id of ids) await queue.enqueue({ connectionId: id, kind: 'sync', trigger: 'cli' });
    let reported = 0;
    const runs = await until('every connection to finish its sync', async () => {
      const all = await store.listRuns({ limit: 10_000 });
      const finished = all.filter((r) => r.status !== 'running');
      if (finished.length >= reported + 10) {
        reported = finished.length;
        log(`  ${finished.length} of ${ids.length} done`);
      }
      return finished.length >= ids.length ? finished : null;
    }, 3 * 3600_000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const failed = runs.filter((r) => r.status !== 'succeeded');
    if (failed.length > 0) throw new Error(`runs that did not succeed: ${failed.map((r) => `${r.connectionId} ${r.status} ${r.error ?? ''}`).join('; ')}`);
    const unwritten = runs.filter((r) => r.counts.written !== accounts);
    if (unwritten.length > 0) throw new Error(`runs that did not write every account: ${unwritten.map((r) => `${r.connectionId} wrote ${r.counts.written}`).join('; ')}`);
    const records = runs.reduce((sum, r) => sum + Object.values(r.counts.pulled ?? {}).reduce((a, b) => a + b, 0), 0);
    return { workers, setup, seconds, records, simulatorCpu: (cpu.user + cpu.system) / 1e6 / seconds };
  } catch (error) {
    for (const p of procs) process.stderr.write(`--- worker ${p.child.pid ?? '?'}\n${p.log().slice(-2000)}\n`);
    throw error;
  } finally {
    const quietly = (what: string) => (e: unknown): void => log(`cleanup: ${what}: ${e instanceof Error ? e.message : String(e)}`);
    await Promise.all(procs.map((p) => stopWorker(p)));
    await queue?.close().catch(quietly('queue client'));
    await store.close().catch(quietly('store'));
    await Promise.all(orgs.map((s) => s.close().catch(quietly('simulator'))));
    await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(quietly('drop database'));
  }
}

process.stdout.write(`workers benchmark: ${connections} connections (${connections / 2} Salesforce, ${connections / 2} HubSpot), ${accounts.toLocaleString('en-US')} accounts each, latency ${latencyMs} ms, HubSpot budget ${budget} / 10 s\n`);
const setupLine = (r: PhaseResult): string =>
  `set-up ${r.setup.seconds.toFixed(1)} s (seeding ${connections / 2} orgs ${r.setup.seedSeconds.toFixed(1)} s, connect and provision ${connections} connections ` +
  `${r.setup.connectSeconds.toFixed(1)} s; this process's CPU ${r.setup.cpuSeconds.toFixed(1)} s, load average ${loadavg()[0]!.toFixed(1)})`;
if (setupOnly) {
  const r = await phase(1);
  process.stdout.write(`  ${setupLine(r)}\n`);
  process.exit(0);
}
const results: PhaseResult[] = [];
for (const w of [1, many]) {
  const r = await phase(w);
  results.push(r);
  process.stdout.write(
    `  ${String(w).padStart(2)} worker(s): ${r.seconds.toFixed(1).padStart(7)} s, ${(connections / r.seconds * 60).toFixed(1)} connections/min, ` +
    `${Math.round(r.records / r.seconds).toLocaleString('en-US')} records pulled/s; the simulators used ${(r.simulatorCpu * 100).toFixed(0)}% of one core; ${setupLine(r)}\n`,
  );
}
const [one, four] = results as [PhaseResult, PhaseResult];
process.stdout.write(`  throughput ratio, ${many} workers to 1: ${(one.seconds / four.seconds).toFixed(2)}x (machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)})\n`);
process.exit(0);
