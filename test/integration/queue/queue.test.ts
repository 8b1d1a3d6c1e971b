import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.ts';
import { QueueClient } from '../../../src/queue/client.ts';
import { ScheduleTable } from '../../../src/queue/schedules.ts';
import { migrateQueue, startWorkers } from '../../../src/queue/worker.ts';
import { openStoreFromEnv, type KamflowStore } from '../../../src/store/open.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { sourceProfile } from '../../../connectors/registry.ts';
import { fakeAnalyze } from '../sync/fake-analyze.ts';
import { account, FakeCrm, wonOpp } from '../sync/fake-crm.ts';

/**
 * The schedules table and the queue on PostgreSQL, as two processes see them: each gets its
 * own pool, as two workers on two hosts would.
 */

let db: TestDatabase;
let store: KamflowStore;
const pools: pg.Pool[] = [];

function pool(): pg.Pool {
  const p = new pg.Pool({ connectionString: db.url, max: 2 });
  pools.push(p);
  return p;
}

/** The queued jobs, payloads included (graphile-worker's public view leaves them out). */
async function jobs(): Promise<{ key: string | null; queue: string | null; payload: { connectionId: string; kind: string; trigger: string } }[]> {
  return (await db.query('SELECT j.key, q.queue_name AS queue, j.payload FROM graphile_worker._private_jobs j LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id ORDER BY j.id')) as never;
}

beforeEach(async () => {
  db = await createTestDatabase();
  store = await openStoreFromEnv({ KAMFLOW_DATABASE_URL: db.url, KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  await (await migrateQueue(db.url, silentLogger)).release();
  for (const id of ['berlin', 'newyork', 'manual']) {
    await store.createConnection({ id, crm: 'salesforce', baseUrl: `https://${id}.my.salesforce.com`, tokens: { accessToken: 't' } });
  }
  await store.updateConnection('berlin', { schedule: '0 3 * * *', timezone: 'Europe/Berlin' });
  await store.updateConnection('newyork', { schedule: '30 2 * * *', timezone: 'America/New_York' });
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
  await store.close();
  await db.drop();
});

describe('the schedules table', () => {
  it('holds each scheduled connection with its next run in its own time zone, and follows changes', async () => {
    const table = new ScheduleTable(pool(), store, silentLogger);
    await table.reconcile(new Date('2026-06-30T00:00:00.000Z'));
    // 03:00 in Berlin in summer (UTC+2) and 02:30 in New York (UTC-4).
    expect(Object.fromEntries(await table.nextRuns())).toEqual({
      berlin: new Date('2026-06-30T01:00:00.000Z'), newyork: new Date('2026-06-30T06:30:00.000Z'),
    });
    await store.updateConnection('newyork', { schedule: null });
    await store.updateConnection('berlin', { schedule: '0 3 * * 1' });
    await table.reconcile(new Date('2026-12-01T00:00:00.000Z'));
    // The next Monday, 7 December 2026, 03:00 in Berlin in winter (UTC+1).
    expect(Object.fromEntries(await table.nextRuns())).toEqual({ berlin: new Date('2026-12-07T02:00:00.000Z') });
  });

  it('enqueues each due connection once per tick however many processes tick at once, and moves its next run', async () => {
    const [a, b, c] = [new ScheduleTable(pool(), store, silentLogger), new ScheduleTable(pool(), store, silentLogger), new ScheduleTable(pool(), store, silentLogger)];
    await Promise.all([a, b, c].map((t) => t.reconcile(new Date('2026-06-30T00:00:00.000Z'))));
    expect(await a.tick(new Date('2026-06-30T00:59:59.000Z'))).toEqual([]);
    const at = new Date('2026-06-30T07:00:00.000Z');
    const ticked = await Promise.all([a, b, c].map((t) => t.tick(at)));
    expect(ticked.flat().sort()).toEqual(['berlin', 'newyork']);
    const queued = (await jobs()).map((j) => [j.key, j.queue, j.payload.connectionId, j.payload.trigger]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(queued).toEqual([['sync:berlin', 'connection:berlin', 'berlin', 'schedule'], ['sync:newyork', 'connection:newyork', 'newyork', 'schedule']]);
    expect(Object.fromEntries(await b.nextRuns())).toEqual({
      berlin: new Date('2026-07-01T01:00:00.000Z'), newyork: new Date('2026-07-01T06:30:00.000Z'),
    });
    expect(await c.tick(at)).toEqual([]);
    expect(await jobs()).toHaveLength(2);
  });

  it('makes a sync enqueued while one is waiting the same job; dry runs are jobs of their own in the same queue', async () => {
    const client = await QueueClient.open(db.url, store, silentLogger);
    try {
      expect(await client.enqueue({ connectionId: 'manual', kind: 'sync', trigger: 'console', runId: 'run-1' })).toBe('run-1');
      // A second click (or a webhook, or a schedule tick) before it ran: the first run's id.
      expect(await client.enqueue({ connectionId: 'manual', kind: 'sync', trigger: 'webhook', runId: 'run-2' })).toBe('run-1');
      expect(await client.enqueue({ connectionId: 'manual', kind: 'dry-run', trigger: 'console', runId: 'run-3' })).toBe('run-3');
      expect((await jobs()).map((j) => [j.key, j.queue, j.payload.kind])).toEqual([
        ['sync:manual', 'connection:manual', 'sync'], [null, 'connection:manual', 'dry-run'],
      ]);
      expect(client.nextRun('manual')).toBeNull();
      expect(client.nextRun('berlin')?.getUTCMinutes()).toBe(0);
    } finally {
      await client.close();
    }
  });
});

describe('a worker process', () => {
  it('registers, writes its health file after each tick that reached the database, and unregisters when stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kamflow-worker-'));
    const healthFile = join(dir, 'health');
    const crm = new FakeCrm();
    const workers = await startWorkers({
      url: db.url, store, logger: silentLogger, concurrency: 2, tickMs: 100, healthFile,
      sync: { store, connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze: fakeAnalyze, logger: silentLogger },
    });
    try {
      expect(await db.query('SELECT id, concurrency FROM worker_processes')).toEqual([{ id: workers.processId, concurrency: 2 }]);
      const start = Date.now();
      while (!existsSync(healthFile) && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 50));
      const written = new Date(readFileSync(healthFile, 'utf8').trim());
      expect(Math.abs(written.getTime() - Date.now())).toBeLessThan(20_000);
      // Its ticks keep the schedules table in line with the connections.
      expect([...(await new ScheduleTable(pool(), store, silentLogger).nextRuns()).keys()].sort()).toEqual(['berlin', 'newyork']);
    } finally {
      await workers.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await db.query('SELECT id FROM worker_processes')).toEqual([]);
  });
});

