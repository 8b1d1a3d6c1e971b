import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConnector, sourceProfile, verifyCredentials } from '../../../connectors/registry.ts';
import type { CliIo } from '../../../src/cli/command.ts';
import { connectCommand } from '../../../src/cli/commands/connect.ts';
import { reconnectCommand } from '../../../src/cli/commands/reconnect.ts';
import { syncCommand } from '../../../src/cli/commands/sync.ts';
import type { SyncCommandDeps } from '../../../src/cli/sync-support.ts';
import { silentLogger } from '../../../src/log.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { codeChallengeS256, createCodeVerifier } from '../../../src/server/pkce.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { sampleOrg } from '../salesforce/harness.ts';

/** `kamflow connect` and `kamflow reconnect` as wired in the CLI, against the simulator. */

let sb: Sandbox;
let dir: string;
let env: NodeJS.ProcessEnv;

const deps: SyncCommandDeps = {
  openStore: (e) => openStoreFromEnv(e),
  connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens),
  profileOf: sourceProfile,
  analyze: analyzeWithStoredConfig,
  logger: silentLogger,
};
const verify = (c: Parameters<typeof verifyCredentials>[0], credentials: Parameters<typeof verifyCredentials>[1]) => verifyCredentials(c, credentials);
const commands = {
  connect: connectCommand({ openStore: deps.openStore, verify }),
  reconnect: reconnectCommand({ openStore: deps.openStore, verify }),
  sync: syncCommand(deps),
};

async function kamflow(name: keyof typeof commands, extraEnv: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: CliIo = { stdout, stderr, env: { ...env, ...extraEnv } };
  const code = await commands[name].run(argv, io);
  return { code, out, err };
}

