import { EXIT, EXIT_CODES_HELP, type CliCommand, type CliIo } from '../command.ts';
import { runSync } from '../../sync/pipeline.ts';
import type { SyncResult } from '../../sync/types.ts';
import { parseCommandArgs } from '../args.ts';
import { formatUsage, progressReporter, resolveConnectionId, showValue, validateDateFlag, withStore, type SyncCommandDeps } from '../sync-support.ts';
import type { RunRecord, RunStatus } from '../../store/types.ts';

const USAGE = `Usage: kamflow sync [--connection ID] [--dry-run] [--full] [--as-of YYYY-MM-DD] [--confirm] [--json]

Pulls the CRM into the local mirror (incremental unless --full), analyses it, and writes the
changed Kamflow fields back. A run stopped part-way resumes from its checkpoints next time.

Options:
  --connection ID   the connection to sync (optional when there is only one)
  --dry-run         print each account's field changes and the API calls they take; write nothing
  --full            pull every record again (also removes records deleted in the CRM)
  --as-of DATE      analysis date (default: today, UTC)
  --confirm         let through a plan that changes more accounts than the safety gate allows
  --json            print the result as JSON on stdout
  -h, --help        show this help

${EXIT_CODES_HELP}
With --json the run's counts (pulled, written, failed, ...) are in \`run.counts\`.`;

const FLAGS = {
  connection: { type: 'string' },
  'dry-run': { type: 'boolean' },
  full: { type: 'boolean' },
  'as-of': { type: 'string' },
  confirm: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * A run that went through but had writes refused gets its own code, so a script or scheduler
 * can tell "all written" from "finished with failures".
 */
export function exitCodeFor(run: Pick<RunRecord, 'status' | 'counts'>): number {
  if (run.status === 'succeeded') return run.counts.failed > 0 ? EXIT.finishedWithFailures : EXIT.ok;
  if (run.status === 'stopped-by-limit') return EXIT.apiLimit;
  return EXIT.failed;
}

/** The run as JSON: its record, the plan's summary and per-account changes, the call estimate. */
export function syncResultJson(result: SyncResult): string {
  return `${JSON.stringify({
    run: result.run,
    message: result.message,
    plan: result.plan && { summary: result.plan.summary, writes: result.plan.writes.map((w) => ({ accountId: w.accountId, changes: w.changes })) },
    estimatedCalls: result.estimatedCalls,
  }, null, 2)}\n`;
}

export function renderSyncResult(result: SyncResult): string {
  const { run, plan } = result;
  const out: string[] = [`${run.kind === 'rollback' ? 'Rollback' : 'Sync'} ${run.id} (connection ${run.connectionId}): ${run.status}${run.dryRun ? ' (dry run)' : ''}`];
  const pulled = Object.entries(run.counts.pulled).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`  pulled: ${pulled || 'nothing new'}; deleted ${run.counts.deleted + run.counts.swept}`);
  if (run.counts.pullIssues + run.counts.rejected > 0) {
    out.push(`  record issues: ${run.counts.pullIssues} from the pull, ${run.counts.rejected} rejected (see \`kamflow run ${run.id}\`)`);
  }
  if (plan) {
    out.push(`  accounts: ${run.counts.accounts}; to change: ${plan.summary.changedAccounts} (${plan.summary.changedFields} fields); unchanged: ${plan.summary.unchangedAccounts}`);
  }
  if (run.dryRun && plan) {
    for (const w of plan.writes) {
      out.push(`  ${w.accountId}`);
      for (const c of w.changes) out.push(`    ${c.field}: ${showValue(c.from)} -> ${showValue(c.to)}`);
    }
    out.push(`  write calls it would take: ${formatUsage(result.estimatedCalls)}`);
  } else if (!run.dryRun) {
    out.push(`  written: ${run.counts.written}; failed: ${run.counts.failed}`);
  }
  out.push(`  API calls used: ${formatUsage(run.apiUsage)}`);
  out.push(result.message);
  return `${out.join('\n')}\n`;
}

export function syncCommand(deps: SyncCommandDeps): CliCommand {
  return {
    name: 'sync',
    summary: 'Pull the CRM, analyse, and write the changed Kamflow fields back',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags } = parseCommandArgs(argv, FLAGS);
      const asOf = validateDateFlag('--as-of', flags['as-of']);
      const json = flags.json === true;
      const progress = progressReporter(io, deps.logger, json);
      return withStore(deps, io, 'sync', async (store) => {
        const connectionId = await resolveConnectionId(store, flags.connection);
        const result = await runSync(
          { store, connectorFactory: deps.connectorFactory, profileOf: deps.profileOf, analyze: deps.analyze, logger: deps.logger, onProgress: progress.report, ...(deps.now ? { now: deps.now } : {}), ...(deps.orgOf ? { orgOf: deps.orgOf } : {}) },
          { connectionId, full: flags.full === true, dryRun: flags['dry-run'] === true, confirm: flags.confirm === true, ...(asOf ? { asOf } : {}) },
        );
        progress.done();
        io.stdout.write(json ? syncResultJson(result) : renderSyncResult(result));
        return exitCodeFor(result.run);
      }, progress.done);
    },
  };
}
