import type { Connector, WriteOutcome } from '../contract/connector.ts';
import type { RunCounts } from '../contract/runs.ts';
import type { Store, StoredWrite } from '../store/types.ts';
import type { PlannedAccountWrite } from './planner.ts';
import type { ProgressEvent } from './types.ts';

export interface PushContext {
  store: Store;
  connector: Connector;
  connectionId: string;
  runId: string;
  batchSize: number;
  counts: RunCounts;
  heartbeat: () => Promise<void>;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
}

/**
 * Persists the plan, then sends it chunk by chunk. Each chunk's outcomes and the mirror update
 * for the accounts written are committed together before the next chunk, so a run stopped
 * mid-push leaves the mirror holding exactly what reached the CRM: the next run plans only
 * what is still missing and sends nothing twice.
 */
export async function pushPlan(ctx: PushContext, writes: PlannedAccountWrite[]): Promise<void> {
  const stored: StoredWrite[] = writes.map((w, i) => ({
    accountId: w.accountId, chunk: Math.floor(i / ctx.batchSize), fields: w.fields, previous: w.previous,
    status: 'pending', errorKind: null, code: null, message: null,
  }));
  await ctx.store.savePlannedWrites(ctx.runId, stored);
  const chunks = Math.ceil(stored.length / ctx.batchSize);
  let sent = 0;
  for (let chunk = 0; chunk < chunks; chunk++) {
    const items = stored.slice(chunk * ctx.batchSize, (chunk + 1) * ctx.batchSize);
    await ctx.store.markChunkSending(ctx.runId, chunk);
    let outcomes: WriteOutcome[];
    try {
      outcomes = await ctx.connector.push({ writes: items.map((w) => ({ accountId: w.accountId, fields: w.fields })) });
    } catch (error) {
      await ctx.store.markChunkPending(ctx.runId, chunk);
      throw error;
    }
    const byId = new Map(outcomes.map((o) => [o.accountId, o]));
    const complete: WriteOutcome[] = items.map(
      (w) => byId.get(w.accountId) ?? { accountId: w.accountId, ok: false, errorKind: 'transient', message: 'the CRM returned no outcome for this record' },
    );
    await ctx.store.recordChunkOutcomes(ctx.runId, ctx.connectionId, complete);
    sent += items.length;
    for (const o of complete) {
      if (o.ok) ctx.counts.written++;
      else ctx.counts.failed++;
    }
    ctx.onProgress?.({ stage: 'push', sent, total: stored.length, failed: ctx.counts.failed });
    await ctx.heartbeat();
  }
}
