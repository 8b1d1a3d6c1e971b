import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, sourceProfile } from '../../connectors/registry.ts';
import { connectionFromFlags } from '../../src/cli/commands/connect.ts';
import { silentLogger } from '../../src/log.ts';
import type { Snapshot } from '../../src/model/snapshot.ts';
import { generateSampleOrg } from '../../src/sandbox/generate.ts';
import { SANDBOX_FIELDS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { loadMirror } from '../../src/store/read-mirror.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { analyzeWithStoredConfig } from '../../src/sync/analyze-adapter.ts';
import { approvePlan, runSync } from '../../src/sync/pipeline.ts';
import { SyncScheduler } from '../../src/sync/scheduler.ts';
import type { SyncDeps, SyncResult } from '../../src/sync/types.ts';

/**
 * A multi-currency Salesforce org (CurrencyType and, with advanced currency management,
 * DatedConversionRate) and a multi-currency HubSpot portal (Settings API exchange rates), both
 * holding the same generated customers with a third of the deals in EUR and a third in GBP,
 * driven through the real jsforce and HubSpot clients: provision, `sync --dry-run`, `sync` (which waits for
 * approval), `plan --approve`, `sync`, and a scheduled run an hour of simulated time later, none with `--full`. Every run
 * succeeds, the CRMs end up holding the analysis of the customers in USD, and the runs after
 * the first real one write nothing.
 */

const AS_OF = '2026-06-30';
const RATES = { EUR: 2, GBP: 4 };
const SEED: Snapshot = generateSampleOrg({ seed: 11, accounts: 60, asOf: AS_OF, contactsPerAccount: 2, foreignCurrencies: RATES });
const SF = 'sf-multi';
const HS = 'hs-multi';

let sb: Sandbox;
let store: SqliteStore;
let dir: string;
let now = Date.parse('2026-06-30T08:00:00Z');
const deps = (): SyncDeps => ({
  store,
  connectorFactory: (c, cred, onTokens) => createConnector(c, cred, onTokens, silentLogger),
  profileOf: sourceProfile,
  analyze: analyzeWithStoredConfig,
  logger: silentLogger,
  now: () => new Date((now += 1000)),
});
const sync = (connectionId: string, dryRun = false): Promise<SyncResult> => runSync(deps(), { connectionId, asOf: AS_OF, dryRun });

const WRITES = /^(salesforce\.(collections|composite|sobject(PATCH|Patch)|bulkIngest)|hubspot\.batchUpdate)/;
function writeCalls(crm: 'salesforce' | 'hubspot'): number {
  return Object.entries(sb.calls()).filter(([k]) => k.startsWith(crm) && WRITES.test(k)).reduce((n, [, v]) => n + v, 0);
}

beforeAll(async () => {
  sb = await startSandbox({
    seed: SEED,
    // Dated rates equal to the CurrencyType ones, so the expected values stay those of the seed
    // while the dated path (line items at their opportunity's close date) runs.
    multiCurrency: { datedRates: [{ code: 'EUR', rate: 2, start: '2000-01-01' }, { code: 'EUR', rate: 2, start: '2026-01-01' }, { code: 'GBP', rate: 4, start: '2000-01-01' }] },
    hubspotLimits: { tenSecondly: 2_000, searchPerSecond: 20 },
  });
  dir = mkdtempSync(join(tmpdir(), 'kamflow-e2e-real-org-'));
  store = new SqliteStore({ path: join(dir, 'kamflow.db'), encryptionKey: Buffer.alloc(32, 9).toString('base64') });
  const sf = connectionFromFlags(
    { crm: 'salesforce', id: SF, 'refresh-token': sb.salesforce.refreshToken, 'access-token': sb.salesforce.accessToken, 'instance-url': sb.salesforce.instanceUrl, 'client-id': sb.salesforce.clientId, 'client-secret': sb.salesforce.clientSecret, 'login-url': sb.salesforce.loginUrl },
    {},
  );
  await store.createConnection({
    ...sf,
    schedule: '0 * * * *',
    options: {
      ...sf.options,
      markedKeyField: SANDBOX_FIELDS.salesforce.markedKey, referenceableField: SANDBOX_FIELDS.salesforce.contactReferenceable,
      contactActiveField: SANDBOX_FIELDS.salesforce.contactActive, costField: SANDBOX_FIELDS.salesforce.lineItemCost,
      offeringFamilyField: SANDBOX_FIELDS.salesforce.productFamily, pageSize: 200, retry: { retries: 4, minDelayMs: 1, maxDelayMs: 5 },
    },
  });
  const hs = connectionFromFlags({ crm: 'hubspot', id: HS }, { HUBSPOT_TOKEN: sb.hubspot.privateAppToken, HUBSPOT_BASE_URL: sb.hubspot.baseUrl });
  await store.createConnection({
    ...hs,
    schedule: '0 * * * *',
    options: {
      ...hs.options,
      productFamilyProperty: SANDBOX_FIELDS.hubspot.productFamily, lineItemCostProperty: SANDBOX_FIELDS.hubspot.lineItemUnitCost,
      referenceableProperty: SANDBOX_FIELDS.hubspot.contactReferenceable, contactActiveProperty: SANDBOX_FIELDS.hubspot.contactActive,
      keyProperty: SANDBOX_FIELDS.hubspot.markedKey,
      retry: { retries: 5, minTimeoutMs: 1, maxTimeoutMs: 5, tenSecondlyWaitMs: 1, secondlyWaitMs: 300, lockedWaitMs: 1 },
      limits: { tenSecondBudget: 1_000, searchPerSecond: 16 },
    },
  });
}, 60_000);

afterAll(async () => {
  await store.close();
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the analysis of the seed (amounts in USD) gives each seed account. */
function expected(): Map<string, { tier: string | null; key: boolean; score: number; share: number }> {
  const result = analyzeWithStoredConfig({ snapshot: SEED, config: {}, asOf: AS_OF, rejected: [] });
  return new Map(result.accounts.map((a) => [a.id, { tier: a.kam_tier, key: a.kam_key_account, score: a.kam_score, share: a.kam_revenue_share }]));
}

function heldBySalesforce(seedId: string): unknown {
  const rec = sb.sf.record('Account', sb.ids.salesforce.accounts[seedId] ?? '') ?? {};
  return { tier: rec['KAM_Tier__c'], key: rec['KAM_Key_Account__c'], score: rec['KAM_Score__c'], share: rec['KAM_Revenue_Share__c'] };
}

function heldByHubSpot(seedId: string): unknown {
  const p = sb.hs.object('companies', sb.ids.hubspot.accounts[seedId] ?? '')?.properties ?? {};
  return { tier: p['kam_tier'], key: p['kam_key_account'] === 'true', score: Number(p['kam_score']), share: Number(p['kam_revenue_share']) };
}

describe('a multi-currency org and portal, runs after runs', () => {
  it('the seed books deals in three currencies', () => {
    const booked = new Set(SEED.opportunities.map((o) => o.conversion?.currency ?? 'USD'));
    expect([...booked].sort()).toEqual(['EUR', 'GBP', 'USD']);
  });

  it.each([[SF, 'salesforce'], [HS, 'hubspot']] as const)('%s: provision, dry run, a sync that waits, approve, sync, and a scheduled run an hour later', async (id, crm) => {
    const connection = await store.getConnection(id);
    if (!connection) throw new Error('connection missing');
    const report = await createConnector(connection, await store.loadCredentials(id), (t) => store.saveTokens(id, t), silentLogger).provision();
    expect(report.fields.every((f) => f.status === 'created')).toBe(true);

    sb.resetCalls();
    const dry = await sync(id, true);
    expect([dry.run.status, dry.run.error]).toEqual(['succeeded', null]);
    expect(dry.plan?.writes).toHaveLength(60);
    expect(writeCalls(crm)).toBe(0);

    // The connection's first plan waits for the admin's approval: nothing is written until then.
    const waiting = await sync(id);
    expect(waiting.run.status).toBe('awaiting-approval');
    expect(writeCalls(crm)).toBe(0);

    const first = await approvePlan(deps(), { connectionId: id });
    expect([first.run.status, first.run.error, first.run.mode]).toEqual(['succeeded', null, 'incremental']);
    expect([first.run.counts.written, first.run.counts.failed]).toEqual([60, 0]);
    const want = expected();
    const mismatches = SEED.accounts
      .map((a) => ({ id: a.id, held: crm === 'salesforce' ? heldBySalesforce(a.id) : heldByHubSpot(a.id), want: want.get(a.id) }))
      .filter((x) => JSON.stringify(x.held) !== JSON.stringify(x.want));
    expect(mismatches).toEqual([]);

    sb.resetCalls();
    const second = await sync(id);
    expect([second.run.status, second.run.error]).toEqual(['succeeded', null]);
    expect(second.plan?.writes).toEqual([]);
    expect(writeCalls(crm)).toBe(0);

    // The schedule fires an hour later, in the CRM's time and the engine's.
    sb.clock.advance(3_600_000);
    now += 3_600_000;
    let scheduled: SyncResult | null = null;
    const scheduler = new SyncScheduler({
      store, logger: silentLogger,
      runSync: async (o) => (scheduled = await runSync(deps(), { ...o, asOf: AS_OF })),
      createTask: () => ({ start: () => undefined, stop: () => undefined }),
    });
    expect(await scheduler.start()).toContain(id);
    expect(await scheduler.tick(id)).toBe('ran');
    await scheduler.stop();
    const third = scheduled as SyncResult | null;
    expect([third?.run.status, third?.run.error, third?.run.mode]).toEqual(['succeeded', null, 'incremental']);
    expect(third?.plan?.writes).toEqual([]);
    expect(writeCalls(crm)).toBe(0);

    // No currency fallback and no amount without a rate in any run; the mirror keeps the notes.
    for (const run of [dry, waiting, first, second]) {
      const issues = await store.listRunIssues(run.run.id);
      expect(issues.filter((i) => i.kind === 'currency-fallback' || i.kind === 'no-exchange-rate')).toEqual([]);
    }
    const mirror = await loadMirror(store, id);
    const notes = mirror.opportunities.map((o) => (o as { conversion?: { currency: string } }).conversion?.currency).filter((c) => c !== undefined);
    expect(new Set(notes)).toEqual(new Set(['EUR', 'GBP']));
  }, 120_000);
});
