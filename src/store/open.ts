import { ENCRYPTION_KEY_VAR } from './crypto.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { DB_PATH_VAR, DEFAULT_DB_PATH, SqliteStore } from './sqlite-store.ts';
import type { ConsoleStore, Store } from './types.ts';

/**
 * Where the CLI, the server and the demo keep their data: PostgreSQL when KAMFLOW_DATABASE_URL
 * is set, else the embedded SQLite file at KAMFLOW_DB_PATH (the default).
 */

export const DATABASE_URL_VAR = 'KAMFLOW_DATABASE_URL';

export type KamflowStore = Store & ConsoleStore;

/** KAMFLOW_DATABASE_URL is set but unusable as a PostgreSQL URL. */
export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/** Which store the environment asks for; the message of a bad URL never repeats it (it may hold a password). */
export function storeLocationFromEnv(env: NodeJS.ProcessEnv, sqlitePath?: string): StoreLocation {
  const url = env[DATABASE_URL_VAR]?.trim();
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DatabaseUrlError(`${DATABASE_URL_VAR} is not a URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special characters in the password)`);
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new DatabaseUrlError(`${DATABASE_URL_VAR} must start with postgres:// or postgresql:// (got ${parsed.protocol}//); unset it to use the SQLite file at ${DB_PATH_VAR}`);
    }
    if (parsed.hostname === '' && !parsed.searchParams.has('host')) {
      throw new DatabaseUrlError(`${DATABASE_URL_VAR} names no host; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
    }
    return { kind: 'postgres', url };
  }
  return { kind: 'sqlite', path: sqlitePath ?? env[DB_PATH_VAR] ?? DEFAULT_DB_PATH };
}

/** The location for messages: a PostgreSQL URL without its password, or the SQLite path. */
export function describeStoreLocation(location: StoreLocation): string {
  if (location.kind === 'sqlite') return location.path;
  const u = new URL(location.url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}

/**
 * Opens the store the environment names (see storeLocationFromEnv), with
 * KAMFLOW_ENCRYPTION_KEY; PostgreSQL is connected to and migrated before this resolves.
 */
export async function openStoreFromEnv(env: NodeJS.ProcessEnv, options: { sqlitePath?: string } = {}): Promise<KamflowStore> {
  return openStoreAt(storeLocationFromEnv(env, options.sqlitePath), env[ENCRYPTION_KEY_VAR]);
}

export async function openStoreAt(location: StoreLocation, encryptionKey: string | undefined): Promise<KamflowStore> {
  if (location.kind === 'postgres') return PostgresStore.open({ url: location.url, encryptionKey });
  return new SqliteStore({ path: location.path, encryptionKey });
}
