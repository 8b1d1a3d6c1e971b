import type { Connector, Credentials } from '../contract/connector.ts';
import { AlreadyConnectedError, BadInputError, InstallError, isCrmError } from '../contract/errors.ts';
import type { InstallContext, InstalledSource, SourceModule } from '../../connectors/shared/source-module.ts';
import type { Logger } from '../log.ts';
import type { BeginInstallRequest, BeginInstallResult, CompleteInstallRequest, CompleteInstallResult } from '../server/backend.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';
import type { ConnectorFactory } from '../sync/types.ts';
import type { ConsoleSettings } from './settings.ts';

export { InstallError };

export interface InstallDeps {
  settings: ConsoleSettings;
  store: Store;
  connectorFactory: ConnectorFactory;
  logger: Logger;
  /** The registered source modules (replaceable in tests). */
  sources: readonly SourceModule[];
}

type Installable = SourceModule & { install: NonNullable<SourceModule['install']> };

function installable(deps: InstallDeps, crm: string): Installable | null {
  const m = deps.sources.find((s) => s.kind === crm);
  return m?.install ? (m as Installable) : null;
}

function context(deps: InstallDeps, m: Installable, params: Record<string, string>, redirectUri: string): InstallContext | null {
  const app = deps.settings.apps[m.kind];
  if (!app) return null;
  return { app, params, redirectUri, simulatorUrl: deps.settings.simulatorUrl, logger: deps.logger };
}

export function beginInstall(deps: InstallDeps, request: BeginInstallRequest): BeginInstallResult {
  const m = installable(deps, request.crm);
  if (!m) return { ok: false, reason: 'unknown-source', message: `No source "${request.crm}" can be installed from this console.` };
  let params: Record<string, string>;
  try {
    params = m.install.parseStart(request.params);
  } catch (error) {
    if (error instanceof BadInputError) return { ok: false, reason: 'bad-request', message: error.message };
    throw error;
  }
  const ctx = context(deps, m, params, request.redirectUri);
  if (!ctx) {
    const { clientId, clientSecret } = m.install.appEnv;
    return { ok: false, reason: 'unavailable', message: `${m.label} install is not set up on this server: set ${clientId} and ${clientSecret}.` };
  }
  return { ok: true, authorizeUrl: m.install.authorizeUrl(ctx, { state: request.state, codeChallenge: request.codeChallenge }), params };
}

/** A connection fully described in memory, written to the store only once everything worked. */
interface Prepared {
  record: ConnectionRecord;
  credentials: Credentials;
  name: string;
  /** The stored connection of the same org or portal, which a reinstall refreshes. */
  existing: ConnectionRecord | null;
}

async function exchange(deps: InstallDeps, m: Installable, request: CompleteInstallRequest): Promise<{ installed: InstalledSource; clientSecret: string }> {
  const ctx = context(deps, m, request.params, request.redirectUri);
  if (!ctx) throw new InstallError('not-authorized', `${m.label} install is not set up on this server.`);
  return { installed: await m.install.complete(ctx, { code: request.code, codeVerifier: request.codeVerifier }), clientSecret: ctx.app.clientSecret };
}

async function prepare(deps: InstallDeps, m: Installable, { installed, clientSecret }: { installed: InstalledSource; clientSecret: string }): Promise<Prepared> {
  const existing = (await deps.store.listConnections()).find((c) => c.crm === m.kind && m.describe(c).accountId === installed.accountId) ?? null;
  const now = new Date().toISOString();
  return {
    name: installed.name, existing,
    credentials: { tokens: installed.tokens, clientSecret },
    record: {
      id: existing?.id ?? 'installing', crm: m.kind, baseUrl: installed.baseUrl,
      options: { ...(existing?.options ?? {}), ...installed.options },
      schedule: existing ? existing.schedule : deps.settings.defaultSchedule,
      timezone: existing ? existing.timezone : deps.settings.defaultTimezone,
      analysisConfig: existing?.analysisConfig ?? null, hasTokens: true, accountId: installed.accountId, createdAt: now, updatedAt: now,
    },
  };
}

function provisionFailure(m: Installable, error: unknown): InstallError {
  if (!isCrmError(error)) throw error;
  if (error.kind === 'unavailable' || error.kind === 'api-limit') return new InstallError('unavailable', `The CRM stopped answering while Kamflow's fields were being created (${error.kind}).`);
  if (error.kind === 'auth') return new InstallError('not-authorized', 'The CRM refused the new tokens while creating fields.');
  const own = m.install.provisionFailure?.({ kind: error.kind, status: error.details.status });
  if (own) return new InstallError(own.reason, own.message);
  return new InstallError('provisioning', `Creating Kamflow's fields failed: ${error.message.slice(0, 300)}`);
}

async function provision(m: Installable, connector: Connector): Promise<void> {
  let report;
  try {
    report = await connector.provision();
  } catch (error) {
    throw provisionFailure(m, error);
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
  const m = installable(deps, request.crm);
  if (!m) return { ok: false, reason: 'not-authorized', message: `No source "${request.crm}" can be installed from this console.` };
  let exchanged;
  try {
    exchanged = await exchange(deps, m, request);
  } catch (error) {
    if (error instanceof InstallError) return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
  // One install of an org or portal at a time in this process: a second one waits, then finds
  // the first's connection and reconnects it (provisioning the same fields twice at once fails).
  return serialised(`${m.kind}:${exchanged.installed.accountId}`, () => finish(deps, m, exchanged));
}

const installing = new Map<string, Promise<unknown>>();

async function serialised<T>(key: string, body: () => Promise<T>): Promise<T> {
  const before = installing.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(body);
  const tail = mine.catch(() => undefined);
  installing.set(key, tail);
  try {
    return await mine;
  } finally {
    if (installing.get(key) === tail) installing.delete(key);
  }
}

async function finish(deps: InstallDeps, m: Installable, exchanged: { installed: InstalledSource; clientSecret: string }): Promise<CompleteInstallResult & { created?: boolean }> {
  let prepared: Prepared;
  try {
    prepared = await prepare(deps, m, exchanged);
    // Tokens refreshed during provisioning replace the ones the exchange gave.
    let latest = prepared.credentials.tokens;
    const connector = deps.connectorFactory(prepared.record, prepared.credentials, (t) => { latest = t; });
    await provision(m, connector);
    prepared.credentials = { ...prepared.credentials, tokens: latest };
  } catch (error) {
    if (error instanceof InstallError) return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
  const { record, credentials, existing, name } = prepared;
  const refresh = async (into: ConnectionRecord): Promise<CompleteInstallResult & { created?: boolean }> => {
    if (credentials.tokens) await deps.store.saveTokens(into.id, credentials.tokens);
    await deps.store.updateConnection(into.id, { baseUrl: record.baseUrl, options: { ...into.options, ...record.options }, accountId: record.accountId });
    return { ok: true, connectionId: into.id, name, created: false };
  };
  if (existing) return refresh(existing);
  try {
    const created = await deps.store.createConnection({
      crm: record.crm, idPrefix: m.idPrefix, baseUrl: record.baseUrl, options: record.options, schedule: record.schedule, timezone: record.timezone,
      analysisConfig: null, tokens: credentials.tokens, clientSecret: credentials.clientSecret, accountId: record.accountId,
    });
    return { ok: true, connectionId: created.id, name, created: true };
  } catch (error) {
    // Another install of the same org or portal stored its connection first: this one reconnects it.
    if (!(error instanceof AlreadyConnectedError)) throw error;
    const first = await deps.store.getConnection(error.connectionId);
    if (!first) throw error;
    return refresh(first);
  }
}
