import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConnectorOptions, createConnector, sourceProfile } from '../../../connectors/registry.ts';
import type { CliIo } from '../../../src/cli/command.ts';
import { connectCommand } from '../../../src/cli/commands/connect.ts';
import { provisionCommand } from '../../../src/cli/commands/provision.ts';
import { syncCommand } from '../../../src/cli/commands/sync.ts';
import type { SyncCommandDeps } from '../../../src/cli/sync-support.ts';
import { silentLogger } from '../../../src/log.ts';
import { startSandbox } from '../../../src/sandbox/index.ts';
import { openStoreFromEnv } from '../../../src/store/open.ts';
import { analyzeWithStoredConfig } from '../../../src/sync/analyze-adapter.ts';
import { DEFAULT_LOCK_TTL_MS } from '../../../src/sync/types.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { sampleOrg } from '../salesforce/harness.ts';

/**
 * A sync killed with SIGKILL in the middle of its pull leaves its lock behind. The next sync
 * must take it over at once (not after the TTL), say so, and resume from the checkpoints.
 */

const deps: SyncCommandDeps = {
  openStore: (env) => openStoreFromEnv(env),
  connectorFactory: (connection, credentials, onTokens) => createConnector(connection, credentials, onTokens),
  profileOf: sourceProfile,
  analyze: analyzeWithStoredConfig,
  logger: silentLogger,
};
const commands = {
  connect: connectCommand({ openStore: deps.openStore, checkOptions: checkConnectorOptions }),
  provision: provisionCommand(deps),
  sync: syncCommand(deps),
};

async function kamflow(env: NodeJS.ProcessEnv, name: keyof typeof commands, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io: CliIo = { stdout, stderr, env };
  const code = await commands[name].run(argv, io);
  return { code, out, err };
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let pgDb: TestDatabase | null = null;
let dir = '';
beforeAll(async () => {
  pgDb = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'kamflow-kill-'));
});
afterAll(async () => {
  await pgDb?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['sqlite', 'postgres'] as const)('a sync killed mid-run (%s)', (kind) => {
  it('is taken over at once by the next sync, which says so and resumes from its checkpoints', { timeout: 120_000 }, async () => {
    // Each HubSpot call takes 60 ms, so the first sync is still pulling when it is killed.
    const sb = await startSandbox({ seed: sampleOrg(80), latencyMs: 60 });
    try {
      const env: NodeJS.ProcessEnv = {
        ...(kind === 'postgres' && pgDb ? { KAMFLOW_DATABASE_URL: pgDb.url } : { KAMFLOW_DB_PATH: join(dir, 'kamflow.db') }),
        KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        HUBSPOT_TOKEN: sb.hubspot.privateAppToken,
        HUBSPOT_BASE_URL: sb.hubspot.baseUrl,
      };
      expect((await kamflow(env, 'connect', '--crm', 'hubspot', '--id', `hs-${kind}`, '--safety-gate', '1', '--option', 'pageSizes={"associations":100}')).code).toBe(0);
      expect((await kamflow(env, 'provision')).code).toBe(0);

      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sync', '--confirm'], { env: { ...process.env, ...env }, stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, signal) => resolve(signal)));
      const store = await openStoreFromEnv(env);
      try {
        // Killed once a stream is part-way through its full pull (a checkpoint with more to come).
        const midway = await until('a checkpoint part-way through a full pull of several pages', async () => {
          const states = await store.getStreamStates(`hs-${kind}`);
          for (const s of Object.values(states)) {
            if (s.phase === 'full' && s.cursor !== null && (await countMirror(store, `hs-${kind}`, s.object)) >= 200) return { object: s.object };
          }
          return null;
        });
        const before = await countMirror(store, `hs-${kind}`, midway.object);
        child.kill('SIGKILL');
        expect(await exited).toBe('SIGKILL');
        const [killed] = await store.listRuns({ connectionId: `hs-${kind}` });
        expect(killed?.status).toBe('running');

        const started = Date.now();
        const next = await kamflow(env, 'sync', '--confirm');
        expect(next.err).not.toContain('busy');
        expect(next.code).toBe(0);
        // Well before the lock's TTL would have freed it.
        expect(Date.now() - started).toBeLessThan(DEFAULT_LOCK_TTL_MS);

        const runs = await store.listRuns({ connectionId: `hs-${kind}` });
        const resumed = runs.find((r) => r.id !== killed?.id);
        expect(resumed?.status).toBe('succeeded');
        expect((await store.getRun(killed?.id ?? ''))?.status).toBe('interrupted');
        const issues = await store.listRunIssues(resumed?.id ?? '');
        // SQLite knows the process is gone; PostgreSQL sees its database session end first.
        const takeover = issues.find((i) => i.stage === 'lock');
        expect(takeover).toMatchObject({ recordId: killed?.id, kind: kind === 'sqlite' ? 'lock-taken-over:process-gone' : 'lock-taken-over:session-gone' });
        expect(takeover?.message).toContain(`took over the lock of run ${killed?.id ?? ''}`);

        // Resumed from the cursor: the stream cut short was not pulled again from its start.
        const total = await countMirror(store, `hs-${kind}`, midway.object);
        expect(before).toBeGreaterThan(0);
        expect(resumed?.counts.pulled[midway.object] ?? 0).toBeLessThan(total);
        expect((resumed?.counts.pulled[midway.object] ?? 0) + before).toBeGreaterThanOrEqual(total);
        expect(resumed?.counts.written).toBe(80);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await store.close();
      }
    } finally {
      await sb.close();
    }
  });
});

async function countMirror(store: Awaited<ReturnType<typeof openStoreFromEnv>>, connectionId: string, object: Parameters<typeof store.mirrorRecords>[1]): Promise<number> {
  let n = 0;
  for await (const batch of store.mirrorRecords(connectionId, object)) n += batch.length;
  return n;
}
