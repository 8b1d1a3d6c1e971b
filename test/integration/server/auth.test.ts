import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/password.ts';
import { ADMIN_PASSWORD, startTest } from './harness.ts';

describe('login', () => {
  it('logs in with the right password and sets a secure, HTTP-only, SameSite session cookie', async () => {
    const h = await startTest();
    const c = h.client();
    const { res: loginPage, text } = await c.page('/login');
    expect(loginPage.status).toBe(200);
    expect(text).toContain('name="_csrf"');
    const anonymous = c.cookies.get('__Host-kamflow');
    const res = await c.post('/login', { user: 'admin', password: ADMIN_PASSWORD, next: '/connections/c1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/connections/c1');
    const setCookie = res.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/__Host-kamflow=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    // A new session id after login: the pre-login cookie no longer opens anything.
    expect(c.cookies.get('__Host-kamflow')).not.toBe(anonymous);
    const page = await c.get('/connections/c1');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acme &lt;Prod&gt;');
  });

  it('refuses a wrong password or user with 401 and the same message', async () => {
    const h = await startTest();
    const c = h.client();
    await c.page('/login');
    const wrongPassword = await c.post('/login', { user: 'admin', password: 'nope nope nope' });
    expect(wrongPassword.status).toBe(401);
    expect(await wrongPassword.text()).toContain('Wrong user name or password.');
    const wrongUser = await c.post('/login', { user: 'root', password: ADMIN_PASSWORD });
    expect(wrongUser.status).toBe(401);
    expect(await wrongUser.text()).toContain('Wrong user name or password.');
    expect((await c.get('/')).status).toBe(303);
  });

  it('only redirects to same-site paths after login', async () => {
    const h = await startTest();
    const c = h.client();
    await c.page('/login');
    const res = await c.post('/login', { user: 'admin', password: ADMIN_PASSWORD, next: '//evil.example.com/x' });
    expect(res.headers.get('location')).toBe('/');
  });

  it('locks a user out after 5 failures, even with the right password, until the window ends', async () => {
    const h = await startTest();
    const c = h.client();
    await c.page('/login');
    for (let i = 0; i < 5; i++) expect((await c.post('/login', { user: 'admin', password: `wrong-${i}` })).status).toBe(401);
    const locked = await c.post('/login', { user: 'admin', password: ADMIN_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('900');
    expect(await locked.text()).toContain('Too many failed attempts');
    h.clock.advance(15 * 60_000 + 1);
    // The login form's own session has idled out meanwhile, so its token is refused...
    expect((await c.post('/login', { user: 'admin', password: ADMIN_PASSWORD })).status).toBe(403);
    // ...and a fresh form logs in.
    await c.page('/login');
    expect((await c.post('/login', { user: 'admin', password: ADMIN_PASSWORD })).status).toBe(303);
  });

  it('counts parallel attempts before checking passwords, so a burst cannot pass the limit', async () => {
    const h = await startTest();
    const c = h.client();
    await c.page('/login');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => c.post('/login', { user: 'admin', password: `guess-${i}` })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
  });

  it('six failures from six addresses do not stop the right password from a seventh', async () => {
    const h = await startTest({ config: { trustProxy: 1 } });
    const from = (ip: string): Record<string, string> => ({ 'x-forwarded-for': ip });
    for (let i = 1; i <= 6; i++) {
      const c = h.client();
      await c.page('/login');
      const res = await c.request('POST', '/login', { form: { _csrf: c.lastCsrf ?? '', user: 'admin', password: `guess-${i}` }, headers: from(`203.0.113.${i}`) });
      expect(res.status).toBe(401);
    }
    const admin = h.client();
    await admin.page('/login');
    const res = await admin.request('POST', '/login', { form: { _csrf: admin.lastCsrf ?? '', user: 'admin', password: ADMIN_PASSWORD }, headers: from('198.51.100.7') });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  it('counts only failures: many good logins from one address leave its allowance whole', async () => {
    const h = await startTest({ config: { loginLimit: { perIp: 2, perUser: 2, windowMinutes: 15 } } });
    for (let i = 0; i < 6; i++) expect((await h.client().login()).status).toBe(303);
    const c = h.client();
    await c.page('/login');
    expect((await c.post('/login', { user: 'admin', password: 'wrong' })).status).toBe(401);
    expect((await c.post('/login', { user: 'admin', password: ADMIN_PASSWORD })).status).toBe(303);
  });

  it('limits failures per IP across user names', async () => {
    const h = await startTest({ config: { loginLimit: { perIp: 3, perUser: 100, windowMinutes: 15 } } });
    const c = h.client();
    await c.page('/login');
    for (const user of ['a', 'b', 'c']) expect((await c.post('/login', { user, password: 'x' })).status).toBe(401);
    expect((await c.post('/login', { user: 'admin', password: ADMIN_PASSWORD })).status).toBe(429);
  });

  it('refuses a login post without a CSRF token or with a wrong one', async () => {
    const h = await startTest();
    const c = h.client();
    await c.page('/login');
    const missing = await c.request('POST', '/login', { form: { user: 'admin', password: ADMIN_PASSWORD } });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('The form token is missing.');
    const wrong = await c.request('POST', '/login', { form: { _csrf: 'forged', user: 'admin', password: ADMIN_PASSWORD } });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('The form token is wrong or has expired.');
  });

  it('uses the password hash stored by the backend when the environment has none', async () => {
    const h = await startTest({ config: { adminPasswordHash: null } });
    h.backend.adminHash = await hashPassword('another long password', { logN: 10 });
    const c = h.client();
    expect((await c.login('admin', ADMIN_PASSWORD)).status).toBe(401);
    expect((await c.login('admin', 'another long password')).status).toBe(303);
  });

  it('says how to set a password when none exists and setup is off', async () => {
    const h = await startTest({ config: { adminPasswordHash: null } });
    const { res, text } = await h.client().page('/login');
    expect(res.status).toBe(503);
    expect(text).toContain('KAMFLOW_ADMIN_PASSWORD_HASH');
  });

  it('logs out: the old cookie opens nothing afterwards', async () => {
    const h = await startTest();
    const c = h.client();
    await c.login();
    const cookie = c.cookies.get('__Host-kamflow');
    const out = await c.post('/logout');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    const replay = await fetch(`${h.url}/api/connections`, { headers: { cookie: `__Host-kamflow=${cookie}` } });
    expect(replay.status).toBe(401);
  });

  it('ends a session after 30 idle minutes but not while it is used', async () => {
    const h = await startTest();
    const c = h.client();
    await c.login();
    h.clock.advance(29 * 60_000);
    expect((await c.get('/api/connections')).status).toBe(200);
    h.clock.advance(29 * 60_000);
    expect((await c.get('/api/connections')).status).toBe(200);
    h.clock.advance(30 * 60_000 + 1);
    expect((await c.get('/api/connections')).status).toBe(401);
  });

  it('rejects a tampered cookie signature', async () => {
    const h = await startTest();
    const c = h.client();
    await c.login();
    const value = c.cookies.get('__Host-kamflow') ?? '';
    const [id = ''] = value.split('.');
    const res = await fetch(`${h.url}/api/connections`, { headers: { cookie: `__Host-kamflow=${id}.AAAA` } });
    expect(res.status).toBe(401);
  });

  it('uses a plain cookie name without Secure when secure cookies are off', async () => {
    const h = await startTest({ config: { secureCookies: false } });
    const c = h.client();
    const res = await c.get('/login');
    const setCookie = res.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/^kamflow_session=/);
    expect(setCookie).not.toMatch(/Secure/);
  });
});

describe('first-run setup', () => {
  it('stores a password hash through the backend with the setup token, then closes', async () => {
    const h = await startTest({ config: { adminPasswordHash: null, setupToken: 'setup-token-0123456789' } });
    const c = h.client();
    const { text: login } = await c.page('/login');
    expect(login).toContain('href="/setup"');
    const { res } = await c.page('/setup');
    expect(res.status).toBe(200);
    const badToken = await c.post('/setup', { setupToken: 'wrong-token-xxxxxxxx', password: 'a fine long password', confirm: 'a fine long password' });
    expect(badToken.status).toBe(401);
    expect(h.backend.adminHash).toBeNull();
    const short = await c.post('/setup', { setupToken: 'setup-token-0123456789', password: 'short', confirm: 'short' });
    expect(short.status).toBe(422);
    expect(await short.text()).toContain('at least 12 characters');
    const differ = await c.post('/setup', { setupToken: 'setup-token-0123456789', password: 'a fine long password', confirm: 'another long password' });
    expect(differ.status).toBe(422);
    const ok = await c.post('/setup', { setupToken: 'setup-token-0123456789', password: 'a fine long password', confirm: 'a fine long password' });
    expect(ok.status).toBe(303);
    expect(h.backend.adminHash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect((await c.get('/setup')).status).toBe(404);
    expect((await c.login('admin', 'a fine long password')).status).toBe(303);
  });

  it('is closed when a password hash exists', async () => {
    const h = await startTest({ config: { setupToken: 'setup-token-0123456789' } });
    expect((await h.client().get('/setup')).status).toBe(404);
  });

  it('does not claim setup is done when no password exists and no setup token is set', async () => {
    const h = await startTest({ config: { adminPasswordHash: null, setupToken: null } });
    const { res, text } = await h.client().page('/setup');
    expect(res.status).toBe(503);
    expect(text).not.toContain('Setup is done');
    expect(text).toContain('No admin password is set yet');
    expect(text).toContain('KAMFLOW_SETUP_TOKEN is not set');
  });

  it('shows the user name the password is chosen for', async () => {
    const h = await startTest({ config: { adminPasswordHash: null, setupToken: 'setup-token-0123456789', adminUser: 'revops<lead>' } });
    const { text } = await h.client().page('/setup');
    expect(text).toContain('<strong class="setup-user">revops&lt;lead&gt;</strong>');
    expect(text).toContain('value="revops&lt;lead&gt;" readonly');
  });
});

describe('access without a session', () => {
  const pages = ['/', '/connections/c1', '/connections/c1/config', '/connections/c1/runs/r1', '/connections/c1/families/a1', '/connect/salesforce', '/connect/hubspot'];
  it.each(pages)('GET %s redirects to the login page', async (path) => {
    const h = await startTest();
    const res = await h.client().get(path);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
  });

  const api: [string, string][] = [
    ['GET', '/api/connections'], ['GET', '/api/connections/c1'], ['GET', '/api/connections/c1/config'],
    ['POST', '/api/connections/c1/config/preview'], ['PUT', '/api/connections/c1/config'], ['GET', '/api/connections/c1/runs'],
    ['POST', '/api/connections/c1/runs'], ['GET', '/api/connections/c1/runs/r1'], ['GET', '/api/connections/c1/families'],
    ['GET', '/api/connections/c1/families/a1'], ['GET', '/api/session'], ['GET', '/api/nothing-here'],
  ];
  it.each(api)('%s %s answers 401 JSON', async (method, path) => {
    const h = await startTest();
    const res = await h.client().request(method, path, method === 'GET' ? {} : { json: { kind: 'sync' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthenticated', message: 'Log in to use the console API.' });
  });

  it('POSTs to the console without a session change nothing', async () => {
    const h = await startTest();
    const res = await h.client().request('POST', '/connections/c1/runs', { form: { kind: 'sync' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(h.backend.started).toEqual([]);
  });
});

describe('security headers', () => {
  it('sends helmet headers and a strict content security policy', async () => {
    const h = await startTest();
    const res = await h.client().get('/login');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' https:");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
