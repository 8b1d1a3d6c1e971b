import pg from 'pg';

/** What a query returned, rows still unparsed: each caller parses them with its own schema. */
export interface QueryResult {
  rows: unknown[];
  rowCount: number;
}

export interface Queryable {
  query(text: string, values?: readonly unknown[]): Promise<QueryResult>;
}

/** Told about every statement the store runs: its text, the rows it returned and its time. */
export type QueryObserver = (event: { text: string; rows: number; ms: number }) => void;

/** The database could not be reached or refused the connection (down, wrong password...). */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * A pool of connections and the two ways the store talks through it: one statement on any
 * connection, or a transaction on one connection that commits only if the body resolves.
 */
export class Db implements Queryable {
  constructor(private readonly pool: pg.Pool, private readonly observe?: QueryObserver) {}

  async query(text: string, values: readonly unknown[] = []): Promise<QueryResult> {
    return run(this.pool, text, values, this.observe);
  }

  async transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: Queryable = { query: (text, values = []) => run(client, text, values, this.observe) };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await body(tx);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself failed: it must not go back to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Runs `body` on one connection of its own (session-level state such as advisory locks). */
  async withConnection<T>(body: (conn: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await body({ query: (text, values = []) => run(client, text, values, this.observe) });
    } finally {
      client.release();
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

async function run(target: pg.Pool | pg.PoolClient, text: string, values: readonly unknown[], observe?: QueryObserver): Promise<QueryResult> {
  const start = performance.now();
  const raw: pg.QueryResult | pg.QueryResult[] = await target.query({ text, values: [...values] });
  // A text of several statements (a migration) answers with one result each: the last counts.
  const result = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  const rows: unknown[] = result?.rows ?? [];
  observe?.({ text, rows: rows.length, ms: performance.now() - start });
  return { rows, rowCount: result?.rowCount ?? 0 };
}

export interface PoolOptions {
  url: string;
  /** Connections the store may open at once (default 10). */
  max?: number;
}

/** A pool for `url`; an idle connection the server drops is replaced on the next query. */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'kamflow',
  });
  // Without a listener an idle connection's error (server restart, network cut) would end the
  // process; the next query gets a fresh connection and reports any lasting failure itself.
  pool.on('error', () => {});
  return pool;
}
