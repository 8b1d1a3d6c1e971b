import type { Credentials, SourceConnection, TokenSet } from '../../src/contract/connector.ts';
import { CredentialsError, isCrmError } from '../../src/contract/errors.ts';
import type { ConnectorRuntime, VerifiedAccount } from '../shared/source-module.ts';
import { HubSpotConnector } from './index.ts';

/** What a failed identity call says about the credentials. */
function credentialsProblem(error: unknown, where: string): CredentialsError {
  if (!isCrmError(error)) throw error;
  if (error.kind === 'auth') {
    return new CredentialsError('bad-token', /refused the token refresh/i.test(error.message)
      ? `HubSpot refused the refresh token or the app's client id and secret: ${error.message}`
      : `HubSpot refused the token (expired, revoked or mistyped): ${error.message}`);
  }
  if (error.kind === 'config') return new CredentialsError('missing-scope', `HubSpot accepted the token but refused the account details: ${error.message}`);
  if (error.kind === 'unavailable') return new CredentialsError('unreachable', `HubSpot did not answer at ${where}: ${error.message}; check --base-url`);
  return new CredentialsError('unreachable', `what answered at ${where} is not HubSpot's API (${error.message}); check --base-url`);
}

/**
 * One identity call with the connection's credentials (see HubSpotConnector.identity), and the
 * scopes Kamflow needs checked when HubSpot lists them. Few retries: a wrong URL fails fast.
 */
export async function verifyHubSpot(
  connection: SourceConnection,
  credentials: Credentials,
  runtime: ConnectorRuntime,
  required: readonly string[],
): Promise<VerifiedAccount> {
  const tokens = credentials.tokens;
  if (!tokens) throw new CredentialsError('bad-token', 'no HubSpot token given');
  const { clientId, ...rest } = connection.options;
  const oauth = Boolean(tokens.refreshToken && typeof clientId === 'string' && credentials.clientSecret);
  let latest: TokenSet | null = null;
  let connector: HubSpotConnector;
  try {
    connector = new HubSpotConnector(
      {
        ...rest,
        baseUrl: connection.baseUrl,
        retry: { retries: 1, minDelayMs: 200, maxDelayMs: 1000, recordRetries: 0 },
        requestTimeoutMs: 30_000,
        auth: oauth
          ? {
              kind: 'oauth', accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? '', expiresAt: tokens.expiresAt ?? 0,
              clientId: String(clientId), clientSecret: credentials.clientSecret ?? '',
            }
          : { kind: 'private-app', token: tokens.accessToken },
      },
      {
        onTokens: (t) => {
          latest = t;
        },
        ...(runtime.logger ? { logger: runtime.logger } : {}),
        ...(runtime.now ? { now: runtime.now } : {}),
        ...(runtime.sleep ? { sleep: runtime.sleep } : {}),
      },
    );
  } catch (error) {
    if (isCrmError(error)) throw new CredentialsError('bad-token', error.message);
    throw error;
  }
  let id;
  try {
    id = await connector.identity();
  } catch (error) {
    throw credentialsProblem(error, connection.baseUrl);
  }
  if (id.scopes !== null) {
    const missing = required.filter((s) => !id.scopes?.includes(s));
    if (missing.length > 0) throw new CredentialsError('missing-scope', `the HubSpot token lacks scope(s) Kamflow needs: ${missing.join(', ')}; add them to the app and install it again`);
  }
  const name = id.domain ? `${id.domain} (${id.portalId})` : `HubSpot portal ${id.portalId}`;
  return { accountId: id.portalId, name, location: connection.baseUrl, options: { portalId: id.portalId, name }, tokens: latest };
}
