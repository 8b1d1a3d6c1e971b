import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startTest, type Harness } from './harness.ts';

async function begin(h: Harness, path: string) {
  const c = h.client();
  await c.login();
  const res = await c.get(path);
  const location = res.headers.get('location') ?? '';
  return { c, res, location: new URL(location), state: new URL(location).searchParams.get('state') ?? '' };
}

describe('Salesforce install', () => {
  it('redirects to the production authorize URL with state and an S256 PKCE challenge', async () => {
    const h = await startTest();
    const { res, location, state } = await begin(h, '/connect/salesforce?loginHost=production');
    expect(res.status).toBe(302);
    expect(location.origin).toBe('https://login.salesforce.com');
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [begun] = h.backend.begun;
    expect(begun).toMatchObject({ crm: 'salesforce', params: { loginHost: 'production' }, state, redirectUri: 'https://kamflow.example.com/connect/salesforce/callback' });
    expect(location.searchParams.get('code_challenge')).toBe(begun?.codeChallenge);
  });

  it('passes sandbox and My Domain hosts on, and refuses hosts that are not Salesforce', async () => {
    const h = await startTest();
    const c = h.client();
    await c.login();
    expect((await c.get('/connect/salesforce?loginHost=sandbox')).headers.get('location')).toMatch(/^https:\/\/test\.salesforce\.com\//);
    expect((await c.get('/connect/salesforce?loginHost=https%3A%2F%2Facme.my.salesforce.com')).headers.get('location'))
      .toMatch(/^https:\/\/acme\.my\.salesforce\.com\/services\/oauth2\/authorize\?/);
    expect(h.backend.begunParams.map((p) => p['loginHost'])).toEqual(['sandbox', 'https://acme.my.salesforce.com']);
    for (const bad of ['https://evil.example.com', 'http://acme.my.salesforce.com', 'https://acme.my.salesforce.com.evil.io', 'staging']) {
      const res = await c.get(`/connect/salesforce?loginHost=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('loginHost must be production, sandbox');
    }
    expect(h.backend.begunParams).toHaveLength(2);
  });

  it('completes with the code and the verifier that matches the challenge, once', async () => {
    const h = await startTest();
    const { c, state } = await begin(h, '/connect/salesforce?loginHost=sandbox');
    const done = await c.get(`/connect/salesforce/callback?code=aPrx123&state=${state}`);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/connections/c2');
    const [completed] = h.backend.completed;
    expect(completed).toMatchObject({ crm: 'salesforce', params: { loginHost: 'sandbox' }, code: 'aPrx123', redirectUri: 'https://kamflow.example.com/connect/salesforce/callback' });
    const challenge = createHash('sha256').update(completed?.codeVerifier ?? '').digest('base64url');
    expect(challenge).toBe(h.backend.begun[0]?.codeChallenge);
    const { text } = await c.page('/connections/c1');
    expect(text).toContain('Salesforce connected: New Org. The first sync is scheduled.');

    const replay = await c.get(`/connect/salesforce/callback?code=aPrx123&state=${state}`);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('unknown or reused install link');
    expect(h.backend.completed).toHaveLength(1);
  });

  it('refuses a state from another session, an unknown state, and a missing state', async () => {
    const h = await startTest();
    const { state } = await begin(h, '/connect/salesforce');
    const other = h.client();
    await other.login();
    for (const q of [`code=x&state=${state}`, 'code=x&state=made-up', 'code=x']) {
      const res = await other.get(`/connect/salesforce/callback?${q}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('Start the install again from the connections page, in the same browser.');
    }
    expect(h.backend.completed).toEqual([]);
  });

  it('refuses a state begun for the other CRM', async () => {
    const h = await startTest();
    const { c, state } = await begin(h, '/connect/hubspot');
    const res = await c.get(`/connect/salesforce/callback?code=x&state=${state}`);
    expect(res.status).toBe(400);
    expect(h.backend.completed).toEqual([]);
  });

  it('refuses a state older than 10 minutes', async () => {
    const h = await startTest();
    const { c, state } = await begin(h, '/connect/salesforce');
    h.clock.advance(10 * 60_000 + 1);
    const res = await c.get(`/connect/salesforce/callback?code=x&state=${state}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('the install took too long');
    expect(h.backend.completed).toEqual([]);
  });

  it('explains declined consent and stores nothing', async () => {
    const h = await startTest();
    const { c, state } = await begin(h, '/connect/salesforce');
    const res = await c.get(`/connect/salesforce/callback?error=access_denied&error_description=end-user+denied+authorization&state=${state}`);
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain('access was declined');
    expect(text).toContain('Salesforce said: end-user denied authorization');
    expect(text).toContain('choose Allow');
    expect(text).toContain('Nothing was stored for this attempt.');
    expect(h.backend.completed).toEqual([]);
  });

  it('escapes what the CRM says in its error description', async () => {
    const h = await startTest();
    const { c, state } = await begin(h, '/connect/salesforce');
    const res = await c.get(`/connect/salesforce/callback?error=invalid_request&error_description=${encodeURIComponent('<script>x()</script>')}&state=${state}`);
    const text = await res.text();
    expect(text).toContain('&lt;script&gt;x()&lt;/script&gt;');
    expect(text).not.toContain('<script>');
  });

  it.each([
    ['expired-code', 400, 'the authorization code expired'],
    ['missing-scope', 400, 'approve every requested permission'],
    ['not-authorized', 403, 'Install again as a system administrator'],
    ['provisioning', 502, 'Kamflow&#39;s fields could not be created'],
    ['unavailable', 502, 'the CRM could not be reached'],
  ] as const)('shows what to do when the backend reports %s', async (reason, status, phrase) => {
    const h = await startTest();
    h.backend.completeResult = { ok: false, reason, message: 'details from the backend' };
    const { c, state } = await begin(h, '/connect/salesforce');
    const res = await c.get(`/connect/salesforce/callback?code=x&state=${state}`);
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(text).toContain(phrase);
    expect(text).toContain('Nothing was stored for this attempt.');
  });

  it('shows a generic failure without the exception text when the backend throws', async () => {
    const h = await startTest();
    h.backend.completeThrows = true;
    const { c, state } = await begin(h, '/connect/salesforce');
    const res = await c.get(`/connect/salesforce/callback?code=x&state=${state}`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain('an internal error');
    expect(text).not.toContain('abc123');
  });

  it('tells a callback without a session to log in again', async () => {
    const h = await startTest();
    const { state } = await begin(h, '/connect/salesforce');
    const res = await h.client().get(`/connect/salesforce/callback?code=x&state=${state}`);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('your session ended');
    expect(h.backend.completed).toEqual([]);
  });

  it('answers 404 for a source no module is registered for, and 400 for a path that is no source id', async () => {
    const h = await startTest();
    const c = h.client();
    await c.login();
    const res = await c.get('/connect/pipedrive');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('No source &quot;pipedrive&quot;');
    const bad = await c.get('/connect/Pipe%20Drive');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('params.crm');
  });
});

describe('HubSpot install', () => {
  it('runs the same flow without a login host', async () => {
    const h = await startTest();
    const { c, res, location, state } = await begin(h, '/connect/hubspot');
    expect(res.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.hubspot.com/oauth/authorize');
    expect(h.backend.begun[0]).toMatchObject({ crm: 'hubspot', params: {}, redirectUri: 'https://kamflow.example.com/connect/hubspot/callback' });
    const done = await c.get(`/connect/hubspot/callback?code=hs-code&state=${state}`);
    expect(done.status).toBe(303);
    expect(h.backend.completed[0]).toMatchObject({ crm: 'hubspot', code: 'hs-code', params: {} });
  });

  it('shows the backend message when the install cannot start', async () => {
    const h = await startTest();
    h.backend.beginInstall = async () => ({ ok: false, reason: 'unavailable', message: 'HubSpot client id is not configured.' });
    const c = h.client();
    await c.login();
    const res = await c.get('/connect/hubspot');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('HubSpot client id is not configured.');
  });
});
