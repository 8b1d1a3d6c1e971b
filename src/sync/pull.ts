import { randomUUID } from 'node:crypto';
import { OBJECT_KINDS, type Connector, type Cursor, type MirrorView, type ObjectKind, type PullAhead } from '../contract/connector.ts';
import type { RunCounts } from '../contract/runs.ts';
import type { RunIssue, Store } from '../store/types.ts';
import type { ProgressEvent } from './types.ts';

export interface PullContext {
  store: Store;
  connector: Connector;
  connectionId: string;
  runId: string;
  /** Start every stream over with a full pull. */
  full: boolean;
  counts: RunCounts;
  heartbeat: () => Promise<void>;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
}

interface StreamPlan {
  mode: 'full' | 'incremental';
  cursor: Cursor | null;
  sweepToken: string | null;
}

type StreamState = Awaited<ReturnType<Store['getStreamStates']>>[ObjectKind];

/**
 * Whether a stream pulls in full, from which cursor, and with which sweep token when it resumes
 * one cut short (null: a new full pull). Null when it pulls incrementally. Starts nothing.
 */
function fullFrom(ctx: PullContext, state: StreamState, forceFull: boolean): { cursor: Cursor | null; sweepToken: string | null } | null {
  // A full pull cut short resumes from its cursor with the same sweep token, requested or not.
  if (state?.phase === 'full' && state.sweepToken !== null) return { cursor: state.cursor, sweepToken: state.sweepToken };
  if (ctx.full || forceFull || !state || state.cursor === null) return { cursor: null, sweepToken: null };
  return null;
}

async function planStream(ctx: PullContext, object: ObjectKind, forceFull = false): Promise<StreamPlan> {
  const state = (await ctx.store.getStreamStates(ctx.connectionId))[object];
  const full = fullFrom(ctx, state, forceFull);
  if (!full) return { mode: 'incremental', cursor: state?.cursor ?? null, sweepToken: null };
  if (full.sweepToken !== null) return { mode: 'full', cursor: full.cursor, sweepToken: full.sweepToken };
  const sweepToken = randomUUID();
  await ctx.store.startFullPull(ctx.connectionId, object, sweepToken);
  return { mode: 'full', cursor: null, sweepToken };
}

/**
 * Pulls each stream into the mirror, one stream at a time, checkpointing every page (records,
 * deletions and the cursor in one transaction) so an interrupted pull resumes where it stopped.
 * Errors from the connector propagate: the checkpoints already made stay.
 */
export async function pullIntoMirror(ctx: PullContext): Promise<void> {
  // The streams that will pull in full, told to the connector with each stream before them so
  // that it may read them while this one is checkpointed (planning them stays with each stream).
  const states = await ctx.store.getStreamStates(ctx.connectionId);
  const fullLater = OBJECT_KINDS.flatMap((object): PullAhead[] => {
    const full = fullFrom(ctx, states[object], false);
    return full ? [{ object, cursor: full.cursor }] : [];
  });
  for (const [i, object] of OBJECT_KINDS.entries()) {
    await pullOne(ctx, object, false, fullLater.filter((a) => OBJECT_KINDS.indexOf(a.object) > i));
  }
  // A lookup the connector kept from an earlier run that a later stream showed out of date (a
  // record naming an owner not seen) is read again in full now, before the run plans from it.
  for (const object of ctx.connector.pullAgain?.() ?? []) await pullOne(ctx, object, true, []);
}

async function pullOne(ctx: PullContext, object: ObjectKind, forceFull: boolean, readAhead: PullAhead[]): Promise<void> {
  {
    const plan = await planStream(ctx, object, forceFull);
    let lastCursor: Cursor | null = plan.cursor;
    let completed = false;
    const mirror: MirrorView = {
      count: (kind) => ctx.store.mirrorCount(ctx.connectionId, kind),
      holds: async (kind, ids) => new Set(Object.keys(await ctx.store.recordStamps(ctx.connectionId, kind, [...ids]))),
    };
    const pages = ctx.connector.pull({
      mode: plan.mode, cursors: plan.cursor ? { [object]: plan.cursor } : {}, objects: [object], mirror, ...(readAhead.length > 0 ? { readAhead } : {}),
    });
    for await (const page of pages) {
      if (page.object !== object) throw new Error(`the connector returned a ${page.object} page while pulling ${object}`);
      const done = plan.mode === 'full' && page.fullPullComplete === true;
      const result = await ctx.store.checkpointPage({
        connectionId: ctx.connectionId, object, records: page.records, deletedIds: page.deletedIds, cursor: page.cursor,
        phase: plan.mode === 'full' && !done ? 'full' : 'incremental', sweepToken: plan.sweepToken, sweep: done,
      });
      completed ||= done;
      lastCursor = page.cursor;
      // A full pull counts every record it read; an incremental one the changes it took: a record
      // read again with exactly what the mirror holds (a look-back re-read, Kamflow's own write
      // and nothing else) is no change.
      const taken = plan.mode === 'full' ? result.upserted + result.unchanged : result.upserted;
      ctx.counts.pulled[object] = (ctx.counts.pulled[object] ?? 0) + taken;
      ctx.counts.deleted += result.deleted;
      ctx.counts.swept += result.swept;
      if (page.issues.length > 0) {
        ctx.counts.pullIssues += page.issues.length;
        const issues: RunIssue[] = page.issues.map((i) => ({ stage: 'pull', object: i.object, recordId: i.recordId, kind: i.kind, message: i.message }));
        await ctx.store.addRunIssues(ctx.runId, issues);
      }
      ctx.onProgress?.({ stage: 'pull', object, pulled: ctx.counts.pulled[object] ?? 0, deleted: ctx.counts.deleted });
      await ctx.heartbeat();
    }
    if (plan.mode === 'full' && !completed) {
      // The connector ended a full pull without marking it complete: keep what was seen, sweep
      // nothing (unseen records may still exist), and go incremental from the last cursor.
      await ctx.store.checkpointPage({
        connectionId: ctx.connectionId, object, records: [], deletedIds: [], cursor: lastCursor ?? {},
        phase: 'incremental', sweepToken: plan.sweepToken, sweep: false,
      });
    }
  }
}
