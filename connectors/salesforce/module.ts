import { describeZodError } from '../../src/model/snapshot.ts';
import { BadInputError, CrmError, InstallError, isCrmError } from '../../src/contract/errors.ts';
import type { TokenSet } from '../../src/contract/connector.ts';
import type { InstallContext, SourceModule } from '../shared/source-module.ts';
import { checkOrigin } from '../shared/urls.ts';
import { buildAuthorizeUrl, exchangeCode } from './auth.ts';
import { SalesforceConnector } from './index.ts';
import { salesforceOptionsSchema } from './options.ts';
import { orgIdOfIdentityUrl, verifySalesforce } from './verify.ts';

const LABEL = 'Salesforce';
const PRODUCTION = 'https://login.salesforce.com';
const SANDBOX = 'https://test.salesforce.com';

/**
 * A My Domain login host must be a Salesforce host: the client secret goes to the token
 * endpoint there, so an arbitrary host would leak it.
 */
const SALESFORCE_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.(salesforce\.com|force\.com|salesforce\.mil)$/i;

/** `production`, `sandbox`, or the https origin of a My Domain; null when it is none of these. */
export function parseLoginHost(value: string | undefined): string | null {
  if (value === undefined || value === '' || value === 'production') return 'production';
  if (value === 'sandbox') return 'sandbox';
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== 'https:' || url.username || url.password || url.port || url.search || url.hash) return null;
  if (url.pathname !== '/' && url.pathname !== '') return null;
  if (!SALESFORCE_HOST.test(url.hostname)) return null;
  return `https://${url.hostname.toLowerCase()}`;
}

/** The login URL of a login host; production and sandbox go to the simulator when one is set. */
export function salesforceLoginUrl(loginHost: string | undefined, simulatorUrl: string | null): string {
  if (loginHost !== undefined && loginHost.startsWith('https://')) return loginHost;
  if (simulatorUrl) return simulatorUrl;
  return loginHost === 'sandbox' ? SANDBOX : PRODUCTION;
}

/** The install reason of a failed code exchange, by the OAuth error code Salesforce answered. */
function exchangeFailure(error: unknown): InstallError {
  if (!isCrmError(error)) throw error;
  if (error.kind === 'unavailable' || error.kind === 'api-limit') return new InstallError('unavailable', `${LABEL} did not answer the token request.`);
  const code = error.details.code ?? '';
  if (['invalid_client', 'invalid_client_id', 'invalid_client_credentials', 'redirect_uri_mismatch'].includes(code)) {
    return new InstallError('not-authorized', `${LABEL} refused the app's credentials or callback URL; check the client id and secret and the callback URL registered for the app.`);
  }
  if (code === 'invalid_grant' || code === 'invalid_request') return new InstallError('expired-code', `${LABEL} refused the authorization code (expired or already used).`);
  return new InstallError('not-authorized', `${LABEL} refused the token request; check the app's client id, secret and callback URL.`);
}

async function completeInstall(ctx: InstallContext, exchange: { code: string; codeVerifier: string }) {
  const loginUrl = salesforceLoginUrl(ctx.params['loginHost'], ctx.simulatorUrl);
  let tokens: TokenSet;
  let orgId: string | null;
  try {
    const { identityUrl, ...answer } = await exchangeCode({ loginUrl, ...ctx.app, redirectUri: ctx.redirectUri }, exchange.code, exchange.codeVerifier);
    tokens = answer;
    orgId = orgIdOfIdentityUrl(identityUrl);
  } catch (error) {
    throw exchangeFailure(error);
  }
  const instanceUrl = tokens.instanceUrl ?? loginUrl;
  const name = new URL(instanceUrl).hostname;
  // One org, one connection: the org id from the identity URL, whatever host the org answered on.
  return {
    baseUrl: instanceUrl, tokens, name, accountId: orgId ?? instanceUrl,
    options: { clientId: ctx.app.clientId, loginUrl, name, ...(orgId ? { orgId } : {}) },
  };
}

