import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { startServer, type RunningServer } from '../../../src/server/start.ts';
import { smallSnapshot } from '../sandbox/fixture.ts';
import { testConfig, TestClient } from './harness.ts';
import { installSalesforce, startReal, type RealSetup } from './real-backend.ts';

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(setup: RealSetup): Promise<TestClient> {
  const server = await startServer({ backend: setup.backend, config: await testConfig({ publicUrl: 'https://kamflow.example.com' }), logger: silentLogger }, { host: '127.0.0.1', port: 0 });
  servers.push(server);
  const client = new TestClient(server.url);
  expect((await client.login()).status).toBe(303);
  return client;
}

describe('the connection settings page', () => {
  it('offers the CRM\'s own fields for each field option, refuses a wrong one, saves a right one, disconnects keeping the data, deletes', async () => {
    const setup = await startReal({ seed: smallSnapshot(), settings: { firstSync: 'scheduled' } });
    const id = await installSalesforce(setup);
    const client = await serve(setup);
    const { res, text } = await client.page(`/connections/${id}/settings`);
    expect(res.status).toBe(200);
    expect(text).toContain('Line item cost field (margin)');
    expect(text).toMatch(/<select id="opt-costField" name="opt.costField">[\s\S]*<option value="Cost__c">Cost \(Cost__c\)<\/option>/);
    // A reference field is not offered for the cost, and is refused when posted anyway.
    expect(/<select id="opt-costField"[\s\S]*?<\/select>/.exec(text)?.[0]).not.toContain('Product2Id');
    const wrong = await client.post(`/connections/${id}/settings`, { 'opt.costField': 'Product2Id', name: 'Acme' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('costField: OpportunityLineItem.Product2Id is a reference field; this option needs currency or double');
    expect((await setup.store.getConnection(id))?.options['costField']).toBeUndefined();

    await client.page(`/connections/${id}/settings`);
    const tooMuch = await client.post(`/connections/${id}/settings`, { apiReserve: '0.99' });
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.text()).toContain("apiReserve: a share from 0 to 0.95 of the org&#39;s daily API allowance");
    await client.page(`/connections/${id}/settings`);
    const ok = await client.post(`/connections/${id}/settings`, { 'opt.costField': 'Cost__c', name: 'Acme production', safetyGateShare: '0.3', apiReserve: '0.4' });
    expect(ok.status).toBe(303);
    expect((await client.page(`/connections/${id}/settings`)).text).toContain('Saved: name, safetyGateShare, apiReserve, costField.');
    expect((await setup.store.getConnection(id))?.options).toMatchObject({ costField: 'Cost__c', name: 'Acme production', safetyGateShare: 0.3, apiReserve: 0.4 });
    expect((await client.page(`/connections/${id}/settings`)).text).toMatch(/name="apiReserve" inputmode="decimal" value="0.4"/);

    const noChoice = await client.post(`/connections/${id}/settings/disconnect`, {});
    expect(noChoice.status).toBe(400);
    await client.page(`/connections/${id}/settings`);
    const off = await client.post(`/connections/${id}/settings/disconnect`, { data: 'keep' });
    expect(off.status).toBe(303);
    expect((await client.page(`/connections/${id}`)).text).toContain('Disconnected: credentials removed and schedule stopped; its pulled data is kept');
    expect(await setup.store.getConnection(id)).toMatchObject({ hasTokens: false, schedule: null });
    expect((await client.page(`/connections/${id}/settings`)).text).toContain('The connection is disconnected: reconnect it to choose fields from the CRM.');

    const unconfirmed = await client.post(`/connections/${id}/settings/delete`, {});
    expect(unconfirmed.status).toBe(400);
    await client.page(`/connections/${id}/settings`);
    const gone = await client.post(`/connections/${id}/settings/delete`, { confirm: 'yes' });
    expect([gone.status, gone.headers.get('location')]).toEqual([303, '/']);
    expect(await setup.store.listConnections()).toEqual([]);
  });
});
