import { EXIT, EXIT_CODES_HELP, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { approvePlan, planToApprove } from '../../sync/pipeline.ts';
import { parseCommandArgs } from '../args.ts';
import { renderPlan } from '../report/plan.ts';
import { progressReporter, resolveConnectionId, withStore, type SyncCommandDeps } from '../sync-support.ts';
import { exitCodeFor, renderSyncResult, syncResultJson } from './sync.ts';
import { summarizePlan } from '../../sync/plan-review.ts';

const USAGE = `Usage: kamflow plan [RUN] [--connection ID] [--approve] [--all] [--json]

Shows a kept plan: the exact writes a sync would make, per account (name and id) and field, the
CRM's current value and the new one; how many accounts change tier or key flag and how many only
the reasons' wording; counts per field; and the write calls it takes. Without RUN, the
connection's newest plan not yet approved (a dry run's, or a run's awaiting approval).

With --approve, writes exactly that plan as a new run. It reads the planned records again
first and refuses, writing nothing, when any changed in the CRM since the plan was made (naming
the account, the field, and the value now and when planned); then make a new plan with
\`kamflow sync\`. \`kamflow sync --confirm\` approves the newest plan the same way.

Options:
  --connection ID   the connection (optional when there is only one; not needed with RUN)
  --approve         write the plan as reviewed
  --all             list every account (default: the first 50)
  --json            print it as JSON on stdout
  -h, --help        show this help

${EXIT_CODES_HELP}`;

const FLAGS = {
  connection: { type: 'string' },
  approve: { type: 'boolean' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function planCommand(deps: SyncCommandDeps): CliCommand {
  return {
    name: 'plan',
    summary: 'Show a plan before it is written, and approve it',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags, positionals } = parseCommandArgs(argv, FLAGS, 1);
      const runId = positionals[0];
      const json = flags.json === true;
      const progress = progressReporter(io, deps.logger, json);
      return withStore(deps, io, 'plan', async (store) => {
        const target = runId !== undefined ? { planRunId: runId } : { connectionId: await resolveConnectionId(store, flags.connection) };
        if (flags.approve === true) {
          const result = await approvePlan(
            { store, connectorFactory: deps.connectorFactory, profileOf: deps.profileOf, analyze: deps.analyze, logger: deps.logger, onProgress: progress.report, ...(deps.now ? { now: deps.now } : {}), ...(deps.orgOf ? { orgOf: deps.orgOf } : {}) },
            target,
          );
          progress.done();
          io.stdout.write(json ? syncResultJson(result) : renderSyncResult(result));
          return exitCodeFor(result.run);
        }
        const plan = runId !== undefined ? await store.getPlan(runId) : await planToApprove({ store }, target);
        if (!plan) {
          io.stderr.write(`kamflow plan: run ${runId ?? '?'} has no plan kept for review (only dry runs and runs awaiting approval keep one)\n`);
          return EXIT.failed;
        }
        if (json) {
          io.stdout.write(`${JSON.stringify({ plan, summary: summarizePlan(plan.writes, plan.accounts) }, null, 2)}\n`);
          return EXIT.ok;
        }
        const out = renderPlan(plan, { limit: flags.all === true ? Infinity : 50 });
        if (plan.approvedAt === null && plan.kind === 'sync' && plan.writes.length > 0) out.push(`Write exactly this plan with \`kamflow plan ${plan.runId} --approve\`.`);
        io.stdout.write(`${out.join('\n')}\n`);
        return EXIT.ok;
      }, progress.done);
    },
  };
}
