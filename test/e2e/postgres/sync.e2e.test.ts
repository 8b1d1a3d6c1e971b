import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkConnectorOptions, createConnector, sourceProfile } from '../../../connectors/registry.ts';
import type { CliIo } from '../../../src/cli/command.ts';
import { connectCommand } from '../../../src/cli/commands/connect.ts';
import { provisionCommand } from '../../../src/cli/commands/provision.ts';
import { rollbackCommand } from '../../../src/cli/commands/rollback.ts';
import { runsCommand } from '../../../src/cli/commands/runs.ts';
import { syncCommand } from '../../../src/cli/commands/sync.ts';
import { runDemo } from '../../../src/demo/run.ts';
import { silentLogger } from '../../../src/log.ts';
import { MIN_ACCOUNTS, PLANTED } from '../../../src/sandbox/generate.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import type { SyncCommandDeps } from '../../../src/cli/sync-support.ts';
import { createTestDatabase, postgresSkipReason, postgresUrl, type TestDatabase } from '../../support/postgres.ts';
import { AS_OF, kamOf, sampleOrg } from '../salesforce/harness.ts';

/** The product end to end on the PostgreSQL store: the commands a user types, and the demo. */

const deps: SyncCommandDeps = {
  openStore: (env) => openStoreFromEnv(env),
  connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens),
  profileOf: sourceProfile,
  analyze: analyzeWithStoredConfig,
  logger: silentLogger,
};
const commands = {
  connect: connectCommand({ openStore: deps.openStore, checkOptions: checkConnectorOptions }),
  provision: provisionCommand(deps),
  sync: syncCommand(deps),
  runs: runsCommand(deps),
  rollback: rollbackCommand(deps),
};

async function kamflow(env: NodeJS.ProcessEnv, name: keyof typeof commands, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: CliIo = { stdout, stderr, env };
  const code = await commands[name].run(argv, io);
  return { code, out, err };
}

describe.skipIf(postgresUrl() === null)(`end to end on PostgreSQL${postgresUrl() === null ? ` (skipped: ${postgresSkipReason()})` : ''}`, () => {
  let db: TestDatabase;
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('connect, provision, sync, sync again, rollback with KAMFLOW_DATABASE_URL; no secret anywhere in the database', async () => {
    sb = await startSandbox({ seed: sampleOrg(60) });
    const env: NodeJS.ProcessEnv = {
      KAMFLOW_DATABASE_URL: db.url,
      // Set, to show the URL wins: nothing may be written there.
      KAMFLOW_DB_PATH: '/nonexistent/kamflow.db',
      KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SALESFORCE_LOGIN_URL: sb.salesforce.loginUrl,
      SALESFORCE_INSTANCE_URL: sb.salesforce.instanceUrl,
      SALESFORCE_CLIENT_ID: sb.salesforce.clientId,
      SALESFORCE_CLIENT_SECRET: sb.salesforce.clientSecret,
      SALESFORCE_REFRESH_TOKEN: sb.salesforce.refreshToken,
    };
    expect(await kamflow(env, 'connect', '--crm', 'salesforce', '--id', 'acme', '--safety-gate', '1')).toMatchObject({ code: 0, err: '' });
    const provision = await kamflow(env, 'provision');
    expect(provision.out).toContain('all fields ready');

    const first = await kamflow(env, 'sync', '--as-of', AS_OF, '--confirm', '--json');
    expect(first.code).toBe(0);
    const firstRun = (JSON.parse(first.out) as { run: { id: string; status: string; mode: string; counts: { written: number; accounts: number } } }).run;
    expect(firstRun).toMatchObject({ status: 'succeeded', counts: { written: 60, accounts: 60 } });
    expect(kamOf(sb, PLANTED.key18)['KAM_Tier__c']).toBe('Key');

    const second = await kamflow(env, 'sync', '--as-of', AS_OF);
    expect(second.code).toBe(0);
    expect(second.out).toContain('written: 0; failed: 0');

    const rollback = await kamflow(env, 'rollback', firstRun.id, '--confirm');
    expect(rollback.code).toBe(0);
    expect(kamOf(sb, PLANTED.key18)['KAM_Tier__c']).toBeNull();

    const runs = await kamflow(env, 'runs', '--json');
    expect((JSON.parse(runs.out) as { kind: string; status: string }[]).map((r) => [r.kind, r.status])).toEqual([
      ['rollback', 'succeeded'], ['sync', 'succeeded'], ['sync', 'succeeded'],
    ]);

    const store = await openStoreFromEnv(env);
    const accessToken = (await store.loadCredentials('acme')).tokens?.accessToken ?? '';
    await store.close();
    expect(accessToken).toMatch(/^00D/);
    const tables = (await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) as { tablename: string }[];
    expect(tables.length).toBeGreaterThan(5);
    for (const { tablename } of tables) {
      const rows = (await db.query(`SELECT t::text AS row FROM "${tablename}" t`)) as { row: string }[];
      for (const secret of [sb.salesforce.clientSecret, sb.salesforce.refreshToken, accessToken]) {
        expect(rows.filter((r) => r.row.includes(secret)).length, `${tablename} holds a secret`).toBe(0);
      }
    }
  }, 120_000);

  it('the demo syncs both CRMs through PostgreSQL and computes what it computes on SQLite', async () => {
    const options = { accounts: MIN_ACCOUNTS, seed: 5, asOf: AS_OF };
    // A database of its own: the demo seals with a key of its own, and a store refuses a second key.
    const own = await createTestDatabase();
    try {
      const onPostgres = await runDemo({ ...options, env: { KAMFLOW_DATABASE_URL: own.url } });
      const onSqlite = await runDemo({ ...options, env: {} });
      for (const result of [onPostgres, onSqlite]) {
        expect(result.crms.map((c) => [c.crm, c.first.result.run.status, c.first.result.run.counts.written, c.second.result.run.counts.written])).toEqual([
          ['salesforce', 'succeeded', MIN_ACCOUNTS, 0],
          ['hubspot', 'succeeded', MIN_ACCOUNTS, 0],
        ]);
      }
      for (const [i, crm] of onPostgres.crms.entries()) {
        expect(crm.snapshot).toEqual(onSqlite.crms[i]?.snapshot);
        expect(crm.analysis).toEqual(onSqlite.crms[i]?.analysis);
      }
      // The demo's connections and runs are in the database.
      const runs = (await own.query("SELECT connection_id, count(*)::int AS n FROM runs WHERE connection_id LIKE 'demo-%' GROUP BY connection_id ORDER BY connection_id")) as { connection_id: string; n: number }[];
      // Each first plan waited for approval and was approved by a run of its own: one run more each.
      expect(runs).toEqual([{ connection_id: 'demo-hubspot', n: 3 }, { connection_id: 'demo-salesforce', n: 3 }, { connection_id: 'demo-spreadsheet', n: 4 }]);
      const waited = (await own.query("SELECT count(*)::int AS n FROM run_plans WHERE connection_id LIKE 'demo-%' AND approved_at IS NOT NULL")) as { n: number }[];
      expect(waited).toEqual([{ n: 3 }]);
      // The workbook part too: three runs (the third checks the same bytes), the same analysis on both stores.
      expect(onPostgres.spreadsheet?.demo.sameBytes).toBe(true);
      expect(onPostgres.spreadsheet?.demo.analysis).toEqual(onSqlite.spreadsheet?.demo.analysis);
    } finally {
      await own.drop();
    }
  }, 180_000);
});
