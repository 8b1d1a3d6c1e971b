import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/contract/connector.ts';
import { salesforceFieldName } from '../../../src/sandbox/index.ts';
import { codeChallengeS256, createCodeVerifier } from '../../../src/server/pkce.ts';
import { authorize, HS_REDIRECT, installSalesforce, NEXT_RUN, REDIRECT, startReal } from './real-backend.ts';

afterEach(() => nock.cleanAll());

describe('KamflowBackend install', () => {
  it('builds authorize URLs for each login host, the simulator standing in for production and sandbox', async () => {
    const setup = await startReal();
    const req = { crm: 'salesforce' as const, state: 'st', codeChallenge: 'cc', redirectUri: REDIRECT };
    const sim = await setup.backend.beginInstall({ ...req, params: { loginHost: 'sandbox' } });
    expect(sim.ok && new URL(sim.authorizeUrl).origin).toBe(setup.sandbox.url);
    const mine = await setup.backend.beginInstall({ ...req, params: { loginHost: 'https://acme.my.salesforce.com' } });
    if (!mine.ok) throw new Error('expected ok');
    const url = new URL(mine.authorizeUrl);
    expect(url.origin + url.pathname).toBe('https://acme.my.salesforce.com/services/oauth2/authorize');
    expect(url.searchParams.get('state')).toBe('st');
    expect(url.searchParams.get('code_challenge')).toBe('cc');
    expect(url.searchParams.get('client_id')).toBe(setup.sandbox.salesforce.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
  });

  it('uses the real login hosts without the simulator, and says which variables are missing', async () => {
    const setup = await startReal({ settings: { simulatorUrl: null, apps: { salesforce: { clientId: 'cid', clientSecret: 'secret' } } } });
    const req = { state: 'st', codeChallenge: 'cc', redirectUri: REDIRECT };
    const prod = await setup.backend.beginInstall({ ...req, crm: 'salesforce', params: { loginHost: 'production' } });
    expect(prod.ok && new URL(prod.authorizeUrl).origin).toBe('https://login.salesforce.com');
    const sandbox = await setup.backend.beginInstall({ ...req, crm: 'salesforce', params: { loginHost: 'sandbox' } });
    expect(sandbox.ok && new URL(sandbox.authorizeUrl).origin).toBe('https://test.salesforce.com');
    const hs = await setup.backend.beginInstall({ ...req, crm: 'hubspot', params: {} });
    expect(hs).toEqual({ ok: false, reason: 'unavailable', message: expect.stringContaining('HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET') });
  });

  it('installs Salesforce: tokens sealed, fields provisioned, schedule set, first sync run', async () => {
    const setup = await startReal();
    const id = await installSalesforce(setup, { approve: false });
    const stored = await setup.store.getConnection(id);
    expect(stored).toMatchObject({ crm: 'salesforce', baseUrl: setup.sandbox.url, schedule: '0 2 * * *', hasTokens: true });
    expect(stored?.options['clientSecret']).toBeUndefined();
    const creds = await setup.store.loadCredentials(id);
    expect(creds.clientSecret).toBe(setup.sandbox.salesforce.clientSecret);
    const row = setup.store.db.prepare('SELECT tokens_sealed FROM connections WHERE id = ?').get(id) as { tokens_sealed: string };
    expect(row.tokens_sealed).not.toContain(creds.tokens?.accessToken ?? 'missing');
    expect(row.tokens_sealed).not.toContain(setup.sandbox.salesforce.clientSecret);
    expect(setup.tasks.created).toEqual([{ expression: '0 2 * * *', timezone: 'UTC', stopped: false }]);

    // The first sync planned and waits for approval: nothing written, the connection not failing.
    const waiting = await setup.backend.getConnection(id);
    expect(waiting).toMatchObject({ status: 'awaiting-approval', awaitingConfirmation: true });
    const [planned] = await setup.backend.listRuns(id, 10);
    expect(planned).toMatchObject({ trigger: 'console', kind: 'sync', status: 'awaiting-approval', written: 0, error: null });
    expect(setup.sandbox.sf.query(`SELECT Id, ${salesforceFieldName('kam_tier')} FROM Account`).every((r) => r[salesforceFieldName('kam_tier')] === null)).toBe(true);
    const approved = await setup.backend.startRun(id, { kind: 'approve', planRunId: planned?.id ?? '' });
    expect(approved.ok).toBe(true);
    await setup.backend.runs.idle();
    const health = await setup.backend.getConnection(id);
    expect(health).toMatchObject({ status: 'ok', name: new URL(setup.sandbox.url).hostname, nextRun: NEXT_RUN.toISOString() });
    expect(health?.lastRun).toMatchObject({ kind: 'sync', status: 'succeeded' });
    expect(health?.apiUsage?.used).toBeGreaterThan(0);
    const runs = await setup.backend.listRuns(id, 10);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ trigger: 'console', kind: 'sync', status: 'succeeded', failed: 0 });
    expect(runs[0]?.written).toBe(70);
    // The sandbox now holds Kamflow's values on its accounts.
    const tiers = setup.sandbox.sf.query(`SELECT Id, ${salesforceFieldName('kam_tier')} FROM Account`);
    expect(tiers.every((r) => typeof r[salesforceFieldName('kam_tier')] === 'string')).toBe(true);
  });

  it('stores nothing when the code was already used', async () => {
    const setup = await startReal();
    const verifier = createCodeVerifier();
    const begun = await setup.backend.beginInstall({ crm: 'salesforce', params: { loginHost: 'production' }, state: 's', codeChallenge: codeChallengeS256(verifier), redirectUri: REDIRECT });
    if (!begun.ok) throw new Error('expected ok');
    const { code } = await authorize(begun.authorizeUrl);
    const request = { crm: 'salesforce' as const, params: { loginHost: 'production' }, code, codeVerifier: verifier, redirectUri: REDIRECT };
    expect((await setup.backend.completeInstall(request)).ok).toBe(true);
    await setup.backend.runs.idle();
    const again = await setup.backend.completeInstall(request);
    expect(again).toMatchObject({ ok: false, reason: 'expired-code' });
    expect(await setup.store.listConnections()).toHaveLength(1);
  });

  it('stores nothing when the PKCE verifier does not match', async () => {
    const setup = await startReal();
    const begun = await setup.backend.beginInstall({ crm: 'salesforce', params: { loginHost: 'production' }, state: 's', codeChallenge: codeChallengeS256(createCodeVerifier()), redirectUri: REDIRECT });
    if (!begun.ok) throw new Error('expected ok');
    const { code } = await authorize(begun.authorizeUrl);
    const result = await setup.backend.completeInstall({ crm: 'salesforce', params: { loginHost: 'production' }, code, codeVerifier: createCodeVerifier(), redirectUri: REDIRECT });
    expect(result).toMatchObject({ ok: false, reason: 'expired-code' });
    expect(await setup.store.listConnections()).toEqual([]);
  });

  it('undoes the install when a field cannot be created', async () => {
    const setup = await startReal({
      wrapFactory: (f) => (c, creds, onTokens): Connector => {
        const real = f(c, creds, onTokens);
        return {
          ...real, kind: real.kind, currency: () => real.currency(), pull: (o) => real.pull(o), push: (p) => real.push(p), usage: () => real.usage(),
          provision: async () => ({ fields: [{ key: 'kam_tier', crmName: 'KAM_Tier__c', status: 'failed', message: 'LIMIT_EXCEEDED: too many custom fields' }], steps: [] }),
        };
      },
    });
    await expect(installSalesforce(setup)).rejects.toThrow(/provisioning: 1 field\(s\) or step\(s\) failed: KAM_Tier__c: failed \(LIMIT_EXCEEDED/);
    expect(await setup.store.listConnections()).toEqual([]);
    expect(setup.tasks.created).toEqual([]);
    expect(await setup.store.listRuns({})).toEqual([]);
  });

  it('says the app credentials are wrong when the CRM refuses the client secret', async () => {
    const setup = await startReal({ settings: { apps: { salesforce: { clientId: 'wrong-id', clientSecret: 'wrong-secret' } } } });
    const result = await setup.backend.completeInstall({ crm: 'salesforce', params: { loginHost: 'production' }, code: 'x', codeVerifier: createCodeVerifier(), redirectUri: REDIRECT });
    expect(result).toMatchObject({ ok: false, reason: 'not-authorized', message: expect.stringContaining('client id and secret') });
    expect(JSON.stringify(result)).not.toContain('wrong-secret');
    expect(await setup.store.listConnections()).toEqual([]);
  });

  it('reports an unreachable CRM as unavailable and stores nothing', async () => {
    const setup = await startReal();
    const verifier = createCodeVerifier();
    await setup.sandbox.close();
    const result = await setup.backend.completeInstall({ crm: 'salesforce', params: { loginHost: 'production' }, code: 'x', codeVerifier: verifier, redirectUri: REDIRECT });
    expect(result).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(await setup.store.listConnections()).toEqual([]);
  });

  it('reinstalling the same org refreshes its tokens instead of adding a connection', async () => {
    const setup = await startReal();
    const first = await installSalesforce(setup);
    const before = await setup.store.loadCredentials(first);
    const second = await installSalesforce(setup);
    expect(second).toBe(first);
    expect(await setup.store.listConnections()).toHaveLength(1);
    expect((await setup.store.loadCredentials(first)).tokens?.accessToken).not.toBe(before.tokens?.accessToken);
    // No second first sync for a reinstall: only the first install's plan and its approved write.
    expect((await setup.store.listRuns({ connectionId: first })).map((r) => r.status)).toEqual(['succeeded', 'awaiting-approval']);
  });

  it('two installs of the same org at once give one connection, keyed by the org id; the second says it reconnected', async () => {
    const setup = await startReal({ settings: { firstSync: 'scheduled' } });
    const begin = async (state: string) => {
      const verifier = createCodeVerifier();
      const begun = await setup.backend.beginInstall({ crm: 'salesforce', params: { loginHost: 'production' }, state, codeChallenge: codeChallengeS256(verifier), redirectUri: REDIRECT });
      if (!begun.ok) throw new Error(begun.message);
      const { code } = await authorize(begun.authorizeUrl);
      return { code, verifier };
    };
    const [a, b] = await Promise.all([begin('s1'), begin('s2')]);
    const complete = (x: { code: string; verifier: string }) =>
      setup.backend.completeInstall({ crm: 'salesforce', params: { loginHost: 'production' }, code: x.code, codeVerifier: x.verifier, redirectUri: REDIRECT });
    const results = await Promise.all([complete(a), complete(b)]);
    const ok = results.map((r) => (r.ok ? r : null));
    expect(results.map((r) => (r.ok ? 'ok' : r.message))).toEqual(['ok', 'ok']);
    expect(ok[0]?.connectionId).toBe(ok[1]?.connectionId);
    expect(ok.filter((r) => r?.reconnected === true)).toHaveLength(1);
    const all = await setup.store.listConnections();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ accountId: setup.sandbox.salesforce.orgId.slice(0, 15), options: { orgId: setup.sandbox.salesforce.orgId.slice(0, 15) } });
  });

  it('installs HubSpot with its portal id, and refuses a token without the needed scopes', async () => {
    const setup = await startReal({ settings: { firstSync: 'scheduled' } });
    const begun = await setup.backend.beginInstall({ crm: 'hubspot', params: {}, state: 'h', codeChallenge: 'unused', redirectUri: HS_REDIRECT });
    if (!begun.ok) throw new Error('expected ok');
    const url = new URL(begun.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${setup.sandbox.url}/oauth/authorize`);
    expect(url.searchParams.get('scope')).toContain('crm.objects.companies.write');
    const { code } = await authorize(begun.authorizeUrl);
    const done = await setup.backend.completeInstall({ crm: 'hubspot', params: {}, code, codeVerifier: 'v', redirectUri: HS_REDIRECT });
    if (!done.ok) throw new Error(done.message);
    const stored = await setup.store.getConnection(done.connectionId);
    expect(stored?.options['portalId']).toBe('24681357');
    expect(stored?.baseUrl).toBe(setup.sandbox.url);
    expect(await setup.store.listRuns({})).toEqual([]);
    expect((await setup.backend.getConnection(done.connectionId))?.status).toBe('never-run');

    const narrow = await startReal();
    // A portal that granted fewer scopes than asked: its token information says so.
    nock(narrow.sandbox.url, { allowUnmocked: true }).get(/^\/oauth\/v1\/access-tokens\//).reply(200, { hub_id: 1, scopes: ['oauth', 'crm.objects.companies.read'] });
    const b2 = await narrow.backend.beginInstall({ crm: 'hubspot', params: {}, state: 'h', codeChallenge: 'x', redirectUri: HS_REDIRECT });
    if (!b2.ok) throw new Error('expected ok');
    const c2 = await authorize(b2.authorizeUrl);
    const refused = await narrow.backend.completeInstall({ crm: 'hubspot', params: {}, code: c2.code, codeVerifier: 'v', redirectUri: HS_REDIRECT });
    expect(refused).toEqual({ ok: false, reason: 'missing-scope', message: 'The portal did not grant: crm.objects.companies.write, crm.objects.contacts.read, crm.objects.deals.read, crm.schemas.companies.write.' });
    expect(await narrow.store.listConnections()).toEqual([]);
  });
});
