import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnector, sourceProfile } from '../../../connectors/registry.ts';
import type { CliIo } from '../../../src/cli/command.ts';
import { connectCommand } from '../../../src/cli/commands/connect.ts';
import { provisionCommand } from '../../../src/cli/commands/provision.ts';
import { rollbackCommand } from '../../../src/cli/commands/rollback.ts';
import { syncCommand } from '../../../src/cli/commands/sync.ts';
import { silentLogger } from '../../../src/log.ts';
import { PLANTED } from '../../../src/sandbox/generate.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import type { SyncCommandDeps } from '../../../src/cli/sync-support.ts';
import { AS_OF, kamOf, sampleOrg } from './harness.ts';

/** The `kamflow` commands a user types, in order, against the simulator. */

const SEED = sampleOrg(60);
let sb: Sandbox | undefined;
let dir: string | undefined;

afterEach(async () => {
  await sb?.close();
  sb = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const deps: SyncCommandDeps = {
  openStore: (env) => openStoreFromEnv(env),
  connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens),
  profileOf: sourceProfile,
  analyze: analyzeWithStoredConfig,
  logger: silentLogger,
};
const commands = {
  connect: connectCommand({ openStore: deps.openStore }),
  provision: provisionCommand(deps),
  sync: syncCommand(deps),
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

describe('Salesforce end to end: the kamflow commands', () => {
  it('connect, provision, sync, sync again, rollback; exit code 3 at the daily limit; no secret in the database file', async () => {
    sb = await startSandbox({ seed: SEED });
    dir = mkdtempSync(join(tmpdir(), 'kamflow-e2e-sf-cli-'));
    const env: NodeJS.ProcessEnv = {
      KAMFLOW_DB_PATH: join(dir, 'kamflow.db'),
      KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SALESFORCE_LOGIN_URL: sb.salesforce.loginUrl,
      SALESFORCE_INSTANCE_URL: sb.salesforce.instanceUrl,
      SALESFORCE_CLIENT_ID: sb.salesforce.clientId,
      SALESFORCE_CLIENT_SECRET: sb.salesforce.clientSecret,
      SALESFORCE_REFRESH_TOKEN: sb.salesforce.refreshToken,
    };

    const connect = await kamflow(env, 'connect', '--crm', 'salesforce', '--id', 'acme', '--safety-gate', '1');
    expect(connect).toMatchObject({ code: 0, err: '' });
    expect(connect.out).toContain('connection acme: salesforce');

    const provision = await kamflow(env, 'provision');
    expect(provision.code).toBe(0);
    expect(provision.out).toContain('all fields ready');
    // Only a refresh token was given: provisioning made the session, and the store keeps it.
    const store = await openStoreFromEnv(env);
    const accessToken = (await store.loadCredentials('acme')).tokens?.accessToken ?? '';
    await store.close();
    expect(accessToken).toMatch(/^00D/);

    // The first sync plans and waits for approval (exit 5); nothing is written until --confirm.
    const planned = await kamflow(env, 'sync', '--as-of', AS_OF);
    expect(planned.code).toBe(5);
    expect(planned.out).toContain('awaiting-approval');
    expect(kamOf(sb, PLANTED.key18)['KAM_Tier__c']).toBeNull();
    const first = await kamflow(env, 'sync', '--confirm', '--json');
    expect(first.code).toBe(0);
    const firstRun = (JSON.parse(first.out) as { run: { id: string; status: string; counts: { written: number }; apiUsage: Record<string, number> } }).run;
    expect(firstRun).toMatchObject({ status: 'succeeded', counts: { written: 60 } });
    expect(firstRun.apiUsage['tokenRefresh']).toBeUndefined();
    expect(kamOf(sb, PLANTED.key18)['KAM_Tier__c']).toBe('Key');

    const second = await kamflow(env, 'sync', '--as-of', AS_OF);
    expect(second.code).toBe(0);
    expect(second.out).toContain('written: 0; failed: 0');

    const preview = await kamflow(env, 'rollback', firstRun.id);
    expect(preview.code).toBe(5);
    expect(kamOf(sb, PLANTED.key18)['KAM_Tier__c']).toBe('Key');
    const rollback = await kamflow(env, 'rollback', firstRun.id, '--confirm');
    expect(rollback.code).toBe(0);
    expect(kamOf(sb, PLANTED.key18)['KAM_Tier__c']).toBeNull();

    sb.setFaults({ salesforce: { dailyLimitAfter: 0 } });
    const limited = await kamflow(env, 'sync', '--as-of', AS_OF);
    expect(limited.code).toBe(3);
    expect(limited.out).toContain('stopped-by-limit');

    for (const name of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, name)).toString('latin1');
      for (const secret of [sb.salesforce.clientSecret, sb.salesforce.refreshToken, accessToken]) expect(bytes.includes(secret)).toBe(false);
    }
  });
});
