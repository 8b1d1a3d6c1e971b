import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenManager } from '../../../connectors/hubspot/auth.ts';
import { exchangeCode } from '../../../connectors/hubspot/index.ts';
import { CrmError } from '../../../src/contract/errors.ts';
import type { TokenSet } from '../../../src/contract/connector.ts';
import { BASE, api, collect, connector, obj, setupNock, teardownNock } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

const NOW = Date.parse('2026-06-30T12:00:00Z');
const oauth = (expiresAt: number) => ({
  kind: 'oauth' as const, accessToken: 'at-1', refreshToken: 'rt-1', expiresAt, clientId: 'client-1', clientSecret: 'secret-1',
});
const tokenReply = { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 1800, token_type: 'bearer' };
const products = { results: [obj('301', { name: 'Widget' })] };

describe('OAuth tokens', () => {
  it('refreshes ahead of expiry, hands the new tokens over, and calls with the new token', async () => {
    let form = new URLSearchParams();
    api().post('/oauth/v1/token').reply((_u, body) => {
      form = new URLSearchParams(String(body));
      return [200, tokenReply];
    });
    api().get('/crm/v3/objects/products').query(true).matchHeader('authorization', 'Bearer at-2').reply(200, products);
    const seen: TokenSet[] = [];
    // Two minutes left: inside the five-minute margin.
    const c = connector({ auth: oauth(NOW + 120_000) }, { now: () => NOW, onTokens: (t) => void seen.push(t) });
    await collect(c, { mode: 'full', cursors: {}, objects: ['products'] });
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'refresh_token', client_id: 'client-1', client_secret: 'secret-1', refresh_token: 'rt-1' });
    expect(seen).toEqual([{ accessToken: 'at-2', refreshToken: 'rt-2', expiresAt: NOW + 1_800_000 }]);
    expect(c.usage()).toEqual({ oauthRefresh: 1, list: 1 });
  });

  it('does not refresh a token far from expiry', async () => {
    api().get('/crm/v3/objects/products').query(true).matchHeader('authorization', 'Bearer at-1').reply(200, products);
    const c = connector({ auth: oauth(NOW + 20 * 60_000) }, { now: () => NOW });
    await collect(c, { mode: 'full', cursors: {}, objects: ['products'] });
    expect(c.usage()).toEqual({ list: 1 });
  });

  it('runs one refresh at a time however many calls ask', async () => {
    api().post('/oauth/v1/token').delay(20).reply(200, tokenReply);
    const counts: string[] = [];
    const m = new TokenManager(oauth(NOW), { basePath: BASE, refreshAheadMs: 300_000, now: () => NOW, count: (k) => void counts.push(k) });
    const tokens = await Promise.all([m.accessToken(), m.accessToken(), m.refresh()]);
    expect(tokens).toEqual(['at-2', 'at-2', 'at-2']);
    expect(counts).toEqual(['oauthRefresh']);
  });

  it('after a 401 refreshes once and repeats the call', async () => {
    api().get('/crm/v3/objects/products').query(true).matchHeader('authorization', 'Bearer at-1').reply(401, {
      status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION',
    });
    api().post('/oauth/v1/token').reply(200, tokenReply);
    api().get('/crm/v3/objects/products').query(true).matchHeader('authorization', 'Bearer at-2').reply(200, products);
    const c = connector({ auth: oauth(NOW + 20 * 60_000) }, { now: () => NOW });
    const pages = await collect(c, { mode: 'full', cursors: {}, objects: ['products'] });
    expect(pages[0]!.records).toHaveLength(1);
    expect(c.usage()).toEqual({ list: 2, oauthRefresh: 1 });
  });

  it('a refused refresh is an auth error that reveals no secret', async () => {
    api().post('/oauth/v1/token').reply(400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token' });
    const c = connector({ auth: oauth(NOW) }, { now: () => NOW });
    const e = await collect(c, { mode: 'full', cursors: {}, objects: ['products'] }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(CrmError);
    const err = e as CrmError;
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/refused the token refresh/);
    for (const secret of ['secret-1', 'rt-1', 'at-1']) expect(err.message).not.toContain(secret);
  });

  it('a 401 with a private-app token is an auth error, not retried', async () => {
    api().get('/crm/v3/objects/products').query(true).reply(401, { status: 'error', message: 'The OAuth token used to make this call expired.', category: 'EXPIRED_AUTHENTICATION' });
    const c = connector();
    const e = await collect(c, { mode: 'full', cursors: {}, objects: ['products'] }).then(() => null, (x: unknown) => x);
    expect((e as CrmError).kind).toBe('auth');
    expect(c.usage()).toEqual({ list: 1 });
  });

  it('exchanges an install code for tokens', async () => {
    let form = new URLSearchParams();
    api().post('/oauth/v1/token').reply((_u, body) => {
      form = new URLSearchParams(String(body));
      return [200, { access_token: 'at-9', refresh_token: 'rt-9', expires_in: 1800, token_type: 'bearer' }];
    });
    const t = await exchangeCode({ basePath: BASE, clientId: 'client-1', clientSecret: 'secret-1', redirectUri: 'http://127.0.0.1:3000/oauth/callback', code: 'code-1', now: () => NOW });
    expect(t).toEqual({ accessToken: 'at-9', refreshToken: 'rt-9', expiresAt: NOW + 1_800_000 });
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'authorization_code', code: 'code-1', redirect_uri: 'http://127.0.0.1:3000/oauth/callback', client_id: 'client-1', client_secret: 'secret-1',
    });
  });
});
