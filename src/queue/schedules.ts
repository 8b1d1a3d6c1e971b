import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { nextRunAt, validateSchedule } from '../sync/scheduler.ts';
import { ADD_JOB_SQL, jobKeyOf, MAX_ATTEMPTS, queueNameOf, SYNC_TASK, type SyncJob } from './jobs.ts';
import type { Pool, PoolClient } from 'pg';

/**
 * The schedules table drives every connection's cron schedule: each row holds its expression,
 * time zone and next run. Any number of processes tick it; each due row is taken by exactly one
 * of them (FOR UPDATE SKIP LOCKED), which moves its next run and enqueues the sync in the same
 * transaction: one job per tick, however many processes run.
 */
export class ScheduleTable {
  constructor(private readonly pool: Pool, private readonly store: Store, private readonly logger: Logger) {}

  /** Brings the table in line with the connections' schedules (new, changed, removed). */
  async reconcile(now: Date): Promise<void> {
    const connections = await this.store.listConnections();
    const wanted = new Map<string, { cron: string; timezone: string }>();
    for (const c of connections) {
      if (c.schedule === null) continue;
      const errors = validateSchedule(c.schedule, c.timezone);
      if (errors.length > 0) {
        this.logger.error({ connectionId: c.id, errors }, 'schedule not started: fix it with `kamflow schedule --set`');
        continue;
      }
      wanted.set(c.id, { cron: c.schedule, timezone: c.timezone ?? 'UTC' });
    }
    const { rows } = await this.pool.query<{ connection_id: string; cron: string; timezone: string }>('SELECT connection_id, cron, timezone FROM schedules');
    for (const r of rows) {
      const w = wanted.get(r.connection_id);
      if (!w) await this.pool.query('DELETE FROM schedules WHERE connection_id = $1 AND cron = $2 AND timezone = $3', [r.connection_id, r.cron, r.timezone]);
    }
    for (const [id, w] of wanted) {
      const existing = rows.find((r) => r.connection_id === id);
      if (existing && existing.cron === w.cron && existing.timezone === w.timezone) continue;
      const next = nextRunAt(w.cron, w.timezone, now).getTime();
      // Only where it differs, so processes reconciling at once agree on one next run.
      await this.pool.query(
        `INSERT INTO schedules (connection_id, cron, timezone, next_run_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (connection_id) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, next_run_at = excluded.next_run_at
         WHERE schedules.cron <> excluded.cron OR schedules.timezone <> excluded.timezone`,
        [id, w.cron, w.timezone, next],
      );
      this.logger.info({ connectionId: id, schedule: w.cron, timezone: w.timezone, nextRun: new Date(next).toISOString() }, 'schedule started');
    }
  }

  /** Enqueues every due connection once; returns the connection ids enqueued. */
  async tick(now: Date): Promise<string[]> {
    const client: PoolClient = await this.pool.connect();
    const enqueued: string[] = [];
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ connection_id: string; cron: string; timezone: string }>(
        'SELECT connection_id, cron, timezone FROM schedules WHERE next_run_at <= $1 ORDER BY next_run_at, connection_id FOR UPDATE SKIP LOCKED',
        [now.getTime()],
      );
      for (const r of rows) {
        const next = nextRunAt(r.cron, r.timezone, now).getTime();
        await client.query('UPDATE schedules SET next_run_at = $2, last_enqueued_at = $3 WHERE connection_id = $1', [r.connection_id, next, now.getTime()]);
        const job: SyncJob = { connectionId: r.connection_id, kind: 'sync', trigger: 'schedule' };
        await client.query(ADD_JOB_SQL, [SYNC_TASK, JSON.stringify(job), queueNameOf(r.connection_id), MAX_ATTEMPTS, jobKeyOf(job)]);
        enqueued.push(r.connection_id);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (enqueued.length > 0) this.logger.info({ connections: enqueued }, 'scheduled syncs enqueued');
    return enqueued;
  }

  /** Each scheduled connection's next run. */
  async nextRuns(): Promise<Map<string, Date>> {
    const { rows } = await this.pool.query<{ connection_id: string; next_run_at: string }>('SELECT connection_id, next_run_at FROM schedules');
    return new Map(rows.map((r) => [r.connection_id, new Date(Number(r.next_run_at))]));
  }
}
