import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { withStore, type SyncCommandDeps } from '../sync-support.ts';
import type { QuarantineEntry, RunRecord } from '../../store/types.ts';

const USAGE = `Usage: kamflow runs [--connection ID] [--limit N] [--json]

Lists recent runs, newest first: status, when, what was written, API calls used; then the
accounts whose writes are held back because the CRM refused them for good, with its message.

Options:
  --connection ID   only this connection's runs
  --limit N         how many (default 20)
  --json            print them as JSON on stdout
  -h, --help        show this help`;

const FLAGS = { connection: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function runLine(r: RunRecord): string {
  const calls = Object.values(r.apiUsage).reduce((a, b) => a + b, 0);
  const extra = [
    r.counts.unconfirmed > 0 ? `unconfirmed ${r.counts.unconfirmed}` : '',
    r.counts.conflicts > 0 ? `conflicts ${r.counts.conflicts}` : '',
    r.counts.quarantined > 0 ? `held back ${r.counts.quarantined}` : '',
  ].filter((x) => x !== '');
  const what = r.dryRun ? 'dry run' : `written ${r.counts.written}, failed ${r.counts.failed}${extra.length ? `, ${extra.join(', ')}` : ''}`;
  const kind = r.kind === 'rollback' ? ` rollback of ${r.rollbackOf ?? '?'}` : '';
  return `${r.id}  ${r.connectionId}  ${r.status}${kind}  ${r.startedAt}  ${what}  ${calls} API call(s)`;
}

/** The held-back writes of one connection, with the CRM's message and when they are tried again. */
export function quarantineLines(connectionId: string, entries: readonly QuarantineEntry[]): string[] {
  if (entries.length === 0) return [];
  return [
    `held back on ${connectionId} (the CRM refused them; tried again when the record, the configuration or the values change, or after the wait):`,
    ...entries.map((e) => `  ${e.accountId}: ${[e.code, e.message].filter((x) => x).join(': ') || 'refused'}; ${e.attempts} time(s) since ${e.firstFailedAt}, next try after ${e.retryAfter}`),
  ];
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
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
          return EXIT.ok;
        }
        const lines = runs.length ? runs.map(runLine) : ['no runs yet'];
        const connections = flags.connection ? [flags.connection] : [...new Set(runs.map((r) => r.connectionId))];
        for (const id of connections) lines.push(...quarantineLines(id, await store.listQuarantine(id)));
        io.stdout.write(`${lines.join('\n')}\n`);
        return EXIT.ok;
      });
    },
  };
}
