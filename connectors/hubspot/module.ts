import { describeZodError } from '../../src/model/snapshot.ts';
import { BadInputError, CrmError, InstallError, isCrmError } from '../../src/contract/errors.ts';
import type { TokenSet } from '../../src/contract/connector.ts';
import type { InstallContext, InstalledSource, SourceModule } from '../shared/source-module.ts';
import { checkOrigin } from '../shared/urls.ts';
import { buildAuthorizeUrl, exchangeCode } from './auth.ts';
import { HubSpotConnector } from './index.ts';
import { WindowLimiter } from './limiter.ts';
import { hubSpotOptionsSchema } from './options.ts';
import { realSleep } from '../shared/sleep.ts';
import { hubSpotWebhook } from './webhooks.ts';
import { verifyHubSpot } from './verify.ts';

const LABEL = 'HubSpot';
export const HUBSPOT_API_BASE = 'https://api.hubapi.com';
const HUBSPOT_AUTHORIZE_HOST = 'https://app.hubspot.com';

/**
 * Scopes without which Kamflow cannot read accounts or write its fields. A portal may grant
 * fewer than requested when scopes are optional or the installing user lacks rights.
 */
export const REQUIRED_HUBSPOT_SCOPES = [
  'crm.objects.companies.read', 'crm.objects.companies.write', 'crm.objects.contacts.read', 'crm.objects.deals.read', 'crm.schemas.companies.write',
] as const;

const apiBase = (simulatorUrl: string | null): string => simulatorUrl ?? HUBSPOT_API_BASE;

/** The install reason of a failed code exchange, by the code HubSpot answered. */
function exchangeFailure(error: unknown): InstallError {
  if (!isCrmError(error)) throw error;
  if (error.kind === 'unavailable' || error.kind === 'api-limit') return new InstallError('unavailable', `${LABEL} did not answer the token request.`);
  const code = error.details.code ?? '';
  if (code === 'BAD_CLIENT_ID' || code === 'BAD_REDIRECT_URI') {
    return new InstallError('not-authorized', `${LABEL} refused the app's credentials or callback URL; check the client id and secret and the callback URL registered for the app.`);
  }
  if (code === 'BAD_AUTH_CODE' || error.details.status === 400) return new InstallError('expired-code', `${LABEL} refused the authorization code (expired or already used).`);
  return new InstallError('not-authorized', `${LABEL} refused the token request; check the app's client id, secret and callback URL.`);
}

async function completeInstall(ctx: InstallContext, exchange: { code: string; codeVerifier: string }): Promise<InstalledSource> {
  const basePath = apiBase(ctx.simulatorUrl);
  let tokens: TokenSet;
  try {
    tokens = await exchangeCode({ basePath, ...ctx.app, redirectUri: ctx.redirectUri, code: exchange.code, retries: 1 });
  } catch (error) {
    throw exchangeFailure(error);
  }
  // The token information goes through the connector's own call layer (limits, retries, timeout).
  const connector = new HubSpotConnector(
    { baseUrl: basePath, auth: { kind: 'private-app', token: tokens.accessToken }, requestTimeoutMs: 30_000, retry: { retries: 2 } },
    { logger: ctx.logger },
  );
  let info;
  try {
    info = await connector.tokenInfo(tokens.accessToken);
  } catch (error) {
    if (!isCrmError(error)) throw error;
    if (error.kind === 'unavailable' || error.kind === 'api-limit') throw new InstallError('unavailable', `${LABEL} did not answer the token information request.`);
    throw new InstallError('not-authorized', `${LABEL} refused the token information request${error.details.status ? ` (HTTP ${error.details.status})` : ''}.`);
  }
  const missing = REQUIRED_HUBSPOT_SCOPES.filter((s) => !info.scopes.includes(s));
  if (missing.length > 0) throw new InstallError('missing-scope', `The portal did not grant: ${missing.join(', ')}.`);
  const name = info.hub_domain ? `${info.hub_domain} (${info.hub_id})` : `HubSpot portal ${info.hub_id}`;
  return { baseUrl: basePath, tokens, name, accountId: info.hub_id, options: { clientId: ctx.app.clientId, portalId: info.hub_id, name } };
}

/** Search limiters by connection (and its per-second limit), for every connector of the process. */
const SEARCH_LIMITERS = new Map<string, WindowLimiter>();

function searchLimiterOf(connectionId: string, perSecond: number): WindowLimiter {
  const key = `${connectionId}\u0000${perSecond}`;
  let limiter = SEARCH_LIMITERS.get(key);
  if (!limiter) {
    limiter = new WindowLimiter(perSecond, 1_000, Date.now, realSleep);
    SEARCH_LIMITERS.set(key, limiter);
  }
  return limiter;
}

