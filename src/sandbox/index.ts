import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { CallCounter } from './calls.ts';
import { currencySetup, sfRate } from './currencies.ts';
import { SandboxClock } from './clock.ts';
import { FaultEngine, faultsOptionSchema, type FaultsOption } from './faults.ts';
import type { HsContext } from './hubspot/context.ts';
import { hsObjectType, type HsObjectType } from './hubspot/properties.ts';
import { hubspotRouter } from './hubspot/router.ts';
import { HubSpotStore, type AssociationKind } from './hubspot/store.ts';
import { IdFactory } from './ids.ts';
import { clockStartMs, DEFAULT_DAILY_LIMIT, parseSandboxOptions, type SandboxOptions } from './options.ts';
import { createPrng } from './prng.ts';
import { applySalesforceAccess, type SalesforceAccessInput } from './salesforce/access.ts';
import { BulkJobs } from './salesforce/bulk-jobs.ts';
import type { SfContext } from './salesforce/context.ts';
import { QueryCursors } from './salesforce/cursors.ts';
import { issueSfTokens } from './salesforce/routes-auth.ts';
import { runQuery } from './salesforce/routes-query.ts';
import { salesforceRouter } from './salesforce/router.ts';
import { SalesforceStore } from './salesforce/store.ts';
import { toWire, type SfValue } from './salesforce/values.ts';
import { seedHubSpot } from './seed/hubspot.ts';
import { provisionKamFields } from './seed/provision.ts';
import { emptyIdMap, seedSalesforce, type IdMap } from './seed/salesforce.ts';
import type { Crm } from './tokens.ts';
import { TokenRegistry } from './tokens.ts';

export type { SandboxOptions } from './options.ts';
export type { FaultSpec, FaultsOption } from './faults.ts';
export type { IdMap } from './seed/salesforce.ts';
export type { SalesforceAccessInput } from './salesforce/access.ts';
export type { AssociationKind } from './hubspot/store.ts';
export { SANDBOX_FIELDS, salesforceFieldName } from './seed/names.ts';

export const SANDBOX_SF_API_VERSION = '62.0';

