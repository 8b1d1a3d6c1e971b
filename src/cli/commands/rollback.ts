import { EXIT, EXIT_CODES_HELP, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { rollbackRun } from '../../sync/pipeline.ts';
import { parseCommandArgs } from '../args.ts';
import { progressReporter, withStore, type SyncCommandDeps } from '../sync-support.ts';
import { exitCodeFor, keptPlanOf, renderSyncResult, syncResultJson } from './sync.ts';

const USAGE = `Usage: kamflow rollback RUN [--confirm] [--force] [--json]

Restores, in the CRM, the values that run RUN replaced, for every field it wrote, while the
field still holds the value the run wrote. A field changed since (by a person or a later run)
is left as it is and reported as a conflict. The rollback is itself a run and can be rolled back.

Without --confirm it only shows its plan: per account (name and id) and field, the value now and
the one it would restore, and the conflicts; nothing is written (exit code 5). The plan is kept:
\`kamflow plan PREVIEW --approve\` writes exactly it (a field changed since the preview is left as
it is, reported as a conflict), recording you (the OS user) as its approver; the console's
"Roll back these N fields" button does the same.

Options:
  --confirm   write the rollback (it plans again from the CRM's values at that moment)
  --dry-run   the same as leaving out --confirm
  --force     restore the conflicting fields too (each still reported)
  --json      print the result as JSON on stdout
  -h, --help  show this help

${EXIT_CODES_HELP}`;

const FLAGS = { 'dry-run': { type: 'boolean' }, confirm: { type: 'boolean' }, force: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

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
      if (flags.confirm === true && flags['dry-run'] === true) throw new UsageError('--confirm writes the rollback, --dry-run writes nothing: give one of them');
      const preview = flags.confirm !== true;
      const progress = progressReporter(io, deps.logger, json);
      return withStore(deps, io, 'rollback', async (store) => {
        const result = await rollbackRun(
          { store, connectorFactory: deps.connectorFactory, profileOf: deps.profileOf, analyze: deps.analyze, logger: deps.logger, onProgress: progress.report, ...(deps.now ? { now: deps.now } : {}), ...(deps.orgOf ? { orgOf: deps.orgOf } : {}) },
          { runId, dryRun: preview, force: flags.force === true },
        );
        progress.done();
        const kept = await keptPlanOf(store, result.run);
        io.stdout.write(json ? syncResultJson(result) : renderSyncResult(result, kept));
        if (preview && !json) {
          const exact = (result.plan?.writes.length ?? 0) > 0 && flags.force !== true ? `, or exactly this preview with \`kamflow plan ${result.run.id} --approve\`` : '';
          io.stdout.write(`Nothing written. Write this rollback with \`kamflow rollback ${runId} --confirm${flags.force === true ? ' --force' : ''}\` (it plans again from the CRM's values)${exact}.\n`);
        }
        // A preview that would restore something waits for the go, as a plan does.
        if (preview && result.run.status === 'succeeded' && (result.plan?.writes.length ?? 0) > 0) return EXIT.awaitingApproval;
        return exitCodeFor(result.run);
      }, progress.done);
    },
  };
}
