import { EXIT_CODES_HELP, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { rollbackRun } from '../../sync/pipeline.ts';
import { parseCommandArgs } from '../args.ts';
import { progressReporter, withStore, type SyncCommandDeps } from '../sync-support.ts';
import { exitCodeFor, renderSyncResult, syncResultJson } from './sync.ts';

const USAGE = `Usage: kamflow rollback RUN [--dry-run] [--json]

Restores, in the CRM, the values that run RUN replaced, for every field it wrote. Fields that
already hold those values are left alone. The rollback is itself a run and can be rolled back.

Options:
  --dry-run   print the changes the rollback would make; write nothing
  --json      print the result as JSON on stdout
  -h, --help  show this help

${EXIT_CODES_HELP}`;

const FLAGS = { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function rollbackCommand(deps: SyncCommandDeps): CliCommand {
  return {
    name: 'rollback',
    summary: 'Restore the values a run replaced',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags, positionals } = parseCommandArgs(argv, FLAGS, 1);
      const runId = positionals[0];
      if (runId === undefined) throw new UsageError('which run? give its id (see `kamflow runs`)');
      const json = flags.json === true;
      const progress = progressReporter(io, deps.logger, json);
      return withStore(deps, io, 'rollback', async (store) => {
        const result = await rollbackRun(
          { store, connectorFactory: deps.connectorFactory, profileOf: deps.profileOf, analyze: deps.analyze, logger: deps.logger, onProgress: progress.report, ...(deps.now ? { now: deps.now } : {}), ...(deps.orgOf ? { orgOf: deps.orgOf } : {}) },
          { runId, dryRun: flags['dry-run'] === true },
        );
        progress.done();
        io.stdout.write(json ? syncResultJson(result) : renderSyncResult(result));
        return exitCodeFor(result.run);
      }, progress.done);
    },
  };
}
