import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { formatUsage, showValue, withStore, type SyncCommandDeps } from '../sync-support.ts';

const USAGE = `Usage: kamflow run RUN [--all] [--json]

Shows one run: status, counts, API calls, every write with its outcome (a write whose answer
was lost shows as sent and unconfirmed until the next run checks it against the CRM), the fields
it kept because someone changed them (conflicts), and every record that failed (pull issues,
rejected records, write errors, writes held back).

Options:
  --all       list successful writes too (default: failed and unsent ones only)
  --json      print it as JSON on stdout
  -h, --help  show this help`;

const FLAGS = { all: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function runCommand(deps: Pick<SyncCommandDeps, 'openStore'>): CliCommand {
  return {
    name: 'run',
    summary: 'Show one run with its per-record errors',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags, positionals } = parseCommandArgs(argv, FLAGS, 1);
      const runId = positionals[0];
      if (runId === undefined) throw new UsageError('which run? give its id (see `kamflow runs`)');
      return withStore(deps, io, 'run', async (store) => {
        const run = await store.getRun(runId);
        if (!run) {
          io.stderr.write(`kamflow run: no run with id ${runId}\n`);
          return EXIT.failed;
        }
        const writes = await store.listWrites(runId);
        const issues = await store.listRunIssues(runId);
        const conflicts = await store.listFieldConflicts(runId);
        const tasks = await store.listRunTasks(runId);
        if (flags.json) {
          io.stdout.write(`${JSON.stringify({ run, writes, issues, conflicts, tasks }, null, 2)}\n`);
          return EXIT.ok;
        }
        const c = run.counts;
        const out = [
          `${run.id}  ${run.kind}${run.rollbackOf ? ` of ${run.rollbackOf}` : ''}  connection ${run.connectionId}`,
          `  status: ${run.status}${run.dryRun ? ' (dry run)' : ''}${run.error ? ` (${run.error})` : ''}`,
          `  started ${run.startedAt}, finished ${run.finishedAt ?? '-'}, as of ${run.asOf ?? '-'}, ${run.mode ?? '-'} pull`,
          `  pulled: ${Object.entries(c.pulled).map(([k, v]) => `${k} ${v}`).join(', ') || 'nothing'}; deleted ${c.deleted + c.swept}`,
          `  accounts ${c.accounts}; planned ${c.plannedAccounts} (${c.plannedFields} fields); unchanged ${c.unchangedAccounts}; written ${c.written}; failed ${c.failed}`
            + `${c.unconfirmed > 0 ? `; sent but unconfirmed ${c.unconfirmed}` : ''}${c.conflicts > 0 ? `; conflicts ${c.conflicts}` : ''}`
            + `${c.quarantined > 0 ? `; held back ${c.quarantined}` : ''}${c.truncated > 0 ? `; texts cut ${c.truncated}` : ''}`,
          `  API calls: ${formatUsage(run.apiUsage)}`,
        ];
        const shown = flags.all ? writes : writes.filter((w) => w.status !== 'ok');
        if (shown.length) out.push(flags.all ? '  writes:' : '  writes not applied:');
        for (const w of shown) {
          const why = w.status === 'failed' || w.code !== null ? ` ${w.errorKind ?? ''}${w.code ? ` ${w.code}` : ''}: ${w.message ?? ''}` : '';
          const status = w.status === 'sending' ? 'sent, unconfirmed (the answer was lost; the next run checks it against the CRM)' : w.status;
          out.push(`    ${w.accountId} ${status}${why}`);
          if (flags.all) for (const [k, v] of Object.entries(w.fields)) out.push(`      ${k}: ${showValue(w.previous[k as keyof typeof w.previous])} -> ${showValue(v)}`);
        }
        if (conflicts.length) out.push('  conflicts (fields that no longer held what Kamflow wrote):');
        for (const f of conflicts) {
          const who = f.changedBy ? ` by ${f.changedBy}${f.changedAt ? ` at ${f.changedAt}` : ''}` : '';
          const what = f.resolution === 'kept' ? `kept; not replaced by ${showValue(f.proposed)}` : `replaced by ${showValue(f.proposed)}`;
          out.push(`    ${f.accountId} ${f.field}: now ${showValue(f.current)}${who}, ${f.source === 'never-written' ? 'Kamflow never wrote it here' : `Kamflow wrote ${showValue(f.kamflowValue)}`}; ${what}`);
        }
        if (tasks.length) out.push('  tasks for account owners:');
        for (const t of tasks) out.push(`    ${t.accountId} (owner ${t.ownerId}, due ${t.dueDate}, ${t.kind}) ${t.status}${t.taskId ? ` ${t.taskId}` : ''}: ${t.subject}${t.message ? ` (${t.message})` : ''}`);
        if (issues.length) out.push('  record issues:');
        for (const i of issues) out.push(`    [${i.stage}] ${i.object ?? '-'} ${i.recordId ?? '(no id)'}: ${i.kind}: ${i.message}`);
        io.stdout.write(`${out.join('\n')}\n`);
        return EXIT.ok;
      });
    },
  };
}
