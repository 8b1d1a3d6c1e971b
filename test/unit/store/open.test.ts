import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/command.ts';
import { runsCommand } from '../../../src/cli/commands/runs.ts';
import { DatabaseUrlError, describeStoreLocation, openStoreFromEnv, storeLocationFromEnv } from '../../../src/store/open.ts';
import { StoreUnavailableError } from '../../../src/store/postgres/db.ts';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('choosing the store from the environment', () => {
  it('is the SQLite file at KAMFLOW_DB_PATH (default ./data/kamflow.db) unless KAMFLOW_DATABASE_URL is set', () => {
    expect(storeLocationFromEnv({})).toEqual({ kind: 'sqlite', path: './data/kamflow.db' });
    expect(storeLocationFromEnv({ KAMFLOW_DB_PATH: '/srv/k.db', KAMFLOW_DATABASE_URL: '  ' })).toEqual({ kind: 'sqlite', path: '/srv/k.db' });
    expect(storeLocationFromEnv({ KAMFLOW_DB_PATH: '/srv/k.db', KAMFLOW_DATABASE_URL: 'postgres://k:pw@db.internal:5433/kamflow' }))
      .toEqual({ kind: 'postgres', url: 'postgres://k:pw@db.internal:5433/kamflow' });
    expect(storeLocationFromEnv({ KAMFLOW_DATABASE_URL: 'postgresql:///kamflow?host=/var/run/postgresql' })).toMatchObject({ kind: 'postgres' });
  });

  it('refuses a URL that is not PostgreSQL\'s, without repeating it', () => {
    const bad = ['mysql://k:hunter2@db/kamflow', 'hunter2', 'postgres://'];
    for (const url of bad) {
      let error: unknown;
      try {
        storeLocationFromEnv({ KAMFLOW_DATABASE_URL: url });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DatabaseUrlError);
      expect((error as Error).message).toContain('KAMFLOW_DATABASE_URL');
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('describes a PostgreSQL location without its password', () => {
    expect(describeStoreLocation({ kind: 'postgres', url: 'postgres://kamflow:s3cret@db.internal:5433/kamflow?sslmode=require' }))
      .toBe('postgres://kamflow:***@db.internal:5433/kamflow?sslmode=require');
    expect(describeStoreLocation({ kind: 'sqlite', path: './data/kamflow.db' })).toBe('./data/kamflow.db');
  });

  it('names an unreachable server as such, without the password', async () => {
    const port = await closedPort();
    const attempt = openStoreFromEnv({ KAMFLOW_DATABASE_URL: `postgres://kamflow:s3cret@127.0.0.1:${port}/kamflow` });
    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(attempt).rejects.toThrow(`cannot use the PostgreSQL database of KAMFLOW_DATABASE_URL: connect ECONNREFUSED 127.0.0.1:${port}`);
    await attempt.catch((e: unknown) => expect(String(e)).not.toContain('s3cret'));
  });

  it('a command says what is wrong with the store in one line and exits 1', async () => {
    const port = await closedPort();
    for (const [url, expected] of [
      ['mysql://k:pw@db/kamflow', 'kamflow runs: KAMFLOW_DATABASE_URL must start with postgres:// or postgresql://'],
      [`postgres://k:pw@127.0.0.1:${port}/kamflow`, `kamflow runs: cannot use the PostgreSQL database of KAMFLOW_DATABASE_URL: connect ECONNREFUSED 127.0.0.1:${port}`],
    ] as const) {
      const err: string[] = [];
      const sink = (into: string[]): Writable => new Writable({ write(chunk: Buffer, _enc, cb) { into.push(chunk.toString()); cb(); } });
      const io: CliIo = { stdout: sink([]), stderr: sink(err), env: { KAMFLOW_DATABASE_URL: url } };
      expect(await runsCommand({ openStore: (env) => openStoreFromEnv(env) }).run([], io)).toBe(1);
      expect(err.join('')).toContain(expected);
      expect(err.join('').split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});
