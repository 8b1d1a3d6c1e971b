/**
 * The workers benchmark: fifty connections (by default) on simulated orgs, half Salesforce and
 * half HubSpot, 2,000 accounts each, all enqueued at once on a fresh PostgreSQL database, run
 * first by one `kamflow worker` process and then, on fresh orgs and a fresh database, by four.
 * Prints each phase's set-up time, wall time, throughput, the simulators' and the workers' CPU,
 * the ratio of the two throughputs, and what limited the second phase. The simulators all run in
 * this process, on one core: their CPU figure says how close they came to being the limit. PostgreSQL from KAMFLOW_TEST_DATABASE_URL or
 * scripts/ensure-postgres.sh. `--help` lists the flags.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { silentLogger } from '../src/log.ts';
import { QueueClient } from '../src/queue/client.ts';
import { generateSampleOrg } from '../src/sandbox/generate.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { openStoreFromEnv } from '../src/store/open.ts';
import { connectBoth, processCpuSeconds, spawnWorker, stopWorker, until, type WorkerProcess } from './support/queue-world.ts';

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
interface PhaseResult {
  workers: number; setup: Setup; seconds: number; records: number;
  /** Cores used during the measured phase: this process (the simulators), and the worker processes in all (null without /proc). */
  simulatorCpu: number; workerCpu: number | null;
  /** Cores the PostgreSQL server used (its postmaster and every backend); null when it is not on this machine. */
  postgresCpu: number | null;
  /** The one-minute load average as the phase ended. */
  load: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

const seed = generateSampleOrg({ seed: 1, accounts, asOf: '2026-06-30' });
const server = postgresServer();

/** One phase: fresh orgs and database, `workers` processes of one slot each, every connection enqueued at once. */
/**
 * CPU seconds of the local PostgreSQL server so far: the postmaster's own and its reaped
 * children's (cutime, cstime) plus every live child's. A backend that exits moves its time into
 * the postmaster's children figures, so the difference of two readings is the server's CPU in
 * between. Null when the server is not a process on this machine (a remote database).
 */
