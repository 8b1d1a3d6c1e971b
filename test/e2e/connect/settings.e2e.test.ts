import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConnectorOptions, createConnector, fieldChoices, fieldOptionProblems, sourceProfile, verifyCredentials } from '../../../connectors/registry.ts';
import type { CliIo } from '../../../src/cli/command.ts';
import { connectCommand } from '../../../src/cli/commands/connect.ts';
import { connectionCommand } from '../../../src/cli/commands/connection.ts';
import { syncCommand } from '../../../src/cli/commands/sync.ts';
import { silentLogger } from '../../../src/log.ts';
import { SANDBOX_FIELDS, startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { sampleOrg } from '../salesforce/harness.ts';

/** `kamflow connection`: the settings of an existing connection, field options checked against the CRM's live field lists. */

let sb: Sandbox;
let dir: string;
let env: NodeJS.ProcessEnv;

const commands = {
  connect: connectCommand({ openStore: (e) => openStoreFromEnv(e), verify: (c, credentials) => verifyCredentials(c, credentials) }),
  connection: connectionCommand({ openStore: (e) => openStoreFromEnv(e), checkOptions: checkConnectorOptions, fieldChoices: (c, credentials, onTokens) => fieldChoices(c, credentials, onTokens), fieldOptionProblems }),
  sync: syncCommand({
    openStore: (e) => openStoreFromEnv(e), connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens),
    profileOf: sourceProfile, analyze: analyzeWithStoredConfig, logger: silentLogger,
  }),
};

async function kamflow(name: keyof typeof commands, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: CliIo = { stdout, stderr, env };
  const code = await commands[name].run(argv, io);
  return { code, out, err };
}

beforeEach(async () => {
  sb = await startSandbox({ seed: sampleOrg(40) });
  dir = mkdtempSync(join(tmpdir(), 'kamflow-settings-'));
  env = {
    KAMFLOW_DB_PATH: join(dir, 'kamflow.db'), KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SALESFORCE_INSTANCE_URL: sb.salesforce.instanceUrl, SALESFORCE_ACCESS_TOKEN: sb.salesforce.accessToken, SALESFORCE_LOGIN_URL: sb.salesforce.loginUrl,
    HUBSPOT_TOKEN: sb.hubspot.privateAppToken, HUBSPOT_BASE_URL: sb.hubspot.baseUrl,
  };
});
afterEach(async () => {
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kamflow connection', () => {
  it('Salesforce: lists the usable fields live, refuses a missing field or one of the wrong type, stores a right one', async () => {
    expect((await kamflow('connect', '--crm', 'salesforce', '--id', 'sf')).code).toBe(0);
    const sf = SANDBOX_FIELDS.salesforce;
    const fields = await kamflow('connection', 'fields', '--json');
    expect(fields.code).toBe(0);
    const list = JSON.parse(fields.out) as { option: string; current: string | null; usable: { name: string; type: string }[] }[];
    const cost = list.find((x) => x.option === 'costField');
    expect(cost?.current).toBeNull();
    expect(cost?.usable.map((f) => f.name)).toContain(sf.lineItemCost);
    expect(cost?.usable.every((f) => ['currency', 'double'].includes(f.type))).toBe(true);
    expect(list.find((x) => x.option === 'referenceableField')?.usable.map((f) => f.name)).toContain(sf.contactReferenceable);

    const wrongType = await kamflow('connection', 'set', '--option', 'costField=Product2Id');
    expect(wrongType.code).toBe(1);
    expect(wrongType.err).toContain('costField: OpportunityLineItem.Product2Id is a reference field; this option needs currency or double; nothing was changed');
    const missing = await kamflow('connection', 'set', '--option', 'referenceableField=Nope__c');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`referenceableField: Contact has no field Nope__c (or Kamflow's user cannot see it); usable: `);
    const badName = await kamflow('connection', 'set', '--option', 'costField=has space').catch((e: Error) => e);
    expect(String(badName)).toMatch(/bad --option: costField/);

    const demoOptions = [`costField=${sf.lineItemCost}`, `referenceableField=${sf.contactReferenceable}`, `contactActiveField=${sf.contactActive}`, `markedKeyField=${sf.markedKey}`, `offeringFamilyField=${sf.productFamily}`];
    const ok = await kamflow('connection', 'set', ...demoOptions.flatMap((o) => ['--option', o]), '--name', 'Acme production');
    expect(ok).toMatchObject({ code: 0, err: '' });
    const store = await openStoreFromEnv(env);
    expect((await store.getConnection('sf'))?.options).toMatchObject({
      costField: sf.lineItemCost, referenceableField: sf.contactReferenceable, contactActiveField: sf.contactActive, markedKeyField: sf.markedKey, offeringFamilyField: sf.productFamily, name: 'Acme production',
    });
    await store.close();
    // The settings reach the next run.
    expect((await kamflow('sync', '--dry-run')).code).toBe(0);
  });

  it('HubSpot: property options checked against the portal\'s properties', async () => {
    expect((await kamflow('connect', '--crm', 'hubspot', '--id', 'hs')).code).toBe(0);
    const hs = SANDBOX_FIELDS.hubspot;
    const wrong = await kamflow('connection', 'set', '--option', 'keyProperty=name');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('keyProperty: companies.name is a string field; this option needs bool');
    const ok = await kamflow('connection', 'set', '--option', `productFamilyProperty=${hs.productFamily}`, '--option', `referenceableProperty=${hs.contactReferenceable}`, '--option', `contactActiveProperty=${hs.contactActive}`);
    expect(ok).toMatchObject({ code: 0, err: '' });
    const unset = await kamflow('connection', 'set', '--option', 'productFamilyProperty=null');
    expect(unset.out).toContain('productFamilyProperty unset');
  });

  it('disconnect keeps or deletes the pulled data and says which; delete needs --yes', async () => {
    expect((await kamflow('connect', '--crm', 'salesforce', '--id', 'sf', '--schedule', '0 6 * * *')).code).toBe(0);
    expect((await kamflow('sync', '--dry-run')).code).toBe(0);
    const keep = await kamflow('connection', 'disconnect', '--keep-data');
    expect(keep.out).toContain('connection sf: disconnected; credentials removed and schedule stopped (was "0 6 * * *"); its pulled data is kept; its runs stay.');
    let store = await openStoreFromEnv(env);
    expect(await store.getConnection('sf')).toMatchObject({ hasTokens: false, schedule: null });
    expect(Object.keys(await store.getStreamStates('sf')).length).toBeGreaterThan(0);
    await store.close();
    const fields = await kamflow('connection', 'fields').catch((e: Error) => e);
    expect(String(fields)).toMatch(/is disconnected: `kamflow reconnect --connection sf` first/);

    const del = await kamflow('connection', 'disconnect', '--delete-data');
    expect(del.out).toContain('its pulled data (mirror, cursors, field memory) was deleted');
    store = await openStoreFromEnv(env);
    expect(await store.getStreamStates('sf')).toEqual({});
    expect(await store.listRuns({ connectionId: 'sf' })).toHaveLength(1);
    await store.close();

    await expect(kamflow('connection', 'delete')).rejects.toThrow(/add --yes/);
    expect((await kamflow('connection', 'delete', '--yes')).out).toBe('connection sf: deleted with its pulled data\n');
    store = await openStoreFromEnv(env);
    expect(await store.listConnections()).toEqual([]);
    await store.close();
  });
});
