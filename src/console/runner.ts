import type { Logger } from '../log.ts';
import type { RunRequest, StartRunResult } from '../server/backend.ts';
import { describeOwner, type ConsoleStore, type LockTakeover, type Store } from '../store/types.ts';
import { approvePlan, newRunId, rollbackRun, runSync } from '../sync/pipeline.ts';
import { ConnectionBusyError } from '../contract/errors.ts';
import { DEFAULT_LOCK_TTL_MS, type SyncDeps, type SyncOptions, type SyncResult } from '../sync/types.ts';
import type { Trigger } from './runs-view.ts';

const TRIGGERS: readonly Trigger[] = ['console', 'schedule', 'webhook', 'cli'];
function isTrigger(t: string): t is Trigger {
  return (TRIGGERS as readonly string[]).includes(t);
}

export interface RunnerDeps {
  store: Store & ConsoleStore;
  sync: SyncDeps;
  logger: Logger;
  now: () => Date;
  /** Called after every run, whatever its outcome; the run counts as going until it resolves. */
  onFinished?: (connectionId: string, result: SyncResult | null) => Promise<void> | void;
}

/**
 * Starts runs in the background for the console, the scheduler and webhooks of this process:
 * one at a time per connection, each with its id known before it starts, and its trigger kept
 * for the run history (in memory: runs of earlier processes show as `cli`).
 */
/** Hands a run to the job queue (PostgreSQL); returns the id the run will have, if known. */
export type Enqueue = (job: { connectionId: string; kind: RunRequest['kind']; runId: string; planRunId?: string; approvedBy?: string; rollbackOf?: string; dryRun?: boolean; trigger: Trigger }) => Promise<string | null>;

export class RunLauncher {
  private readonly running = new Map<string, { runId: string; done: Promise<void> }>();
  private readonly triggers = new Map<string, Trigger>();
  private enqueue: Enqueue | null = null;

  /** From now on runs go to the job queue, for the workers, instead of running in this process. */
  useQueue(enqueue: Enqueue): void {
    this.enqueue = enqueue;
  }

  constructor(private readonly deps: RunnerDeps) {}

  isRunning(connectionId: string): boolean {
    return this.running.has(connectionId);
  }

  triggerOf(runId: string): Trigger {
    return this.triggers.get(runId) ?? 'cli';
  }

  /** The triggers of runs, as recorded by whichever process started them (`cli` when none did). */
  async triggersOf(runIds: string[]): Promise<Record<string, Trigger>> {
    const stored = await this.deps.store.runTriggers(runIds);
    const out: Record<string, Trigger> = {};
    for (const id of runIds) {
      const t = stored[id] ?? this.triggers.get(id);
      out[id] = t !== undefined && isTrigger(t) ? t : 'cli';
    }
    return out;
  }

  /** Waits for every run this process started. */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /**
   * Takes the connection's lock under the new run's id (the pipeline takes it again under the
   * same holder), so a run held elsewhere is refused here rather than after the redirect.
   */
  async start(connectionId: string, request: RunRequest, trigger: Trigger): Promise<StartRunResult> {
    const { store, now, logger } = this.deps;
    if (this.running.has(connectionId)) return { ok: false, reason: 'busy', message: 'A run is already going for this connection.' };
    if (request.kind === 'rollback') {
      const target = await store.getRun(request.runId);
      if (!target || target.connectionId !== connectionId) return { ok: false, reason: 'not-found', message: 'No such run to roll back.' };
      if (target.kind !== 'sync' || target.dryRun) return { ok: false, reason: 'not-allowed', message: 'Only a sync that wrote to the CRM can be rolled back.' };
      if (!(await store.listWrites(target.id)).some((w) => w.status === 'ok')) {
        return { ok: false, reason: 'not-allowed', message: 'This run wrote nothing, so there is nothing to roll back.' };
      }
    }
    if (request.kind === 'approve') {
      const plan = await store.getPlan(request.planRunId);
      if (!plan || plan.connectionId !== connectionId) return { ok: false, reason: 'not-found', message: 'No such plan to approve.' };
      if (plan.approvedAt !== null) return { ok: false, reason: 'not-allowed', message: `This plan was already approved${plan.approvedBy ? ` by ${plan.approvedBy}` : ''} and written by run ${plan.approvedByRun ?? '?'}.` };
      if (plan.kind === 'rollback') {
        const source = await store.getRun(plan.runId);
        const undone = source?.rollbackOf
          ? (await store.listRuns({ connectionId })).find((r) => r.rollbackOf === source.rollbackOf && r.kind === 'rollback' && !r.dryRun && r.status === 'succeeded')
          : undefined;
        if (undone) return { ok: false, reason: 'not-allowed', message: `Run ${source?.rollbackOf ?? '?'} was already rolled back by run ${undone.id}; this preview is out of date.` };
      }
    }
    const connection = await store.getConnection(connectionId);
    if (!connection) return { ok: false, reason: 'not-found', message: 'No such connection.' };
    const startedAt = now();
    const runId = newRunId(startedAt);
    if (this.enqueue) {
      const queued = await this.enqueue({
        connectionId, kind: request.kind, runId, trigger,
        ...(request.kind === 'approve' ? { planRunId: request.planRunId, ...(request.approvedBy ? { approvedBy: request.approvedBy } : {}) } : {}),
        ...(request.kind === 'sync' && request.confirm === true && request.approvedBy ? { approvedBy: request.approvedBy } : {}),
        ...(request.kind === 'rollback' ? { rollbackOf: request.runId, ...(request.preview ? { dryRun: true } : {}) } : {}),
      });
      return { ok: true, runId: queued ?? runId };
    }
    const lock = await store.acquireLock(connectionId, runId, startedAt, this.deps.sync.lockTtlMs ?? DEFAULT_LOCK_TTL_MS);
    if (!lock.acquired) return { ok: false, reason: 'busy', message: `Another process is running this connection (${describeOwner(lock.owner)}, until ${lock.expiresAt.toISOString()} at the latest).` };
    this.triggers.set(runId, trigger);
    // Kept in the database too, so that every console process shows what started the run.
    await store.setRunTrigger(runId, trigger).catch((e: unknown) => logger.warn({ runId, err: e instanceof Error ? e.message : String(e) }, 'run trigger not recorded'));
    const done = this.execute(connectionId, runId, request, lock.takenOver).finally(() => {
      this.running.delete(connectionId);
    });
    this.running.set(connectionId, { runId, done });
    return { ok: true, runId };
  }

