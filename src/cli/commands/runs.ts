import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { withStore, type SyncCommandDeps } from '../sync-support.ts';
import type { RunRecord } from '../../store/types.ts';

const USAGE = `Usage: kamflow runs [--connection ID] [--limit N] [--json]

Lists recent runs, newest first: status, when, what was written, API calls used.

Options:
  --connection ID   only this connection's runs
  --limit N         how many (default 20)
  --json            print them as JSON on stdout
  -h, --help        show this help`;

const FLAGS = { connection: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function runLine(r: RunRecord): string {
  const calls = Object.values(r.apiUsage).reduce((a, b) => a + b, 0);
  const what = r.dryRun ? 'dry run' : `written ${r.counts.written}, failed ${r.counts.failed}`;
  const kind = r.kind === 'rollback' ? ` rollback of ${r.rollbackOf ?? '?'}` : '';
  return `${r.id}  ${r.connectionId}  ${r.status}${kind}  ${r.startedAt}  ${what}  ${calls} API call(s)`;
}

export function runsCommand(deps: Pick<SyncCommandDeps, 'openStore'>): CliCommand {
  return {
    name: 'runs',
    summary: 'List recent sync and rollback runs',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags } = parseCommandArgs(argv, FLAGS);
      const limit = flags.limit === undefined ? 20 : Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number of at least 1, got "${flags.limit ?? ''}"`);
      return withStore(deps, io, 'runs', async (store) => {
        const runs = await store.listRuns({ limit, ...(flags.connection ? { connectionId: flags.connection } : {}) });
        if (flags.json) io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        else io.stdout.write(runs.length ? `${runs.map(runLine).join('\n')}\n` : 'no runs yet\n');
        return EXIT.ok;
      });
    },
  };
}
