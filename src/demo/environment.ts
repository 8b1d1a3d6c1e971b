import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceKind } from '../../connectors/kinds.ts';
import { createConnector } from '../../connectors/registry.ts';
import type { Logger } from '../log.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { SANDBOX_FIELDS, startSandbox, type Sandbox } from '../sandbox/index.ts';
import { ENCRYPTION_KEY_VAR } from '../store/crypto.ts';
import { DATABASE_URL_VAR, describeStoreLocation, openStoreAt, storeLocationFromEnv } from '../store/open.ts';
import { DB_PATH_VAR } from '../store/sqlite-store.ts';
import type { ConnectionRecord, NewConnection, Store } from '../store/types.ts';
import type { ConnectorFactory } from '../sync/types.ts';

/**
 * The simulator seeded with an org, a store, and one Salesforce and one HubSpot connection to
 * the simulator, as `kamflow connect` would register them. Shared by the demo and the sync
 * benchmark so that both exercise the product exactly as a user would.
 */

/** The sources the simulator serves: the CRMs (a spreadsheet is a file, it needs no simulator). */
export type CrmKind = Extract<SourceKind, 'salesforce' | 'hubspot'>;

export const DEMO_CONNECTION_IDS = { salesforce: 'demo-salesforce', hubspot: 'demo-hubspot' } as const satisfies Record<CrmKind, string>;

export interface DemoEnvironmentOptions {
  org: Snapshot;
  /** Added to every simulator API call (ms). */
  latencyMs?: number;
  /** KAMFLOW_DATABASE_URL or KAMFLOW_DB_PATH, and KAMFLOW_ENCRYPTION_KEY, are read from here; temporary ones otherwise. */
  env?: NodeJS.ProcessEnv;
  /** HubSpot requests per rolling ten seconds the connector allows itself (default: the connector's). */
  hubspotTenSecondBudget?: number;
  /** The simulator's own HubSpot ten-second limit, enforced (default: not enforced). */
  hubspotEnforcedTenSecondly?: number;
  logger?: Logger;
}

export interface DemoEnvironment {
  sandbox: Sandbox;
  store: Store;
  /** Where the store lives (a PostgreSQL URL without its password, or a file); `temporaryStore` when it is removed on close. */
  storePath: string;
  temporaryStore: boolean;
  connections: Record<CrmKind, ConnectionRecord>;
  connectorFactory: ConnectorFactory;
  /** Closes the store and the simulator and removes a temporary store. Safe to call twice. */
  close(): Promise<void>;
}

/** The connector options the simulator's seeded fields need (see SANDBOX_FIELDS). */
export function demoConnections(sandbox: Sandbox, org: Snapshot, hubspotTenSecondBudget?: number): Record<CrmKind, NewConnection> {
  const sf = SANDBOX_FIELDS.salesforce;
  const hs = SANDBOX_FIELDS.hubspot;
  return {
    salesforce: {
      id: DEMO_CONNECTION_IDS.salesforce,
      crm: 'salesforce',
      baseUrl: sandbox.salesforce.instanceUrl,
      options: {
        clientId: sandbox.salesforce.clientId,
        loginUrl: sandbox.salesforce.loginUrl,
        apiVersion: sandbox.salesforce.apiVersion,
        markedKeyField: sf.markedKey,
        referenceableField: sf.contactReferenceable,
        contactActiveField: sf.contactActive,
        costField: sf.lineItemCost,
        offeringFamilyField: sf.productFamily,
      },
      tokens: {
        accessToken: sandbox.salesforce.accessToken,
        refreshToken: sandbox.salesforce.refreshToken,
        instanceUrl: sandbox.salesforce.instanceUrl,
      },
      clientSecret: sandbox.salesforce.clientSecret,
    },
    hubspot: {
      id: DEMO_CONNECTION_IDS.hubspot,
      crm: 'hubspot',
      baseUrl: sandbox.hubspot.baseUrl,
      options: {
        currency: org.currency,
        productFamilyProperty: hs.productFamily,
        lineItemCostProperty: hs.lineItemUnitCost,
        referenceableProperty: hs.contactReferenceable,
        contactActiveProperty: hs.contactActive,
        keyProperty: hs.markedKey,
        ...(hubspotTenSecondBudget !== undefined ? { limits: { tenSecondBudget: hubspotTenSecondBudget } } : {}),
      },
      tokens: { accessToken: sandbox.hubspot.privateAppToken },
      clientSecret: null,
    },
  };
}

async function openStore(env: NodeJS.ProcessEnv): Promise<{ store: Store; path: string; temporaryDir: string | null }> {
  // Without a configured store the demo keeps its data in a temporary SQLite file.
  const configured = Boolean(env[DATABASE_URL_VAR]?.trim() || env[DB_PATH_VAR]);
  const temporaryDir = configured ? null : mkdtempSync(join(tmpdir(), 'kamflow-demo-'));
  const location = storeLocationFromEnv(env, temporaryDir ? join(temporaryDir, 'kamflow.db') : undefined);
  // The demo needs no setup: without a configured key, a fresh one seals this run's tokens.
  const key = env[ENCRYPTION_KEY_VAR] || randomBytes(32).toString('base64');
  try {
    return { store: await openStoreAt(location, key), path: describeStoreLocation(location), temporaryDir };
  } catch (error) {
    if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true });
    throw error;
  }
}

/** Starts the simulator with `org`, opens the store and registers both connections. */
export async function startDemoEnvironment(options: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const env = options.env ?? process.env;
  const sandbox = await startSandbox({
    seed: options.org,
    latencyMs: options.latencyMs ?? 0,
    ...(options.hubspotEnforcedTenSecondly !== undefined
      ? { hubspotLimits: { tenSecondly: options.hubspotEnforcedTenSecondly, enforceTenSecondly: true } }
      : {}),
  });
  let opened: Awaited<ReturnType<typeof openStore>>;
  try {
    opened = await openStore(env);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const { store, path, temporaryDir } = opened;
  // An interrupted demo (Ctrl-C ends the process) must not leave its temporary store behind.
  const removeTemporary = (): void => {
    if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true });
  };
  if (temporaryDir) process.once('exit', removeTemporary);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await store.close();
    removeTemporary();
    process.off('exit', removeTemporary);
    await sandbox.close();
  };
  try {
    const wanted = demoConnections(sandbox, options.org, options.hubspotTenSecondBudget);
    const connections = {} as Record<CrmKind, ConnectionRecord>;
    for (const crm of ['salesforce', 'hubspot'] as const) {
      const input = wanted[crm];
      // A kept store may hold the connections of an earlier demo, pointing at a simulator
      // that is gone: they are replaced, and nothing else in the store is touched.
      if (input.id && (await store.getConnection(input.id))) await store.deleteConnection(input.id);
      connections[crm] = await store.createConnection(input);
    }
    const logger = options.logger;
    const connectorFactory: ConnectorFactory = (connection, credentials, onTokens) =>
      createConnector(connection, credentials, onTokens, logger);
    return { sandbox, store, storePath: path, temporaryStore: temporaryDir !== null, connections, connectorFactory, close };
  } catch (error) {
    await close();
    throw error;
  }
}
