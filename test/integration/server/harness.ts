import { afterEach } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import type { ServerConfig } from '../../../src/server/config.ts';
import { hashPassword } from '../../../src/server/password.ts';
import { startServer, type RunningServer } from '../../../src/server/start.ts';
import { FakeBackend } from './fake-backend.ts';

export const ADMIN_PASSWORD = 'correct horse battery';
let adminHash: Promise<string> | null = null;
/** Low scrypt cost (2^10) keeps the tests quick; the format is the same. */
export function testAdminHash(): Promise<string> {
  adminHash ??= hashPassword(ADMIN_PASSWORD, { logN: 10 });
  return adminHash;
}

export { WEBHOOK_SECRET } from './fake-backend.ts';

export async function testConfig(overrides: Partial<ServerConfig> = {}): Promise<ServerConfig> {
  return {
    host: '127.0.0.1',
    port: 0,
    publicUrl: 'https://kamflow.example.com',
    secureCookies: true,
    sessionSecret: 'x'.repeat(40),
    sessionIdleMinutes: 30,
    sessionMaxHours: 12,
    adminUser: 'admin',
    adminPasswordHash: await testAdminHash(),
    setupToken: null,
    trustProxy: 0,
    loginLimit: { perIp: 20, perUser: 5, windowMinutes: 15 },
    extraFormActionOrigins: [],
    ...overrides,
  };
}

/** A clock tests move by hand. */
export class TestClock {
  constructor(public ms = Date.parse('2026-06-30T12:00:00Z')) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

export interface Harness {
  url: string;
  backend: FakeBackend;
  clock: TestClock;
  client(): TestClient;
}

export async function startTest(opts: { config?: Partial<ServerConfig>; backend?: FakeBackend; clock?: TestClock } = {}): Promise<Harness> {
  const backend = opts.backend ?? new FakeBackend();
  const clock = opts.clock ?? new TestClock();
  backend.now = clock.now;
  const server = await startServer({ backend, config: await testConfig(opts.config), logger: silentLogger, now: clock.now }, { host: '127.0.0.1', port: 0 });
  running.push(server);
  return { url: server.url, backend, clock, client: () => new TestClient(server.url) };
}

export interface RequestOptions {
  form?: Record<string, string>;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

/** fetch with a cookie jar and no redirect following, so each hop can be checked. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  lastCsrf: string | null = null;

  constructor(readonly base: string) {}

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size > 0) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined = opts.body;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('GET', path, { headers });
  }

  /** GETs a page and remembers the CSRF token of its forms. */
  async page(path: string): Promise<{ res: Response; text: string }> {
    const res = await this.get(path);
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m?.[1]) this.lastCsrf = m[1];
    return { res, text };
  }

  /** Posts a form with the remembered CSRF token. */
  post(path: string, form: Record<string, string> = {}): Promise<Response> {
    return this.request('POST', path, { form: { _csrf: this.lastCsrf ?? '', ...form } });
  }

  async login(user = 'admin', password = ADMIN_PASSWORD): Promise<Response> {
    await this.page('/login');
    const res = await this.post('/login', { user, password });
    if (res.status === 303 && res.headers.get('location') === '/') await this.page('/');
    return res;
  }
}
