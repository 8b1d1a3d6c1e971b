import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createConnector, sourceProfile } from '../../../connectors/registry.ts';
import { silentLogger } from '../../../src/log.ts';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { SANDBOX_FIELDS, startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { rollbackRun, runSync } from '../../../src/sync/pipeline.ts';
import type { SyncDeps, SyncOptions, SyncResult } from '../../../src/sync/types.ts';
import { connectionFromFlags } from '../../../src/cli/commands/connect.ts';

export const AS_OF = '2026-06-30';
export const CONNECTION_ID = 'sf-e2e';

/** A small generated org: the planted families plus ordinary ones, a few hundred deals. */
export function sampleOrg(accounts = 80): Snapshot {
  return generateSampleOrg({ seed: 7, accounts, asOf: AS_OF, contactsPerAccount: 3 });
}

/** Connector options the simulator's seeded fields need, plus tiny retry delays. */
export const CONNECTOR_OPTIONS = {
  markedKeyField: SANDBOX_FIELDS.salesforce.markedKey,
  referenceableField: SANDBOX_FIELDS.salesforce.contactReferenceable,
  contactActiveField: SANDBOX_FIELDS.salesforce.contactActive,
  costField: SANDBOX_FIELDS.salesforce.lineItemCost,
  offeringFamilyField: SANDBOX_FIELDS.salesforce.productFamily,
  retry: { retries: 4, minDelayMs: 1, maxDelayMs: 5, recordRetries: 2 },
  // The smallest REST batch, so that 240 contacts and 800 line items take several pages.
  pageSize: 200,
  bulkPoll: { intervalMs: 5, timeoutMs: 10_000 },
  // Deleting a won deal moves every family's share: let such plans through without --confirm.
  safetyGateShare: 1,
} as const;

export interface World {
  sb: Sandbox;
  store: SqliteStore;
  dir: string;
  deps: SyncDeps;
  sync(options?: Partial<SyncOptions>): Promise<SyncResult>;
  rollback(runId: string): Promise<SyncResult>;
  connector(): Promise<ReturnType<typeof createConnector>>;
  close(): Promise<void>;
}

/**
 * The simulator seeded with `seed`, a store in a temp dir and a Salesforce connection registered
 * as `kamflow connect` does with a refresh token and the connected app's credentials.
 */
export async function startWorld(seed: Snapshot, sandbox: Omit<SandboxOptions, 'seed'> = {}, extraOptions: Record<string, unknown> = {}): Promise<World> {
  // Stamps follow the wall clock, as a real org's do: the connector's cursors are wall-clock times.
  const sb = await startSandbox({ seed, ...sandbox });
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-e2e-sf-'));
  const store = new SqliteStore({ path: join(dir, 'kamflow.db'), encryptionKey: randomBytes(32).toString('base64') });
  const input = connectionFromFlags(
    { crm: 'salesforce', 'refresh-token': sb.salesforce.refreshToken, 'access-token': sb.salesforce.accessToken, 'instance-url': sb.salesforce.instanceUrl, 'client-id': sb.salesforce.clientId, 'client-secret': sb.salesforce.clientSecret, 'login-url': sb.salesforce.loginUrl, id: CONNECTION_ID },
    {},
  );
  await store.createConnection({ ...input, options: { ...input.options, ...CONNECTOR_OPTIONS, ...extraOptions } });
  let clock = Date.parse('2026-06-30T08:00:00Z');
  const deps: SyncDeps = {
    store,
    connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens),
    profileOf: sourceProfile,
    analyze: analyzeWithStoredConfig,
    logger: silentLogger,
    now: () => new Date((clock += 60_000)),
  };
  return {
    sb, store, dir, deps,
    sync: (options = {}) => runSync(deps, { connectionId: CONNECTION_ID, asOf: AS_OF, ...options }),
    rollback: (runId) => rollbackRun(deps, { runId }),
    async connector() {
      const connection = await store.getConnection(CONNECTION_ID);
      if (!connection) throw new Error('connection missing');
      return createConnector(connection, await store.loadCredentials(CONNECTION_ID), (t) => store.saveTokens(CONNECTION_ID, t));
    },
    async close() {
      await store.close();
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Write calls the simulator received (collections PATCH, single-record PATCH, bulk ingest). */
export function writeCalls(calls: Record<string, number>): number {
  return Object.entries(calls)
    .filter(([k]) => /^salesforce\.(collections|composite|sobject(Update|Patch)|bulkIngest|ingest)/i.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

/** The KAM values the simulator holds for the account seeded as `seedId`. */
export function kamOf(sb: Sandbox, seedId: string): Record<string, unknown> {
  const id = sb.ids.salesforce.accounts[seedId];
  if (!id) throw new Error(`no seeded account ${seedId}`);
  const rec = sb.sf.record('Account', id);
  if (!rec) throw new Error(`account ${seedId} (${id}) is not in the simulator`);
  return Object.fromEntries(Object.entries(rec).filter(([k]) => k.startsWith('KAM_')));
}

/** Seeded account ids of one family (the root id and its `-NN` entities). */
export function familyIds(seed: Snapshot, rootId: string): string[] {
  return seed.accounts.map((a) => a.id).filter((id) => id === rootId || id.startsWith(`${rootId}-`));
}

/** Tier, key flag and score of every account as the analysis of the seed itself gives them. */
function expectedBySeedId(seed: Snapshot): Map<string, { tier: string | null; key: boolean; score: number; share: number }> {
  const result = analyzeWithStoredConfig({ snapshot: seed, config: {}, asOf: AS_OF, rejected: [] });
  return new Map(result.accounts.map((a) => [a.id, { tier: a.kam_tier, key: a.kam_key_account, score: a.kam_score, share: a.kam_revenue_share }]));
}

/** Every account in the simulator carries the tier, key flag, score and share the analysis gives. */
export function expectWrittenAsAnalysed(w: World, seed: Snapshot): void {
  const expected = expectedBySeedId(seed);
  const mismatches: string[] = [];
  for (const a of seed.accounts) {
    const want = expected.get(a.id);
    const got = kamOf(w.sb, a.id);
    const have = { tier: got['KAM_Tier__c'], key: got['KAM_Key_Account__c'], score: got['KAM_Score__c'], share: got['KAM_Revenue_Share__c'] };
    if (JSON.stringify(have) !== JSON.stringify(want)) mismatches.push(`${a.id}: ${JSON.stringify(have)} != ${JSON.stringify(want)}`);
  }
  expect(mismatches).toEqual([]);
}

