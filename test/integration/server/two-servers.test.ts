import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { startServer, type RunningServer } from '../../../src/server/start.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { FakeBackend } from './fake-backend.ts';
import { ADMIN_PASSWORD, TestClient, testConfig } from './harness.ts';

/** Two `serve` processes on one PostgreSQL database, as behind a load balancer. */

let db: TestDatabase;
const stores: PostgresStore[] = [];
const servers: RunningServer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(stores.map((s) => s.close()));
  await db.drop();
});

async function server(): Promise<string> {
  const store = await PostgresStore.open({ url: db.url });
  stores.push(store);
  const running = await startServer({
    backend: new FakeBackend(), logger: silentLogger, state: store,
    config: await testConfig({ trustProxy: 1, loginLimit: { perIp: 3, perUser: 5, windowMinutes: 15 } }),
  }, { host: '127.0.0.1', port: 0 });
  servers.push(running);
  return running.url;
}

/** A client whose requests go to `a` or `b` as the balancer sends them, with one cookie jar. */
class Balanced extends TestClient {
  constructor(private readonly urls: string[], private readonly ip: string) {
    super(urls[0] ?? '');
  }
  via(i: number): this {
    Object.assign(this, { base: this.urls[i] ?? '' });
    return this;
  }
  override request(method: string, path: string, opts: Parameters<TestClient['request']>[2] = {}): Promise<Response> {
    return super.request(method, path, { ...opts, headers: { 'x-forwarded-for': this.ip, ...opts.headers } });
  }
}

describe('two console servers on one PostgreSQL database', () => {
  it('share sessions: the login form from one, the login on the other, the session on either, the logout on both', async () => {
    const urls = [await server(), await server()];
    const c = new Balanced(urls, '192.0.2.10');
    await c.via(0).page('/login');
    const login = await c.via(1).post('/login', { user: 'admin', password: ADMIN_PASSWORD });
    expect(login.status).toBe(303);
    const onA = await c.via(0).page('/api/session');
    expect(onA.res.status).toBe(200);
    expect(JSON.parse(onA.text)).toMatchObject({ user: 'admin' });
    const onB = await c.via(1).get('/api/session');
    expect(onB.status).toBe(200);
    // Logging out on one ends the session on both.
    await c.via(1).page('/');
    expect((await c.via(1).post('/logout')).status).toBe(303);
    expect((await c.via(0).get('/api/session')).status).toBe(401);
  });

  it('share the login throttle: failures on one count on the other', async () => {
    const urls = [await server(), await server()];
    const c = new Balanced(urls, '192.0.2.20');
    await c.via(0).page('/login');
    for (const i of [0, 1, 0]) expect((await c.via(i).post('/login', { user: `user${i}`, password: 'wrong' })).status).toBe(401);
    // The address's three failures, spread over both servers, stop it on either.
    expect((await c.via(1).post('/login', { user: 'admin', password: ADMIN_PASSWORD })).status).toBe(429);
    expect((await c.via(0).post('/login', { user: 'admin', password: ADMIN_PASSWORD })).status).toBe(429);
    // Another address is not affected.
    const admin = new Balanced(urls, '192.0.2.21');
    expect((await admin.via(1).login()).status).toBe(303);
  });
});
