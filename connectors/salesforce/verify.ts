import type { Credentials, SourceConnection, TokenSet } from '../../src/contract/connector.ts';
import { CredentialsError, isCrmError } from '../../src/contract/errors.ts';
import type { ConnectorRuntime, VerifiedAccount } from '../shared/source-module.ts';
import { SalesforceConnector } from './index.ts';

/** An org id in its 15-character form (the 18-character form adds a case checksum). */
export function orgId15(id: string): string {
  return id.slice(0, 15);
}

/** The org id in an identity URL (`.../id/<orgId>/<userId>`), or null. */
export function orgIdOfIdentityUrl(url: string | undefined): string | null {
  const m = url === undefined ? null : /\/id\/(00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/[A-Za-z0-9]{15,18}\/?$/.exec(url);
  return m?.[1] ? orgId15(m[1]) : null;
}

/** What a failed Organization query says about the credentials. */
function credentialsProblem(error: unknown, where: string): CredentialsError {
  if (!isCrmError(error)) throw error;
  const text = error.message;
  if (/not valid for use with the REST API/i.test(text) || error.details.code === 'API_DISABLED_FOR_ORG') {
    return new CredentialsError('missing-scope', `Salesforce accepted the token but refused REST API calls (${error.details.code ?? 'INVALID_SESSION_ID'}): the app's OAuth scopes must include "api" (Manage user data via APIs) and the user needs the API Enabled permission`);
  }
  if (error.kind === 'auth') {
    // A refused session answers INVALID_SESSION_ID; a refused refresh, the OAuth error code.
    const refresh = error.details.code !== undefined && error.details.code !== 'INVALID_SESSION_ID';
    return new CredentialsError('bad-token', refresh
      ? `Salesforce refused the refresh token or the app's client id and secret: ${text}`
      : `Salesforce refused the access token (expired or invalid): ${text}`);
  }
  if (error.kind === 'unavailable') return new CredentialsError('unreachable', `Salesforce did not answer at ${where}: ${text}; check --instance-url / --login-url`);
  if (error.kind === 'bad-response' || error.kind === 'config') {
    return new CredentialsError('unreachable', `what answered at ${where} is not a Salesforce org's REST API (${text}); check --instance-url`);
  }
  return new CredentialsError('bad-token', text);
}


/**
 * One identity call: `SELECT Id, Name FROM Organization` with the connection's credentials (a
 * refresh first when only a refresh token is given). Few retries: a wrong URL fails fast.
 */
export async function verifySalesforce(connection: SourceConnection, credentials: Credentials, runtime: ConnectorRuntime): Promise<VerifiedAccount> {
  const tokens = credentials.tokens;
  if (!tokens) throw new CredentialsError('bad-token', 'no Salesforce token given');
  let latest: TokenSet | null = null;
  let connector: SalesforceConnector;
  try {
    connector = new SalesforceConnector(
      {
        ...connection.options,
        retry: { retries: 1, minDelayMs: 200, maxDelayMs: 1000, recordRetries: 0 },
        instanceUrl: tokens.instanceUrl ?? connection.baseUrl,
        ...(tokens.accessToken ? { accessToken: tokens.accessToken } : {}),
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        ...(credentials.clientSecret ? { clientSecret: credentials.clientSecret } : {}),
        onTokens: (t: TokenSet) => {
          latest = t;
        },
        ...(runtime.logger ? { logger: runtime.logger } : {}),
      },
      { ...(runtime.now ? { now: runtime.now } : {}), ...(runtime.sleep ? { sleep: runtime.sleep } : {}) },
    );
  } catch (error) {
    if (isCrmError(error)) throw new CredentialsError('bad-token', error.message);
    throw error;
  }
  const where = tokens.instanceUrl ?? connection.baseUrl;
  let org;
  try {
    org = await connector.organization();
  } catch (error) {
    throw credentialsProblem(error, where);
  }
  return {
    accountId: org.id,
    name: org.name,
    location: connector.instanceUrl(),
    options: { orgId: org.id, name: org.name },
    tokens: latest,
  };
}
