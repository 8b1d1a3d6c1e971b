import type { Connector, Credentials, SourceConnection, SourceId, SourceProfile, TokenListener } from '../src/contract/connector.ts';
import { UnknownSourceError } from '../src/contract/errors.ts';
import { splitConnectionOptions } from '../src/contract/sync-options.ts';
import type { Logger } from '../src/log.ts';
import { hubSpotSource } from './hubspot/module.ts';
import { SOURCE_KINDS, type SourceKind } from './kinds.ts';
import type { CrmField, FieldOption, SourceModule, VerifiedAccount } from './shared/source-module.ts';
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

/** A connector option that names a CRM field, with the fields it can name as the CRM lists them now. */
export interface FieldChoice {
  option: FieldOption;
  /** The stored value, or null when unset. */
  current: string | null;
  /** Every field of the option's object (for messages about a field of the wrong type). */
  all: CrmField[];
  /** The fields of a type the option can use. */
  usable: CrmField[];
}

/** The field options of a connection's source with the CRM's live field lists (one describe per object). */
export async function fieldChoices(connection: SourceConnection, credentials: Credentials, onTokens: TokenListener, logger?: Logger): Promise<FieldChoice[]> {
  const module = sourceModule(connection.crm);
  if (!module.fieldOptions || !module.listFields) return [];
  const listFields = module.listFields.bind(module);
  const { connector } = splitConnectionOptions(connection.options);
  const target = { ...connection, options: connector };
  const byObject = new Map<string, Promise<CrmField[]>>();
  const fieldsOf = (object: string): Promise<CrmField[]> => {
    let p = byObject.get(object);
    if (!p) {
      p = listFields(target, credentials, { onTokens, logger }, object);
      byObject.set(object, p);
    }
    return p;
  };
  const out: FieldChoice[] = [];
  for (const option of module.fieldOptions) {
    const all = [...(await fieldsOf(option.object))].sort((a, b) => a.name.localeCompare(b.name));
    const value = connection.options[option.option];
    out.push({ option, current: typeof value === 'string' ? value : null, all, usable: all.filter((f) => option.types.includes(f.type)) });
  }
  return out;
}

/** Problems with field options about to be stored, by the CRM's field lists: a field that is not there, or of a type the option cannot use. */
export function fieldOptionProblems(choices: readonly FieldChoice[], options: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const c of choices) {
    const value = options[c.option.option];
    if (typeof value !== 'string' || value === '') continue;
    if (c.usable.some((f) => f.name === value)) continue;
    const found = c.all.find((f) => f.name === value);
    problems.push(found
      ? `${c.option.option}: ${c.option.object}.${value} is a ${found.type} field; this option needs ${c.option.types.join(' or ')}`
      : `${c.option.option}: ${c.option.object} has no field ${value} (or Kamflow's user cannot see it)${c.usable.length ? `; usable: ${c.usable.slice(0, 8).map((f) => f.name).join(', ')}${c.usable.length > 8 ? ', ...' : ''}` : ''}`);
  }
  return problems;
}
