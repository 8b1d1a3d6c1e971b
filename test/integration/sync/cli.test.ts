import { sourceProfile } from '../../../connectors/registry.ts';
import { checkConnectorOptions } from '../../../connectors/registry.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../../src/cli/command.ts';
import { backtestCommand } from '../../../src/cli/commands/backtest.ts';
import { connectCommand } from '../../../src/cli/commands/connect.ts';
import { provisionCommand } from '../../../src/cli/commands/provision.ts';
import { rollbackCommand } from '../../../src/cli/commands/rollback.ts';
import { planCommand } from '../../../src/cli/commands/plan.ts';
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
    expect(x.out()).toContain('  Account A1 (A1)\n');
    expect(x.out()).toContain('    kam_score: (empty) -> 50');
    expect(x.out()).toContain('write calls it takes: batchUpdate 1');
    expect(x.out()).toContain("a real run would wait for approval (it is the connection's first plan that writes anything");
    expect(crm.pushes).toHaveLength(0);
  });

  it('--json gives the run, the plan and exit 0; a second sync plans nothing', async () => {
    await connect();
    const x = io();
    // The first sync plans and waits (exit 5); --confirm approves that plan and writes it.
    const held = io();
    expect(await syncCommand(deps()).run(['--as-of', '2026-06-30'], held)).toBe(5);
    expect(held.out()).toContain('awaiting-approval');
    expect(held.out()).toContain('  Account A1 (A1)\n');
    expect(crm.pushes).toHaveLength(0);
    expect(await syncCommand(deps()).run(['--json', '--confirm'], x)).toBe(0);
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
    expect(await syncCommand(deps()).run(['--confirm'], x)).toBe(3);
    expect(x.out()).toContain('stopped-by-limit');
    await expect(syncCommand(deps()).run(['--as-of', '2026-02-30'], io())).rejects.toThrow(/calendar date/);
  });

  it('exits 4 when the run finished but the CRM refused some writes, with the counts in --json', async () => {
    await connect();
    crm.rejectAccounts.add('B1');
    const x = io();
    expect(await syncCommand(deps()).run(['--json', '--confirm'], x)).toBe(4);
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
      expect(text).toContain('0 done, 1 failed (or an approval refused), 2 bad usage, 3 stopped by a CRM API limit');
      expect(text).toContain('4 finished but some records failed to write');
      expect(text).toContain('5 planned and waiting for approval');
    }
  });

  it('runs lists runs, run shows per-record errors, rollback restores', async () => {
    await connect();
    crm.rejectAccounts.add('B1');
    const s = io();
    expect(await syncCommand(deps()).run(['--json', '--confirm'], s)).toBe(4);
    const runId = (JSON.parse(s.out()) as { run: { id: string } }).run.id;
    const list = io();
    expect(await runsCommand(deps()).run([], list)).toBe(0);
    expect(list.out()).toContain(`${runId}  hs-1  succeeded`);
    expect(list.out()).toContain('written 1, failed 1');
    const detail = io();
    expect(await runCommand(deps()).run([runId], detail)).toBe(0);
    expect(detail.out()).toContain('B1 failed bad-data FIELD_CUSTOM_VALIDATION_EXCEPTION: rejected (injected)');
    clock = new Date('2026-06-30T09:00:00.000Z');
    // Without --confirm the rollback shows what it would restore and writes nothing.
    const preview = io();
    expect(await rollbackCommand(deps()).run([runId], preview)).toBe(5);
    expect(preview.out()).toContain('    kam_score: 50 -> (empty)');
    expect(preview.out()).toContain(`Nothing written. Write this rollback with \`kamflow rollback ${runId} --confirm\``);
    expect(crm.account('A1').fields['kam_score']).toBe(50);
    const rb = io();
    expect(await rollbackCommand(deps()).run([runId, '--confirm'], rb)).toBe(0);
    expect(crm.account('A1').fields).toEqual({
      kam_tier: null, kam_key_account: null, kam_score: null, kam_revenue_share: null, kam_penetration: null, kam_whitespace_value: null,
      kam_reasons: null, kam_why: null, kam_contact_coverage: null, kam_ultimate_parent: null, kam_updated_at: null,
    });
    const missing = io();
    expect(await runCommand(deps()).run(['nope'], missing)).toBe(1);
    await expect(rollbackCommand(deps()).run([], io())).rejects.toThrow(UsageError);
  });

  it('a rollback preview approved with plan --approve writes exactly it and names the OS user as approver', async () => {
    await connect();
    const s = io();
    expect(await syncCommand(deps()).run(['--json', '--confirm'], s)).toBe(0);
    const runId = (JSON.parse(s.out()) as { run: { id: string } }).run.id;
    clock = new Date('2026-06-30T09:00:00.000Z');
    const preview = io();
    expect(await rollbackCommand(deps()).run([runId], preview)).toBe(5);
    const previewId = (await (await openStoreFromEnv(env)).listRuns({ limit: 1 }))[0]?.id ?? '';
    expect(preview.out()).toContain(`or exactly this preview with \`kamflow plan ${previewId} --approve\``);
    const shown = io();
    expect(await planCommand(deps()).run([previewId], shown)).toBe(0);
    expect(shown.out()).toContain('preview of a rollback, not approved yet');
    expect(shown.out()).toContain('    kam_score: 50 -> (empty)');
    expect(crm.account('A1').fields['kam_score']).toBe(50);
    clock = new Date('2026-06-30T09:05:00.000Z');
    const approved = io();
    expect(await planCommand(deps()).run([previewId, '--approve'], approved)).toBe(0);
    expect(crm.account('A1').fields['kam_score']).toBeNull();
    const after = io();
    expect(await planCommand(deps()).run([previewId], after)).toBe(0);
    expect(after.out()).toMatch(new RegExp(`approved by cli:${userInfo().username} at 2026-06-30T09:05:00\\.000Z, written by run run-`));
    // The same preview cannot be written twice.
    const again = io();
    expect(await planCommand(deps()).run([previewId, '--approve'], again)).toBe(1);
    expect(again.err()).toContain(`the plan of run ${previewId} was already approved at 2026-06-30T09:05:00.000Z`);
  });

  it('run and runs show what was kept, held back and left unconfirmed; rollback --force restores over an edit', async () => {
    await connect();
    crm.rejectAccounts.add('B1');
    const first = io();
    expect(await syncCommand(deps()).run(['--json', '--confirm'], first)).toBe(4);
    const firstId = (JSON.parse(first.out()) as { run: { id: string } }).run.id;
    // A rep types over Kamflow's tier; the analysis changes; B1 is still refused and now held back.
    crm.editAsPerson('A1', { kam_tier: 'Maintain' });
    crm.put('opportunities', wonOpp('O2', 'A1', 3000));
    clock = new Date('2026-06-30T08:30:00.000Z');
    const second = io();
    expect(await syncCommand(deps()).run([], second)).toBe(0);
    expect(second.out()).toContain('conflicts (changed since Kamflow wrote them): 1');
    expect(second.out()).toContain('A1 kam_tier: now "Maintain", Kamflow wrote "Standard"; kept; would write "Key"');
    expect(second.out()).toContain('held back (the CRM refused them for good): 1');
    expect(crm.account('A1').fields['kam_tier']).toBe('Maintain');
    const list = io();
    expect(await runsCommand(deps()).run([], list)).toBe(0);
    expect(list.out()).toContain('conflicts 1, held back 1');
    expect(list.out()).toContain('held back on hs-1 (the CRM refused them;');
    expect(list.out()).toContain('  B1: FIELD_CUSTOM_VALIDATION_EXCEPTION: rejected (injected); 1 time(s) since 2026-06-30T08:00:00.000Z, next try after 2026-06-30T09:00:00.000Z');
    const secondId = (await (await openStoreFromEnv(env)).listRuns({ limit: 1 }))[0]?.id ?? '';
    const detail = io();
    expect(await runCommand(deps()).run([secondId], detail)).toBe(0);
    expect(detail.out()).toContain('; conflicts 1; held back 1');
    expect(detail.out()).toContain('A1 kam_tier: now "Maintain", Kamflow wrote "Standard"; kept; not replaced by "Key"');

    // Rolling back the first run: A1's tier no longer holds what it wrote.
    clock = new Date('2026-06-30T09:30:00.000Z');
    const kept = io();
    expect(await rollbackCommand(deps()).run([firstId, '--confirm'], kept)).toBe(0);
    expect(kept.out()).toContain('A1 kam_tier: now "Maintain", Kamflow wrote "Standard"; kept; would write (empty)');
    // Every field the second run changed since is a conflict too; the others are restored.
    expect(crm.account('A1').fields).toMatchObject({ kam_tier: 'Maintain', kam_score: 80, kam_revenue_share: null });
    const forced = io();
    expect(await rollbackCommand(deps()).run([firstId, '--force', '--confirm'], forced)).toBe(0);
    expect(forced.out()).toContain('A1 kam_tier: now "Maintain", Kamflow wrote "Standard"; written over with (empty)');
    expect(crm.account('A1').fields).toMatchObject({ kam_tier: null, kam_score: null });
  });

  it('run shows a write whose answer was lost as sent and unconfirmed', async () => {
    await connect();
    crm.dropAnswerOnPush = 1;
    const s = io();
    expect(await syncCommand(deps()).run(['--json', '--confirm'], s)).toBe(0);
    const runId = (JSON.parse(s.out()) as { run: { id: string } }).run.id;
    const detail = io();
    expect(await runCommand(deps()).run([runId], detail)).toBe(0);
    expect(detail.out()).toContain('; sent but unconfirmed 2');
    expect(detail.out()).toContain('A1 sent, unconfirmed (the answer was lost; the next run checks it against the CRM)');
    clock = new Date('2026-06-30T09:00:00.000Z');
    expect(await syncCommand(deps()).run([], io())).toBe(0);
    const after = io();
    expect(await runCommand(deps()).run([runId, '--all'], after)).toBe(0);
    expect(after.out()).toContain('A1 ok  CONFIRMED_AFTER_STOP: run');
  });

  it('plan shows the newest plan with names, counts and calls; --approve writes it, and refuses when the CRM changed since', async () => {
    await connect();
    const held = io();
    expect(await syncCommand(deps()).run([], held)).toBe(5);
    const shown = io();
    expect(await planCommand(deps()).run([], shown)).toBe(0);
    expect(shown.out()).toMatch(/^Plan of run run-\S+ \(sync, connection hs-1\), made 2026-06-30T08:00:00.000Z: not approved yet\n/);
    expect(shown.out()).toContain("  waits for approval because it is the connection's first plan that writes anything");
    expect(shown.out()).toContain('  accounts to change: 2 of 2');
    expect(shown.out()).toContain("    tier, flags or numbers change: 2; reasons' wording only: 0");
    expect(shown.out()).toContain('    tier changes: (none) -> Standard 2');
    expect(shown.out()).toContain('  write calls it takes: batchUpdate 1');
    expect(shown.out()).toContain('  Account B1 (B1)\n');
    const json = io();
    expect(await planCommand(deps()).run(['--json'], json)).toBe(0);
    const doc = JSON.parse(json.out()) as { plan: { runId: string; writes: unknown[] }; summary: { substantiveAccounts: number } };
    expect(doc.summary.substantiveAccounts).toBe(2);
    // A person edits a planned field: the approval names it and writes nothing.
    crm.editAsPerson('B1', { kam_tier: 'Gold' });
    clock = new Date('2026-06-30T08:10:00.000Z');
    const refused = io();
    expect(await planCommand(deps()).run([doc.plan.runId, '--approve'], refused)).toBe(1);
    expect(refused.out()).toContain('Account B1 (B1) kam_tier: now "Gold", null when planned');
    expect(crm.pushes).toHaveLength(0);
    // A new plan, approved as reviewed.
    clock = new Date('2026-06-30T08:20:00.000Z');
    expect(await syncCommand(deps()).run([], io())).toBe(5);
    const ok = io();
    expect(await planCommand(deps()).run(['--approve'], ok)).toBe(0);
    expect(crm.pushes).toHaveLength(1);
    const again = io();
    expect(await planCommand(deps()).run([doc.plan.runId, '--approve'], again)).toBe(1);
    // The first plan, made before the edit and the writes, can never be written any more.
    expect(again.out()).toContain(`the CRM changed since plan ${doc.plan.runId} was made`);
    expect(crm.pushes).toHaveLength(1);
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
    // The tick ran a sync and stop() waited for it: the first plan waits for approval, never approved by the scheduler.
    expect(crm.pushes).toHaveLength(0);
    const ticked = await openStoreFromEnv(env);
    expect((await ticked.listRuns({ limit: 1 }))[0]?.status).toBe('awaiting-approval');
    await ticked.close();
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

describe('backtest --connection', () => {
  it("tiers the connection's mirror as of a past date, and names what is wrong with the source", async () => {
    crm.put('opportunities', { ...wonOpp('O0', 'A1', 3000), closeDate: '2025-03-01' });
    env['KAMFLOW_TODAY'] = '2026-12-02';
    const backtest = backtestCommand(deps());
    const unknown = io();
    expect(await backtest.run(['--connection', 'nope', '--as-of', '2025-06-30'], unknown)).toBe(1);
    expect(unknown.err()).toContain('kamflow backtest: no connection "nope" in the store');
    await connect();
    const empty = io();
    expect(await backtest.run(['--connection', 'hs-1', '--as-of', '2025-06-30'], empty)).toBe(1);
    expect(empty.err()).toContain('connection "hs-1" has no data pulled yet: run `kamflow sync hs-1` first');
    expect(await syncCommand(deps()).run(['--dry-run'], io())).toBe(0);
    const j = io();
    expect(await backtest.run(['--connection', 'hs-1', '--as-of', '2025-06-30', '--json', '-'], j)).toBe(0);
    // By hand: A1 won 3,000 before 2025-06-30 (O0) and 5,000 in the 12 months after (O1): kept 3,000, grown 2,000.
    const result = JSON.parse(j.out()) as { asOf: string; families: { id: string; revenueBefore: number; revenueAfter: number; outcome: string }[]; tiers: { tier: string; kept: number; grown: number }[] };
    expect(result.asOf).toBe('2025-06-30');
    expect(result.families.find((f) => f.id === 'A1')).toMatchObject({ revenueBefore: 3000, revenueAfter: 5000, outcome: 'grew' });
    const tierOfA1 = result.tiers.find((t) => t.kept === 3000);
    expect(tierOfA1).toMatchObject({ grown: 2000 });
    const table = io();
    expect(await backtest.run(['--connection', 'hs-1', '--as-of', '2025-06-30'], table)).toBe(0);
    expect(table.out()).toContain('Account A1');
    await expect(backtest.run(['--as-of', '2025-06-30'], io())).rejects.toThrow(UsageError);
    await expect(backtest.run(['--connection', 'hs-1', '--snapshot', 'x.json', '--as-of', '2025-06-30'], io())).rejects.toThrow('--snapshot and --connection both given');
  });
});
