import type { Connector, WriteOutcome } from '../contract/connector.ts';
import { isCrmError, OutcomeUnknownError } from '../contract/errors.ts';
import type { RunCounts } from '../contract/runs.ts';
import type { RunIssue, Store, StoredWrite } from '../store/types.ts';
import type { PlannedAccountWrite } from './planner.ts';
import type { ProgressEvent } from './types.ts';

export interface PushContext {
  store: Store;
  connector: Connector;
  connectionId: string;
  runId: string;
  batchSize: number;
  /** Chunks on the way at once (the source's pushConcurrency); 1 when unset. */
  concurrency?: number | undefined;
  counts: RunCounts;
  heartbeat: () => Promise<void>;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /** After each chunk's outcomes are recorded (the quarantine's bookkeeping). */
  afterChunk?: ((items: StoredWrite[], outcomes: WriteOutcome[]) => Promise<void>) | undefined;
  now: () => Date;
}

/** Errors that come before anything is sent: the chunk goes back to pending, untouched. */
function refusedBeforeSending(error: unknown): boolean {
  return isCrmError(error) && !(error instanceof OutcomeUnknownError) && (error.kind === 'api-limit' || error.kind === 'auth' || error.kind === 'config');
}

/**
 * Persists the plan, then sends it chunk by chunk. Each chunk's outcomes and the mirror update
 * for the accounts written are committed together before the next chunk, so a run stopped
 * mid-push leaves the mirror holding exactly what reached the CRM: the next run plans only
 * what is still missing and sends nothing twice. A chunk whose answer was lost (the connection
 * dropped after the request went out, or any failure the CRM may have acted on) stays
 * `sending`: it is never sent again blindly, and the next run checks it against its pull.
 */
export async function pushPlan(ctx: PushContext, writes: PlannedAccountWrite[]): Promise<void> {
  const stored: StoredWrite[] = writes.map((w, i) => ({
    accountId: w.accountId, chunk: Math.floor(i / ctx.batchSize), fields: w.fields, previous: w.previous,
    status: 'pending', errorKind: null, code: null, message: null,
  }));
  await ctx.store.savePlannedWrites(ctx.runId, stored);
  const chunks = Math.ceil(stored.length / ctx.batchSize);
  const progress = { sent: 0 };
  // Chunks are other accounts each, so several may be on the way at once (where the source
  // allows it): each is marked sending before it goes and committed with its mirror update
  // when it returns, so a stop leaves every chunk pending, in flight or done, as one at a time
  // would. After an error no further chunk starts; the ones on the way are recorded, then the
  // first error stops the run.
  const lanes = Math.max(1, Math.min(Math.floor(ctx.concurrency ?? 1), chunks));
  let next = 0;
  const errors: unknown[] = [];
  const lane = async (): Promise<void> => {
    while (errors.length === 0 && next < chunks) {
      const chunk = next++;
      try {
        await pushChunk(ctx, chunk, stored.slice(chunk * ctx.batchSize, (chunk + 1) * ctx.batchSize), stored.length, progress);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  if (errors.length > 0) throw errors[0];
}

async function pushChunk(ctx: PushContext, chunk: number, items: StoredWrite[], total: number, progress: { sent: number }): Promise<void> {
  await ctx.store.markChunkSending(ctx.runId, chunk);
  const jobs: string[] = [];
  const hooks = {
    jobStarted: async (jobId: string): Promise<void> => {
      jobs.push(jobId);
      await ctx.store.recordRemoteJob(ctx.connectionId, { jobId, runId: ctx.runId, createdAt: ctx.now().toISOString() });
    },
  };
  let outcomes: WriteOutcome[];
  try {
    outcomes = await ctx.connector.push({ writes: items.map((w) => ({ accountId: w.accountId, fields: w.fields })) }, hooks);
  } catch (error) {
    if (refusedBeforeSending(error)) {
      await ctx.store.markChunkPending(ctx.runId, chunk);
      throw error;
    }
    if (!(error instanceof OutcomeUnknownError)) throw error;
    // The chunk stays in flight; the chunks after it are other accounts and go on.
    ctx.counts.unconfirmed += items.length;
    await ctx.store.addRunIssues(ctx.runId, unconfirmedIssues(items.map((w) => w.accountId), error.message));
    progress.sent += items.length;
    ctx.onProgress?.({ stage: 'push', sent: progress.sent, total, failed: ctx.counts.failed });
    await ctx.heartbeat();
    return;
  }
  const byId = new Map(outcomes.map((o) => [o.accountId, o]));
  const complete: WriteOutcome[] = items.map(
    (w) => byId.get(w.accountId) ?? { accountId: w.accountId, ok: false, errorKind: 'transient', message: 'the CRM returned no outcome for this record' },
  );
  await ctx.store.recordChunkOutcomes(ctx.runId, ctx.connectionId, complete);
  if (jobs.length > 0) await ctx.store.settleRemoteJobs(ctx.connectionId, jobs, ctx.now().toISOString());
  await ctx.afterChunk?.(items, complete);
  progress.sent += items.length;
  const unknown: WriteOutcome[] = [];
  for (const o of complete) {
    if (o.ok) ctx.counts.written++;
    else if (o.errorKind === 'unknown') unknown.push(o);
    else ctx.counts.failed++;
  }
  if (unknown.length > 0) {
    ctx.counts.unconfirmed += unknown.length;
    await ctx.store.addRunIssues(ctx.runId, unconfirmedIssues(unknown.map((o) => o.accountId), unknown[0]?.message ?? 'the answer was lost'));
  }
  ctx.onProgress?.({ stage: 'push', sent: progress.sent, total, failed: ctx.counts.failed });
  await ctx.heartbeat();
}

function unconfirmedIssues(accountIds: string[], reason: string): RunIssue[] {
  return accountIds.map((id) => ({
    stage: 'push', object: 'accounts', recordId: id, kind: 'unconfirmed',
    message: `sent, but the answer was lost (${reason}); not sent again: the next run checks whether the CRM applied it`,
  }));
}
