import type { CliIo } from './command.ts';
import { UsageError } from './command.ts';
import { ActionableError, CrmError } from '../contract/errors.ts';
import type { Logger } from '../log.ts';
import { EncryptionKeyError } from '../store/crypto.ts';
import { DatabaseUrlError } from '../store/open.ts';
import { StoreUnavailableError } from '../store/postgres/db.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';
import type { AnalyzeFn, ConnectorFactory, ProfileOf, ProgressEvent } from '../sync/types.ts';

/**
 * What the sync-side command modules (connect, provision, sync, runs, run, rollback, schedule)
 * share: their dependencies, flag parsing, connection choice, live progress and error wording.
 */

export interface SyncCommandDeps {
  /** Opens the store (KAMFLOW_DATABASE_URL or KAMFLOW_DB_PATH, KAMFLOW_ENCRYPTION_KEY from env); the command closes it. */
  openStore: (env: NodeJS.ProcessEnv) => Store | Promise<Store>;
  connectorFactory: ConnectorFactory;
  profileOf: ProfileOf;
  analyze: AnalyzeFn;
  logger: Logger;
  now?: () => Date;
  /** The org a connection's calls count against in the shared daily API budget (the registry's). */
  orgOf?: (connection: ConnectionRecord) => string;
}

/** The connection named by --connection, or the only one there is. */
export async function resolveConnectionId(store: Store, flag: string | undefined): Promise<string> {
  const all = await store.listConnections();
  if (flag !== undefined) {
    if (!all.some((c) => c.id === flag)) {
      throw new UsageError(`no connection "${flag}"${all.length ? ` (known: ${all.map((c) => c.id).join(', ')})` : '; add one with `kamflow connect`'}`);
    }
    return flag;
  }
  if (all.length === 1 && all[0]) return all[0].id;
  if (all.length === 0) throw new UsageError('no connection yet: add one with `kamflow connect`');
  throw new UsageError(`several connections exist, choose one with --connection (${all.map((c) => c.id).join(', ')})`);
}

export function validateDateFlag(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${name} must be a calendar date YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

/** Live counts on a terminal (one rewritten line on stderr), plain log lines otherwise. */
export function progressReporter(io: CliIo, logger: Logger, json: boolean): { report: (e: ProgressEvent) => void; done: () => void } {
  const tty = io.stderr.isTTY === true && !json;
  let shown = false;
  const line = (e: ProgressEvent): string => {
    switch (e.stage) {
      case 'pull': return `pulling ${e.object}: ${e.pulled} record(s), ${e.deleted} deleted`;
      case 'analyze': return `analysed ${e.accounts} account(s)`;
      case 'plan': return `plan: ${e.changedAccounts} account(s) to change, ${e.unchangedAccounts} unchanged`;
      case 'push': return `writing: ${e.sent}/${e.total} account(s), ${e.failed} failed`;
    }
  };
  return {
    report: (e) => {
      if (tty) {
        io.stderr.write(`\r\x1b[2K${line(e)}`);
        shown = true;
      } else if (e.stage === 'pull') {
        logger.debug({ ...e }, 'pull page');
      } else {
        logger.info({ ...e }, line(e));
      }
    },
    done: () => {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  };
}

/** A one-line reason for errors users can act on (told apart by type); undefined for bugs, which are rethrown. */
export function userFacingError(error: unknown): string | undefined {
  if (error instanceof EncryptionKeyError || error instanceof ActionableError || error instanceof DatabaseUrlError || error instanceof StoreUnavailableError) return error.message;
  return undefined;
}

export function formatUsage(usage: Record<string, number>): string {
  const parts = Object.entries(usage).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : 'none';
}

export function showValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Opens the store, runs `body`, closes the store. Errors a user can act on (a missing or wrong
 * encryption key, a busy connection, an unknown id, a CRM error) become one line on stderr
 * and exit code 1 (3 for an API limit); anything else is a bug and propagates.
 */
export async function withStore(
  deps: Pick<SyncCommandDeps, 'openStore'>,
  io: CliIo,
  command: string,
  body: (store: Store) => Promise<number>,
  onError?: () => void,
): Promise<number> {
  let store: Store | null = null;
  try {
    store = await deps.openStore(io.env);
    return await body(store);
  } catch (error) {
    onError?.();
    if (error instanceof UsageError) throw error;
    const reason = userFacingError(error);
    if (reason === undefined) throw error;
    io.stderr.write(`kamflow ${command}: ${reason}\n`);
    return isApiLimit(error) ? 3 : 1;
  } finally {
    await store?.close();
  }
}

function isApiLimit(error: unknown): boolean {
  return error instanceof CrmError && error.kind === 'api-limit';
}
