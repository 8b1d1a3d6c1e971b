import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenRefresher, buildAuthorizeUrl, exchangeCode, pkceChallenge } from '../../../connectors/salesforce/auth.ts';
import { SalesforceClient } from '../../../connectors/salesforce/client.ts';
import { CrmError } from '../../../src/contract/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import type { TokenSet } from '../../../src/contract/connector.ts';
import { INSTANCE, LOGIN, V, limitHeader, makeConnector, queryMatching, setupNock, teardownNock, userInfoXml } from './helpers.ts';

beforeEach(setupNock);
afterEach(teardownNock);

const tokenReply = (access: string, refresh?: string) => ({
  access_token: access,
  ...(refresh ? { refresh_token: refresh } : {}),
  instance_url: INSTANCE,
  id: `${LOGIN}/id/00Dxx0000000001/005xx0000000001`,
  token_type: 'Bearer',
  issued_at: '1782820800000',
  signature: 'sig',
  scope: 'api refresh_token',
});

const invalidSession = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];

describe('PKCE web-server flow', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('builds the authorize URL on the configured login host with state and code_challenge', () => {
    const url = new URL(buildAuthorizeUrl({ loginUrl: LOGIN, clientId: 'cid', redirectUri: 'https://app.test/cb' }, { state: 'st-1', codeChallenge: 'ch-1' }));
    expect(`${url.origin}${url.pathname}`).toBe(`${LOGIN}/services/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'https://app.test/cb',
      state: 'st-1',
      code_challenge: 'ch-1',
      scope: 'api refresh_token',
    });
  });

  it('exchanges the code with its verifier and returns the tokens with the instance URL', async () => {
    let form: Record<string, string> = {};
    nock(LOGIN)
      .post('/services/oauth2/token', (body: Record<string, string>) => {
        form = body;
        return true;
      })
      .reply(200, tokenReply('acc-1', 'ref-1'));
    const tokens = await exchangeCode({ loginUrl: LOGIN, clientId: 'cid', clientSecret: 'shh', redirectUri: 'https://app.test/cb' }, 'code-1', 'verifier-1');
    expect(tokens).toEqual({ identityUrl: 'https://login.salesforce.test/id/00Dxx0000000001/005xx0000000001', accessToken: 'acc-1', refreshToken: 'ref-1', instanceUrl: INSTANCE });
    expect(form).toMatchObject({ grant_type: 'authorization_code', code: 'code-1', code_verifier: 'verifier-1', client_id: 'cid', redirect_uri: 'https://app.test/cb' });
  });

  it('reports a refused code as an auth error without the client secret', async () => {
    nock(LOGIN).post('/services/oauth2/token').reply(400, { error: 'invalid_grant', error_description: 'authentication failure' });
    const err = await exchangeCode({ loginUrl: LOGIN, clientId: 'cid', clientSecret: 'top-secret', redirectUri: 'https://app.test/cb' }, 'bad', 'v').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).kind).toBe('auth');
    expect((err as CrmError).message).toContain('invalid_grant');
    expect((err as CrmError).message).not.toContain('top-secret');
  });
});

describe('session refresh', () => {
  it('refreshes once on a 401, retries the call, and hands the new token to onTokens', async () => {
    const onTokens = vi.fn<(t: TokenSet) => void>();
    nock(INSTANCE)
      .get(`${V}/query`)
      .matchHeader('authorization', 'Bearer old')
      .query(queryMatching(/FROM CurrencyType/))
      .reply(401, invalidSession)
      .get(`${V}/query`)
      .matchHeader('authorization', 'Bearer new')
      .query(queryMatching(/FROM CurrencyType/))
      .reply(400, [{ message: 'not supported', errorCode: 'INVALID_TYPE' }], limitHeader(1))
      // The SOAP envelope carries the refreshed session.
      .post('/services/Soap/u/62.0', (body: string) => body.includes('<sessionId>new</sessionId>'))
      .reply(200, userInfoXml('GBP'), { 'Content-Type': 'text/xml;charset=UTF-8' });
    nock(LOGIN)
      .post('/services/oauth2/token', { grant_type: 'refresh_token', refresh_token: 'r1', client_id: 'cid', client_secret: 'sec' })
      .reply(200, tokenReply('new'));

    const sf = makeConnector({ accessToken: 'old', refreshToken: 'r1', clientId: 'cid', clientSecret: 'sec', loginUrl: LOGIN, onTokens });
    expect(await sf.currency()).toBe('GBP');
    expect(onTokens).toHaveBeenCalledTimes(1);
    expect(onTokens).toHaveBeenCalledWith({ accessToken: 'new', refreshToken: 'r1', instanceUrl: INSTANCE });
    expect(sf.usage()).toEqual({ query: 2, getUserInfo: 1, tokenRefresh: 1 });
  });

  it('runs one refresh for concurrent calls that hit an expired session together', async () => {
    nock(INSTANCE)
      .get(`${V}/limits`)
      .times(2)
      .matchHeader('authorization', 'Bearer old')
      .reply(401, invalidSession)
      .get(`${V}/limits`)
      .times(2)
      .matchHeader('authorization', 'Bearer new')
      .reply(200, { DailyApiRequests: { Max: 15000, Remaining: 14000 } }, limitHeader(1000));
    nock(LOGIN).post('/services/oauth2/token').once().reply(200, tokenReply('new', 'r2'));
    const onTokens = vi.fn();
    const refresher = new TokenRefresher({ loginUrl: LOGIN, clientId: 'cid' }, 'r1', onTokens, silentLogger);
    const client = new SalesforceClient({
      instanceUrl: INSTANCE,
      accessToken: 'old',
      apiVersion: '62.0',
      apiReserve: 0.2,
      retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 },
      refresher,
      logger: silentLogger,
    });
    const [a, b] = await Promise.all([
      client.send('limits', { method: 'GET', path: `${V}/limits` }),
      client.send('limits', { method: 'GET', path: `${V}/limits` }),
    ]);
    expect(a.status).toBe(200);
    expect(b.body).toEqual({ DailyApiRequests: { Max: 15000, Remaining: 14000 } });
    expect(refresher.count).toBe(1);
    expect(client.usage()).toEqual({ limits: 4, tokenRefresh: 1 });
    expect(onTokens).toHaveBeenCalledWith({ accessToken: 'new', refreshToken: 'r2', instanceUrl: INSTANCE });
  });

  it('starts from a refresh token alone, learning the instance URL from the token answer', async () => {
    nock(LOGIN).post('/services/oauth2/token').reply(200, tokenReply('fresh'));
    nock(INSTANCE)
      .get(`${V}/query`)
      .matchHeader('authorization', 'Bearer fresh')
      .query(queryMatching(/FROM CurrencyType/))
      .reply(200, { totalSize: 1, done: true, records: [{ IsoCode: 'CHF', ConversionRate: 1, IsCorporate: true }] }, limitHeader(1))
      .get(`${V}/query`)
      .matchHeader('authorization', 'Bearer fresh')
      .query(queryMatching(/FROM DatedConversionRate/))
      .reply(200, { totalSize: 0, done: true, records: [] }, limitHeader(2));
    const sf = makeConnector({ instanceUrl: undefined, accessToken: undefined, refreshToken: 'r1', clientId: 'cid', loginUrl: LOGIN });
    expect(await sf.currency()).toBe('CHF');
  });

  it('gives up with an auth error when the refreshed session is refused too', async () => {
    nock(INSTANCE).get(`${V}/query`).query(true).times(2).reply(401, invalidSession);
    nock(LOGIN).post('/services/oauth2/token').reply(200, tokenReply('new'));
    const sf = makeConnector({ accessToken: 'old', refreshToken: 'r1', clientId: 'cid', loginUrl: LOGIN });
    const err = await sf.currency().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).kind).toBe('auth');
  });

  it('reports an expired session as an auth error when there is no refresh token', async () => {
    nock(INSTANCE).get(`${V}/query`).query(true).reply(401, invalidSession);
    const err = await makeConnector().currency().catch((e: unknown) => e);
    expect((err as CrmError).kind).toBe('auth');
    expect((err as CrmError).message).not.toContain('tok-1');
  });
});