  /** The scheduler's run: the same path as the console's, awaited. */
  async runScheduled(options: SyncOptions): Promise<SyncResult> {
    const started = await this.start(options.connectionId, { kind: 'sync' }, 'schedule');
    if (!started.ok) throw new ConnectionBusyError(started.message);
    await this.running.get(options.connectionId)?.done;
    const run = await this.deps.store.getRun(started.runId);
    if (!run) throw new Error(`run ${started.runId} did not start`);
    return { run, plan: null, estimatedCalls: {}, message: `scheduled run ${run.status}` };
  }

  private async execute(connectionId: string, runId: string, request: RunRequest, takenOver: LockTakeover | undefined): Promise<void> {
    const { store, logger } = this.deps;
    let result: SyncResult | null = null;
    try {
      result = request.kind === 'rollback'
        ? await rollbackRun(this.deps.sync, { runId: request.runId, newRunId: runId, dryRun: request.preview === true, ...(takenOver ? { lockTakenOver: takenOver } : {}) })
        : request.kind === 'approve'
          ? await approvePlan(this.deps.sync, { planRunId: request.planRunId, newRunId: runId, ...(request.approvedBy ? { approvedBy: request.approvedBy } : {}), ...(takenOver ? { lockTakenOver: takenOver } : {}) })
          : request.kind === 'sync' && request.confirm === true
            // "Write it" on a waiting run approves the newest plan the admin could review; it never plans and writes unseen.
            ? await approvePlan(this.deps.sync, { connectionId, newRunId: runId, ...(request.approvedBy ? { approvedBy: request.approvedBy } : {}), ...(takenOver ? { lockTakenOver: takenOver } : {}) })
            : await runSync(this.deps.sync, { connectionId, dryRun: request.kind === 'dry-run', newRunId: runId, ...(takenOver ? { lockTakenOver: takenOver } : {}) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ connectionId, runId, err: message }, 'run could not start');
      await this.recordUnstarted(connectionId, runId, request, message).catch(() => undefined);
    } finally {
      await store.releaseLock(connectionId, runId).catch(() => undefined);
      await this.deps.onFinished?.(connectionId, result);
    }
  }

  /** A run that failed before the pipeline recorded it still shows in the history, with why. */
  private async recordUnstarted(connectionId: string, runId: string, request: RunRequest, message: string): Promise<void> {
    const { store, now } = this.deps;
    if (await store.getRun(runId)) return;
    await store.createRun({
      id: runId, connectionId, kind: request.kind === 'rollback' ? 'rollback' : 'sync', mode: null, dryRun: request.kind === 'dry-run' || (request.kind === 'rollback' && request.preview === true),
      asOf: null, startedAt: now().toISOString(), rollbackOf: request.kind === 'rollback' ? request.runId : null,
    });
    await store.updateRun(runId, { status: 'failed', finishedAt: now().toISOString(), error: message.slice(0, 500) });
  }
}
