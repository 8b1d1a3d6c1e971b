import type { Logger } from '../../src/log.ts';
import type { Connector, Credentials, SourceConnection, SourceId, SourceProfile, TokenListener, TokenSet } from '../../src/contract/connector.ts';
import type { ObjectKind } from '../../src/contract/connector.ts';
import type { Sleep } from './sleep.ts';

/**
 * What a source module carries: everything about one source that the rest of Kamflow needs,
 * as data and small named hooks. The registry holds one per source; code outside a source's
 * own folder reads these fields instead of naming the source.
 */
export interface SourceModule<K extends SourceId = SourceId> {
  kind: K;
  /** Shown to people: "Salesforce". */
  label: string;
  /** Generated connection ids start with it: `sf-1a2b3c4d`. */
  idPrefix: string;
  /** The connector's own options (sync options are split off before), checked before they are stored: problems by option name. */
  checkOptions(options: Record<string, unknown>): string[];
  /** The connector for a stored connection; throws CrmError('auth') when the credentials cannot serve. */
  createConnector(connection: SourceConnection, credentials: Credentials, runtime: ConnectorRuntime): Connector;
  /** What the sync engine must know of the source: batch maximum, call names, reconcile period. */
  profile: SourceProfile;
  /** `kamflow connect --crm <kind>`: its flags and how they become a connection. */
  connect: ConnectFlags;
  /** The org or portal a connection reaches, for display and to match a reinstall or a webhook. */
  describe(connection: SourceConnection): { location: string; accountId: string | null };
  /**
   * Checks credentials with one identity call before they are stored (connect, reconnect):
   * whose they are and that they can serve. CredentialsError naming what is wrong (bad token,
   * unreachable URL, missing scope). Absent: the source has nothing to call (a file).
   */
  verify?(connection: SourceConnection, credentials: Credentials, runtime: ConnectorRuntime): Promise<VerifiedAccount>;
  /** Connector options that name one of the CRM's fields, chosen from its live field list. */
  fieldOptions?: readonly FieldOption[];
  /** The fields of one of the CRM's objects, read live (a describe or properties call). */
  listFields?(connection: SourceConnection, credentials: Credentials, runtime: ConnectorRuntime, object: string): Promise<CrmField[]>;
  /** The console's install through the source's consent screen, when it has one. */
  install?: InstallFlow;
  /** Change notifications the source pushes to Kamflow, when it sends any. */
  webhook?: WebhookHandler;
  /** Signed requests from the source's record cards to Kamflow's server, when its cards make any. */
  card?: CardRequestHandler;
}

/** A connector option whose value is a field of the CRM. */
export interface FieldOption {
  option: string;
  /** Shown to people: "Line item cost field". */
  label: string;
  /** The CRM object whose fields it names (Salesforce sObject, HubSpot object type). */
  object: string;
  /** The field types (as the CRM names them) the option can use. */
  types: readonly string[];
}

/** One field of a CRM object as its live describe shows it. */
export interface CrmField {
  name: string;
  label: string;
  type: string;
}

/** What an identity call found: the org or portal the credentials reach. */
export interface VerifiedAccount {
  /** The org's or portal's id: one connection each. */
  accountId: string;
  /** Its name as the source shows it, for people. */
  name: string;
  /** Where the calls went (the org's instance URL, the API base). */
  location: string;
  /** Non-secret options to store with the connection (org id, portal id, name). */
  options: Record<string, unknown>;
  /** Tokens the call refreshed, to store instead of the given ones; null when none were. */
  tokens: TokenSet | null;
}

/** Things a connector is given that are not data: callbacks, the logger, and (for tests) time. */
export interface ConnectorRuntime {
  onTokens: TokenListener;
  logger?: Logger | undefined;
  sleep?: Sleep | undefined;
  now?: (() => number) | undefined;
}

export interface ConnectFlag {
  /** Environment variable read when the flag is not given (preferred for secrets). */
  env?: string;
}

