import { z } from 'zod';
import type { Connector, CrmKind, TokenSet } from '../../connectors/connector.ts';
import { isCrmError } from '../../connectors/errors.ts';
import * as hubspot from '../../connectors/hubspot/index.ts';
import * as salesforce from '../../connectors/salesforce/index.ts';
import type { Logger } from '../log.ts';
import type { BeginInstallRequest, BeginInstallResult, CompleteInstallRequest, CompleteInstallResult, InstallFailure, SalesforceLoginHost } from '../server/backend.ts';
import type { ConnectionRecord, Credentials, Store } from '../store/types.ts';
import type { ConnectorFactory } from '../sync/types.ts';
import type { ConsoleSettings } from './settings.ts';

export const HUBSPOT_API_BASE = 'https://api.hubapi.com';
const HUBSPOT_AUTHORIZE_HOST = 'https://app.hubspot.com';

/**
 * Scopes without which Kamflow cannot read accounts or write its fields. A portal may grant
 * fewer than requested when scopes are optional or the installing user lacks rights.
 */
export const REQUIRED_HUBSPOT_SCOPES = [
  'crm.objects.companies.read', 'crm.objects.companies.write', 'crm.objects.contacts.read', 'crm.objects.deals.read', 'crm.schemas.companies.write',
] as const;

/** The login URL of a Salesforce login host; production and sandbox go to the simulator when one is set. */
export function salesforceLoginUrl(host: SalesforceLoginHost | null, simulatorUrl: string | null): string {
  if (host !== null && typeof host === 'object') return host.myDomain;
  if (simulatorUrl) return simulatorUrl;
  return host === 'sandbox' ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
}

export function hubspotApiBase(settings: ConsoleSettings): string {
  return settings.simulatorUrl ?? HUBSPOT_API_BASE;
}

const TokenInfoSchema = z.looseObject({
  hub_id: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String),
  hub_domain: z.string().max(300).optional(),
  scopes: z.array(z.string()).default([]),
});
export type HubSpotTokenInfo = z.infer<typeof TokenInfoSchema>;

/** The portal an access token belongs to and the scopes it carries (GET /oauth/v1/access-tokens/:token). */
export async function fetchHubSpotTokenInfo(basePath: string, accessToken: string): Promise<HubSpotTokenInfo> {
  let res: Response;
  try {
    res = await fetch(`${basePath}/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`, { signal: AbortSignal.timeout(30_000) });
  } catch {
    throw new InstallError('unavailable', 'HubSpot did not answer the token information request.');
  }
  if (!res.ok) {
    throw new InstallError(res.status >= 500 ? 'unavailable' : 'not-authorized', `HubSpot refused the token information request (HTTP ${res.status}).`);
  }
  const parsed = TokenInfoSchema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new InstallError('unavailable', 'HubSpot answered the token information request without a portal id.');
  return parsed.data;
}

/** An install step that failed in a way the admin can act on; the message is free of secrets. */
export class InstallError extends Error {
  override readonly name = 'InstallError';
  constructor(readonly reason: InstallFailure, message: string) {
    super(message);
  }
}

export interface InstallDeps {
  settings: ConsoleSettings;
  store: Store;
  connectorFactory: ConnectorFactory;
  logger: Logger;
  /** Replaceable in tests; the connectors' own helpers by default. */
  exchangeSalesforceCode?: typeof salesforce.exchangeCode;
  exchangeHubSpotCode?: typeof hubspot.exchangeCode;
  hubspotTokenInfo?: typeof fetchHubSpotTokenInfo;
}

export function beginInstall(deps: InstallDeps, request: BeginInstallRequest): BeginInstallResult {
  const { settings } = deps;
  if (request.crm === 'salesforce') {
    if (!settings.salesforce) return { ok: false, message: 'Salesforce install is not set up on this server: set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET.' };
    const authorizeUrl = salesforce.buildAuthorizeUrl(
      { loginUrl: salesforceLoginUrl(request.loginHost, settings.simulatorUrl), clientId: settings.salesforce.clientId, redirectUri: request.redirectUri },
      { state: request.state, codeChallenge: request.codeChallenge },
    );
    return { ok: true, authorizeUrl };
  }
  if (!settings.hubspot) return { ok: false, message: 'HubSpot install is not set up on this server: set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET.' };
  const authorizeUrl = hubspot.buildAuthorizeUrl({
    clientId: settings.hubspot.clientId, redirectUri: request.redirectUri, state: request.state,
    authorizeHost: settings.simulatorUrl ?? HUBSPOT_AUTHORIZE_HOST,
  });
  return { ok: true, authorizeUrl };
}

