import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/command.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { runCli } from '../../../src/cli/run.ts';
import { makeServeBackend } from '../../../src/console/serve-backend.ts';
import { loadConsoleSettings } from '../../../src/console/settings.ts';
import { serveCommand } from '../../../src/cli/commands/serve.ts';
import { nextRunAt } from '../../../src/sync/scheduler.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import { createTestDatabase, postgresSkipReason, postgresUrl, type TestDatabase } from '../../support/postgres.ts';
import { ManualTasks } from './real-backend.ts';

const dirs: string[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const db of databases.splice(0)) await db.drop();
});

function io(env: NodeJS.ProcessEnv) {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d: Buffer) => { text += d.toString('utf8'); });
  return { io: { stdout: new PassThrough(), stderr, env }, stderrText: () => text };
}

describe('console settings', () => {
  it('defaults to a nightly UTC schedule, a first sync at once, and no simulator', () => {
    expect(loadConsoleSettings({})).toEqual({
      apps: {}, webhookSecrets: {}, simulatorUrl: null, defaultSchedule: '0 2 * * *', defaultTimezone: 'UTC', firstSync: 'now',
    });
    expect(loadConsoleSettings({ KAMFLOW_DEFAULT_SCHEDULE: '', KAMFLOW_FIRST_SYNC: 'scheduled' })).toMatchObject({ defaultSchedule: null, firstSync: 'scheduled' });
    expect(loadConsoleSettings({ SALESFORCE_CLIENT_ID: 'id', SALESFORCE_CLIENT_SECRET: 'secret' }).apps).toEqual({ salesforce: { clientId: 'id', clientSecret: 'secret' } });
  });

  it('names every bad variable without repeating secret values', () => {
    const attempt = (): unknown => loadConsoleSettings({
      HUBSPOT_CLIENT_SECRET: 'hs-secret-value', KAMFLOW_CRM_SIMULATOR_URL: 'https://sim.example.com', KAMFLOW_DEFAULT_SCHEDULE: '61 * * * *',
    });
    expect(attempt).toThrow(/HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET: set both/);
    expect(attempt).toThrow(/KAMFLOW_CRM_SIMULATOR_URL: must be a loopback origin/);
    expect(attempt).toThrow(/KAMFLOW_DEFAULT_SCHEDULE\/KAMFLOW_DEFAULT_TIMEZONE: invalid cron expression "61 \* \* \* \*"/);
    expect(attempt).not.toThrow(/hs-secret-value/);
  });

  it('accepts the simulator on loopback only outside production', () => {
    expect(loadConsoleSettings({ KAMFLOW_CRM_SIMULATOR_URL: 'http://127.0.0.1:4010/' }).simulatorUrl).toBe('http://127.0.0.1:4010');
    expect(() => loadConsoleSettings({ KAMFLOW_CRM_SIMULATOR_URL: 'http://127.0.0.1:4010', NODE_ENV: 'production' }))
      .toThrow('KAMFLOW_CRM_SIMULATOR_URL: not allowed when NODE_ENV=production');
    expect(() => loadConsoleSettings({ KAMFLOW_CRM_SIMULATOR_URL: 'http://10.0.0.5:4010' })).toThrow(/must be a loopback origin/);
  });
});

