import { EXIT, EXIT_CODES_HELP, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { approvePlan, runSync } from '../../sync/pipeline.ts';
import { planAccountLines, planSummaryLines } from '../report/plan.ts';
import { taskLines } from '../task-lines.ts';
import type { SyncResult } from '../../sync/types.ts';
import { parseCommandArgs } from '../args.ts';
import { formatUsage, progressReporter, resolveConnectionId, showValue, validateDateFlag, withStore, type SyncCommandDeps } from '../sync-support.ts';
import type { RunRecord, RunStatus, Store, StoredPlan } from '../../store/types.ts';

const USAGE = `Usage: kamflow sync [--connection ID] [--dry-run] [--full] [--as-of YYYY-MM-DD] [--confirm] [--overwrite-edits] [--json]

Pulls the CRM into the local mirror (incremental unless --full), analyses it, and writes the
changed Kamflow fields back. A run stopped part-way resumes from its checkpoints next time.

Plan first: a run writes nothing, keeps its plan and waits for approval (exit code 5) when it is
the connection's first plan that writes anything, when it changes the tier, flags or numbers of
more accounts than the safety gate allows (option safetyGateShare, 0.5 by default; a change of
the reasons' wording alone is never counted), or when it writes over a value a person edited
(fieldPolicy kamflow-owns, or --overwrite-edits). Review it with \`kamflow plan RUN\`.

Options:
  --connection ID   the connection to sync (optional when there is only one)
  --dry-run         print the plan (each account's field changes) and the API calls it takes;
                    write nothing (the plan is kept: \`kamflow plan RUN --approve\` writes it)
  --full            pull every record again (also removes records deleted in the CRM)
  --as-of DATE      analysis date (default: today, UTC)
  --confirm         approve the connection's newest plan waiting for approval: write exactly it,
                    after reading its records again (refused if the CRM changed since); with no
                    plan waiting, plan and write at once without waiting for approval
  --overwrite-edits write over the Kamflow fields people changed since Kamflow wrote them, for
                    this run (each still reported as a conflict; see fieldPolicy for the default)
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
  'overwrite-edits': { type: 'boolean' },
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
  if (run.status === 'awaiting-approval') return EXIT.awaitingApproval;
  return EXIT.failed;
}

/** The run as JSON: its record, the plan's summary and per-account changes, the call estimate. */
export function syncResultJson(result: SyncResult): string {
  return `${JSON.stringify({
    run: result.run,
    message: result.message,
    plan: result.plan && {
      summary: result.plan.summary, writes: result.plan.writes.map((w) => ({ accountId: w.accountId, changes: w.changes })),
      conflicts: result.plan.conflicts, held: result.plan.held, truncated: result.plan.truncated,
    },
    estimatedCalls: result.estimatedCalls,
    runStatus: result.runStatus ?? null,
    tasks: result.tasks ?? null,
    taskRollback: result.taskRollback ?? null,
  }, null, 2)}\n`;
}

/** A dry run's or a waiting run's plan as kept (with account names), for the report. */
export async function keptPlanOf(store: Pick<Store, 'getPlan'>, run: Pick<RunRecord, 'id' | 'dryRun' | 'status'>): Promise<StoredPlan | null> {
  return run.dryRun || run.status === 'awaiting-approval' ? store.getPlan(run.id) : null;
}

export function renderSyncResult(result: SyncResult, kept: StoredPlan | null = null): string {
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
  if (kept) {
    out.push(...planSummaryLines(kept).slice(1));
    out.push(...planAccountLines(kept.writes, run.dryRun ? Infinity : 50));
    if (result.runStatus) out.push(`  run status it would record for the CRM cards: finished ${result.runStatus.lastRunFinishedAt}, next run due by ${result.runStatus.nextRunDueBy ?? 'none (runs on demand)'}`);
  } else if (run.dryRun && plan) {
    for (const w of plan.writes) {
      out.push(`  ${w.accountId}`);
      for (const c of w.changes) out.push(`    ${c.field}: ${showValue(c.from)} -> ${showValue(c.to)}`);
    }
    out.push(`  write calls it would take: ${formatUsage(result.estimatedCalls)}`);
    if (result.runStatus) out.push(`  run status it would record for the CRM cards: finished ${result.runStatus.lastRunFinishedAt}, next run due by ${result.runStatus.nextRunDueBy ?? 'none (runs on demand)'}`);
  } else if (!run.dryRun && run.status !== 'awaiting-approval') {
    const unconfirmed = run.counts.unconfirmed > 0 ? `; sent but unconfirmed: ${run.counts.unconfirmed}` : '';
    out.push(`  written: ${run.counts.written}; failed: ${run.counts.failed}${unconfirmed}`);
    if (result.runStatus) out.push(`  run status recorded for the CRM cards: next run due by ${result.runStatus.nextRunDueBy ?? 'none (runs on demand)'}`);
  }
  if (plan) out.push(...findingLines(plan));
  out.push(...taskLines(result));
  out.push(`  API calls used: ${formatUsage(run.apiUsage)}`);
  out.push(result.message);
  return `${out.join('\n')}\n`;
}

/** What the plan kept from being written: people's edits, held-back writes (one line each). */
export function findingLines(plan: NonNullable<SyncResult['plan']>): string[] {
  const out: string[] = [];
  if (plan.conflicts.length > 0) out.push(`  conflicts (changed since Kamflow wrote them): ${plan.conflicts.length}`);
  for (const c of plan.conflicts) {
    const who = c.changedBy ? ` by ${c.changedBy}` : '';
    const what = c.resolution === 'kept' ? `kept; would write ${showValue(c.proposed)}` : `written over with ${showValue(c.proposed)}`;
    out.push(`    ${c.accountId} ${c.field}: now ${showValue(c.current)}${who}, ${c.source === 'never-written' ? 'Kamflow never wrote it here' : `Kamflow wrote ${showValue(c.kamflowValue)}`}; ${what}`);
  }
  if (plan.held.length > 0) out.push(`  held back (the CRM refused them for good): ${plan.held.length}`);
  for (const h of plan.held) out.push(`    ${h.accountId}: ${[h.code, h.message].filter((x) => x).join(': ') || 'refused'} (${h.attempts} time(s); tried again after ${h.retryAfter} or on a change)`);
  return out;
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
        const syncDeps = { store, connectorFactory: deps.connectorFactory, profileOf: deps.profileOf, analyze: deps.analyze, logger: deps.logger, onProgress: progress.report, ...(deps.now ? { now: deps.now } : {}), ...(deps.orgOf ? { orgOf: deps.orgOf } : {}) };
        const dryRun = flags['dry-run'] === true;
        if (flags.confirm === true && dryRun) throw new UsageError('--confirm writes a plan, --dry-run writes nothing: give one of them');
        // --confirm approves the plan the admin reviewed, when one waits; it does not plan anew.
        const waiting = flags.confirm === true ? await store.latestOpenPlan(connectionId) : null;
        const result = waiting
          ? await approvePlan(syncDeps, { planRunId: waiting.runId })
          : await runSync(syncDeps, { connectionId, full: flags.full === true, dryRun, confirm: flags.confirm === true, overwriteEdits: flags['overwrite-edits'] === true, ...(asOf ? { asOf } : {}) });
        progress.done();
        const kept = await keptPlanOf(store, result.run);
        if (waiting && !json) io.stdout.write(`Approving the plan of run ${waiting.runId} (made ${waiting.createdAt}).\n`);
        io.stdout.write(json ? syncResultJson(result) : renderSyncResult(result, kept));
        return exitCodeFor(result.run);
      }, progress.done);
    },
  };
}
