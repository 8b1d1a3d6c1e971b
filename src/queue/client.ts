import type { WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { jobKeyOf, MAX_ATTEMPTS, queueNameOf, SYNC_TASK, syncJobSchema, type SyncJob } from './jobs.ts';
import { ScheduleTable } from './schedules.ts';
import { migrateQueue } from './worker.ts';

/** How often `serve` reads the schedules' next runs for the console. */
const REFRESH_MS = 5_000;

/**
 * What `kamflow serve` does with the queue on PostgreSQL: enqueue runs (the workers run them)
 * and show each connection's next scheduled run, kept current from the schedules table.
 */
export class QueueClient {
  private nextRuns = new Map<string, Date>();
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly pool: pg.Pool, private readonly utils: WorkerUtils, private readonly schedules: ScheduleTable, private readonly logger: Logger) {
    this.timer = setInterval(() => { void this.refresh(); }, REFRESH_MS);
    this.timer.unref();
  }

  static async open(url: string, store: Store, logger: Logger): Promise<QueueClient> {
    const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'kamflow-serve' });
    pool.on('error', () => {});
    const utils = await migrateQueue(url, logger);
    const client = new QueueClient(pool, utils, new ScheduleTable(pool, store, logger), logger);
    await client.schedules.reconcile(new Date());
    await client.refresh();
    return client;
  }

  /**
   * Queues a run; returns the id the run will have. A sync already queued or running for the
   * connection is that one (its id comes back): enqueuing is idempotent.
   */
  async enqueue(job: SyncJob): Promise<string | null> {
    const key = jobKeyOf(job);
    const added = await this.utils.addJob(SYNC_TASK, job, {
      queueName: queueNameOf(job.connectionId), maxAttempts: MAX_ATTEMPTS, ...(key ? { jobKey: key, jobKeyMode: 'unsafe_dedupe' as const } : {}),
    });
    const payload = syncJobSchema.safeParse(added.payload);
    return payload.success ? (payload.data.runId ?? null) : null;
  }

  /** The console's view of schedules: a saved schedule takes effect at once. */
  async reschedule(connectionId: string): Promise<boolean> {
    await this.schedules.reconcile(new Date());
    await this.refresh();
    return this.nextRuns.has(connectionId);
  }

  nextRun(connectionId: string): Date | null {
    return this.nextRuns.get(connectionId) ?? null;
  }

  private async refresh(): Promise<void> {
    try {
      this.nextRuns = await this.schedules.nextRuns();
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'next scheduled runs not read');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.utils.release();
    await this.pool.end();
  }
}