/** A connection fully described in memory, written to the store only once everything worked. */
interface Prepared {
  record: ConnectionRecord;
  credentials: Credentials;
  name: string;
  /** The stored connection of the same org or portal, which a reinstall refreshes. */
  existing: ConnectionRecord | null;
}

function exchangeFailure(crm: CrmKind, error: unknown): InstallError {
  if (error instanceof InstallError) return error;
  const label = crm === 'salesforce' ? 'Salesforce' : 'HubSpot';
  if (isCrmError(error)) {
    if (error.kind === 'unavailable' || error.kind === 'api-limit') return new InstallError('unavailable', `${label} did not answer the token request.`);
    const text = error.message;
    if (/invalid_client|BAD_CLIENT_ID|redirect_uri/i.test(text)) {
      return new InstallError('not-authorized', `${label} refused the app's credentials or callback URL; check the client id and secret and the callback URL registered for the app.`);
    }
    if (/invalid_grant|BAD_AUTH_CODE|authorization code|code verifier|HTTP 400/i.test(text)) {
      return new InstallError('expired-code', `${label} refused the authorization code (expired or already used).`);
    }
    if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|fetch failed|socket hang up|HTTP 5\d\d/i.test(text)) {
      return new InstallError('unavailable', `${label} did not answer the token request.`);
    }
    return new InstallError('not-authorized', `${label} refused the token request; check the app's client id, secret and callback URL.`);
  }
  throw error;
}

async function prepareSalesforce(deps: InstallDeps, request: CompleteInstallRequest): Promise<Prepared> {
  const app = deps.settings.salesforce;
  if (!app) throw new InstallError('not-authorized', 'Salesforce install is not set up on this server.');
  const loginUrl = salesforceLoginUrl(request.loginHost, deps.settings.simulatorUrl);
  let tokens: TokenSet;
  try {
    tokens = await (deps.exchangeSalesforceCode ?? salesforce.exchangeCode)({ loginUrl, ...app, redirectUri: request.redirectUri }, request.code, request.codeVerifier);
  } catch (error) {
    throw exchangeFailure('salesforce', error);
  }
  const instanceUrl = tokens.instanceUrl ?? loginUrl;
  const name = new URL(instanceUrl).hostname;
  const existing = (await deps.store.listConnections()).find((c) => c.crm === 'salesforce' && c.baseUrl === instanceUrl) ?? null;
  const now = new Date().toISOString();
  return {
    name, existing,
    credentials: { tokens, clientSecret: app.clientSecret },
    record: {
      id: existing?.id ?? 'installing', crm: 'salesforce', baseUrl: instanceUrl,
      options: { ...(existing?.options ?? {}), clientId: app.clientId, loginUrl, name },
      schedule: existing ? existing.schedule : deps.settings.defaultSchedule,
      timezone: existing ? existing.timezone : deps.settings.defaultTimezone,
      analysisConfig: existing?.analysisConfig ?? null, hasTokens: true, createdAt: now, updatedAt: now,
    },
  };
}