/** A Salesforce access token through the simulator's web-server flow with PKCE, for the scopes asked. */
async function sfTokenWithScopes(scope: string): Promise<Record<string, unknown>> {
  const verifier = createCodeVerifier();
  const redirect = 'http://127.0.0.1:1/callback';
  const url = new URL(`${sb.url}/services/oauth2/authorize`);
  url.search = new URLSearchParams({ response_type: 'code', client_id: sb.salesforce.clientId, redirect_uri: redirect, scope, code_challenge: codeChallengeS256(verifier), state: 's' }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error('no code');
  const token = await fetch(`${sb.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: sb.salesforce.clientId, client_secret: sb.salesforce.clientSecret, redirect_uri: redirect, code_verifier: verifier }),
  });
  return (await token.json()) as Record<string, unknown>;
}

beforeEach(async () => {
  sb = await startSandbox({ seed: sampleOrg(40) });
  dir = mkdtempSync(join(tmpdir(), 'kamflow-connect-'));
  env = { KAMFLOW_DB_PATH: join(dir, 'kamflow.db'), KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
});
afterEach(async () => {
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});

const sfAccess = () => ({ SALESFORCE_INSTANCE_URL: sb.salesforce.instanceUrl, SALESFORCE_ACCESS_TOKEN: sb.salesforce.accessToken, SALESFORCE_LOGIN_URL: sb.salesforce.loginUrl });
const sfRefresh = () => ({
  SALESFORCE_LOGIN_URL: sb.salesforce.loginUrl, SALESFORCE_REFRESH_TOKEN: sb.salesforce.refreshToken,
  SALESFORCE_CLIENT_ID: sb.salesforce.clientId, SALESFORCE_CLIENT_SECRET: sb.salesforce.clientSecret,
});
const org15 = () => sb.salesforce.orgId.slice(0, 15);

describe('kamflow connect: one identity call before anything is stored', () => {
  it('Salesforce: prints the org name and id, stores the org id as the account; refuses a second connection of it', async () => {
    const ok = await kamflow('connect', sfAccess(), '--crm', 'salesforce', '--id', 'acme');
    expect(ok).toMatchObject({ code: 0, err: '' });
    expect(ok.out).toContain(`verified: Kamflow Sandbox (${org15()})`);
    expect(ok.out + ok.err).not.toContain(sb.salesforce.accessToken);
    expect(sb.calls()['salesforce.query']).toBe(1);
    const store = await openStoreFromEnv(env);
    expect(await store.getConnection('acme')).toMatchObject({ accountId: org15(), options: { orgId: org15(), name: 'Kamflow Sandbox' } });
    await store.close();

    // The same org through its refresh token: one org, one connection.
    const again = await kamflow('connect', sfRefresh(), '--crm', 'salesforce', '--id', 'acme-2');
    expect(again.code).toBe(1);
    expect(again.err).toContain(`is already connected as acme`);
    expect(again.err).toContain('kamflow reconnect --connection acme');
  });

  it('Salesforce: a bad token, a wrong URL and a token without the api scope each exit 1 naming the problem, storing nothing', async () => {
    const bad = await kamflow('connect', { ...sfAccess(), SALESFORCE_ACCESS_TOKEN: '00Dbogus!token' }, '--crm', 'salesforce');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^kamflow connect: bad credentials: Salesforce refused the access token .*INVALID_SESSION_ID/);
    expect(bad.err).not.toContain('00Dbogus!token');

    const badRefresh = await kamflow('connect', { ...sfRefresh(), SALESFORCE_REFRESH_TOKEN: 'not-a-refresh-token' }, '--crm', 'salesforce');
    expect(badRefresh.code).toBe(1);
    expect(badRefresh.err).toMatch(/bad credentials: Salesforce refused the refresh token or the app's client id and secret/);

    const nowhere = await kamflow('connect', { ...sfAccess(), SALESFORCE_INSTANCE_URL: 'http://127.0.0.1:9' }, '--crm', 'salesforce');
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toMatch(/wrong URL or unreachable: Salesforce did not answer at http:\/\/127\.0\.0\.1:9/);

    const narrow = await sfTokenWithScopes('refresh_token');
    expect(narrow['scope']).toBe('refresh_token');
    const scope = await kamflow('connect', { ...sfAccess(), SALESFORCE_ACCESS_TOKEN: String(narrow['access_token']) }, '--crm', 'salesforce');
    expect(scope.code).toBe(1);
    expect(scope.err).toMatch(/missing scope: .*"api"/);

    const store = await openStoreFromEnv(env);
    expect(await store.listConnections()).toEqual([]);
    await store.close();
  });

  it('--no-verify stores credentials untried', async () => {
    const r = await kamflow('connect', { ...sfAccess(), SALESFORCE_ACCESS_TOKEN: 'untried' }, '--crm', 'salesforce', '--no-verify', '--id', 'later');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('verified:');
    expect(sb.calls()['salesforce.query'] ?? 0).toBe(0);
  });

  it('HubSpot: a private-app token (account details) and an OAuth refresh token with the app (token information, scopes checked)', async () => {
    const hsEnv = { HUBSPOT_BASE_URL: sb.hubspot.baseUrl };
    const pat = await kamflow('connect', { ...hsEnv, HUBSPOT_TOKEN: sb.hubspot.privateAppToken }, '--crm', 'hubspot', '--id', 'hs');
    expect(pat).toMatchObject({ code: 0, err: '' });
    expect(pat.out).toContain('verified: app.hubspot.com (24681357)');

    const bad = await kamflow('connect', { ...hsEnv, HUBSPOT_TOKEN: 'pat-na1-bogus' }, '--crm', 'hubspot');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^kamflow connect: bad credentials: HubSpot refused the token/);

    const other = mkdtempSync(join(tmpdir(), 'kamflow-connect-hs-'));
    const before = env;
    env = { ...env, KAMFLOW_DB_PATH: join(other, 'k.db') };
    try {
      const oauth = await kamflow('connect', { ...hsEnv, HUBSPOT_REFRESH_TOKEN: sb.hubspot.refreshToken, HUBSPOT_CLIENT_ID: sb.hubspot.clientId, HUBSPOT_CLIENT_SECRET: sb.hubspot.clientSecret }, '--crm', 'hubspot', '--id', 'hs-oauth');
      expect(oauth).toMatchObject({ code: 0, err: '' });
      expect(oauth.out).toContain('verified: sandbox.hubspot.invalid (24681357)');
      expect(oauth.out).not.toContain(sb.hubspot.clientSecret);
      const store = await openStoreFromEnv(env);
      const creds = await store.loadCredentials('hs-oauth');
      expect(creds.clientSecret).toBe(sb.hubspot.clientSecret);
      expect(creds.tokens?.refreshToken).toBe(sb.hubspot.refreshToken);
      // The refresh during the check gave an access token and its expiry: both kept.
      expect(creds.tokens?.accessToken).toMatch(/^CKX/);
      expect(creds.tokens?.expiresAt).toBeGreaterThan(Date.now());
      expect(await store.getConnection('hs-oauth')).toMatchObject({ accountId: '24681357', options: { clientId: sb.hubspot.clientId, portalId: '24681357' } });
      await store.close();

      const noSecret = await kamflow('connect', { ...hsEnv, HUBSPOT_REFRESH_TOKEN: sb.hubspot.refreshToken, HUBSPOT_CLIENT_ID: sb.hubspot.clientId }, '--crm', 'hubspot').catch((e: Error) => e);
      expect(String(noSecret)).toMatch(/--client-secret/);
    } finally {
      env = before;
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('kamflow reconnect: new credentials, same connection', () => {
  it('replaces the token keeping runs and cursors, refuses bad credentials and another org, and never prints secrets', async () => {
    expect((await kamflow('connect', sfAccess(), '--crm', 'salesforce', '--id', 'acme')).code).toBe(0);
    const dry = await kamflow('sync', sfAccess(), '--dry-run');
    expect(dry.code).toBe(0);
    let store = await openStoreFromEnv(env);
    const runsBefore = await store.listRuns({ connectionId: 'acme' });
    const streamsBefore = await store.getStreamStates('acme');
    expect(runsBefore).toHaveLength(1);
    expect(Object.keys(streamsBefore).length).toBeGreaterThan(0);
    await store.close();

    // Rotated to the refresh token of the same org.
    const ok = await kamflow('reconnect', sfRefresh(), '--connection', 'acme');
    expect(ok).toMatchObject({ code: 0, err: '' });
    expect(ok.out).toContain(`verified: Kamflow Sandbox (${org15()})`);
    expect(ok.out).toContain('connection acme: credentials replaced');
    expect(ok.out).not.toContain(sb.salesforce.refreshToken);
    expect(ok.out).not.toContain(sb.salesforce.clientSecret);
    store = await openStoreFromEnv(env);
    const creds = await store.loadCredentials('acme');
    expect(creds).toMatchObject({ tokens: { refreshToken: sb.salesforce.refreshToken }, clientSecret: sb.salesforce.clientSecret });
    expect(await store.listRuns({ connectionId: 'acme' })).toEqual(runsBefore);
    expect(await store.getStreamStates('acme')).toEqual(streamsBefore);
    expect(await store.listConnections()).toHaveLength(1);
    await store.close();

    // A bogus token changes nothing.
    const bad = await kamflow('reconnect', { ...sfAccess(), SALESFORCE_ACCESS_TOKEN: 'expired' }, '--connection', 'acme');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bad credentials/);
    store = await openStoreFromEnv(env);
    expect(await store.loadCredentials('acme')).toEqual(creds);

    // The connection knew another org: these credentials are refused for it.
    await store.updateConnection('acme', { accountId: '00DKf0000000ZZZ', options: { ...(await store.getConnection('acme'))?.options, orgId: '00DKf0000000ZZZ' } });
    await store.close();
    const wrong = await kamflow('reconnect', sfAccess(), '--connection', 'acme');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`another org or portal: these credentials reach Kamflow Sandbox (${org15()}), but connection acme is 00DKf0000000ZZZ; nothing was changed`);
    store = await openStoreFromEnv(env);
    expect(await store.loadCredentials('acme')).toEqual(creds);
    await store.close();

    // The next sync runs on the new credentials.
    expect((await kamflow('sync', {}, '--dry-run', '--connection', 'acme')).code).toBe(0);
  });
});

describe('simulated Salesforce OAuth, as strict as the External Client App it stands for', () => {
  it('refuses an authorize request without a PKCE challenge or with an unknown scope, and a token request without the secret', async () => {
    const redirect = 'http://127.0.0.1:1/callback';
    const ask = async (extra: Record<string, string>) => {
      const url = new URL(`${sb.url}/services/oauth2/authorize`);
      url.search = new URLSearchParams({ response_type: 'code', client_id: sb.salesforce.clientId, redirect_uri: redirect, ...extra }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      return new URL(res.headers.get('location') ?? 'http://x/').searchParams;
    };
    const noPkce = await ask({ scope: 'api refresh_token' });
    expect([noPkce.get('error'), noPkce.get('error_description'), noPkce.get('code')]).toEqual(['invalid_request', 'missing required code challenge', null]);
    const plain = await ask({ code_challenge: 'abc', code_challenge_method: 'plain' });
    expect(plain.get('error')).toBe('invalid_request');
    const unknown = await ask({ code_challenge: 'abc', scope: 'api everything' });
    expect(unknown.get('error')).toBe('invalid_scope');

    const verifier = createCodeVerifier();
    const granted = await ask({ code_challenge: codeChallengeS256(verifier), scope: 'api refresh_token' });
    const code = granted.get('code') ?? '';
    const token = (body: Record<string, string>) => fetch(`${sb.url}/services/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body),
    });
    const base = { grant_type: 'authorization_code', code, client_id: sb.salesforce.clientId, redirect_uri: redirect, code_verifier: verifier };
    const noSecret = await token(base);
    expect(noSecret.status).toBe(400);
    expect(await noSecret.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
    const answer = await token({ ...base, client_secret: sb.salesforce.clientSecret });
    const json = (await answer.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ scope: 'api refresh_token', token_type: 'Bearer', instance_url: sb.url, id: `${sb.url}/id/${sb.salesforce.orgId}/${sb.salesforce.userId}` });
    expect(typeof json['refresh_token']).toBe('string');
    // Without refresh_token among the scopes, no refresh token comes back.
    expect((await sfTokenWithScopes('api'))['refresh_token']).toBeUndefined();
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: String(json['refresh_token']), client_id: sb.salesforce.clientId });
    expect(await refresh.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });
});
