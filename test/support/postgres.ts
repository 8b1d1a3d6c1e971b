import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * The PostgreSQL server of this test run (see test/setup/postgres.ts) and throwaway databases
 * on it, one per test file or test, so that parallel test files never see each other's rows.
 */

/** The server's URL, or null outside CI when there is none (the caller skips, loudly). */
export function postgresUrl(): string | null {
  const url = inject('postgresUrl');
  return url === '' ? null : url;
}

/** Why PostgreSQL tests are skipped, for `describe.skipIf(...)` titles. */
export function postgresSkipReason(): string {
  return `no PostgreSQL server (${inject('postgresMissing').split('\n')[0] ?? ''})`;
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Runs one statement on the database (inspection in tests). */
  query(text: string, values?: unknown[]): Promise<unknown[]>;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, body: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** A new empty database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = postgresUrl();
  if (server === null) throw new Error(`createTestDatabase: ${postgresSkipReason()}`);
  const name = `kamflow_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(server, (c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(server);
  u.pathname = `/${name}`;
  const url = u.toString();
  // One connection for the test's own inspection, opened when first needed: a new
  // PostgreSQL session costs far more than a statement.
  let inspector: Promise<pg.Client> | null = null;
  const connection = (): Promise<pg.Client> => {
    inspector ??= (async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      return client;
    })();
    return inspector;
  };
  return {
    url,
    name,
    query: async (text, values = []) => (await (await connection()).query(text, values)).rows as unknown[],
    drop: async () => {
      if (inspector) await (await inspector).end();
      inspector = null;
      await withClient(server, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

/** Empties every table the store made (but the migration record), keeping the schema. */
export async function truncateAll(db: TestDatabase): Promise<void> {
  const tables = (await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'")) as { tablename: string }[];
  if (tables.length > 0) await db.query(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY`);
}
