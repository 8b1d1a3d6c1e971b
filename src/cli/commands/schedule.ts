import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { runSync } from '../../sync/pipeline.ts';
import { nextRunAt, SyncScheduler, validateSchedule, type CronTaskFactory } from '../../sync/scheduler.ts';
import { parseCommandArgs } from '../args.ts';
import { resolveConnectionId, withStore, type SyncCommandDeps } from '../sync-support.ts';
import { untilSignal } from '../signals.ts';
import { DATABASE_URL_VAR, storeLocationFromEnv } from '../../store/open.ts';

const USAGE = `Usage: kamflow schedule                                  run every scheduled connection until stopped
       kamflow schedule --list                           show each connection's schedule
       kamflow schedule [--connection ID] --set CRON [--timezone TZ]
       kamflow schedule [--connection ID] --clear

Scheduled runs are incremental syncs, with a full pull (which also finds deletions and
association changes that incremental pulls cannot see) once the last one is older than the
connection's fullSyncEveryHours option (default 24 for HubSpot, 168 for Salesforce; 0 turns
it off). A run still going when the next tick comes is skipped (and logged), never stacked.
Stop the foreground scheduler with Ctrl-C or SIGTERM: runs under way finish first. On
PostgreSQL (KAMFLOW_DATABASE_URL) the workers run the schedules (\`kamflow worker\`); there
this command only sets, clears and lists them.

Options:
  --set CRON        cron expression, e.g. "0 */6 * * *" (every 6 hours)
  --timezone TZ     IANA time zone the expression is read in (default UTC)
  --clear           remove the connection's schedule
  --list            list schedules
  --json            with --list: print JSON
  -h, --help        show this help`;

const FLAGS = {
  connection: { type: 'string' }, set: { type: 'string' }, timezone: { type: 'string' }, clear: { type: 'boolean' },
  list: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

export interface ScheduleDeps extends SyncCommandDeps {
  /** Resolves when the foreground scheduler should stop; SIGINT or SIGTERM by default. */
  waitForStop?: () => Promise<void>;
  createTask?: CronTaskFactory;
}

export function scheduleCommand(deps: ScheduleDeps): CliCommand {
  return {
    name: 'schedule',
    summary: 'Set connection schedules, or run the scheduler',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags } = parseCommandArgs(argv, FLAGS);
      if (flags.set !== undefined && flags.clear) throw new UsageError('--set and --clear cannot be used together');
      if (flags.timezone !== undefined && flags.set === undefined) throw new UsageError('--timezone applies to --set');
      // On PostgreSQL the workers tick the schedules table; a scheduler of its own here would run every tick twice.
      if (flags.set === undefined && !flags.clear && !flags.list && storeLocationFromEnv(io.env).kind === 'postgres') {
        throw new UsageError(`on PostgreSQL (${DATABASE_URL_VAR}) the schedules are run by \`kamflow worker\`; \`kamflow schedule\` there only sets, clears and lists them`);
      }
      return withStore(deps, io, 'schedule', async (store) => {
        if (flags.set !== undefined || flags.clear) {
          const id = await resolveConnectionId(store, flags.connection);
          if (flags.set !== undefined) {
            const errors = validateSchedule(flags.set, flags.timezone ?? null);
            if (errors.length) throw new UsageError(errors.join('; '));
          }
          const c = await store.updateConnection(id, { schedule: flags.set ?? null, timezone: flags.set === undefined ? null : (flags.timezone ?? null) });
          io.stdout.write(c.schedule ? `connection ${id}: schedule "${c.schedule}" (${c.timezone ?? 'UTC'})\n` : `connection ${id}: no schedule\n`);
          return EXIT.ok;
        }
        if (flags.list) {
          const now = deps.now?.() ?? new Date();
          const rows = (await store.listConnections()).map((c) => ({
            id: c.id, schedule: c.schedule, timezone: c.timezone ?? 'UTC',
            // The next run the expression names (the queue's schedules table holds the same).
            nextRun: c.schedule !== null && validateSchedule(c.schedule, c.timezone).length === 0 ? nextRunAt(c.schedule, c.timezone, now).toISOString() : null,
          }));
          if (flags.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          else io.stdout.write(rows.length ? `${rows.map((r) => `${r.id}  ${r.schedule ?? '(none)'}  ${r.schedule ? r.timezone : ''}${r.nextRun ? `  next ${r.nextRun}` : ''}`.trimEnd()).join('\n')}\n` : 'no connections\n');
          return EXIT.ok;
        }
        const scheduler = new SyncScheduler({
          store,
          logger: deps.logger,
          runSync: (options) => runSync({ store, connectorFactory: deps.connectorFactory, profileOf: deps.profileOf, analyze: deps.analyze, logger: deps.logger, ...(deps.now ? { now: deps.now } : {}), ...(deps.orgOf ? { orgOf: deps.orgOf } : {}) }, options),
          ...(deps.createTask ? { createTask: deps.createTask } : {}),
        });
        const started = await scheduler.start();
        if (started.length === 0) {
          io.stderr.write('kamflow schedule: no connection has a valid schedule; set one with --set\n');
          return EXIT.failed;
        }
        deps.logger.info({ connections: started }, 'scheduler running; stop with Ctrl-C');
        await (deps.waitForStop ?? untilSignal)();
        await scheduler.stop();
        deps.logger.info('scheduler stopped');
        return EXIT.ok;
      });
    },
  };
}
