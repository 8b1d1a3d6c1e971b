import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_ACCOUNTS } from '../../../src/sandbox/generate.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { openStoreFromEnv, type KamflowStore } from '../../../src/store/open.ts';
import { runSync } from '../../../src/sync/pipeline.ts';
import { QueueClient } from '../../../src/queue/client.ts';
import { silentLogger } from '../../../src/log.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { sampleOrg } from '../salesforce/harness.ts';
import { connectBoth, kamFields, spawnWorker, stopWorker, syncDeps, until, writeCalls, type WorkerProcess } from '../../../bench/support/queue-world.ts';

/**
 * Three `kamflow worker` processes on one PostgreSQL database, thirty connections (fifteen
 * simulated orgs, each with a Salesforce and a HubSpot connection), one schedule tick: every
 * connection synced exactly once, a worker killed with SIGKILL in the middle of a run and that
 * run resumed by another worker, nothing written twice, and every CRM left as one worker alone
 * leaves it.
 */

const ORGS = 15;
const SEED = sampleOrg(MIN_ACCOUNTS);

let db: TestDatabase;
let dir: string;
const sandboxes: Sandbox[] = [];
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'kamflow-queue-'));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorker(w)));
  await Promise.all(sandboxes.map((s) => s.close()));
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** What one process running the syncs one after another leaves in the CRMs. */
async function singleWorkerReference(): Promise<{ fields: ReturnType<typeof kamFields>; writes: Record<string, number>; written: Record<string, number> }> {
  const sb = await startSandbox({ seed: SEED });
  sandboxes.push(sb);
  const env = { KAMFLOW_DB_PATH: join(dir, 'reference.db'), KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const ids = await connectBoth(env, sb, 0);
  const store = await openStoreFromEnv(env);
  try {
    const written: Record<string, number> = {};
    for (const id of [ids.sf, ids.hs]) {
      // The admin approved the first plan: written at once.
      const result = await runSync({ ...syncDeps, store }, { connectionId: id, confirm: true });
      expect(result.run.status).toBe('succeeded');
      written[id.slice(0, 2)] = result.run.counts.written;
    }
    return { fields: kamFields(sb, SEED), writes: writeCalls(sb), written };
  } finally {
    await store.close();
  }
}

describe('three workers, thirty connections, one schedule tick', () => {
  it('syncs each connection once, resumes the run of a killed worker elsewhere, writes nothing twice, and matches one worker', { timeout: 300_000 }, async () => {
    const reference = await singleWorkerReference();
    expect(reference.written).toEqual({ sf: MIN_ACCOUNTS, hs: MIN_ACCOUNTS });
    // The comparisons below compare something: write calls of both CRMs, and Kamflow's fields.
    expect(Object.keys(reference.writes).some((k) => k.startsWith('salesforce.')) && Object.keys(reference.writes).some((k) => k.startsWith('hubspot.'))).toBe(true);
    const first = Object.values(reference.fields)[0];
    expect(Object.keys(first?.sf ?? {})).toContain('KAM_Tier__c');
    expect(Object.keys(first?.hs ?? {})).toContain('kam_tier');

    const env = { KAMFLOW_DATABASE_URL: db.url, KAMFLOW_ENCRYPTION_KEY: randomBytes(32).toString('base64'), KAMFLOW_SCHEDULE_TICK_MS: '300' };
    // Org 0 answers slowly, so that its runs are still going when their worker is killed.
    const orgs: Sandbox[] = [];
    for (let n = 0; n < ORGS; n++) orgs.push(await startSandbox({ seed: SEED, ...(n === 0 ? { latencyMs: 120 } : {}) }));
    sandboxes.push(...orgs);
    const connections = (await Promise.all(orgs.map((sb, n) => connectBoth(env, sb, n)))).flatMap((ids) => [ids.sf, ids.hs]);
    const store: KamflowStore = await openStoreFromEnv(env);
    try {
      for (const id of connections) await store.updateConnection(id, { schedule: '0 3 * * *', timezone: 'Europe/Berlin' });
      for (let i = 0; i < 3; i++) workers.push(spawnWorker(env, 2));
      await until('all thirty schedules', async () => ((await db.query('SELECT count(*)::int AS n FROM schedules')) as { n: number }[])[0]?.n === 30);
      // The tick: every schedule falls due at once (as at 03:00 in Berlin).
      await db.query('UPDATE schedules SET next_run_at = $1', [Date.now()]);

      // The slow org's HubSpot run, part-way through its pull: kill the worker running it.
      const slow = 'hs-0';
      const holder = await until('the slow run to be part-way', async () => {
        const rows = (await db.query('SELECT pid FROM locks WHERE connection_id = $1', [slow])) as { pid: number }[];
        const states = await store.getStreamStates(slow);
        return rows[0] && Object.keys(states).length >= 2 ? rows[0].pid : null;
      });
      const victim = workers.find((w) => w.child.pid === holder);
      if (!victim) throw new Error(`no worker process ${holder}`);
      victim.child.kill('SIGKILL');
      await victim.exited;

      // The tick's runs plan and wait: a worker never approves a plan by itself.
      const planned = await until('every connection to have a plan awaiting approval', async () => {
        const all = await store.listRuns({ limit: 1000 });
        const waiting = new Set(all.filter((r) => r.status === 'awaiting-approval').map((r) => r.connectionId));
        return connections.every((c) => waiting.has(c)) ? all : null;
      }, 240_000);
      for (const r of planned) expect(await store.listWrites(r.id), r.id).toEqual([]);
      // Exactly once: one plan per connection; the only others are runs the kill cut short.
      const plannedBy = new Map<string, typeof planned>();
      for (const r of planned) plannedBy.set(r.connectionId, [...(plannedBy.get(r.connectionId) ?? []), r]);
      for (const id of connections) {
        const runs = plannedBy.get(id) ?? [];
        expect(runs.filter((r) => r.status === 'awaiting-approval'), id).toHaveLength(1);
        expect(runs.filter((r) => r.status !== 'awaiting-approval' && r.status !== 'interrupted'), id).toEqual([]);
      }
      const resumed = plannedBy.get(slow) ?? [];
      expect(resumed.map((r) => r.status).sort()).toEqual(['awaiting-approval', 'interrupted']);
      const killedRun = resumed.find((r) => r.status === 'interrupted');
      const takeover = (await store.listRunIssues(resumed.find((r) => r.status === 'awaiting-approval')?.id ?? '')).find((i) => i.stage === 'lock');
      expect(takeover).toMatchObject({ recordId: killedRun?.id, kind: 'lock-taken-over:session-gone' });
      // Resumed by another worker process.
      const triggers = await store.runTriggers(resumed.map((r) => r.id));
      expect(Object.values(triggers)).toEqual(['schedule', 'schedule']);

      // The admin approves every plan (as the console's Approve button queues it); the workers write.
      const queue = await QueueClient.open(db.url, store, silentLogger);
      try {
        for (const r of planned.filter((x) => x.status === 'awaiting-approval')) {
          await queue.enqueue({ connectionId: r.connectionId, kind: 'approve', planRunId: r.id, trigger: 'console' });
        }
      } finally {
        await queue.close();
      }
      const done = await until('every connection to finish its approved sync', async () => {
        const all = await store.listRuns({ limit: 1000 });
        const finished = new Set(all.filter((r) => r.status === 'succeeded').map((r) => r.connectionId));
        return connections.every((c) => finished.has(c)) ? all : null;
      }, 240_000);
      const byConnection = new Map<string, typeof done>();
      for (const r of done) byConnection.set(r.connectionId, [...(byConnection.get(r.connectionId) ?? []), r]);
      for (const id of connections) expect((byConnection.get(id) ?? []).filter((r) => r.status === 'succeeded'), id).toHaveLength(1);

      // Nothing written twice: each account's write succeeded once, the simulators counted the
      // same write calls as for one worker, and each CRM holds what one worker leaves.
      for (const id of connections) {
        const ok = (await Promise.all((byConnection.get(id) ?? []).map((r) => store.listWrites(r.id)))).flat().filter((w) => w.status === 'ok');
        expect(ok, id).toHaveLength(MIN_ACCOUNTS);
        expect(new Set(ok.map((w) => w.accountId)).size, id).toBe(MIN_ACCOUNTS);
      }
      for (const sb of orgs) {
        expect(writeCalls(sb)).toEqual(reference.writes);
        expect(kamFields(sb, SEED)).toEqual(reference.fields);
      }
      // No job is left: each tick's job ran and was done.
      expect(await db.query('SELECT count(*)::int AS n FROM graphile_worker.jobs')).toEqual([{ n: 0 }]);
    } catch (error) {
      for (const w of workers) process.stderr.write(`--- worker ${w.child.pid ?? '?'}\n${w.log().slice(-4000)}\n`);
      throw error;
    } finally {
      await store.close();
    }
  });
});
