import { sourceProfile } from '../../../connectors/registry.ts';
import { checkConnectorOptions } from '../../../connectors/registry.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../../src/cli/command.ts';
import { connectCommand } from '../../../src/cli/commands/connect.ts';
import { provisionCommand } from '../../../src/cli/commands/provision.ts';
import { rollbackCommand } from '../../../src/cli/commands/rollback.ts';
import { runCommand } from '../../../src/cli/commands/run.ts';
import { runsCommand } from '../../../src/cli/commands/runs.ts';
import { scheduleCommand } from '../../../src/cli/commands/schedule.ts';
import { syncCommand } from '../../../src/cli/commands/sync.ts';
import { silentLogger } from '../../../src/log.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import type { SyncCommandDeps } from '../../../src/cli/sync-support.ts';
import { account, FakeCrm, wonOpp } from './fake-crm.ts';
import { fakeAnalyze } from './fake-analyze.ts';

const KEY = Buffer.alloc(32, 5).toString('base64');
let dir: string;
let env: NodeJS.ProcessEnv;
let crm: FakeCrm;
let clock: Date;

function io(): CliIo & { out: () => string; err: () => string } {
  const o: string[] = [];
  const e: string[] = [];
  const sink = (into: string[]): Writable => new Writable({ write(chunk: Buffer, _enc, cb) { into.push(chunk.toString()); cb(); } });
  return { stdout: sink(o), stderr: sink(e), env, out: () => o.join(''), err: () => e.join('') };
}
function deps(): SyncCommandDeps {
  return { openStore: (e) => openStoreFromEnv(e), connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze: fakeAnalyze, logger: silentLogger, now: () => clock };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kamflow-cli-'));
  env = { KAMFLOW_DB_PATH: join(dir, 'k.db'), KAMFLOW_ENCRYPTION_KEY: KEY, HUBSPOT_TOKEN: 'pat-na1-SECRET' };
  clock = new Date('2026-06-30T08:00:00.000Z');
  crm = new FakeCrm();
  crm.put('accounts', account('A1'));
  crm.put('accounts', account('B1'));
  crm.put('opportunities', wonOpp('O1', 'A1', 5000));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function connect(): Promise<void> {
  const x = io();
  expect(await connectCommand(deps()).run(['--crm', 'hubspot', '--id', 'hs-1'], x)).toBe(0);
}

describe('connect', () => {
  it('registers a HubSpot connection from the environment without printing the token', async () => {
    const x = io();
    expect(await connectCommand(deps()).run(['--crm', 'hubspot', '--id', 'hs-1', '--schedule', '0 6 * * *', '--timezone', 'Europe/Berlin'], x)).toBe(0);
    expect(x.out()).toContain('connection hs-1: hubspot at https://api.hubapi.com, schedule "0 6 * * *" Europe/Berlin');
    expect(x.out() + x.err()).not.toContain('SECRET');
    const store = await openStoreFromEnv(env);
    expect(await store.loadCredentials('hs-1')).toEqual({ tokens: { accessToken: 'pat-na1-SECRET' }, clientSecret: null });
    await store.close();
  });

  it('stores connector options from --option, typed as JSON where they parse, and refuses bad ones by name', async () => {
    const withCheck = { ...deps(), checkOptions: checkConnectorOptions };
    const x = io();
    const flags = ['--crm', 'hubspot', '--id', 'hs-2', '--option', 'productFamilyProperty=product_family', '--option', 'fullSyncEveryHours=6', '--option', 'extraCompanyProperties=["tier_a"]'];
    expect(await connectCommand(withCheck).run(flags, x)).toBe(0);
    const store = await openStoreFromEnv(env);
    expect((await store.getConnection('hs-2'))?.options).toEqual({ productFamilyProperty: 'product_family', fullSyncEveryHours: 6, extraCompanyProperties: ['tier_a'] });
    await store.close();
    await expect(connectCommand(withCheck).run(['--crm', 'hubspot', '--option', 'productFamilyProperty=has space'], io())).rejects.toThrow(/bad --option: productFamilyProperty:/);
    await expect(connectCommand(withCheck).run(['--crm', 'hubspot', '--option', 'fullSyncEveryHours=-1'], io())).rejects.toThrow(/fullSyncEveryHours: expected a non-negative number/);
    await expect(connectCommand(withCheck).run(['--crm', 'hubspot', '--option', 'noequals'], io())).rejects.toThrow(/KEY=VALUE/);
  });

  it('rejects incomplete Salesforce credentials and a bad schedule as usage errors', async () => {
    await expect(connectCommand(deps()).run(['--crm', 'salesforce', '--instance-url', 'https://x.my.salesforce.com'], io())).rejects.toThrow(UsageError);
    await expect(connectCommand(deps()).run(['--crm', 'salesforce', '--refresh-token', 'r', '--client-id', 'c'], io())).rejects.toThrow(/--client-secret/);
    await expect(connectCommand(deps()).run(['--crm', 'hubspot', '--schedule', '* * *  * * * *'], io())).rejects.toThrow(/invalid cron expression/);
    await expect(connectCommand(deps()).run(['--crm', 'hubspot', '--base-url', 'http://api.example.com'], io())).rejects.toThrow(/https/);
  });

  it('stores a Salesforce refresh token and client secret encrypted', async () => {
    const x = io();
    env = { ...env, SALESFORCE_CLIENT_SECRET: 'cs-SECRET' };
    expect(await connectCommand(deps()).run(['--crm', 'salesforce', '--id', 'sf-1', '--refresh-token', 'rt-SECRET', '--client-id', 'cid', '--instance-url', 'https://acme.my.salesforce.com/'], { ...x, env })).toBe(0);
    const store = await openStoreFromEnv(env);
    expect(await store.getConnection('sf-1')).toMatchObject({ baseUrl: 'https://acme.my.salesforce.com', options: { clientId: 'cid', loginUrl: 'https://login.salesforce.com' } });
    expect(await store.loadCredentials('sf-1')).toEqual({ tokens: { accessToken: '', refreshToken: 'rt-SECRET', instanceUrl: 'https://acme.my.salesforce.com' }, clientSecret: 'cs-SECRET' });
    await store.close();
  });

  it('without the encryption key fails with a message naming the variable', async () => {
    env = { ...env, KAMFLOW_ENCRYPTION_KEY: undefined };
    const x = io();
    expect(await connectCommand(deps()).run(['--crm', 'hubspot'], x)).toBe(1);
    expect(x.err()).toMatch(/set KAMFLOW_ENCRYPTION_KEY/);
  });

  it('a malformed key is reported without echoing it, and a duplicate id is refused', async () => {
    await connect();
    const dup = io();
    expect(await connectCommand(deps()).run(['--crm', 'hubspot', '--id', 'hs-1'], dup)).toBe(1);
    expect(dup.err()).toBe('kamflow connect: a connection with id hs-1 already exists\n');
    env = { ...env, KAMFLOW_ENCRYPTION_KEY: 'dG9vLXNob3J0' };
    const x = io();
    expect(await syncCommand(deps()).run([], x)).toBe(1);
    expect(x.err()).toBe('kamflow sync: KAMFLOW_ENCRYPTION_KEY must decode to 32 bytes, got 9 (use `openssl rand -base64 32`)\n');
  });
});

describe('sync, runs, run, rollback', () => {
  it('dry run prints per-account changes and the calls it would take, and writes nothing', async () => {
    await connect();
    const x = io();
    expect(await syncCommand(deps()).run(['--dry-run'], x)).toBe(0);
    expect(x.out()).toContain('  A1\n');
    expect(x.out()).toContain('    kam_score: (empty) -> 50');
    expect(x.out()).toContain('write calls it would take: batchUpdate 1');
    expect(crm.pushes).toHaveLength(0);
  });

  it('--json gives the run, the plan and exit 0; a second sync plans nothing', async () => {
    await connect();
    const x = io();
    expect(await syncCommand(deps()).run(['--json', '--as-of', '2026-06-30'], x)).toBe(0);
    const doc = JSON.parse(x.out()) as { run: { status: string; asOf: string; counts: { written: number } }; plan: { summary: { changedAccounts: number } } };
    expect(doc.run).toMatchObject({ status: 'succeeded', asOf: '2026-06-30', counts: { written: 2 } });
    expect(doc.plan.summary.changedAccounts).toBe(2);
    const y = io();
    expect(await syncCommand(deps()).run([], y)).toBe(0);
    expect(y.out()).toContain('to change: 0 (0 fields)');
  });

  it('exits 3 when stopped by the API limit and 2 on a bad date', async () => {
    await connect();
    crm.apiLimitOnPush = 1;
    const x = io();
    expect(await syncCommand(deps()).run([], x)).toBe(3);
    expect(x.out()).toContain('stopped-by-limit');
    await expect(syncCommand(deps()).run(['--as-of', '2026-02-30'], io())).rejects.toThrow(/calendar date/);
  });

  it('exits 4 when the run finished but the CRM refused some writes, with the counts in --json', async () => {
    await connect();
    crm.rejectAccounts.add('B1');
    const x = io();
    expect(await syncCommand(deps()).run(['--json'], x)).toBe(4);
    const doc = JSON.parse(x.out()) as { run: { status: string; counts: { written: number; failed: number } } };
    expect(doc.run.status).toBe('succeeded');
    expect(doc.run.counts).toMatchObject({ written: 1, failed: 1 });
    // Refused for good, the account is held back (quarantined) instead of sent again at once,
    // and the next run says so; it is no new failure, so that run exits 0.
    crm.rejectAccounts.delete('B1');
    const y = io();
    expect(await syncCommand(deps()).run([], y)).toBe(0);
    expect(y.out()).toContain('written: 0; failed: 0');
    expect(y.out()).toContain('1 held back after the CRM refused them for good');
  });

  it('documents every exit code in the usage of sync and of kamflow itself', async () => {
    const { mainUsage } = await import('../../../src/cli/run.ts');
    for (const text of [syncCommand(deps()).usage, mainUsage([syncCommand(deps())])]) {
      expect(text).toContain('0 done, 1 failed (or waiting for --confirm), 2 bad usage, 3 stopped by a CRM API limit');
      expect(text).toContain('4 finished but some records failed to write');
    }
  });

  it('runs lists runs, run shows per-record errors, rollback restores', async () => {
    await connect();
    crm.rejectAccounts.add('B1');
    const s = io();
    expect(await syncCommand(deps()).run(['--json'], s)).toBe(4);
    const runId = (JSON.parse(s.out()) as { run: { id: string } }).run.id;
    const list = io();
    expect(await runsCommand(deps()).run([], list)).toBe(0);
    expect(list.out()).toContain(`${runId}  hs-1  succeeded`);
    expect(list.out()).toContain('written 1, failed 1');
    const detail = io();
    expect(await runCommand(deps()).run([runId], detail)).toBe(0);
    expect(detail.out()).toContain('B1 failed bad-data FIELD_CUSTOM_VALIDATION_EXCEPTION: rejected (injected)');
    clock = new Date('2026-06-30T09:00:00.000Z');
    const rb = io();
    expect(await rollbackCommand(deps()).run([runId], rb)).toBe(0);
    expect(crm.account('A1').fields).toEqual({
      kam_tier: null, kam_key_account: null, kam_score: null, kam_revenue_share: null, kam_penetration: null, kam_whitespace_value: null,
      kam_reasons: null, kam_why: null, kam_contact_coverage: null, kam_ultimate_parent: null, kam_updated_at: null,
    });
    const missing = io();
    expect(await runCommand(deps()).run(['nope'], missing)).toBe(1);
    await expect(rollbackCommand(deps()).run([], io())).rejects.toThrow(UsageError);
  });

  it('sync refuses while another run holds the lock', async () => {
    await connect();
    const store = await openStoreFromEnv(env);
    await store.acquireLock('hs-1', 'run-x', clock, 60_000);
    await store.close();
    const x = io();
    expect(await syncCommand(deps()).run([], x)).toBe(1);
    expect(x.err()).toMatch(/busy: run run-x \(process \d+ on [^)]+\) holds its lock/);
  });
});