export const salesforceSource: SourceModule<'salesforce'> = {
  kind: 'salesforce',
  label: LABEL,
  idPrefix: 'sf',
  checkOptions(options) {
    const result = salesforceOptionsSchema.safeParse({ ...options, instanceUrl: 'https://placeholder.invalid', accessToken: 'placeholder' });
    return result.success ? [] : describeZodError(result.error).split('; ');
  },
  createConnector(connection, credentials, runtime) {
    const tokens = credentials.tokens;
    if (!tokens) throw new CrmError('auth', `connection ${connection.id} has no stored tokens: run kamflow connect again`, { crm: 'salesforce' });
    return new SalesforceConnector(
      {
        ...connection.options,
        instanceUrl: tokens.instanceUrl ?? connection.baseUrl,
        ...(tokens.accessToken ? { accessToken: tokens.accessToken } : {}),
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        ...(credentials.clientSecret ? { clientSecret: credentials.clientSecret } : {}),
        onTokens: runtime.onTokens,
        ...(runtime.logger ? { logger: runtime.logger } : {}),
      },
      { ...(runtime.now ? { now: runtime.now } : {}), ...(runtime.sleep ? { sleep: runtime.sleep } : {}) },
    );
  },
  // sObject Collections take 200 records a call; Salesforce stamps a record whose relations
  // change, so a weekly full pull only has to catch deletions purged from the recycle bin.
  // One collection call at a time: parallel updates of accounts under one parent contend for
  // its lock (UNABLE_TO_LOCK_ROW).
  profile: { pushBatchMax: 200, pushCallName: 'collectionsUpdate', bulkJobName: 'bulkIngestJobs', fullSyncEveryHours: 168 },
  connect: {
    flags: {
      'instance-url': { env: 'SALESFORCE_INSTANCE_URL' },
      'access-token': { env: 'SALESFORCE_ACCESS_TOKEN' },
      'refresh-token': { env: 'SALESFORCE_REFRESH_TOKEN' },
      'client-id': { env: 'SALESFORCE_CLIENT_ID' },
      'client-secret': { env: 'SALESFORCE_CLIENT_SECRET' },
      'login-url': { env: 'SALESFORCE_LOGIN_URL' },
    },
    help: `Salesforce, either an access token:
  --instance-url URL      org URL, e.g. https://acme.my.salesforce.com   (SALESFORCE_INSTANCE_URL)
  --access-token TOKEN                                                   (SALESFORCE_ACCESS_TOKEN)
or a refresh token with the connected app's credentials:
  --refresh-token TOKEN                                                  (SALESFORCE_REFRESH_TOKEN)
  --client-id ID                                                         (SALESFORCE_CLIENT_ID)
  --client-secret SECRET                                                 (SALESFORCE_CLIENT_SECRET)
  --login-url URL         default https://login.salesforce.com           (SALESFORCE_LOGIN_URL)`,
    optionExamples: `Salesforce: markedKeyField=Key_Account__c costField=Cost__c
                          referenceableField=Referenceable__c contactActiveField=Active__c`,
    fromFlags(v) {
      const instanceUrl = v['instance-url'];
      const accessToken = v['access-token'];
      const refreshToken = v['refresh-token'];
      const clientId = v['client-id'];
      const clientSecret = v['client-secret'];
      const loginUrl = checkOrigin('--login-url', v['login-url'] ?? PRODUCTION);
      if (refreshToken) {
        if (!clientId || !clientSecret) throw new BadInputError(['a Salesforce refresh token needs the connected app: --client-id and --client-secret (or SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET)']);
        const url = instanceUrl ? checkOrigin('--instance-url', instanceUrl) : loginUrl;
        const tokens: TokenSet = { accessToken: accessToken ?? '', refreshToken, ...(instanceUrl ? { instanceUrl: url } : {}) };
        return { baseUrl: url, options: { clientId, loginUrl }, tokens, clientSecret };
      }
      if (!instanceUrl || !accessToken) {
        throw new BadInputError(['Salesforce needs --instance-url and --access-token, or --refresh-token with --client-id and --client-secret (flags or SALESFORCE_* variables)']);
      }
      const url = checkOrigin('--instance-url', instanceUrl);
      return { baseUrl: url, options: { loginUrl }, tokens: { accessToken, instanceUrl: url }, clientSecret: null };
    },
  },
  // The org id once known (verified connect, install); before, the URL stands in for it.
  describe: (c) => ({ location: c.baseUrl, accountId: typeof c.options['orgId'] === 'string' ? c.options['orgId'] : c.baseUrl }),
  verify: verifySalesforce,
  fieldOptions: [
    { option: 'costField', label: 'Line item cost field (margin)', object: 'OpportunityLineItem', types: ['currency', 'double'] },
    { option: 'offeringFamilyField', label: 'Product family field (the matrix columns)', object: 'Product2', types: ['picklist', 'string'] },
    { option: 'referenceableField', label: 'Contact referenceable field', object: 'Contact', types: ['boolean'] },
    { option: 'contactActiveField', label: 'Contact active field', object: 'Contact', types: ['boolean'] },
    { option: 'markedKeyField', label: 'Account marked-key field', object: 'Account', types: ['boolean'] },
  ],
  listFields: (connection, credentials, runtime, object) => (salesforceSource.createConnector(connection, credentials, runtime) as SalesforceConnector).describeObject(object),
  install: {
    appEnv: { clientId: 'SALESFORCE_CLIENT_ID', clientSecret: 'SALESFORCE_CLIENT_SECRET' },
    startForms: [
      {
        button: 'Connect Salesforce',
        fields: [{
          kind: 'select', name: 'loginHost', label: 'Salesforce login',
          options: [{ value: 'production', label: 'Production (login.salesforce.com)' }, { value: 'sandbox', label: 'Sandbox (test.salesforce.com)' }],
        }],
      },
      {
        button: 'Connect via My Domain', secondary: true,
        fields: [{ kind: 'url', name: 'loginHost', label: 'or My Domain', placeholder: 'https://yourcompany.my.salesforce.com' }],
      },
    ],
    parseStart(query) {
      const loginHost = parseLoginHost(query['loginHost']);
      if (loginHost === null) {
        throw new BadInputError(['loginHost must be production, sandbox, or the https address of your My Domain (https://yourcompany.my.salesforce.com).']);
      }
      return { loginHost };
    },
    authorizeUrl(ctx, pkce) {
      const loginUrl = salesforceLoginUrl(ctx.params['loginHost'], ctx.simulatorUrl);
      return buildAuthorizeUrl({ loginUrl, clientId: ctx.app.clientId, redirectUri: ctx.redirectUri }, pkce);
    },
    complete: completeInstall,
    provisionFailure: (e) => (e.status === 403 ? { reason: 'not-authorized', message: `${LABEL} refused to create fields (HTTP 403): install as a system administrator.` } : null),
  },
};