export interface ConnectFlags {
  /** Flag names without `--`, each a string. A name two sources share means the same kind of value. */
  flags: Record<string, ConnectFlag>;
  /** Lines of `kamflow connect --help` for this source. */
  help: string;
  /** Examples of `--option KEY=VALUE` for this source, for the help. */
  optionExamples: string;
  /** Builds the connection from the flag values (flag, else its environment variable); BadInputError when they cannot. */
  fromFlags(values: Record<string, string | undefined>): ConnectInput;
}

/** A connection as a source module describes it, before the store gives it an id. */
export interface ConnectInput {
  baseUrl: string;
  options: Record<string, unknown>;
  tokens: TokenSet | null;
  clientSecret: string | null;
}

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

/** One form on the connections page that starts an install, with the choices it asks for. */
export interface InstallForm {
  button: string;
  /** Rendered before the button; each field's value arrives as a query parameter of the start request. */
  fields: InstallFormField[];
  /** The secondary look, for a second way in. */
  secondary?: boolean;
}

export type InstallFormField =
  | { kind: 'select'; name: string; label: string; options: { value: string; label: string }[] }
  | { kind: 'url'; name: string; label: string; placeholder: string };

/** The admin's choices for one install, as the module normalised them (kept in the session until the callback). */
export type InstallParams = Record<string, string>;

export interface InstallContext {
  app: AppCredentials;
  params: InstallParams;
  redirectUri: string;
  /** The local simulator's origin, standing in for the source's public hosts (demo and tests only). */
  simulatorUrl: string | null;
  logger: Logger;
}

export interface InstallFlow {
  /** Environment variables holding the app's credentials on the server. */
  appEnv: { clientId: string; clientSecret: string };
  startForms: InstallForm[];
  /** Reads the start request's choices; BadInputError naming what is wrong. */
  parseStart(query: Record<string, string | undefined>): InstallParams;
  authorizeUrl(ctx: InstallContext, pkce: { state: string; codeChallenge: string }): string;
  /** Exchanges the code and finds out whose tokens they are; InstallError for what the admin can act on. */
  complete(ctx: InstallContext, exchange: { code: string; codeVerifier: string }): Promise<InstalledSource>;
  /** The install reason for a CrmError while Kamflow's fields were provisioned with the new tokens. */
  provisionFailure?(error: { kind: string; status?: number | undefined }): { reason: 'missing-scope' | 'not-authorized'; message: string } | null;
}

export interface InstalledSource {
  baseUrl: string;
  tokens: TokenSet;
  /** Non-secret options stored with the connection (client id, account id, display name...). */
  options: Record<string, unknown>;
  name: string;
  /** Who the tokens belong to (an org, a portal): a reinstall of the same refreshes that connection. */
  accountId: string;
}

/** A webhook request, the body left as the exact bytes sent (signatures cover them). */
export interface WebhookRequest {
  method: string;
  /** The full URI the source called: scheme, host, path and query. */
  uri: string;
  rawBody: string;
  headers: Record<string, string | undefined>;
}

export interface ChangedRecord {
  object: ObjectKind;
  id: string;
  deleted: boolean;
}

export type WebhookParse =
  | { ok: true; changes: { accountId: string; records: ChangedRecord[] }[]; ignored: number; events: number }
  | { ok: false; message: string; issues?: { field: string; message: string }[] };

export interface CardRequestHandler {
  /** Checks the request's signature with the webhook secret (the app's client secret). */
  verify(secret: string, request: WebhookRequest, nowMs: number): { ok: true } | { ok: false; message: string };
  /** The account (portal, org) the signed query names, or null when it names none. */
  accountIdOf(query: Record<string, string | undefined>): string | null;
}

export interface WebhookHandler {
  /** Environment variables with the signing secret, first found wins; the app's client secret otherwise. */
  secretEnv: readonly string[];
  /**
   * Checks the signature. `delivery` names a signed delivery (e.g. its signature) and until when
   * the source's window accepts it: the console remembers it that long, so a replay of the same
   * signed request within the window is ignored.
   */
  verify(secret: string, request: WebhookRequest, nowMs: number): { ok: true; delivery?: { id: string; acceptableUntil: number } } | { ok: false; message: string };
  parse(rawBody: string): WebhookParse;
}
