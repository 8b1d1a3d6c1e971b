import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { untilSignal } from '../signals.ts';
import { userFacingError, type SyncCommandDeps } from '../sync-support.ts';
import { startWorkers } from '../../queue/worker.ts';
import { DATABASE_URL_VAR, storeLocationFromEnv, type KamflowStore } from '../../store/open.ts';

const USAGE = `Usage: kamflow worker [--concurrency N]

Runs sync jobs from the PostgreSQL job queue (KAMFLOW_DATABASE_URL) until stopped (SIGINT or
SIGTERM; the runs under way finish first). Any number of workers, on any hosts, can run
against one database: each connection runs once at a time across all of them, scheduled
connections are enqueued once per tick, and the job of a worker that died is resumed by
another from its checkpoints as soon as that worker's database session is gone.

Options:
  --concurrency N   runs at once in this process (default 2)
  -h, --help        show this help

Environment:
  KAMFLOW_SCHEDULE_TICK_MS      how often the schedules are ticked and dead workers looked for (default 5000)
  KAMFLOW_WORKER_HEALTH_FILE    a file written with the time after every tick that reached the
                                database, for a health check (e.g. the compose file's)`;

const FLAGS = { concurrency: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export interface WorkerCommandDeps extends Omit<SyncCommandDeps, 'openStore'> {
  openStore: (env: NodeJS.ProcessEnv) => Promise<KamflowStore>;
  /** Resolves when the workers should stop; SIGINT or SIGTERM by default. */
  waitForStop?: () => Promise<void>;
}

export function workerCommand(deps: WorkerCommandDeps): CliCommand {
  return {
    name: 'worker',
    summary: 'Run sync workers on the PostgreSQL job queue',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags } = parseCommandArgs(argv, FLAGS);
      if (flags.help) {
        io.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
      }
      const concurrency = flags.concurrency === undefined ? 2 : Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
        throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${flags.concurrency ?? ''}"`);
      }
      const location = storeLocationFromEnv(io.env);
      if (location.kind !== 'postgres') {
        throw new UsageError(`kamflow worker needs the PostgreSQL store: set ${DATABASE_URL_VAR} (with the SQLite file, \`kamflow serve\` or \`kamflow schedule\` run the syncs themselves)`);
      }
      const tickEnv = io.env['KAMFLOW_SCHEDULE_TICK_MS'];
      const tickMs = tickEnv === undefined ? undefined : Number(tickEnv);
      if (tickMs !== undefined && (!Number.isInteger(tickMs) || tickMs < 100)) throw new UsageError(`KAMFLOW_SCHEDULE_TICK_MS must be a whole number of milliseconds, at least 100, got "${tickEnv ?? ''}"`);
      let store: KamflowStore | null = null;
      try {
        store = await deps.openStore(io.env);
        const workers = await startWorkers({
          url: location.url, store, logger: deps.logger, concurrency, ...(tickMs !== undefined ? { tickMs } : {}),
          ...(io.env['KAMFLOW_WORKER_HEALTH_FILE'] ? { healthFile: io.env['KAMFLOW_WORKER_HEALTH_FILE'] } : {}),
          sync: { store, connectorFactory: deps.connectorFactory, profileOf: deps.profileOf, analyze: deps.analyze, logger: deps.logger, ...(deps.orgOf ? { orgOf: deps.orgOf } : {}) },
        });
        io.stderr.write(`kamflow worker: ${concurrency} slot(s) running as ${workers.processId}; stop with Ctrl-C or SIGTERM\n`);
        await Promise.race([(deps.waitForStop ?? untilSignal)(), workers.done]);
        await workers.stop();
        return EXIT.ok;
      } catch (error) {
        if (error instanceof UsageError) throw error;
        const reason = userFacingError(error);
        if (reason === undefined) throw error;
        io.stderr.write(`kamflow worker: ${reason}\n`);
        return EXIT.failed;
      } finally {
        await store?.close();
      }
    },
  };
}