describe('a worker and an admin', () => {
  it('writes nothing until the admin approves, then a rollback only once its preview is approved, and records who approved each', { timeout: 60_000 }, async () => {
    const crm = new FakeCrm();
    crm.put('accounts', account('A1'));
    crm.put('opportunities', wonOpp('O1', 'A1', 5000));
    const client = await QueueClient.open(db.url, store, silentLogger);
    const workers = await startWorkers({
      url: db.url, store, logger: silentLogger, concurrency: 1, tickMs: 100, pollMs: 50,
      sync: { store, connectorFactory: () => crm.connector(), profileOf: sourceProfile, analyze: fakeAnalyze, logger: silentLogger },
    });
    const enqueue = async (job: Parameters<QueueClient['enqueue']>[0]): Promise<string> => {
      const id = await client.enqueue(job);
      if (id === null) throw new Error(`the ${job.kind} job of ${job.connectionId} was not queued`);
      return id;
    };
    const finished = async (runId: string): Promise<string> => {
      const start = Date.now();
      for (;;) {
        const run = await store.getRun(runId);
        if (run && run.status !== 'running') return run.status;
        if (Date.now() - start > 30_000) throw new Error(`run ${runId} did not finish within 30 s (${run?.status ?? 'not started'})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const first = await enqueue({ connectionId: 'manual', kind: 'sync', trigger: 'console', runId: 'run-first' });
      // A new connection's first sync plans and waits: the worker never approves it.
      expect(await finished(first)).toBe('awaiting-approval');
      expect(crm.account('A1').fields['kam_score']).toBeUndefined();
      const written = await enqueue({ connectionId: 'manual', kind: 'approve', planRunId: first, approvedBy: 'console:admin', trigger: 'console', runId: 'run-written' });
      expect(await finished(written)).toBe('succeeded');
      expect(crm.account('A1').fields['kam_score']).toBe(50);
      expect((await store.getPlan(first))?.approvedBy).toBe('console:admin');

      // The console's rollback button queues a preview: it plans the restore and writes nothing.
      const preview = await enqueue({ connectionId: 'manual', kind: 'rollback', rollbackOf: written, dryRun: true, trigger: 'console', runId: 'run-preview' });
      expect(await finished(preview)).toBe('succeeded');
      expect(await store.getRun(preview)).toMatchObject({ kind: 'rollback', dryRun: true, rollbackOf: written });
      expect(crm.account('A1').fields['kam_score']).toBe(50);
      expect((await store.getPlan(preview))?.writes.map((w) => w.accountId)).toEqual(['A1']);

      const rolledBack = await enqueue({ connectionId: 'manual', kind: 'approve', planRunId: preview, approvedBy: 'console:second-admin', trigger: 'console', runId: 'run-rollback' });
      expect(await finished(rolledBack)).toBe('succeeded');
      expect(crm.account('A1').fields['kam_score']).toBeNull();
      expect(await store.getPlan(preview)).toMatchObject({ approvedBy: 'console:second-admin', approvedByRun: rolledBack });

      // The same preview approved again (two admins at once) is refused: the job ends with no
      // run and is not tried again, and nothing more is written.
      crm.editAsPerson('A1', { kam_score: 7 });
      await enqueue({ connectionId: 'manual', kind: 'approve', planRunId: preview, approvedBy: 'console:admin', trigger: 'console', runId: 'run-again' });
      const start = Date.now();
      while ((await db.query('SELECT 1 FROM graphile_worker._private_jobs')).length > 0) {
        if (Date.now() - start > 15_000) throw new Error('the refused approval is still queued after 15 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await store.getRun('run-again')).toBeNull();
      expect(crm.account('A1').fields['kam_score']).toBe(7);
    } finally {
      await workers.stop();
      await client.close();
    }
  });
});

