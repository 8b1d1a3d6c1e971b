import { describe, expect, it } from 'vitest';
import { startTest } from './harness.ts';

async function apiClient() {
  const h = await startTest();
  const c = h.client();
  await c.login();
  const session = await (await c.get('/api/session')).json() as { user: string; csrfToken: string };
  return { h, c, csrf: session.csrfToken, user: session.user };
}

describe('JSON API', () => {
  it('gives the user and CSRF token of the session', async () => {
    const { user, csrf } = await apiClient();
    expect(user).toBe('admin');
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('lists connections, runs, families and reads one run and one family', async () => {
    const { c } = await apiClient();
    const connections = await (await c.get('/api/connections')).json() as { connections: { id: string }[] };
    expect(connections.connections.map((x) => x.id)).toEqual(['c1']);
    const one = await (await c.get('/api/connections/c1')).json() as { connection: { name: string; apiUsage: unknown } };
    expect(one.connection).toMatchObject({ name: 'Acme <Prod>', apiUsage: { used: 1200, limit: 15000, period: '24h' } });
    expect((await (await c.get('/api/connections/c1/runs?limit=1')).json() as { runs: unknown[] }).runs).toHaveLength(1);
    const run = await (await c.get('/api/connections/c1/runs/r1')).json() as { run: { recordErrors: unknown[] } };
    expect(run.run.recordErrors).toHaveLength(2);
    const families = await (await c.get('/api/connections/c1/families')).json() as { families: { id: string; tier: string }[] };
    expect(families.families).toEqual([expect.objectContaining({ id: 'a1', tier: 'Key' })]);
    const family = await (await c.get('/api/connections/c1/families/a1')).json() as { family: { matrix: { entities: string[]; states: string[] } } };
    // The matrix in columns: a row of states per entity, one character per offering.
    expect(family.family.matrix.entities).toEqual(['a1', 'a2']);
    expect(family.family.matrix.states).toEqual(['AO.', 'L.A']);
    expect((await c.get('/api/connections/c1/config')).status).toBe(200);
  });

  it('names bad query fields', async () => {
    const { c } = await apiClient();
    const res = await c.get('/api/connections/c1/runs?limit=9999');
    expect(res.status).toBe(400);
    const body = await res.json() as { error: string; issues: { field: string }[] };
    expect(body.error).toBe('bad-request');
    expect(body.issues.map((i) => i.field)).toEqual(['query.limit']);
  });

  it('starts runs with the CSRF header, and refuses without it', async () => {
    const { h, c, csrf } = await apiClient();
    const missing = await c.request('POST', '/api/connections/c1/runs', { json: { kind: 'sync' } });
    expect(missing.status).toBe(403);
    expect((await missing.json() as { error: string }).error).toBe('csrf');
    const wrong = await c.request('POST', '/api/connections/c1/runs', { json: { kind: 'sync' }, headers: { 'x-csrf-token': 'nope' } });
    expect(wrong.status).toBe(403);
    expect(h.backend.started).toEqual([]);
    const ok = await c.request('POST', '/api/connections/c1/runs', { json: { kind: 'rollback', runId: 'r1' }, headers: { 'x-csrf-token': csrf } });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ ok: true, runId: 'r1' });
    expect(h.backend.started).toEqual([{ connectionId: 'c1', request: { kind: 'rollback', runId: 'r1' } }]);
    h.backend.busy = true;
    const busy = await c.request('POST', '/api/connections/c1/runs', { json: { kind: 'sync' }, headers: { 'x-csrf-token': csrf } });
    expect(busy.status).toBe(409);
  });

  it('names the wrong field of a run request', async () => {
    const { c, csrf } = await apiClient();
    const res = await c.request('POST', '/api/connections/c1/runs', { json: { kind: 'rollback' }, headers: { 'x-csrf-token': csrf } });
    expect(res.status).toBe(400);
    expect((await res.json() as { issues: { field: string }[] }).issues.map((i) => i.field)).toEqual(['body.runId']);
  });

  it('previews and saves config with path-named errors', async () => {
    const { h, c, csrf } = await apiClient();
    const headers = { 'x-csrf-token': csrf };
    const values = { 'criteria.revenueShare.threshold': '2', 'criteria.revenueShare.weight': '30', 'criteria.growth.enabled': 'true', 'schedule.cron': '0 2 * * *' };
    const preview = await c.request('POST', '/api/connections/c1/config/preview', { json: { values }, headers });
    expect(preview.status).toBe(422);
    expect(await preview.json()).toEqual({ ok: false, errors: [{ path: 'criteria.revenueShare.threshold', message: 'must be a number from 0 to 1' }] });
    const save = await c.request('PUT', '/api/connections/c1/config', { json: { values: { ...values, 'criteria.revenueShare.threshold': '0.2' }, version: 3 }, headers });
    expect(save.status).toBe(200);
    expect(await save.json()).toEqual({ ok: true, version: 4 });
    expect(h.backend.saved).toHaveLength(1);
  });

  it('answers malformed JSON with a 400 and no stack', async () => {
    const { c, csrf } = await apiClient();
    const res = await c.request('POST', '/api/connections/c1/runs', {
      body: '{"kind":', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'bad-request', message: 'The body is not valid JSON.' });
  });

  it('answers 404 JSON for unknown connections, runs and families', async () => {
    const { c } = await apiClient();
    expect((await c.get('/api/connections/zz')).status).toBe(404);
    expect((await c.get('/api/connections/c1/runs/zz')).status).toBe(404);
    const res = await c.get('/api/connections/c1/families/zz');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not-found', message: 'No family has this id.' });
  });
});
