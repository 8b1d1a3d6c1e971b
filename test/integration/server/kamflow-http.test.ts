import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { startServer, type RunningServer } from '../../../src/server/start.ts';
import { smallSnapshot } from '../sandbox/fixture.ts';
import { testConfig, TestClient } from './harness.ts';
import { salesforceFieldName } from '../../../src/sandbox/index.ts';
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
    // The first sync planned and waits: the connection says so in words, not as a failure.
    const waiting = await client.page(location);
    expect(waiting.text).toContain('Salesforce connected: 127.0.0.1');
    expect(waiting.text).toMatch(/class="status-awaiting-approval">awaiting approval/);
    expect(waiting.text).not.toContain('awaiting-approval<');
    const id = location.split('/').pop() ?? '';
    const [planned] = await setup.backend.listRuns(id, 1);
    if (!planned) throw new Error('no first run');
    // Its run page shows the plan: figures, each account and field with the CRM's value and the new one.
    const planPage = await client.page(`${location}/runs/${planned.id}`);
    expect(planPage.text).toContain('Awaiting approval:');
    expect(planPage.text).toContain('it is the connection&#39;s first plan that writes anything');
    expect(planPage.text).toMatch(/<th>Accounts to change<\/th><td>5 of 5 \(\d+ fields\)/);
    expect(planPage.text).toMatch(/<td>Acme Holding<div class="help">001\w+<\/div><\/td><td>kam_tier<\/td><td class="value">\(empty\)<\/td><td class="value">&quot;Key&quot;<\/td>/);
    expect(planPage.text).toContain('Approve and write this plan');
    expect(setup.sandbox.sf.query(`SELECT Id, ${salesforceFieldName('kam_tier')} FROM Account`).every((r) => r[salesforceFieldName('kam_tier')] === null)).toBe(true);
    // Approving it through the page's form writes it.
    const approved = await client.post(`${location}/runs/${planned.id}/approve`, {});
    expect(approved.status).toBe(303);
    await setup.backend.runs.idle();
    const written = await setup.backend.getRun(id, (approved.headers.get('location') ?? '').split('/').pop() ?? '');
    expect(written).toMatchObject({ kind: 'sync', status: 'succeeded', written: 5, failed: 0 });
    const after = await client.page(`${location}/runs/${planned.id}`);
    expect(after.text).toContain(`written by run <a href="${location}/runs/${written?.id ?? ''}">`);
    expect(after.text).not.toContain('Approve and write this plan');
    // A second approval of the same plan is refused.
    const again = await client.post(`${location}/runs/${planned.id}/approve`, {});
    expect(again.headers.get('location')).toBe(location);
    expect((await client.page(location)).text).toContain('already approved by console:admin and written by run');
    const { text } = await client.page(location);
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
    expect(held.text).toContain('The last sync is awaiting approval');
    // No way to write it unseen from here: the banner sends the admin to the plan.
    expect(held.text).not.toContain('write anyway');
    const planPath = /<a href="([^"]+)">Review its plan<\/a>/.exec(held.text)?.[1] ?? '';
    expect(planPath).toMatch(/\/runs\/run-/);
    expect((await client.page(planPath)).text).toContain('Approve and write this plan');
    const confirmed = await client.post(`${planPath}/approve`, {});
    expect(confirmed.status).toBe(303);
    await setup.backend.runs.idle();
    const runPath = confirmed.headers.get('location') ?? '';
    const run = await setup.backend.getRun(id, runPath.split('/').pop() ?? '');
    expect(run).toMatchObject({ status: 'succeeded', kind: 'sync' });
    // The small org has 5 accounts; every one had its reasons rewritten.
    expect(run?.written).toBe(5);
    expect((await client.page(location)).text).not.toContain('The last sync is awaiting approval');
  });
});

