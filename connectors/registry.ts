import type { Connector, Credentials, SourceConnection, SourceId, SourceProfile, TokenListener } from '../src/contract/connector.ts';
import { UnknownSourceError } from '../src/contract/errors.ts';
import { splitConnectionOptions } from '../src/contract/sync-options.ts';
import type { Logger } from '../src/log.ts';
import { hubSpotSource } from './hubspot/module.ts';
import { SOURCE_KINDS, type SourceKind } from './kinds.ts';
import type { SourceModule, VerifiedAccount } from './shared/source-module.ts';
import { salesforceSource } from './salesforce/module.ts';
import { spreadsheetSource } from './spreadsheet/module.ts';

/**
 * Every source Kamflow can connect to, one module each. A kind declared in kinds.ts without a
 * module here (or a module for an undeclared kind, or under the wrong key) does not compile.
 * The only place outside a source's own folder that names one.
 */
export const SOURCES = {
  salesforce: salesforceSource,
  hubspot: hubSpotSource,
  spreadsheet: spreadsheetSource,
} as const satisfies { [K in SourceKind]: SourceModule<K> };

export type { SourceKind } from './kinds.ts';
export { SOURCE_KINDS, isSourceKind } from './kinds.ts';

/** The modules in the declared order. */
export function sourceModules(): SourceModule[] {
  return SOURCE_KINDS.map((k) => SOURCES[k]);
}

/** The module of a source id; UnknownSourceError when none is registered. */
export function sourceModule(id: SourceId): SourceModule {
  const found = sourceModules().find((m) => m.kind === id);
  if (!found) throw new UnknownSourceError(id, SOURCE_KINDS);
  return found;
}

export function sourceProfile(id: SourceId): SourceProfile {
  return sourceModule(id).profile;
}

/** The org or portal a connection's API calls count against (its module's account id), for the shared daily budget. */
export function orgOfConnection(connection: SourceConnection): string {
  const id = sourceModule(connection.crm).describe(connection).accountId;
  return `${connection.crm}:${id ?? connection.baseUrl}`;
}

/**
 * Checks a connection's options before they are stored: the sync engine's with their schema,
 * the rest with the connector's own. Returns the problems, each naming its option.
 */
export function checkConnectorOptions(crm: SourceId, options: Record<string, unknown>): string[] {
  const { connector, problems } = splitConnectionOptions(options);
  return [...sourceModule(crm).checkOptions(connector), ...problems];
}

/** Builds the connector for a stored connection; the sync engine's options never reach it. */
export function createConnector(connection: SourceConnection, credentials: Credentials, onTokens: TokenListener, logger?: Logger): Connector {
  const module = sourceModule(connection.crm);
  const { connector } = splitConnectionOptions(connection.options);
  return module.createConnector({ ...connection, options: connector }, credentials, { onTokens, logger });
}

/**
 * Checks a connection's credentials with its source's one identity call (CredentialsError naming
 * what is wrong); null when the source has nothing to call (a file).
 */
export async function verifyCredentials(connection: SourceConnection, credentials: Credentials, logger?: Logger): Promise<VerifiedAccount | null> {
  const module = sourceModule(connection.crm);
  if (!module.verify) return null;
  const { connector } = splitConnectionOptions(connection.options);
  return module.verify({ ...connection, options: connector }, credentials, { onTokens: () => undefined, logger });
}