async function postgresCpuSeconds(url: string): Promise<number | null> {
  const fields = (pid: string | number): string[] | null => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null;
    }
  };
  // The backend's parent is the postmaster; read while the backend lives (it exits on end()).
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let postmaster: string | undefined;
  try {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;
    // After the command name: state, ppid, ...; utime, stime, cutime, cstime are the 12th to 15th.
    postmaster = fields(backend)?.[1];
  } finally {
    await client.end();
  }
  const own = postmaster ? fields(postmaster) : null;
  if (!postmaster || !own) return null;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = fields(entry);
    if (f && f[1] === postmaster) ticks += Number(f[11]) + Number(f[12]);
  }
  return Number.isFinite(ticks) ? ticks / 100 : null;
}

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
    if (setupOnly) return { workers, setup, seconds: 0, records: 0, simulatorCpu: 0, workerCpu: null, postgresCpu: null, load: loadavg()[0]! };
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
    const workerCpu0 = procs.map((p) => processCpuSeconds(p.child.pid));
    const postgres0 = await postgresCpuSeconds(env.KAMFLOW_DATABASE_URL);
    const t0 = performance.now();
    for (const id of ids) await queue.enqueue({ connectionId: id, kind: 'sync', trigger: 'cli' });
    // A connection's first plan waits for an admin (a worker never approves one): the poll
    // approves each waiting plan as the console's Approve button does, and the phase ends when
    // every connection's approved write run has finished.
    const approved = new Set<string>();
    let reported = 0;
    const runs = await until('every connection to finish its approved sync', async () => {
      const all = await store.listRuns({ limit: 10_000 });
      for (const r of all) {
        if (r.status !== 'awaiting-approval' || approved.has(r.id)) continue;
        approved.add(r.id);
        await queue?.enqueue({ connectionId: r.connectionId, kind: 'approve', planRunId: r.id, trigger: 'console' });
      }
      const finished = all.filter((r) => r.status !== 'running' && r.status !== 'awaiting-approval');
      if (finished.length >= reported + 10) {
        reported = finished.length;
        log(`  ${finished.length} of ${ids.length} written (${approved.size} plans approved)`);
      }
      return finished.length >= ids.length ? all : null;
      // Once a second: this poll's CPU counts with the simulators'.
    }, 3 * 3600_000, 1000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const workerCpu1 = procs.map((p) => processCpuSeconds(p.child.pid));
    const postgres1 = await postgresCpuSeconds(env.KAMFLOW_DATABASE_URL);
    const workerSeconds = workerCpu1.reduce<number | null>((sum, c, i) => {
      const c0 = workerCpu0[i];
      return sum === null || c === null || c0 === null || c0 === undefined ? null : sum + (c - c0);
    }, 0);
    const load = loadavg()[0]!;
    const failed = runs.filter((r) => r.status !== 'succeeded' && !(r.status === 'awaiting-approval' && approved.has(r.id)));
    if (failed.length > 0) throw new Error(`runs that did not succeed: ${failed.map((r) => `${r.connectionId} ${r.status} ${r.error ?? ''}`).join('; ')}`);
    const plans = runs.filter((r) => r.status === 'awaiting-approval');
    if (plans.length !== ids.length) throw new Error(`expected one plan per connection, got ${plans.length} for ${ids.length} connections`);
    const unwritten = runs.filter((r) => r.status === 'succeeded' && r.counts.written !== accounts);
    if (unwritten.length > 0) throw new Error(`runs that did not write every account: ${unwritten.map((r) => `${r.connectionId} wrote ${r.counts.written}`).join('; ')}`);
    const records = runs.reduce((sum, r) => sum + Object.values(r.counts.pulled ?? {}).reduce((a, b) => a + b, 0), 0);
    return { workers, setup, seconds, records, simulatorCpu: (cpu.user + cpu.system) / 1e6 / seconds, workerCpu: workerSeconds === null ? null : workerSeconds / seconds,
      postgresCpu: postgres0 === null || postgres1 === null ? null : (postgres1 - postgres0) / seconds, load };
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
const pct = (cores: number): string => `${(cores * 100).toFixed(0)}%`;
const cpuShares = (r: PhaseResult): string =>
  `the simulators used ${pct(r.simulatorCpu)} of one core, the workers ${r.workerCpu === null ? 'an unknown share (no /proc)' : `${pct(r.workerCpu)} of one core in all`}, ` +
  `PostgreSQL ${r.postgresCpu === null ? 'an unknown share (not on this machine)' : pct(r.postgresCpu)}`;
const cores = availableParallelism();
/** What held the phase back, from the CPU its processes used and the machine's load. */
function limit(r: PhaseResult): string {
  const used = r.simulatorCpu + (r.workerCpu ?? 0) + (r.postgresCpu ?? 0);
  const figures = `${cpuShares(r)}, load average ${r.load.toFixed(1)} on ${cores} cores`;
  if (r.simulatorCpu >= 0.8) return `the simulators' own CPU: they all run in this one process, on one core (${figures})`;
  if ((r.postgresCpu ?? 0) >= 0.8 * cores) return `PostgreSQL's CPU (${figures})`;
  if (used >= 0.8 * cores) return `this machine's CPU, used by the bench itself (${figures})`;
  if (r.load >= cores) return `this machine's CPU, shared with other work (${figures})`;
  return `not CPU (${figures}): the workers waited on the CRMs' rate limits (HubSpot budget ${budget} per 10 s, latency ${latencyMs} ms) or on PostgreSQL`;
}
const results: PhaseResult[] = [];
for (const w of [1, many]) {
  const r = await phase(w);
  results.push(r);
  process.stdout.write(
    `  ${String(w).padStart(2)} worker(s): ${r.seconds.toFixed(1).padStart(7)} s, ${(connections / r.seconds * 60).toFixed(1)} connections/min, ` +
    `${Math.round(r.records / r.seconds).toLocaleString('en-US')} records pulled/s; ${cpuShares(r)}; ${setupLine(r)}\n`,
  );
}
const [one, four] = results as [PhaseResult, PhaseResult];
process.stdout.write(`  throughput ratio, ${many} workers to 1: ${(one.seconds / four.seconds).toFixed(2)}x (machine: ${cores} cores)\n`);
process.stdout.write(`  the limit of the ${many}-worker phase: ${limit(four)}\n`);
process.exit(0);
