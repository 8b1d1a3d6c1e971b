import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { checkConnectorOptions, createConnector, sourceProfile } from '../../connectors/registry.ts';
import type { CliCommand, CliIo } from '../../src/cli/command.ts';
import { connectCommand } from '../../src/cli/commands/connect.ts';
import { provisionCommand } from '../../src/cli/commands/provision.ts';
import type { SyncCommandDeps } from '../../src/cli/sync-support.ts';
import { silentLogger } from '../../src/log.ts';
import type { Snapshot } from '../../src/model/snapshot.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { openStoreFromEnv } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { analyzeWithStoredConfig } from '../../src/sync/analyze-adapter.ts';

/** Connections on simulators and `kamflow worker` processes, for the queue's tests and benchmark. */

export const syncDeps: SyncCommandDeps = {
  openStore: (env) => openStoreFromEnv(env),
  connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens),
  profileOf: sourceProfile,
  analyze: analyzeWithStoredConfig,
  logger: silentLogger,
};
const defaultCommands = {
  connect: connectCommand({ openStore: syncDeps.openStore, checkOptions: checkConnectorOptions }),
  provision: provisionCommand(syncDeps),
};

/**
 * The same commands on a store the caller keeps open: each command's close leaves it open, so a
 * set-up of many connections opens (and checks the migrations of) one store instead of four per org.
 */
function commandsOn(store: Store): { connect: CliCommand; provision: CliCommand } {
  const kept = new Proxy(store, {
    get(target, key) {
      if (key === 'close') return async (): Promise<void> => {};
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const openStore = (): Store => kept;
  return { connect: connectCommand({ openStore, checkOptions: checkConnectorOptions }), provision: provisionCommand({ ...syncDeps, openStore }) };
}

async function runCommand(command: CliCommand, env: NodeJS.ProcessEnv, argv: string[]): Promise<void> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  stdout.resume();
  const io: CliIo = { stdout, stderr, env };
  const code = await command.run(argv, io);
  if (code !== 0) throw new Error(`kamflow ${command.name} ${argv.join(' ')} exited ${code}: ${err}`);
}

/**
 * Connects and provisions one Salesforce and one HubSpot connection on the simulator, with
 * `kamflow connect` and `kamflow provision` run in this process; `store`: on that open store
 * (else each command opens the environment's store, as the CLI does).
 */
export async function connectBoth(
  env: NodeJS.ProcessEnv, sb: Sandbox, n: number, extra: { hubspot?: string[]; store?: Store } = {},
): Promise<{ sf: string; hs: string }> {
  const { connect, provision } = extra.store ? commandsOn(extra.store) : defaultCommands;
  const sf = `sf-${n}`;
  const hs = `hs-${n}`;
  const sfEnv = {
    ...env, SALESFORCE_LOGIN_URL: sb.salesforce.loginUrl, SALESFORCE_INSTANCE_URL: sb.salesforce.instanceUrl, SALESFORCE_CLIENT_ID: sb.salesforce.clientId,
    SALESFORCE_CLIENT_SECRET: sb.salesforce.clientSecret, SALESFORCE_REFRESH_TOKEN: sb.salesforce.refreshToken,
  };
  await runCommand(connect, sfEnv, ['--crm', 'salesforce', '--id', sf, '--safety-gate', '1']);
  await runCommand(provision, env, ['--connection', sf]);
  await runCommand(connect, { ...env, HUBSPOT_TOKEN: sb.hubspot.privateAppToken, HUBSPOT_BASE_URL: sb.hubspot.baseUrl }, ['--crm', 'hubspot', '--id', hs, '--safety-gate', '1', ...(extra.hubspot ?? [])]);
  await runCommand(provision, env, ['--connection', hs]);
  return { sf, hs };
}

export interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  exited: Promise<void>;
}

/** `kamflow worker` in its own process, run from the sources or, `compiled`, from dist/ as installed. */
export function spawnWorker(env: NodeJS.ProcessEnv, concurrency: number, how: { compiled?: boolean } = {}): WorkerProcess {
  const entry = how.compiled ? ['bin/kamflow.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const child = spawn(process.execPath, [...entry, 'worker', '--concurrency', String(concurrency)], {
    env: { ...process.env, KAMFLOW_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, log: () => log, exited };
}

export async function stopWorker(w: WorkerProcess): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await w.exited;
}

/** Kamflow's fields on each account of the simulator, by seeded id, without the update stamp. */
export function kamFields(sb: Sandbox, seed: Snapshot): Record<string, { sf: Record<string, unknown>; hs: Record<string, unknown> }> {
  const out: Record<string, { sf: Record<string, unknown>; hs: Record<string, unknown> }> = {};
  for (const a of seed.accounts) {
    const sfId = sb.ids.salesforce.accounts[a.id];
    const hsId = sb.ids.hubspot.accounts[a.id];
    const sfRec = sfId ? (sb.sf.record('Account', sfId) ?? {}) : {};
    const hsRec = hsId ? (sb.hs.object('companies', hsId)?.properties ?? {}) : {};
    out[a.id] = {
      sf: Object.fromEntries(Object.entries(sfRec).filter(([k]) => k.startsWith('KAM_') && k !== 'KAM_Updated_At__c')),
      hs: Object.fromEntries(Object.entries(hsRec).filter(([k]) => k.startsWith('kam_') && k !== 'kam_updated_at')),
    };
  }
  return out;
}

/** API calls that write Kamflow's values into the CRM (the simulator's own count). */
export function writeCalls(sb: Sandbox): Record<string, number> {
  return Object.fromEntries(Object.entries(sb.calls()).filter(([k]) => WRITE_CALL.test(k)).sort(([a], [b]) => (a < b ? -1 : 1)));
}
const WRITE_CALL = /update|patch|composite|ingest|upsert/i;

/** Probes every `everyMs` until the probe answers, or throws naming `what` after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 120_000, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * CPU seconds (user + system) a live child process has used so far, from /proc/PID/stat (Linux;
 * null elsewhere or once it has exited). Clock ticks of 100 per second, as Linux reports them to
 * user space.
 */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / 100 : null;
}