describe('provision and schedule', () => {
  it('provision prints the report', async () => {
    await connect();
    const x = io();
    expect(await provisionCommand(deps()).run([], x)).toBe(0);
    expect(x.out()).toContain('all fields ready');
  });

  it('sets, lists and clears a schedule, and runs the scheduler until stopped', async () => {
    await connect();
    await expect(scheduleCommand(deps()).run(['--set', 'every hour'], io())).rejects.toThrow(/invalid cron expression/);
    expect(await scheduleCommand(deps()).run(['--set', '*/15 * * * *', '--timezone', 'America/New_York'], io())).toBe(0);
    const list = io();
    await scheduleCommand(deps()).run(['--list'], list);
    expect(list.out()).toBe('hs-1  */15 * * * *  America/New_York  next 2026-06-30T08:15:00.000Z\n');
    const ticks: (() => void)[] = [];
    const fg = scheduleCommand({
      ...deps(),
      createTask: (_e, onTick) => { ticks.push(onTick); return { start: () => undefined, stop: () => undefined }; },
      waitForStop: async () => { ticks[0]?.(); },
    });
    expect(await fg.run([], io())).toBe(0);
    expect(crm.pushes).toHaveLength(1); // the tick ran a sync and stop() waited for it
    expect(await scheduleCommand(deps()).run(['--clear'], io())).toBe(0);
    const none = io();
    expect(await scheduleCommand(deps()).run([], none)).toBe(1);
    expect(none.err()).toContain('no connection has a valid schedule');
  });

  it('leaves the schedules to the workers on PostgreSQL: the foreground scheduler refuses to start there', async () => {
    const onPg = { ...io(), env: { KAMFLOW_DATABASE_URL: 'postgres://kamflow@127.0.0.1:1/kamflow', KAMFLOW_ENCRYPTION_KEY: KEY } };
    await expect(scheduleCommand(deps()).run([], onPg)).rejects.toThrow(UsageError);
    await expect(scheduleCommand(deps()).run([], onPg)).rejects.toThrow(/kamflow worker/);
  });
});