async function prepareHubSpot(deps: InstallDeps, request: CompleteInstallRequest): Promise<Prepared> {
  const app = deps.settings.hubspot;
  if (!app) throw new InstallError('not-authorized', 'HubSpot install is not set up on this server.');
  const basePath = hubspotApiBase(deps.settings);
  let tokens: TokenSet;
  try {
    tokens = await (deps.exchangeHubSpotCode ?? hubspot.exchangeCode)({ basePath, ...app, redirectUri: request.redirectUri, code: request.code, retries: 1 });
  } catch (error) {
    throw exchangeFailure('hubspot', error);
  }
  const info = await (deps.hubspotTokenInfo ?? fetchHubSpotTokenInfo)(basePath, tokens.accessToken);
  const missing = REQUIRED_HUBSPOT_SCOPES.filter((s) => !info.scopes.includes(s));
  if (missing.length > 0) throw new InstallError('missing-scope', `The portal did not grant: ${missing.join(', ')}.`);
  const name = info.hub_domain ? `${info.hub_domain} (${info.hub_id})` : `HubSpot portal ${info.hub_id}`;
  const existing = (await deps.store.listConnections()).find((c) => c.crm === 'hubspot' && c.options['portalId'] === info.hub_id) ?? null;
  const now = new Date().toISOString();
  return {
    name, existing,
    credentials: { tokens, clientSecret: app.clientSecret },
    record: {
      id: existing?.id ?? 'installing', crm: 'hubspot', baseUrl: basePath,
      options: { ...(existing?.options ?? {}), clientId: app.clientId, portalId: info.hub_id, name },
      schedule: existing ? existing.schedule : deps.settings.defaultSchedule,
      timezone: existing ? existing.timezone : deps.settings.defaultTimezone,
      analysisConfig: existing?.analysisConfig ?? null, hasTokens: true, createdAt: now, updatedAt: now,
    },
  };
}

function provisionFailure(crm: CrmKind, error: unknown): InstallError {
  if (!isCrmError(error)) throw error;
  if (error.kind === 'unavailable' || error.kind === 'api-limit') return new InstallError('unavailable', `The CRM stopped answering while Kamflow's fields were being created (${error.kind}).`);
  if (error.kind === 'auth') return new InstallError('not-authorized', 'The CRM refused the new tokens while creating fields.');
  if (error.details.status === 403) {
    return crm === 'hubspot'
      ? new InstallError('missing-scope', 'HubSpot refused to create properties (HTTP 403): the app lacks a schema scope.')
      : new InstallError('not-authorized', 'Salesforce refused to create fields (HTTP 403): install as a system administrator.');
  }
  return new InstallError('provisioning', `Creating Kamflow's fields failed: ${error.message.slice(0, 300)}`);
}

async function provision(connector: Connector, crm: CrmKind): Promise<void> {
  let report;
  try {
    report = await connector.provision();
  } catch (error) {
    throw provisionFailure(crm, error);
  }
  const problems = [
    ...report.fields.filter((f) => f.status === 'failed' || f.status === 'wrong-type').map((f) => `${f.crmName}: ${f.status}${f.message ? ` (${f.message})` : ''}`),
    ...report.steps.filter((s) => s.status === 'failed').map((s) => `${s.name}: failed${s.message ? ` (${s.message})` : ''}`),
  ];
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).join('; ');
    throw new InstallError('provisioning', `${problems.length} field(s) or step(s) failed: ${shown}${problems.length > 3 ? '; ...' : ''}`.slice(0, 600));
  }
}

/**
 * Exchanges the code, provisions the fields with the new tokens, and only then writes the
 * connection (tokens and client secret sealed) in one store call: a failure at any step leaves
 * the store as it was. A reinstall of a stored org or portal refreshes that connection's tokens.
 */
export async function completeInstall(deps: InstallDeps, request: CompleteInstallRequest): Promise<CompleteInstallResult & { created?: boolean }> {
  let prepared: Prepared;
  try {
    prepared = request.crm === 'salesforce' ? await prepareSalesforce(deps, request) : await prepareHubSpot(deps, request);
    // Tokens refreshed during provisioning replace the ones the exchange gave.
    let latest = prepared.credentials.tokens;
    const connector = deps.connectorFactory(prepared.record, prepared.credentials, (t) => { latest = t; });
    await provision(connector, request.crm);
    prepared.credentials = { ...prepared.credentials, tokens: latest };
  } catch (error) {
    if (error instanceof InstallError) return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
  const { record, credentials, existing, name } = prepared;
  if (existing) {
    if (credentials.tokens) await deps.store.saveTokens(existing.id, credentials.tokens);
    await deps.store.updateConnection(existing.id, { baseUrl: record.baseUrl, options: record.options });
    return { ok: true, connectionId: existing.id, name, created: false };
  }
  const created = await deps.store.createConnection({
    crm: record.crm, baseUrl: record.baseUrl, options: record.options, schedule: record.schedule, timezone: record.timezone,
    analysisConfig: null, tokens: credentials.tokens, clientSecret: credentials.clientSecret,
  });
  return { ok: true, connectionId: created.id, name, created: true };
}
