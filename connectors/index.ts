import type { Logger } from '../src/log.ts';
import type { ConnectionRecord, Credentials } from '../src/store/types.ts';
import type { Connector, TokenListener } from './connector.ts';
import { CrmError } from './errors.ts';
import { HubSpotConnector } from './hubspot/index.ts';
import { SalesforceConnector } from './salesforce/index.ts';

/** Connection options that belong to the sync engine, not to a connector. */
const SYNC_ONLY_OPTIONS = new Set(['safetyGateShare', 'pushBatchSize', 'fullSyncEveryHours']);

function connectorOptions(connection: ConnectionRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(connection.options).filter(([key]) => !SYNC_ONLY_OPTIONS.has(key)));
}

/**
 * Builds the connector for a stored connection: the one place that knows which class serves
 * which CRM and how stored credentials become each connector's options.
 */
export function createConnector(
  connection: ConnectionRecord,
  credentials: Credentials,
  onTokens: TokenListener,
  logger?: Logger,
): Connector {
  const tokens = credentials.tokens;
  if (!tokens) {
    throw new CrmError('auth', `connection ${connection.id} has no stored tokens: run kamflow connect again`, { crm: connection.crm });
  }
  const options = connectorOptions(connection);
  if (connection.crm === 'salesforce') {
    return new SalesforceConnector({
      ...options,
      instanceUrl: tokens.instanceUrl ?? connection.baseUrl,
      ...(tokens.accessToken ? { accessToken: tokens.accessToken } : {}),
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(credentials.clientSecret ? { clientSecret: credentials.clientSecret } : {}),
      onTokens,
      ...(logger ? { logger } : {}),
    });
  }
  const clientId = typeof options['clientId'] === 'string' ? options['clientId'] : undefined;
  const { clientId: _clientId, ...rest } = options;
  const auth =
    tokens.refreshToken && clientId && credentials.clientSecret
      ? {
          kind: 'oauth' as const,
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          expiresAt: tokens.expiresAt ?? 0,
          clientId,
          clientSecret: credentials.clientSecret,
        }
      : { kind: 'private-app' as const, token: tokens.accessToken };
  return new HubSpotConnector({ ...rest, baseUrl: connection.baseUrl, auth }, { onTokens, ...(logger ? { logger } : {}) });
}