export interface Sandbox {
  /** `http://127.0.0.1:PORT`: Salesforce login and instance URL and HubSpot base URL alike. */
  url: string;
  salesforce: {
    loginUrl: string;
    instanceUrl: string;
    apiVersion: string;
    clientId: string;
    clientSecret: string;
    accessToken: string;
    refreshToken: string;
    orgId: string;
    userId: string;
  };
  hubspot: {
    baseUrl: string;
    /** Authorize URL host for OAuth (`{authorizeHost}/oauth/authorize`). */
    authorizeHost: string;
    privateAppToken: string;
    clientId: string;
    clientSecret: string;
    accessToken: string;
    refreshToken: string;
  };
  /** Seed model ids -> each CRM's ids. */
  ids: { salesforce: IdMap; hubspot: IdMap };
  sf: {
    /** A record's stored fields as the API shows them (datetimes formatted), or undefined. */
    record(object: string, id: string): Record<string, unknown> | undefined;
    /** Runs SOQL directly (not counted as an API call); deleted records with `includeDeleted`. */
    query(soql: string, includeDeleted?: boolean): Record<string, unknown>[];
    /** Edits a record as a user would: stamps move. Values are stored as given (datetimes in ms). */
    update(object: string, id: string, values: Record<string, SfValue>): void;
    insert(object: string, values: Record<string, SfValue>): string;
    delete(object: string, id: string): void;
    apiUsage(): { used: number; max: number };
    setDailyLimit(max: number): void;
    /** Bulk API 2.0 ingest jobs with their states, in creation order. */
    ingestJobs(): { id: string; state: string }[];
    /** A page layout's XML content as the Metadata API holds it, or undefined. */
    layout(fullName: string): string | undefined;
    /** Replaces a page layout's content, as an admin editing it in Setup would. */
    setLayout(fullName: string, xml: string): void;
    /**
     * Replaces what the integration user's profile hides from it, as an admin changing the
     * profile would (the `salesforceAccess` option at start): `{}` hides nothing.
     */
    setAccess(access: SalesforceAccessInput): void;
  };
  hs: {
    object(type: string, id: string): { id: string; properties: Record<string, string | null>; archived: boolean; updatedAt: string } | undefined;
    update(type: string, id: string, properties: Record<string, string | null>): void;
    /** Every live (not archived) record of a type, in id order, with the ids of the companies it is associated with. */
    list(type: string): { id: string; properties: Record<string, string | null>; companies: string[] }[];
    create(type: string, properties: Record<string, string | null>): string;
    archive(type: string, id: string): void;
    /**
     * Brings an archived record back, as a user restoring it from the recycle bin; its
     * last-modified stamp stays (HubSpot does not document whether a restore moves it).
     */
    restore(type: string, id: string): void;
    /** Adds an owner that is a queue (owners API `type: QUEUE`), not a person. */
    addQueue(name: string): string;
    /** Links or unlinks two records as a user would: like HubSpot, no modified date moves. */
    associate(kind: AssociationKind, fromId: string, toId: string): void;
    dissociate(kind: AssociationKind, fromId: string, toId: string): void;
    apiUsage(): { used: number; max: number };
    setDailyLimit(max: number): void;
  };
  /** A new day: both CRMs' daily usage counters go back to zero and the allowances to the configured ones. */
  resetDailyUsage(): void;
  /** API calls by `crm.endpoint` since start or the last reset. */
  calls(): Record<string, number>;
  resetCalls(): void;
  /** Calls answered 429 for a rate limit since start or the last reset, by `crm.policy` (HubSpot's policyName). */
  rateLimited(): Record<string, number>;
  /** Told of every API call as it arrives, before it is answered; null stops it. */
  onCall(listener: ((crm: Crm, endpoint: string) => void) | null): void;
  /** Told of every update applied to a record (through the API or sf/hs.update); null stops it. */
  onRecordUpdate(listener: ((crm: Crm, object: string, id: string, values: Record<string, unknown>) => void) | null): void;
  setFaults(faults: FaultsOption): void;
  /** Faults injected since the simulator started, per CRM and kind. */
  injectedFaults(): Record<Crm, Record<string, number>>;
  /** Ends every current access token of one CRM: the next calls get 401 until a refresh. */
  expireAccessTokens(crm: Crm): void;
  /** Revokes every token of one CRM, refresh tokens included: refreshes fail (invalid_grant). */
  revokeTokens(crm: Crm): void;
  clock: { now(): number; advance(ms: number): void };
  close(): Promise<void>;
}

function hsType(type: string): HsObjectType {
  const t = hsObjectType(type);
  if (!t) throw new Error(`unknown HubSpot object type ${type}`);
  return t;
}

