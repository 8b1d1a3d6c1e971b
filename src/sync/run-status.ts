import type { Connector, RunStatusRecord } from '../contract/connector.ts';
import type { Logger } from '../log.ts';
import type { ConnectionRecord, RunRecord, Store } from '../store/types.ts';
import { nextRunAt } from './scheduler.ts';

/**
 * The run status the CRM cards compare with the time now (crm-apps/README.md, "Fresh or stale"):
 * when the last complete run ended, and by when the next scheduled one should have finished.
 */

/** When the connection's schedule first fires after `after`; null without a schedule (or with one that does not parse). */
export type NextScheduledRun = (connection: Pick<ConnectionRecord, 'schedule' | 'timezone'>, after: Date) => Date | null;

/** The scheduler's own reading of the expression and time zone, from the run's end on. */
export const cronNextRun: NextScheduledRun = (connection, after) => {
  if (connection.schedule === null) return null;
  try {
    return nextRunAt(connection.schedule, connection.timezone, after);
  } catch {
    return null;
  }
};

const HOUR_MS = 3_600_000;

/**
 * A run needs time to finish after its tick: the larger of an hour and twice this run's
 * duration, so one slow run does not make every card call the values stale.
 */
export function runAllowanceMs(startedAt: string, finishedAt: string): number {
  const took = Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt));
  return Math.max(HOUR_MS, 2 * (Number.isFinite(took) ? took : 0));
}

export function runStatusOf(
  connection: Pick<ConnectionRecord, 'id' | 'schedule' | 'timezone'>,
  run: { startedAt: string; finishedAt: string },
  nextRun: NextScheduledRun,
): RunStatusRecord {
  const tick = nextRun(connection, new Date(run.finishedAt));
  return {
    connectionKey: connection.id,
    lastRunFinishedAt: new Date(run.finishedAt).toISOString(),
    nextRunDueBy: tick ? new Date(tick.getTime() + runAllowanceMs(run.startedAt, run.finishedAt)).toISOString() : null,
  };
}

/** A run the cards count: a sync (not a rollback, not a dry run) that finished its write-back. */
export function countsForRunStatus(run: Pick<RunRecord, 'kind' | 'dryRun' | 'status' | 'finishedAt'>): boolean {
  return run.kind === 'sync' && !run.dryRun && run.status === 'succeeded' && run.finishedAt !== null;
}

export interface RecordRunStatusContext {
  connector: Pick<Connector, 'recordRunStatus'>;
  store: Pick<Store, 'addRunIssues'>;
  logger: Logger;
  runId: string;
}

/**
 * Writes the run status through the connector, when its source keeps one in the CRM. A refusal
 * is a run issue, not a failed run: the values are written, and the cards fall back to calling
 * them stale once the next run was due.
 */
export async function recordRunStatus(ctx: RecordRunStatusContext, status: RunStatusRecord): Promise<void> {
  if (!ctx.connector.recordRunStatus) return;
  try {
    await ctx.connector.recordRunStatus(status);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.warn({ runId: ctx.runId, err: message }, 'run status not recorded in the CRM');
    await ctx.store.addRunIssues(ctx.runId, [{ stage: 'push', object: null, recordId: status.connectionKey, kind: 'run-status', message }]);
  }
}
