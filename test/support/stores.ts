import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import type { ProcessIdentity } from '../../src/store/holder.ts';
import type { KamflowStore } from '../../src/store/open.ts';
import type { QueryObserver } from '../../src/store/postgres/db.ts';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { createTestDatabase, postgresSkipReason, postgresUrl, truncateAll, type TestDatabase } from './postgres.ts';

/**
 * Both store implementations behind one harness, so that one contract suite runs unchanged
 * over SQLite and PostgreSQL. Each test starts on an empty database.
 */

export type StoreKind = 'sqlite' | 'postgres';

export interface StoreOpenOptions {
  encryptionKey?: string;
  now?: () => Date;
  /** PostgreSQL only: told about every statement. */
  onQuery?: QueryObserver;
  /** The process a lock records as its holder's (this one by default). */
  processIdentity?: ProcessIdentity;
}

export interface StoreHarness {
  readonly kind: StoreKind;
  /** A store on this test's database; several calls open several stores on the same data. */
  open(options?: StoreOpenOptions): Promise<KamflowStore>;
  /** The sealed credentials as stored, read straight from the database. */
  sealedCredentials(): Promise<string[]>;
  /** Records a schema version newer than this code knows. */
  addFutureMigration(): Promise<void>;
  migrationVersions(): Promise<number[]>;
  /** The variables that make openStoreFromEnv open this test's database. */
  env(): NodeJS.ProcessEnv;
}

interface Lifecycle extends StoreHarness {
  setup(): Promise<void>;
  reset(): Promise<void>;
  teardown(): Promise<void>;
}

class SqliteHarness implements Lifecycle {
  readonly kind = 'sqlite';
  private dir = '';
  private n = 0;
  private opened: KamflowStore[] = [];

  private path(): string {
    return join(this.dir, `t${this.n}.db`);
  }

  async setup(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'kamflow-contract-'));
  }

  async open(options: StoreOpenOptions = {}): Promise<KamflowStore> {
    const store = new SqliteStore({ path: this.path(), encryptionKey: options.encryptionKey, ...(options.now ? { now: options.now } : {}), ...(options.processIdentity ? { processIdentity: options.processIdentity } : {}) });
    this.opened.push(store);
    return store;
  }

  private raw<T>(body: (db: Database.Database) => T): T {
    const db = new Database(this.path());
    try {
      return body(db);
    } finally {
      db.close();
    }
  }

  async sealedCredentials(): Promise<string[]> {
    return this.raw((db) => (db.prepare('SELECT tokens_sealed FROM connections WHERE tokens_sealed IS NOT NULL').all() as { tokens_sealed: string }[]).map((r) => r.tokens_sealed));
  }

  async addFutureMigration(): Promise<void> {
    this.raw((db) => db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run());
  }

  async migrationVersions(): Promise<number[]> {
    return this.raw((db) => (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version));
  }

  env(): NodeJS.ProcessEnv {
    return { KAMFLOW_DB_PATH: this.path() };
  }

  async reset(): Promise<void> {
    for (const s of this.opened.splice(0)) await s.close();
    this.n += 1;
  }

  async teardown(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

class PostgresHarness implements Lifecycle {
  readonly kind = 'postgres';
  private db: TestDatabase | null = null;
  private opened: KamflowStore[] = [];

  private database(): TestDatabase {
    if (!this.db) throw new Error('the PostgreSQL harness is not set up');
    return this.db;
  }

  async setup(): Promise<void> {
    this.db = await createTestDatabase();
  }

  async open(options: StoreOpenOptions = {}): Promise<KamflowStore> {
    const store = await PostgresStore.open({ url: this.database().url, ...options });
    this.opened.push(store);
    return store;
  }

  async sealedCredentials(): Promise<string[]> {
    return ((await this.database().query('SELECT tokens_sealed FROM connections WHERE tokens_sealed IS NOT NULL')) as { tokens_sealed: string }[]).map((r) => r.tokens_sealed);
  }

  async addFutureMigration(): Promise<void> {
    await this.database().query("INSERT INTO schema_migrations VALUES (999, 'future', 'x')");
  }

  async migrationVersions(): Promise<number[]> {
    return ((await this.database().query('SELECT version FROM schema_migrations ORDER BY version')) as { version: number }[]).map((r) => r.version);
  }

  env(): NodeJS.ProcessEnv {
    return { KAMFLOW_DATABASE_URL: this.database().url };
  }

  async reset(): Promise<void> {
    for (const s of this.opened.splice(0)) await s.close();
    const db = this.database();
    const known = Math.max(...PG_MIGRATIONS.map((m) => m.version));
    const exists = await db.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'schema_migrations'");
    if (exists.length > 0) await db.query('DELETE FROM schema_migrations WHERE version > $1', [known]);
    await truncateAll(db);
  }

  async teardown(): Promise<void> {
    await this.db?.drop();
  }
}

/** `body` once per store implementation, each in its own describe block named after it. */
export function describeStores(title: string, body: (h: StoreHarness) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    const skip = kind === 'postgres' && postgresUrl() === null;
    (skip ? describe.skip : describe)(`${title} [${kind}]${skip ? ` (skipped: ${postgresSkipReason()})` : ''}`, () => {
      const h: Lifecycle = kind === 'sqlite' ? new SqliteHarness() : new PostgresHarness();
      beforeAll(() => h.setup());
      afterEach(() => h.reset());
      afterAll(() => h.teardown());
      body(h);
    });
  }
}
