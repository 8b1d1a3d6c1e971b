import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProvisionReport } from '../../../src/contract/connector.ts';
import { createConnector, sourceProfile } from '../../../connectors/registry.ts';
import { connectionFromFlags } from '../../../src/cli/commands/connect.ts';
import { silentLogger } from '../../../src/log.ts';
import { generateSampleOrg } from '../../../src/sandbox/generate.ts';
import { SANDBOX_FIELDS, startSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.ts';
import type { AccountInsight } from '../../../src/model/insights.ts';
import type { Snapshot } from '../../../src/model/snapshot.ts';
import { snapshotFromMirror } from '../../../src/store/snapshot-from-mirror.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { rollbackRun, runSync } from '../../../src/sync/pipeline.ts';
import type { SyncDeps, SyncOptions, SyncResult } from '../../../src/sync/types.ts';
import { loadMirror } from '../../../src/store/read-mirror.ts';

/** A fixed test key (32 bytes, base64): never a real secret. */
export const TEST_KEY = Buffer.alloc(32, 7).toString('base64');
export const AS_OF = '2026-06-30';
export const CONNECTION = 'hs-e2e';

/**
 * Connector options for the fields the sandbox seeds, with tiny retry waits. No `currency`:
 * the connector reads the portal's from the account details.
 */
export const CONNECTOR_OPTIONS = {
  productFamilyProperty: SANDBOX_FIELDS.hubspot.productFamily,
  lineItemCostProperty: SANDBOX_FIELDS.hubspot.lineItemUnitCost,
  referenceableProperty: SANDBOX_FIELDS.hubspot.contactReferenceable,
  contactActiveProperty: SANDBOX_FIELDS.hubspot.contactActive,
  keyProperty: SANDBOX_FIELDS.hubspot.markedKey,
  // Four search retries 300 ms apart outlast the one-second search window of a previous run's connector.
  retry: { retries: 5, minDelayMs: 1, maxDelayMs: 5, tenSecondlyWaitMs: 1, secondlyWaitMs: 300, lockedWaitMs: 1 },
  // The sandbox allows 2,000 calls per 10 s and 20 searches a second in these tests (HubSpot: 190
  // and 5), so that runs back to back do not wait out the window; the connector keeps its margin.
  limits: { tenSecondBudget: 1_000, searchPerSecond: 16 },
} as const;

/** Sandbox call-counter keys of HubSpot calls that change data. */
const WRITE_ENDPOINTS = /^hubspot\.(batchUpdate|batchCreate|batchArchive|create|propertiesWrite|objectPOST|objectPATCH|objectDELETE)$/;

export interface World {
  sb: Sandbox;
  store: SqliteStore;
  org: Snapshot;
  dir: string;
  deps: () => SyncDeps;
  /** The sync engine's clock (the CRM and the connector keep the real one); null: real time. */
  setNow: (now: Date | null) => void;
  sync: (options?: Partial<SyncOptions>) => Promise<SyncResult>;
  rollback: (runId: string) => Promise<SyncResult>;
  /** What `kamflow provision` does: the connector of the stored connection provisions. */
  provision: () => Promise<ProvisionReport>;
  /** The sandbox's HubSpot id of a seed account id. */
  hsId: (seedAccountId: string) => string;
  company: (seedAccountId: string) => Record<string, string | null>;
  /** HubSpot write calls (batch updates) since the last resetCalls. */
  writeCalls: () => number;
  close: () => Promise<void>;
}

export interface WorldOptions {
  accounts?: number;
  seed?: number;
  sandbox?: Omit<SandboxOptions, 'seed'>;
  /** Register an OAuth install (refresh token + client) instead of the private-app token. */
  oauth?: boolean;
  options?: Record<string, unknown>;
  /** Deals name contacts in roles (labeled deal-contact associations). */
  contactRoles?: boolean;
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const org = generateSampleOrg({ seed: opts.seed ?? 42, accounts: opts.accounts ?? 80, asOf: AS_OF, contactsPerAccount: 2, ...(opts.contactRoles ? { contactRoles: true } : {}) });
  const sb = await startSandbox({ hubspotLimits: { tenSecondly: 2_000, searchPerSecond: 20 }, ...(opts.sandbox ?? {}), seed: org });
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-e2e-hs-'));
  const store = new SqliteStore({ path: join(dir, 'kamflow.db'), encryptionKey: TEST_KEY });
  const options = { ...CONNECTOR_OPTIONS, ...(opts.oauth ? { clientId: sb.hubspot.clientId } : {}), ...(opts.options ?? {}) };
  if (opts.oauth) {
    // An OAuth install (what the app's install flow stores): tokens, the app's client id and secret.
    await store.createConnection({
      id: CONNECTION, crm: 'hubspot', baseUrl: sb.hubspot.baseUrl, options,
      tokens: { accessToken: sb.hubspot.accessToken, refreshToken: sb.hubspot.refreshToken, expiresAt: Date.now() + 1800_000 },
      clientSecret: sb.hubspot.clientSecret,
    });
  } else {
    // What `kamflow connect --crm hubspot` registers from HUBSPOT_TOKEN and HUBSPOT_BASE_URL.
    const input = connectionFromFlags({ crm: 'hubspot', id: CONNECTION }, { HUBSPOT_TOKEN: sb.hubspot.privateAppToken, HUBSPOT_BASE_URL: sb.hubspot.baseUrl });
    await store.createConnection({ ...input, options: { ...input.options, ...options } });
  }
  let now: Date | null = null;
  const deps = (): SyncDeps => ({
    ...(now ? { now: () => now as Date } : {}),
    store,
    connectorFactory: (c, cred, onTokens) => createConnector(c, cred, onTokens, silentLogger),
    profileOf: sourceProfile,
    analyze: analyzeWithStoredConfig,
    logger: silentLogger,
  });
  const hsId = (id: string): string => {
    const v = sb.ids.hubspot.accounts[id];
    if (!v) throw new Error(`no HubSpot company for seed account ${id}`);
    return v;
  };
  return {
    sb, store, org, dir, deps,
    setNow: (d) => {
      now = d;
    },
    sync: (o = {}) => runSync(deps(), { connectionId: CONNECTION, asOf: AS_OF, ...o }),
    rollback: (runId) => rollbackRun(deps(), { runId }),
    provision: async () => {
      const connection = await store.getConnection(CONNECTION);
      if (!connection) throw new Error('connection missing');
      return createConnector(connection, await store.loadCredentials(CONNECTION), (t) => store.saveTokens(CONNECTION, t), silentLogger).provision();
    },
    hsId,
    company: (id) => {
      const c = sb.hs.object('companies', hsId(id));
      if (!c) throw new Error(`company ${id} missing from the sandbox`);
      return c.properties;
    },
    writeCalls: () => Object.entries(sb.calls()).filter(([k]) => WRITE_ENDPOINTS.test(k)).reduce((n, [, v]) => n + v, 0),
    close: async () => {
      await store.close();
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Seed ids of the accounts of one family (the root and all its descendants). */
export function familyOf(org: Snapshot, rootId: string): string[] {
  const children = new Map<string, string[]>();
  for (const a of org.accounts) if (a.parentId) children.set(a.parentId, [...(children.get(a.parentId) ?? []), a.id]);
  const out: string[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop() as string;
    if (out.includes(id)) continue;
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

/** The analysis of what the mirror holds now, by account id (HubSpot company id). */
export async function analysisOfMirror(w: World): Promise<Map<string, AccountInsight>> {
  const { snapshot } = snapshotFromMirror(await loadMirror(w.store, CONNECTION), 'hubspot', 'USD');
  const result = analyzeWithStoredConfig({ snapshot, config: null, asOf: AS_OF, rejected: [] });
  return new Map(result.accounts.map((a) => [a.id, a]));
}

/** Kamflow's properties of every live company in the sandbox, by company id. */
export function kamValues(w: World): Map<string, Record<string, string | null>> {
  const out = new Map<string, Record<string, string | null>>();
  for (const seedId of Object.keys(w.sb.ids.hubspot.accounts)) {
    const c = w.sb.hs.object('companies', w.hsId(seedId));
    if (!c || c.archived) continue;
    out.set(c.id, Object.fromEntries(Object.entries(c.properties).filter(([k]) => k.startsWith('kam_'))));
  }
  return out;
}

/** Ids of mirrored records of one kind. */
export async function mirrorIds(w: World, kind: 'contacts' | 'opportunities' | 'accounts'): Promise<string[]> {
  const m = await loadMirror(w.store, CONNECTION);
  return m[kind].map((r) => String((r as { id: unknown }).id));
}
