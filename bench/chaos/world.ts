import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnector } from '../../connectors/registry.ts';
import type { SourceKind } from '../../connectors/kinds.ts';
import { connectionFromFlags } from '../../src/cli/commands/connect.ts';
import { silentLogger } from '../../src/log.ts';
import type { Snapshot } from '../../src/model/snapshot.ts';
import { generateSampleOrg } from '../../src/sandbox/generate.ts';
import { SANDBOX_FIELDS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { openStoreAt, type KamflowStore, type StoreLocation } from '../../src/store/open.ts';

/**
 * The chaos run's world: the simulator (both CRMs) in this process, one store (a SQLite file,
 * or a PostgreSQL database the caller made for it), one connection per CRM, and each sync or
 * rollback run as the real `kamflow` command in a child process that can be killed (SIGKILL)
 * while it works.
 */

export const AS_OF = '2026-06-30';
export const KEY = Buffer.alloc(32, 9).toString('base64');
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const RETRY = { retries: 4, minDelayMs: 1, maxDelayMs: 4 };

export interface Crm {
  kind: SourceKind;
  connectionId: string;
  /** The CRM's id of a seeded account. */
  accountId(seedId: string): string;
}

export interface World {
  sb: Sandbox;
  org: Snapshot;
  dir: string;
  /** Where the store is, and the environment that points a `kamflow` process at it. */
  location: StoreLocation;
  storeEnv: Record<string, string>;
  crms: Crm[];
  /** Opens the store for a look between runs (never while a child runs). */
  withStore<T>(fn: (store: KamflowStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The store of a chaos run: a SQLite file in the run's folder, or an empty PostgreSQL database. */
export type ChaosStore = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

export async function startChaosWorld(seed: number, accounts: number, storeKind: ChaosStore = { kind: 'sqlite' }): Promise<World> {
  const org = generateSampleOrg({ seed, accounts, asOf: AS_OF, contactsPerAccount: 2 });
  const sb = await startSandbox({ seed: org, hubspotLimits: { tenSecondly: 2_000, searchPerSecond: 40 } });
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-chaos-'));
  const location: StoreLocation = storeKind.kind === 'postgres' ? { kind: 'postgres', url: storeKind.url } : { kind: 'sqlite', path: join(dir, 'kamflow.db') };
  const storeEnv: Record<string, string> = location.kind === 'postgres' ? { KAMFLOW_DATABASE_URL: location.url } : { KAMFLOW_DB_PATH: location.path };
  const withStore = async <T>(fn: (store: KamflowStore) => Promise<T>): Promise<T> => {
    const store = await openStoreAt(location, KEY);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  await withStore(async (store) => {
    const sf = connectionFromFlags(
      { crm: 'salesforce', id: 'sf-chaos', 'refresh-token': sb.salesforce.refreshToken, 'access-token': sb.salesforce.accessToken, 'instance-url': sb.salesforce.instanceUrl, 'client-id': sb.salesforce.clientId, 'client-secret': sb.salesforce.clientSecret, 'login-url': sb.salesforce.loginUrl },
      {},
    );
    await store.createConnection({
      ...sf,
      options: {
        ...sf.options, markedKeyField: SANDBOX_FIELDS.salesforce.markedKey, referenceableField: SANDBOX_FIELDS.salesforce.contactReferenceable,
        contactActiveField: SANDBOX_FIELDS.salesforce.contactActive, costField: SANDBOX_FIELDS.salesforce.lineItemCost, offeringFamilyField: SANDBOX_FIELDS.salesforce.productFamily,
        retry: { ...RETRY, recordRetries: 2 }, bulkPoll: { intervalMs: 5, timeoutMs: 10_000 }, safetyGateShare: 1,
      },
    });
    await store.createConnection({
      id: 'hs-chaos', crm: 'hubspot', baseUrl: sb.hubspot.baseUrl,
      tokens: { accessToken: sb.hubspot.accessToken, refreshToken: sb.hubspot.refreshToken, expiresAt: Date.now() + 1800_000 },
      clientSecret: sb.hubspot.clientSecret,
      options: {
        clientId: sb.hubspot.clientId, productFamilyProperty: SANDBOX_FIELDS.hubspot.productFamily, lineItemCostProperty: SANDBOX_FIELDS.hubspot.lineItemUnitCost,
        referenceableProperty: SANDBOX_FIELDS.hubspot.contactReferenceable, contactActiveProperty: SANDBOX_FIELDS.hubspot.contactActive, keyProperty: SANDBOX_FIELDS.hubspot.markedKey,
        retry: { ...RETRY, tenSecondlyWaitMs: 1, secondlyWaitMs: 300, lockedWaitMs: 1 }, limits: { tenSecondBudget: 1_000, searchPerSecond: 30 }, safetyGateShare: 1,
      },
    });
    for (const id of ['sf-chaos', 'hs-chaos']) {
      const connection = await store.getConnection(id);
      if (!connection) throw new Error(`connection ${id} missing`);
      await createConnector(connection, await store.loadCredentials(id), (t) => store.saveTokens(id, t), silentLogger).provision();
    }
  });
  const idOf = (map: Record<string, string>, seedId: string): string => {
    const id = map[seedId];
    if (!id) throw new Error(`no CRM id for seeded account ${seedId}`);
    return id;
  };
  return {
    sb, org, dir, location, storeEnv, withStore,
    crms: [
      { kind: 'salesforce', connectionId: 'sf-chaos', accountId: (s) => idOf(sb.ids.salesforce.accounts, s) },
      { kind: 'hubspot', connectionId: 'hs-chaos', accountId: (s) => idOf(sb.ids.hubspot.accounts, s) },
    ],
    async close() {
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ChildResult {
  /** Exit code, or null when killed. */
  code: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `kamflow ARGS` against the world's store. With `killAtCall`, the child is sent SIGKILL
 * as the simulator receives its n-th API call to `crm` (the call itself is still carried out:
 * a write then lands with nobody left to hear the answer).
 */
export function runKamflow(world: World, args: string[], kill?: { crm: SourceKind; atCall: number }): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const { KAMFLOW_DATABASE_URL: _pg, KAMFLOW_DB_PATH: _file, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...env, ...world.storeEnv, KAMFLOW_ENCRYPTION_KEY: KEY, KAMFLOW_LOG_LEVEL: 'silent', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let calls = 0;
    let killed = false;
    if (kill) {
      world.sb.onCall((crm) => {
        if (crm !== kill.crm || killed) return;
        calls += 1;
        if (calls >= kill.atCall) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
    }
    child.on('error', reject);
    child.on('close', (code) => {
      world.sb.onCall(null);
      resolve({ code, killed, stdout, stderr });
    });
  });
}
