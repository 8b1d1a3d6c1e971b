import { z } from 'zod';

/** The one job Kamflow queues: a run of one connection. */
export const SYNC_TASK = 'kamflow_sync';

export const syncJobSchema = z.object({
  connectionId: z.string().min(1),
  kind: z.enum(['sync', 'dry-run', 'rollback', 'approve']).default('sync'),
  /** The run's id as the enqueuer told it to whoever asked (a resumed job makes a new one). */
  runId: z.string().min(1).optional(),
  /** Kept so that jobs queued before plans needed approval still parse; never acted on. */
  confirm: z.boolean().optional(),
  rollbackOf: z.string().optional(),
  /** A rollback's preview (writes nothing), or one restoring conflicting fields too. */
  dryRun: z.boolean().optional(),
  force: z.boolean().optional(),
  /** For `approve`: the run whose reviewed plan an admin approved. */
  planRunId: z.string().optional(),
  /** For `approve`: who approved it (`console:USER`). */
  approvedBy: z.string().optional(),
  trigger: z.enum(['schedule', 'console', 'webhook', 'cli']).default('schedule'),
});
export type SyncJob = z.infer<typeof syncJobSchema>;

/** Jobs of one connection run one at a time, in order, whichever worker takes them. */
export const queueNameOf = (connectionId: string): string => `connection:${connectionId}`;

/**
 * A connection's sync has one job key: enqueuing it again while one is queued or running is a
 * no-op (`unsafe_dedupe`: the running one is not replaced), so a schedule tick, a click and a
 * webhook at once make one run. Dry runs and rollbacks are their own jobs, in the same queue.
 */
export const jobKeyOf = (job: Pick<SyncJob, 'connectionId' | 'kind'>): string | null => (job.kind === 'sync' ? `sync:${job.connectionId}` : null);

/** How often a job is tried (a busy connection, a lost database); runs that fail are not retried. */
export const MAX_ATTEMPTS = 10;

/** The add_job call a schedule tick makes, in SQL so it commits with the tick's own update. */
export const ADD_JOB_SQL = `SELECT id FROM graphile_worker.add_job($1, $2::json, queue_name => $3, max_attempts => $4, job_key => $5, job_key_mode => 'unsafe_dedupe')`;
