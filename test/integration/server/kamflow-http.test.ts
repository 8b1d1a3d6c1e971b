import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { startServer, type RunningServer } from '../../../src/server/start.ts';
import { smallSnapshot } from '../sandbox/fixture.ts';
import { testConfig, TestClient } from './harness.ts';
import { startReal, type RealSetup } from './real-backend.ts';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const PUBLIC = 'https://kamflow.example.com';

async function serve(setup: RealSetup): Promise<TestClient> {
  const server = await startServer({ backend: setup.backend, config: await testConfig({ publicUrl: PUBLIC }), logger: silentLogger }, { host: '127.0.0.1', port: 0 });
  servers.push(server);
  const client = new TestClient(server.url);
  expect((await client.login()).status).toBe(303);
  return client;
}

/** /connect/salesforce, the simulator's authorize endpoint, and back to the callback. */
async function installThroughRoutes(client: TestClient, tamper: (callback: URL) => void = () => undefined): Promise<Response> {
  const begin = await client.get('/connect/salesforce?loginHost=production');
  expect(begin.status).toBe(302);
  const consent = await fetch(begin.headers.get('location') ?? '', { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callback = new URL(consent.headers.get('location') ?? '');
  expect(callback.origin + callback.pathname).toBe(`${PUBLIC}/connect/salesforce/callback`);
  tamper(callback);
  return client.get(callback.pathname + callback.search);
}

describe('console routes on the real backend', () => {
  it('installs Salesforce through the routes and shows the connection with its first sync', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const client = await serve(setup);
    const done = await installThroughRoutes(client);
    expect(done.status).toBe(303);
    const location = done.headers.get('location') ?? '';
    expect(location).toMatch(/^\/connections\/sf-[0-9a-f]{8}$/);
    await setup.backend.runs.idle();
    const { text } = await client.page(location);
    expect(text).toContain('Salesforce connected: 127.0.0.1');
    expect(text).toContain('Acme Holding');
    expect(text).toMatch(/class="status-succeeded">succeeded/);
    expect(text).toMatch(/API use: \d+ calls in the last 24h · Kamflow today: \d+ calls by every worker/);
    const api = await client.get('/api/connections');
    const body = await api.json() as { connections: { status: string; nextRun: string | null }[] };
    expect(body.connections.map((c) => [c.status, c.nextRun])).toEqual([['ok', '2026-11-23T02:00:00.000Z']]);
  });

  it('shows the install error page and stores nothing when the code does not work', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const client = await serve(setup);
    const res = await installThroughRoutes(client, (callback) => callback.searchParams.set('code', 'not-a-code'));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('the authorization code expired');
    expect(await setup.store.listConnections()).toEqual([]);
  });

  it('offers a confirmed sync when the safety gate holds a plan, and the confirmed sync writes', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const client = await serve(setup);
    const location = (await installThroughRoutes(client)).headers.get('location') ?? '';
    await setup.backend.runs.idle();
    const id = location.split('/').pop() ?? '';
    // Every family's reasons quote the threshold: a new one changes every account.
    expect(await setup.backend.saveConfig(id, { 'criteria.revenueShare.threshold': '0.05' }, 1)).toEqual({ ok: true, version: 2 });
    await client.page(location);
    expect((await client.post(`${location}/runs`, { kind: 'sync' })).status).toBe(303);
    await setup.backend.runs.idle();
    const held = await client.page(location);
    expect(held.text).toContain('The last sync was held by the safety gate');
    expect(held.text).toMatch(/name="confirm" value="true"><button type="submit">Sync and write anyway/);

    const confirmed = await client.post(`${location}/runs`, { kind: 'sync', confirm: 'true' });
    expect(confirmed.status).toBe(303);
    await setup.backend.runs.idle();
    const runPath = confirmed.headers.get('location') ?? '';
    const run = await setup.backend.getRun(id, runPath.split('/').pop() ?? '');
    expect(run).toMatchObject({ status: 'succeeded', kind: 'sync' });
    // The small org has 5 accounts; every one had its reasons rewritten.
    expect(run?.written).toBe(5);
    expect((await client.page(location)).text).not.toContain('Sync and write anyway');
  });
});