/** Starts the local Salesforce + HubSpot simulator on loopback. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { parsed, seed } = parseSandboxOptions(options);
  const clock = new SandboxClock(clockStartMs(parsed.clockStart));
  const ids = new IdFactory();
  const calls = new CallCounter();
  const tokens = new TokenRegistry(createPrng(parsed.prngSeed));
  const faultSeed = parsed.faults?.seed ?? parsed.prngSeed;
  const sfFaults = new FaultEngine(faultSeed, parsed.latencyMs);
  const hsFaults = new FaultEngine(faultSeed + 7919, parsed.latencyMs);
  const daily: { salesforce: number; hubspot: number } = typeof parsed.dailyLimit === 'number'
    ? { salesforce: parsed.dailyLimit, hubspot: parsed.dailyLimit }
    : { ...DEFAULT_DAILY_LIMIT, ...(parsed.dailyLimit ?? {}) };
  const currencies = currencySetup(parsed.multiCurrency, seed);
  const sfStore = new SalesforceStore(clock, ids, {
    multiCurrency: currencies.multi,
    corporateCurrency: currencies.corporate,
    dailyLimit: daily.salesforce,
    rates: Object.fromEntries([...currencies.rates].map(([code, rate]) => [code, sfRate(rate)])),
    datedRates: currencies.dated.map((d) => ({ code: d.code, rate: sfRate(d.rate), start: d.start })),
  });
  const hsStore = new HubSpotStore(clock, ids, daily.hubspot);
  hsStore.setCurrencies(currencies.corporate, currencies.multi ? currencies.rates : new Map());
  if (parsed.salesforceAccess) applySalesforceAccess(sfStore, parsed.salesforceAccess);
  if (parsed.provisioned) provisionKamFields(sfStore, hsStore);
  const seedSize = seed
    ? seed.users.length + seed.products.length + seed.accounts.length * 2 + seed.contacts.length + seed.opportunities.reduce((n, o) => n + 1 + o.lineItems.length, 0)
      + (seed.contactRoles?.length ?? 0)
    : 0;
  const seedStamp = clock.reserve(seedSize * 2);
  const idMaps = {
    salesforce: seed ? seedSalesforce(sfStore, ids, seed, parsed.provisioned, seedStamp) : emptyIdMap(),
    hubspot: seed ? seedHubSpot(hsStore, seed, parsed.provisioned, seedStamp) : emptyIdMap(),
  };

  let baseUrl = '';
  let correlation = 0;
  const sfCtx: SfContext = {
    store: sfStore, tokens, faults: sfFaults, clock, ids, calls,
    cursors: new QueryCursors(ids), bulk: new BulkJobs(),
    clientId: 'SandboxSalesforceClientId', clientSecret: 'sandbox-sf-client-secret',
    baseUrl: () => baseUrl, bulkQueryPageSize: parsed.bulkQueryPageSize,
  };
  const privateAppToken = tokens.issue('hubspot', 'access', { now: clock.peek(), privateApp: true });
  const hsCtx: HsContext = {
    store: hsStore, tokens, faults: hsFaults, clock, calls, limits: parsed.hubspotLimits, searchLagMs: parsed.hubspotSearchLagMs,
    clientId: 'sandbox-hubspot-client-id', clientSecret: 'sandbox-hubspot-client-secret', privateAppToken,
    baseUrl: () => baseUrl,
    correlationId: () => {
      correlation += 1;
      return `00000000-0000-4000-8000-${correlation.toString(16).padStart(12, '0')}`;
    },
  };
  const applyFaults = (faults: FaultsOption): void => {
    const f = faultsOptionSchema.parse(faults);
    const sfSpec = sfFaults.set(f.salesforce, tokens.lastSerial);
    const hsSpec = hsFaults.set(f.hubspot, tokens.lastSerial);
    if (sfSpec.dailyLimitAfter !== undefined) sfStore.dailyLimit = sfStore.apiUsed + sfSpec.dailyLimitAfter;
    if (hsSpec.dailyLimitAfter !== undefined) hsStore.dailyLimit = hsStore.dailyUsed + hsSpec.dailyLimitAfter;
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(salesforceRouter(sfCtx));
  app.use(hubspotRouter(hsCtx));
  app.use((_req, res) => {
    res.status(404).json({ message: 'not found' });
  });

  // Node's default 16 KiB header cap would answer 431 before a route sees the request; a larger
  // one lets the Salesforce routes answer a long query URI with the documented 414.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, app).listen(parsed.port, parsed.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  baseUrl = `http://${parsed.host}:${address.port}`;

  const sfTokens = issueSfTokens(sfCtx, true);
  const now = Date.now();
  const hsAccess = tokens.issue('hubspot', 'access', { now, ttlMs: 1800 * 1000 });
  const hsRefresh = tokens.issue('hubspot', 'refresh', { now });
  if (parsed.faults) applyFaults(parsed.faults);

  return {
    url: baseUrl,
    salesforce: {
      loginUrl: baseUrl,
      instanceUrl: baseUrl,
      apiVersion: SANDBOX_SF_API_VERSION,
      clientId: sfCtx.clientId,
      clientSecret: sfCtx.clientSecret,
      accessToken: sfTokens['access_token'] as string,
      refreshToken: sfTokens['refresh_token'] as string,
      orgId: sfStore.orgId,
      userId: sfStore.integrationUserId,
    },
    hubspot: {
      baseUrl,
      authorizeHost: baseUrl,
      privateAppToken,
      clientId: hsCtx.clientId,
      clientSecret: hsCtx.clientSecret,
      accessToken: hsAccess,
      refreshToken: hsRefresh,
    },
    ids: idMaps,
    sf: {
      record(object, id) {
        const obj = sfStore.object(object);
        const rec = obj ? sfStore.get(obj.name, id) : undefined;
        if (!obj || !rec) return undefined;
        const out: Record<string, unknown> = {};
        for (const f of obj.fields) out[f.name] = toWire(f, rec[f.name]);
        return out;
      },
      query: (soql, includeDeleted = false) => runQuery(sfCtx, soql, includeDeleted, SANDBOX_SF_API_VERSION),
      update(object, id, values) {
        if (!sfStore.update(object, id, values)) throw new Error(`no live ${object} ${id}`);
      },
      insert: (object, values) => sfStore.insert(object, values),
      delete(object, id) {
        if (!sfStore.delete(object, id)) throw new Error(`no live ${object} ${id}`);
      },
      apiUsage: () => ({ used: sfStore.apiUsed, max: sfStore.dailyLimit }),
      setDailyLimit(max) {
        sfStore.dailyLimit = max;
        daily.salesforce = max;
      },
      ingestJobs: () => [...sfCtx.bulk.jobs.values()].filter((j) => j.kind === 'ingest').map((j) => ({ id: j.id, state: j.state })),
      layout: (fullName) => sfStore.layouts.get(fullName),
      setLayout(fullName, xml) {
        sfStore.layouts.set(fullName, xml);
      },
      setAccess: (access) => applySalesforceAccess(sfStore, access),
    },
    hs: {
      object(type, id) {
        const obj = hsStore.table(hsType(type)).get(id);
        return obj ? { id: obj.id, properties: { ...obj.properties }, archived: obj.archived, updatedAt: new Date(obj.updatedAt).toISOString() } : undefined;
      },
      update(type, id, properties) {
        if (!hsStore.update(hsType(type), id, properties)) throw new Error(`no live ${type} ${id}`);
      },
      list(type) {
        const t = hsType(type);
        return hsStore.ordered(t).filter((o) => !o.archived).map((o) => ({
          id: o.id, properties: { ...o.properties }, companies: hsStore.associations(t, o.id, 'companies').map((a) => a.toId),
        }));
      },
      create: (type, properties) => hsStore.create(hsType(type), properties),
      archive(type, id) {
        if (!hsStore.archive(hsType(type), id)) throw new Error(`no live ${type} ${id}`);
      },
      restore(type, id) {
        if (!hsStore.restore(hsType(type), id)) throw new Error(`no archived ${type} ${id}`);
      },
      addQueue: (name) => hsStore.addOwner(name, '', '', false, 'QUEUE'),
      associate: (kind, fromId, toId) => hsStore.associate(kind, fromId, toId),
      dissociate(kind, fromId, toId) {
        if (!hsStore.dissociate(kind, fromId, toId)) throw new Error(`no ${kind} association ${fromId} -> ${toId}`);
      },
      apiUsage: () => ({ used: hsStore.dailyUsed, max: hsStore.dailyLimit }),
      setDailyLimit(max) {
        hsStore.dailyLimit = max;
        daily.hubspot = max;
      },
    },
    resetDailyUsage() {
      sfStore.apiUsed = 0;
      hsStore.dailyUsed = 0;
      // A `dailyLimitAfter` fault used up one day's allowance; the new day has the whole allowance.
      sfStore.dailyLimit = daily.salesforce;
      hsStore.dailyLimit = daily.hubspot;
    },
    calls: () => calls.snapshot(),
    resetCalls: () => calls.reset(),
    rateLimited: () => calls.rateLimitedSnapshot(),
    onCall: (listener) => {
      calls.listener = listener ? (crm, endpoint) => listener(crm as Crm, endpoint) : null;
    },
    onRecordUpdate: (listener) => {
      sfStore.updateListener = listener ? (object, id, values) => listener('salesforce', object, id, values) : null;
      hsStore.updateListener = listener ? (type, id, properties) => listener('hubspot', type, id, properties) : null;
    },
    setFaults: applyFaults,
    injectedFaults: () => ({ salesforce: { ...sfFaults.injected }, hubspot: { ...hsFaults.injected } }),
    expireAccessTokens: (crm) => tokens.expireAccessTokens(crm),
    revokeTokens: (crm) => tokens.revokeAll(crm),
    clock: { now: () => clock.peek(), advance: (ms) => clock.advance(ms) },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
