import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Logger as GraphileLogger, makeWorkerUtils, run, type JobHelpers, type Runner, type RunnerOptions, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { ConnectionBusyError, NothingToRollBackError, PlanNotApprovableError } from '../contract/errors.ts';
import type { Logger } from '../log.ts';
import { PresenceSession } from '../store/postgres/presence.ts';
import type { ConsoleStore, Store } from '../store/types.ts';
import { approvePlan, newRunId, rollbackRun, runSync } from '../sync/pipeline.ts';
import type { SyncDeps } from '../sync/types.ts';
import { SYNC_TASK, syncJobSchema } from './jobs.ts';
import { WorkerRegistry, slotId } from './registry.ts';
import { ScheduleTable } from './schedules.ts';

export interface WorkerOptions {
  url: string;
  store: Store & ConsoleStore;
  sync: SyncDeps;
  logger: Logger;
  /** Runs at once in this process (one graphile-worker slot each). */
  concurrency: number;
  /** How often the schedules are ticked and dead workers looked for (ms). */
  tickMs?: number;
  /** How often a slot looks for jobs besides being told of new ones (ms). */
  pollMs?: number;
  /** Written with the time after every tick that reached the database: a container's health check reads its age. */
  healthFile?: string;
}

export interface RunningWorkers {
  processId: string;
  stop(): Promise<void>;
  /** Resolves when a slot stops on its own (its database connection failed for good). */
  done: Promise<void>;
}

/** graphile-worker's log lines through our logger, its debug chatter left out. */
function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger(() => (level, message, meta) => {
    if (level === 'debug') return;
    const fields = { queue: 'graphile-worker', ...(meta && typeof meta === 'object' ? { meta: Object.keys(meta) } : {}) };
    if (level === 'error') logger.error(fields, message);
    else if (level === 'warning') logger.warn(fields, message);
    else logger.info(fields, message);
  });
}

/** Sets up the queue's tables (graphile-worker's own schema, migrated by it). */
export async function migrateQueue(url: string, logger: Logger): Promise<WorkerUtils> {
  const utils = await makeWorkerUtils({ connectionString: url, logger: graphileLogger(logger) });
  await utils.migrate();
  return utils;
}

/**
 * `kamflow worker`: `concurrency` slots taking sync jobs from the PostgreSQL queue, the
 * schedules ticked, and dead workers' jobs handed on. Each job runs under the connection's run
 * lock (the pipeline's), so one connection runs once at a time across every worker and the CLI;
 * a job whose worker died is unlocked as soon as that worker's database session is gone, and
 * the next worker takes over the lock and resumes from the checkpoints.
 */
export async function startWorkers(options: WorkerOptions): Promise<RunningWorkers> {
  const { url, store, sync, logger, concurrency } = options;
  const tickMs = options.tickMs ?? 5_000;
  const processId = `kw-${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: concurrency + 4, application_name: 'kamflow-worker' });
  pool.on('error', () => {});
  const utils = await migrateQueue(url, logger);
  const presence = new PresenceSession(url);
  const registry = new WorkerRegistry(pool, logger);
  const schedules = new ScheduleTable(pool, store, logger);
  await registry.register(processId, concurrency, await presence.session());

  const task = async (payload: unknown, helpers: JobHelpers): Promise<void> => {
    const job = syncJobSchema.parse(payload);
    // A job tried again (its worker died) runs under a new id; the first try uses the one promised.
    const runId = job.runId !== undefined && (await store.getRun(job.runId)) === null ? job.runId : newRunId(new Date());
    await store.setRunTrigger(runId, job.trigger);
    const jobLog = { connectionId: job.connectionId, runId, jobId: helpers.job.id, attempt: helpers.job.attempts, worker: processId };
    logger.info(jobLog, 'job started');
    try {
      // A worker never approves a plan by itself: a plan that waits stays awaiting approval until
      // an admin approves it (an `approve` job names the reviewed plan; a stored `confirm` is ignored).
      const result = job.kind === 'rollback' && job.rollbackOf
        ? await rollbackRun(sync, { runId: job.rollbackOf, newRunId: runId, dryRun: job.dryRun === true, force: job.force === true })
        : job.kind === 'approve' && job.planRunId
          ? await approvePlan(sync, { planRunId: job.planRunId, newRunId: runId, ...(job.approvedBy ? { approvedBy: job.approvedBy } : {}) })
          : await runSync(sync, { connectionId: job.connectionId, dryRun: job.kind === 'dry-run', newRunId: runId });
      // A run that failed is recorded as failed; the next tick tries again, not the queue.
      logger.info({ ...jobLog, status: result.run.status }, 'job finished');
    } catch (error) {
      // An approval or rollback refused (the plan was approved already, there is nothing to roll
      // back) is an answer, not a failure: trying the job again would be refused the same way.
      if (error instanceof PlanNotApprovableError || error instanceof NothingToRollBackError) {
        logger.warn({ ...jobLog, err: error.message }, 'job refused: nothing run');
        return;
      }
      if (error instanceof ConnectionBusyError) {
        logger.warn({ ...jobLog, err: error.message }, 'connection busy: the job is tried again later');
      }
      throw error;
    }
  };

  const runners: Runner[] = [];
  for (let slot = 0; slot < concurrency; slot++) {
    // One slot per runner so that each has an id we choose (graphile-worker takes `workerId`
    // from the options it is given, for a single slot): the dead-worker reaper names them.
    const slotOptions: RunnerOptions & { workerId: string } = {
      pgPool: pool, concurrency: 1, workerId: slotId(processId, slot), noHandleSignals: true,
      pollInterval: options.pollMs ?? 1_000, taskList: { [SYNC_TASK]: task }, logger: graphileLogger(logger),
    };
    runners.push(await run(slotOptions));
  }

  let stopped = false;
  let ticking: Promise<void> = Promise.resolve();
  const tickOnce = async (): Promise<void> => {
    try {
      await registry.reap((ids) => utils.forceUnlockWorkers(ids));
      const now = new Date();
      await schedules.reconcile(now);
      await schedules.tick(now);
      if (options.healthFile) await writeFile(options.healthFile, `${now.toISOString()}\n`);
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'schedule tick failed; trying again at the next');
    }
  };
  const timer = setInterval(() => {
    if (!stopped) ticking = ticking.then(tickOnce);
  }, tickMs);
  ticking = tickOnce();
  logger.info({ processId, concurrency }, 'workers started');

  return {
    processId,
    done: Promise.all(runners.map((r) => r.promise)).then(() => undefined),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await ticking;
      // Graceful: the jobs under way finish (and release their locks) before the slots stop.
      await Promise.all(runners.map((r) => r.stop()));
      await registry.unregister(processId).catch(() => undefined);
      await utils.release();
      await presence.close();
      await pool.end();
      logger.info({ processId }, 'workers stopped');
    },
  };
}
