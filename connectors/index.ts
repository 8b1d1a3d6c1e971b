import type { Logger } from '../src/log.ts';
import type { ConnectionRecord, Credentials } from '../src/store/types.ts';
import type { Connector, TokenListener } from './connector.ts';
import { CrmError } from './errors.ts';
import { HubSpotConnector, hubSpotOptionsSchema } from './hubspot/index.ts';
import { SalesforceConnector, salesforceOptionsSchema } from './salesforce/index.ts';
import { describeZodError } from '../src/model/snapshot.ts';

/**
 * Checks a connection's options before they are stored, with the connector's own schema (the
 * credentials, stored apart, stand in as placeholders). Returns the problems by option name.
 */
export function checkConnectorOptions(crm: ConnectionRecord['crm'], options: Record<string, unknown>): string[] {
  const own = Object.fromEntries(Object.entries(options).filter(([key]) => !SYNC_ONLY_OPTIONS.has(key)));
  const result =
    crm === 'salesforce'
      ? salesforceOptionsSchema.safeParse({ ...own, instanceUrl: 'https://placeholder.invalid', accessToken: 'placeholder' })
      : hubSpotOptionsSchema.safeParse({ ...own, auth: { kind: 'private-app', token: 'placeholder' } });
  const problems = result.success ? [] : describeZodError(result.error).split('; ');
  for (const key of ['safetyGateShare', 'fullSyncEveryHours', 'pushBatchSize'] as const) {
    const v = options[key];
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) problems.push(`${key}: expected a non-negative number`);
  }
  return problems;
}

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
