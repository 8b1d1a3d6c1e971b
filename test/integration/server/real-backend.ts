import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createConnector, sourceProfile } from '../../../connectors/registry.ts';
import { KamflowBackend } from '../../../src/console/backend.ts';
import type { ConsoleSettings } from '../../../src/console/settings.ts';
import { silentLogger } from '../../../src/log.ts';
import { parseSnapshot, type Snapshot } from '../../../src/model/snapshot.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { codeChallengeS256, createCodeVerifier } from '../../../src/server/pkce.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { SyncScheduler, type CronTask, type CronTaskFactory } from '../../../src/sync/scheduler.ts';
import type { ConnectorFactory } from '../../../src/sync/types.ts';

export const REDIRECT = 'https://kamflow.example.com/connect/salesforce/callback';
export const HS_REDIRECT = 'https://kamflow.example.com/connect/hubspot/callback';
/** The sandbox-side answer to the sample fixture's date: analyses run as of the fixture's day. */
export const NEXT_RUN = new Date('2026-11-23T02:00:00.000Z');

export function sampleSeed(): Snapshot {
  const text = readFileSync(new URL('../../fixtures/sample-snapshot.json', import.meta.url), 'utf8');
  return parseSnapshot(JSON.parse(text)).snapshot;
}

/** Cron tasks that never fire on their own; tests see what was scheduled. */
export class ManualTasks {
  readonly created: { expression: string; timezone: string; stopped: boolean }[] = [];
  factory: CronTaskFactory = (expression, _onTick, options) => {
    const entry = { expression, timezone: options.timezone, stopped: false };
    this.created.push(entry);
    const task: CronTask = { start: () => undefined, stop: () => { entry.stopped = true; }, getNextRun: () => (entry.stopped ? null : NEXT_RUN) };
    return task;
  };
}

export interface RealSetup {
  sandbox: Sandbox;
  store: SqliteStore;
  backend: KamflowBackend;
  scheduler: SyncScheduler;
  tasks: ManualTasks;
  dir: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export async function startReal(opts: {
  settings?: Partial<ConsoleSettings>;
  seed?: Snapshot;
  wrapFactory?: (f: ConnectorFactory) => ConnectorFactory;
} = {}): Promise<RealSetup> {
  const sandbox = await startSandbox({ seed: opts.seed ?? sampleSeed() });
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-backend-'));
  const store = new SqliteStore({ path: join(dir, 'kamflow.db'), encryptionKey: randomBytes(32).toString('base64') });
  cleanups.push(async () => {
    await sandbox.close().catch(() => undefined);
  });
  // The simulator's PermissionSet has no Description field, which the Salesforce connector
  // sets when it creates its permission set; with the set already there, the connector finds
  // it and provisioning goes on to create every field as in a real org.
  sandbox.sf.insert('PermissionSet', { Name: 'Kamflow', Label: 'Kamflow' });
  const settings: ConsoleSettings = {
    apps: {
      salesforce: { clientId: sandbox.salesforce.clientId, clientSecret: sandbox.salesforce.clientSecret },
      hubspot: { clientId: sandbox.hubspot.clientId, clientSecret: sandbox.hubspot.clientSecret },
    },
    webhookSecrets: { hubspot: sandbox.hubspot.clientSecret },
    simulatorUrl: sandbox.url,
    defaultSchedule: '0 2 * * *',
    defaultTimezone: 'UTC',
    firstSync: 'now',
    ...opts.settings,
  };
  const base: ConnectorFactory = (c, credentials, onTokens) => createConnector(c, credentials, onTokens, silentLogger);
  const backend = new KamflowBackend({
    store, settings, logger: silentLogger,
    sync: { store, connectorFactory: opts.wrapFactory ? opts.wrapFactory(base) : base, profileOf: sourceProfile, analyze: analyzeWithStoredConfig, logger: silentLogger },
  });
  const tasks = new ManualTasks();
  const scheduler = new SyncScheduler({ store, logger: silentLogger, runSync: (o) => backend.runs.runScheduled(o), createTask: tasks.factory });
  backend.attachScheduler(scheduler);
  await scheduler.start();
  cleanups.push(async () => {
    await scheduler.stop();
    await backend.runs.idle();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { sandbox, store, backend, scheduler, tasks, dir };
}

/** Goes through the simulator's authorize endpoint as a browser would; returns the code. */
export async function authorize(authorizeUrl: string): Promise<{ code: string; state: string | null }> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}`);
  const url = new URL(location);
  const code = url.searchParams.get('code');
  if (!code) throw new Error('no code in the redirect');
  return { code, state: url.searchParams.get('state') };
}

/** Installs Salesforce; its first sync plans and waits, and the admin approves that plan unless `approve` is false. */
export async function installSalesforce(setup: RealSetup, options: { approve?: boolean } = {}): Promise<string> {
  const verifier = createCodeVerifier();
  const begun = await setup.backend.beginInstall({ crm: 'salesforce', params: { loginHost: 'production' }, state: 's1', codeChallenge: codeChallengeS256(verifier), redirectUri: REDIRECT });
  if (!begun.ok) throw new Error(begun.message);
  const { code } = await authorize(begun.authorizeUrl);
  const done = await setup.backend.completeInstall({ crm: 'salesforce', params: { loginHost: 'production' }, code, codeVerifier: verifier, redirectUri: REDIRECT });
  if (!done.ok) throw new Error(`${done.reason}: ${done.message}`);
  await setup.backend.runs.idle();
  const [first] = await setup.backend.listRuns(done.connectionId, 1);
  if (options.approve !== false && first?.status === 'awaiting-approval') await approveWaitingPlan(setup, done.connectionId);
  return done.connectionId;
}

/** Approves the connection's newest run, which must be a plan waiting for approval, and waits for the write; returns the write run's id. */
export async function approveWaitingPlan(setup: RealSetup, connectionId: string): Promise<string> {
  const [waiting] = await setup.backend.listRuns(connectionId, 1);
  if (waiting?.status !== 'awaiting-approval') throw new Error(`the newest run is ${waiting ? waiting.status : 'missing'}, not awaiting approval`);
  const approved = await setup.backend.startRun(connectionId, { kind: 'approve', planRunId: waiting.id });
  if (!approved.ok) throw new Error(approved.message);
  await setup.backend.runs.idle();
  return approved.runId;
}