describe('kamflow serve with the real backend', () => {
  it('is registered as a command', () => {
    expect(COMMANDS.map((c) => c.name)).toContain('serve');
  });

  it('refuses to start without the encryption key, with the usage exit code', async () => {
    const { io: cliIo, stderrText } = io({ KAMFLOW_SESSION_SECRET: 'k'.repeat(40), KAMFLOW_PORT: '0' });
    expect(await runCli(['serve'], cliIo, [serveCommand(makeServeBackend())])).toBe(EXIT.usage);
    expect(stderrText()).toContain('kamflow serve: KAMFLOW_ENCRYPTION_KEY is not set');
  });

  it('refuses bad console settings with the usage exit code', async () => {
    const { io: cliIo, stderrText } = io({ KAMFLOW_PORT: '0', KAMFLOW_FIRST_SYNC: 'later' });
    expect(await runCli(['serve'], cliIo, [serveCommand(makeServeBackend())])).toBe(EXIT.usage);
    expect(stderrText()).toContain('KAMFLOW_FIRST_SYNC: Invalid option');
  });

  async function storeFor(kind: 'sqlite' | 'postgres'): Promise<NodeJS.ProcessEnv> {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'kamflow-serve-'));
      dirs.push(dir);
      return { KAMFLOW_DB_PATH: join(dir, 'kamflow.db') };
    }
    const db = await createTestDatabase();
    databases.push(db);
    return { KAMFLOW_DATABASE_URL: db.url };
  }

  async function schedulesAndStops(kind: 'sqlite' | 'postgres'): Promise<void> {
    const key = randomBytes(32).toString('base64');
    const storeEnv = await storeFor(kind);
    const store = await openStoreFromEnv({ ...storeEnv, KAMFLOW_ENCRYPTION_KEY: key });
    await store.createConnection({ id: 'nightly', crm: 'salesforce', baseUrl: 'https://acme.my.salesforce.com', schedule: '0 3 * * *', timezone: 'Europe/Berlin' });
    await store.createConnection({ id: 'manual', crm: 'hubspot', baseUrl: 'https://api.hubapi.com', schedule: null });
    await store.close();

    const tasks = new ManualTasks();
    const abort = new AbortController();
    const cmd = serveCommand(makeServeBackend({ createTask: tasks.factory }), { signal: abort.signal });
    const { io: cliIo, stderrText } = io({ KAMFLOW_SESSION_SECRET: 'k'.repeat(40), ...storeEnv, KAMFLOW_ENCRYPTION_KEY: key });
    const done = cmd.run(['--port', '0'], cliIo);
    let url: string | null = null;
    for (let i = 0; i < 300 && !url; i++) {
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stderrText())?.[1] ?? null;
      if (!url) await new Promise((r) => setTimeout(r, 10));
    }
    expect(url).not.toBeNull();
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', checks: [{ name: 'store', ok: true }] });
    expect(tasks.created).toEqual([{ expression: '0 3 * * *', timezone: 'Europe/Berlin', stopped: false }]);
    abort.abort();
    expect(await done).toBe(EXIT.ok);
    expect(tasks.created[0]?.stopped).toBe(true);
    expect(stderrText()).not.toContain(key);
  }

  it('schedules the stored scheduled connections, and stops them on exit (sqlite)', () => schedulesAndStops('sqlite'));
  it.skipIf(postgresUrl() === null)(
    `on PostgreSQL runs no scheduler itself: it fills the schedules table the workers tick, with each next run (postgres${postgresUrl() === null ? `; skipped: ${postgresSkipReason()}` : ''})`,
    async () => {
      const key = randomBytes(32).toString('base64');
      const storeEnv = await storeFor('postgres');
      const store = await openStoreFromEnv({ ...storeEnv, KAMFLOW_ENCRYPTION_KEY: key });
      await store.createConnection({ id: 'nightly', crm: 'salesforce', baseUrl: 'https://acme.my.salesforce.com', schedule: '0 3 * * *', timezone: 'Europe/Berlin' });
      await store.createConnection({ id: 'manual', crm: 'hubspot', baseUrl: 'https://api.hubapi.com', schedule: null });
      await store.close();
      const tasks = new ManualTasks();
      const abort = new AbortController();
      const cmd = serveCommand(makeServeBackend({ createTask: tasks.factory }), { signal: abort.signal });
      const { io: cliIo, stderrText } = io({ KAMFLOW_SESSION_SECRET: 'k'.repeat(40), ...storeEnv, KAMFLOW_ENCRYPTION_KEY: key });
      const before = new Date();
      const done = cmd.run(['--port', '0'], cliIo);
      for (let i = 0; i < 500 && !/"url":"http/.test(stderrText()); i++) await new Promise((r) => setTimeout(r, 10));
      expect(tasks.created).toEqual([]);
      const db = databases[databases.length - 1];
      const rows = (await db?.query('SELECT connection_id, cron, timezone, next_run_at FROM schedules')) as { connection_id: string; cron: string; timezone: string; next_run_at: string }[];
      expect(rows.map((r) => [r.connection_id, r.cron, r.timezone])).toEqual([['nightly', '0 3 * * *', 'Europe/Berlin']]);
      // 03:00 in Berlin is 01:00 or 02:00 UTC (summer or winter), the first after start.
      const next = new Date(Number(rows[0]?.next_run_at));
      expect(next.getTime()).toBe(nextRunAt('0 3 * * *', 'Europe/Berlin', before).getTime());
      expect([1, 2]).toContain(next.getUTCHours());
      abort.abort();
      expect(await done).toBe(EXIT.ok);
      expect(stderrText()).toContain('runs go to the job queue');
    },
  );
});
