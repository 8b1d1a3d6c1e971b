import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { runCli } from '../../../src/cli/run.ts';
import { hashPassword } from '../../../src/server/password.ts';
import { createTestDatabase, postgresSkipReason, postgresUrl, type TestDatabase } from '../../support/postgres.ts';
import { fakeIo } from '../../unit/cli/fake-io.ts';

/**
 * A store remembers the key it was set up with. Every `kamflow` command and `kamflow serve`
 * opened with another KAMFLOW_ENCRYPTION_KEY stops with an error naming the setting, before
 * touching anything; with the original key they work again. On SQLite and on PostgreSQL.
 */

const FIRST = Buffer.alloc(32, 11).toString('base64');
const SECOND = Buffer.alloc(32, 12).toString('base64');
const REFUSED = 'KAMFLOW_ENCRYPTION_KEY is not the key this store was set up with';

async function kamflow(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const f = fakeIo({ env: { KAMFLOW_LOG_LEVEL: 'silent', NO_COLOR: '1', ...env } });
  const code = await runCli(argv, f.io, COMMANDS);
  return { code, out: f.stdout(), err: f.stderr() };
}

async function expectRefusedEverywhere(store: NodeJS.ProcessEnv, postgres: boolean): Promise<void> {
  const first = { ...store, KAMFLOW_ENCRYPTION_KEY: FIRST, HUBSPOT_TOKEN: 'pat-na1-test-token', HUBSPOT_BASE_URL: 'http://127.0.0.1:9' };
  const made = await kamflow(first, 'connect', '--crm', 'hubspot', '--id', 'hs-1', '--no-verify');
  expect(made.err).toBe('');
  expect(made.code).toBe(0);
  const second = { ...first, KAMFLOW_ENCRYPTION_KEY: SECOND };
  const commands: string[][] = [
    ['connect', '--crm', 'hubspot', '--id', 'hs-2', '--no-verify'],
    ['runs'],
    ['run', 'no-such-run'],
    ['sync', '--connection', 'hs-1'],
    ['provision', '--connection', 'hs-1'],
    ['rollback', 'no-such-run'],
    ['schedule', '--list'],
    ...(postgres ? [['worker']] : []),
  ];
  for (const argv of commands) {
    const r = await kamflow(second, ...argv);
    expect(r.err, argv.join(' ')).toContain(`kamflow ${argv[0]}: ${REFUSED}`);
    expect(r.err, argv.join(' ')).not.toContain('unexpected error');
    expect(r.code, argv.join(' ')).toBe(1);
  }
  const serve = await kamflow({ ...second, KAMFLOW_PORT: '0', KAMFLOW_HOST: '127.0.0.1', KAMFLOW_ADMIN_PASSWORD_HASH: await hashPassword('correct horse battery'), KAMFLOW_SESSION_SECRET: 's'.repeat(48) }, 'serve');
  expect(serve.err).toContain(`kamflow serve: ${REFUSED}`);
  expect(serve.err).not.toContain('unexpected error');
  expect(serve.code).toBe(2);
  // Nothing was added under the second key; the first still opens the store.
  const runs = await kamflow(first, 'runs');
  expect(runs.err).toBe('');
  expect(runs.code).toBe(0);
  expect((await kamflow(first, 'connect', '--crm', 'hubspot', '--id', 'hs-2', '--no-verify')).code).toBe(0);
}

describe('a second encryption key on one store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kamflow-second-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused by every command and by serve, naming the setting (SQLite)', async () => {
    await expectRefusedEverywhere({ KAMFLOW_DB_PATH: join(dir, 'kamflow.db') }, false);
  }, 120_000);
});

describe.skipIf(postgresUrl() === null)(`a second encryption key on one PostgreSQL store${postgresUrl() === null ? ` (skipped: ${postgresSkipReason()})` : ''}`, () => {
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.drop();
  });
  it('is refused by every command, the worker and serve, naming the setting', async () => {
    db = await createTestDatabase();
    await expectRefusedEverywhere({ KAMFLOW_DATABASE_URL: db.url }, true);
  }, 120_000);
});