describe('rolling back from the console', () => {
  it('previews a rollback as a plan, writes exactly it on approval, names the approver, and refuses it twice', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const client = await serve(setup);
    const location = (await installThroughRoutes(client)).headers.get('location') ?? '';
    await setup.backend.runs.idle();
    const id = location.split('/').pop() ?? '';
    const [planned] = await setup.backend.listRuns(id, 1);
    if (!planned) throw new Error('no first run');
    await client.page(`${location}/runs/${planned.id}`);
    const wrote = (await client.post(`${location}/runs/${planned.id}/approve`, {})).headers.get('location') ?? '';
    await setup.backend.runs.idle();
    // A run the console starts uses the whole connector, its optional parts included: the run
    // status the reps' card reads is in the org.
    expect(setup.sandbox.sf.query('SELECT Connection_Key__c, Last_Run_Finished_At__c FROM KAM_Run__c')).toEqual([
      expect.objectContaining({ Connection_Key__c: id, Last_Run_Finished_At__c: expect.any(String) }),
    ]);
    const tier = salesforceFieldName('kam_tier');
    const accounts = () => setup.sandbox.sf.query(`SELECT Id, Name, ${tier} FROM Account ORDER BY Name`);
    const before = accounts();
    expect(before.every((r) => r[tier] !== null)).toBe(true);
    const [edited, later] = before;
    if (!edited || !later) throw new Error('the small org has accounts');
    // A person changes one account's tier after the sync wrote it: the preview leaves it alone.
    setup.sandbox.sf.update('Account', String(edited['Id']), { [tier]: 'Hand-set' });

    // The button on the written run previews; nothing is written.
    const runPage = await client.page(wrote);
    expect(runPage.text).toContain('Preview the rollback of this run');
    const previewed = await client.post(`${wrote}/rollback`, {});
    expect(previewed.status).toBe(303);
    await setup.backend.runs.idle();
    const previewPath = previewed.headers.get('location') ?? '';
    const previewId = previewPath.split('/').pop() ?? '';
    expect(accounts().filter((r) => r[tier] === null)).toEqual([]);
    const preview = await client.page(previewPath);
    expect(preview.text).toContain('Plan of the rollback');
    expect(preview.text).toMatch(/class="status-awaiting-approval">awaiting approval/);
    expect(preview.text).toContain('nothing is restored until you approve this rollback');
    expect(preview.text).toMatch(/<th>Accounts to restore<\/th><td>5 \(\d+ fields\)/);
    expect(preview.text).toContain('<th>Value it restores</th>');
    expect(preview.text).toContain(`<td>${String(later['Name'])}<div class="help">${String(later['Id'])}</div></td><td>kam_tier</td>`);
    // The edited tier is a conflict, listed with what the run wrote and what it would have restored.
    expect(preview.text).toContain('Conflicts: left as they are (1)');
    expect(preview.text).toMatch(new RegExp(`<div class="help">${String(edited['Id'])}</div></td><td>kam_tier</td><td class="value">&quot;Hand-set&quot;</td><td class="value">&quot;${String(edited[tier])}&quot;</td><td class="value">\\(empty\\)</td>`));
    const button = /<button type="submit" class="danger">Roll back these (\d+) fields<\/button>/.exec(preview.text);
    expect(button).not.toBeNull();
    const plan = await setup.store.getPlan(previewId);
    expect(Number(button?.[1])).toBe(plan?.writes.reduce((n, w) => n + w.changes.length, 0));

    // Meanwhile someone edits another account's tier: approving leaves that one too, as a conflict.
    setup.sandbox.sf.update('Account', String(later['Id']), { [tier]: 'Edited after the preview' });
    const approved = await client.post(`${previewPath}/approve`, {});
    expect(approved.status).toBe(303);
    await setup.backend.runs.idle();
    const rollbackPath = approved.headers.get('location') ?? '';
    const rollback = await setup.backend.getRun(id, rollbackPath.split('/').pop() ?? '');
    expect(rollback).toMatchObject({ kind: 'rollback', status: 'succeeded', rollbackOf: wrote.split('/').pop(), written: 5 });
    expect(rollback?.recordErrors.map((e) => [e.recordId, e.kind])).toContainEqual([String(later['Id']), 'plan: conflict-kept']);
    const after = new Map(accounts().map((r) => [r['Id'], r[tier]]));
    expect(after.get(edited['Id'])).toBe('Hand-set');
    expect(after.get(later['Id'])).toBe('Edited after the preview');
    expect([...after.values()].filter((v) => v === null)).toHaveLength(3);

    // The preview names who approved it, and cannot be approved again.
    const done = await client.page(previewPath);
    expect(done.text).toMatch(/Approved by <strong>admin \(console\)<\/strong> at 20\d\d-\d\d-\d\d \d\d:\d\d:\d\dZ, written by run/);
    expect(done.text).not.toContain('Roll back these');
    expect((await setup.store.getPlan(previewId))?.approvedBy).toBe('console:admin');
    const again = await client.post(`${previewPath}/approve`, {});
    expect(again.headers.get('location')).toBe(location);
    expect((await client.page(location)).text).toContain('already approved by console:admin and written by run');
  });

  it('refuses a preview made out of date by another rollback of the same run', async () => {
    const setup = await startReal({ seed: smallSnapshot() });
    const client = await serve(setup);
    const location = (await installThroughRoutes(client)).headers.get('location') ?? '';
    await setup.backend.runs.idle();
    const id = location.split('/').pop() ?? '';
    const [planned] = await setup.backend.listRuns(id, 1);
    if (!planned) throw new Error('no first run');
    await client.page(`${location}/runs/${planned.id}`);
    const wrote = (await client.post(`${location}/runs/${planned.id}/approve`, {})).headers.get('location') ?? '';
    await setup.backend.runs.idle();
    const first = (await client.post(`${wrote}/rollback`, {})).headers.get('location') ?? '';
    await setup.backend.runs.idle();
    const second = (await client.post(`${wrote}/rollback`, {})).headers.get('location') ?? '';
    await setup.backend.runs.idle();
    expect(second).not.toBe(first);
    await client.page(first);
    expect((await client.post(`${first}/approve`, {})).status).toBe(303);
    await setup.backend.runs.idle();
    // The second preview was made before the first was written: it no longer describes the CRM.
    const refused = await client.post(`${second}/approve`, {});
    expect(refused.headers.get('location')).toBe(location);
    expect((await client.page(location)).text).toMatch(/was already rolled back by run run-\w+-\w+; this preview is out of date/);
    expect((await setup.store.getPlan(second.split('/').pop() ?? ''))?.approvedAt).toBeNull();
  });
});