export const hubSpotSource: SourceModule<'hubspot'> = {
  kind: 'hubspot',
  label: LABEL,
  idPrefix: 'hs',
  checkOptions(options) {
    const result = hubSpotOptionsSchema.safeParse({ ...options, auth: { kind: 'private-app', token: 'placeholder' } });
    return result.success ? [] : describeZodError(result.error).split('; ');
  },
  createConnector(connection, credentials, runtime) {
    const tokens = credentials.tokens;
    if (!tokens) throw new CrmError('auth', `connection ${connection.id} has no stored tokens: run kamflow connect again`, { crm: 'hubspot' });
    const { clientId, ...rest } = connection.options;
    const auth =
      tokens.refreshToken && typeof clientId === 'string' && credentials.clientSecret
        ? {
            kind: 'oauth' as const,
            accessToken: tokens.accessToken,
            refreshToken: tokens.refreshToken,
            expiresAt: tokens.expiresAt ?? 0,
            clientId,
            clientSecret: credentials.clientSecret,
          }
        : { kind: 'private-app' as const, token: tokens.accessToken };
    const parsed = hubSpotOptionsSchema.safeParse({ ...rest, baseUrl: connection.baseUrl, auth });
    // On the real clock, one search limiter per connection for the process (see HubSpotRuntime).
    const shared = !runtime.now && !runtime.sleep && parsed.success ? searchLimiterOf(connection.id, parsed.data.limits.searchPerSecond) : undefined;
    return new HubSpotConnector(
      { ...rest, baseUrl: connection.baseUrl, auth },
      {
        onTokens: runtime.onTokens, ...(runtime.logger ? { logger: runtime.logger } : {}), ...(runtime.now ? { now: runtime.now } : {}), ...(runtime.sleep ? { sleep: runtime.sleep } : {}),
        ...(shared ? { searchLimiter: shared } : {}),
      },
    );
  },
  // Batch update takes 100 companies a call. HubSpot moves no modified date when associations
  // change (a company's parent, a deal's company): only a full pull sees those, so daily.
  // Three batch updates on the way at once, paced by the connection's limiter like every call
  // (the client's own preset allows six): one at a time, 20 updates spent a second on latency.
  profile: { pushBatchMax: 100, pushCallName: 'batchUpdate', bulkJobName: 'bulkJobs', fullSyncEveryHours: 24, pushConcurrency: 3 },
  connect: {
    flags: {
      token: { env: 'HUBSPOT_TOKEN' },
      'refresh-token': { env: 'HUBSPOT_REFRESH_TOKEN' },
      'client-id': { env: 'HUBSPOT_CLIENT_ID' },
      'client-secret': { env: 'HUBSPOT_CLIENT_SECRET' },
      'base-url': { env: 'HUBSPOT_BASE_URL' },
    },
    help: `HubSpot, either a private app's access token:
  --token TOKEN           private app (or OAuth access) token            (HUBSPOT_TOKEN)
or an OAuth refresh token with the app's credentials (access tokens are refreshed as they expire):
  --refresh-token TOKEN                                                  (HUBSPOT_REFRESH_TOKEN)
  --client-id ID                                                         (HUBSPOT_CLIENT_ID)
  --client-secret SECRET                                                 (HUBSPOT_CLIENT_SECRET)
and for both:
  --base-url URL          default https://api.hubapi.com                 (HUBSPOT_BASE_URL)`,
    optionExamples: 'HubSpot: productFamilyProperty=product_family referenceableProperty=referenceable',
    fromFlags(v) {
      const baseUrl = checkOrigin('--base-url', v['base-url'] ?? HUBSPOT_API_BASE);
      const refreshToken = v['refresh-token'];
      if (refreshToken) {
        const clientId = v['client-id'];
        const clientSecret = v['client-secret'];
        if (!clientId || !clientSecret) throw new BadInputError(['a HubSpot refresh token needs the app: --client-id and --client-secret (or HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET)']);
        // No access token yet: expiresAt 0 makes the first call refresh.
        return { baseUrl, options: { clientId }, tokens: { accessToken: v['token'] ?? '', refreshToken, expiresAt: 0 }, clientSecret };
      }
      const token = v['token'];
      if (!token) throw new BadInputError(['HubSpot needs a token: --token or HUBSPOT_TOKEN, or --refresh-token with --client-id and --client-secret']);
      return { baseUrl, options: {}, tokens: { accessToken: token }, clientSecret: null };
    },
  },
  verify: (connection, credentials, runtime) => verifyHubSpot(connection, credentials, runtime, REQUIRED_HUBSPOT_SCOPES),
  fieldOptions: [
    { option: 'productFamilyProperty', label: 'Product family property (the matrix columns)', object: 'products', types: ['enumeration', 'string'] },
    { option: 'lineItemCostProperty', label: 'Line item cost property (margin)', object: 'line_items', types: ['number'] },
    { option: 'referenceableProperty', label: 'Contact referenceable property', object: 'contacts', types: ['bool', 'enumeration', 'string'] },
    { option: 'contactActiveProperty', label: 'Contact active property', object: 'contacts', types: ['bool'] },
    { option: 'keyProperty', label: 'Company marked-key property', object: 'companies', types: ['bool'] },
  ],
  listFields: (connection, credentials, runtime, object) => (hubSpotSource.createConnector(connection, credentials, runtime) as HubSpotConnector).describeObject(object),
  describe(c) {
    const portal = typeof c.options['portalId'] === 'string' ? c.options['portalId'] : null;
    return { location: portal ? `portal ${portal}` : c.baseUrl, accountId: portal };
  },
  install: {
    appEnv: { clientId: 'HUBSPOT_CLIENT_ID', clientSecret: 'HUBSPOT_CLIENT_SECRET' },
    startForms: [{ button: 'Connect HubSpot', fields: [] }],
    parseStart: () => ({}),
    authorizeUrl: (ctx, pkce) => buildAuthorizeUrl({
      clientId: ctx.app.clientId, redirectUri: ctx.redirectUri, state: pkce.state, authorizeHost: ctx.simulatorUrl ?? HUBSPOT_AUTHORIZE_HOST,
    }),
    complete: completeInstall,
    provisionFailure: (e) => (e.status === 403 ? { reason: 'missing-scope', message: `${LABEL} refused to create properties (HTTP 403): the app lacks a schema scope.` } : null),
  },
  webhook: hubSpotWebhook,
  // hubspot.fetch signs with v3 like webhooks and adds portalId, userId and userEmail to the query.
  card: { verify: hubSpotWebhook.verify, accountIdOf: (query) => (/^\d{1,30}$/.test(query['portalId'] ?? '') ? query['portalId'] ?? null : null) },
};
