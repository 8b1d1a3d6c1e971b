import { describe, expect, it } from 'vitest';
import { startTest } from './harness.ts';

describe('health probes', () => {
  it('GET /healthz answers without a session', async () => {
    const h = await startTest();
    const res = await h.client().get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz reports the backend checks by name and state only', async () => {
    const h = await startTest();
    const ok = await h.client().get('/readyz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ready', checks: [{ name: 'store', ok: true }] });
    h.backend.readinessResult = { ok: false, checks: [{ name: 'store', ok: false, detail: 'password=hunter2' } as { name: string; ok: boolean }] };
    const down = await h.client().get('/readyz');
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(JSON.parse(text)).toEqual({ status: 'not-ready', checks: [{ name: 'store', ok: false }] });
    expect(text).not.toContain('hunter2');
  });

  it('GET /readyz answers 503 when the check throws', async () => {
    const h = await startTest();
    h.backend.readiness = async () => {
      throw new Error('cannot open /data/kamflow.db');
    };
    const res = await h.client().get('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not-ready', checks: [] });
  });
});
