import { randomBytes } from 'node:crypto';
import { ConnectionBusyError, isCrmError, NotFoundError, NothingToRollBackError } from '../contract/errors.ts';
import type { Connector, Credentials, PushBatching, RunStatusRecord, SourceProfile } from '../contract/connector.ts';
import { emptyCounts, type RunCounts } from '../contract/runs.ts';
import { splitConnectionOptions, type ConnectionSyncOptions } from '../contract/sync-options.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { loadMirror } from '../store/read-mirror.ts';
import { snapshotFromMirror } from '../store/snapshot-from-mirror.ts';
import { describeOwner, type ConnectionRecord, type LockTakeover, type RunStatus } from '../store/types.ts';
import { estimatePushCalls, planWrites, type WritePlan } from './planner.ts';
import { pullIntoMirror } from './pull.ts';
import { pushPlan, type PushContext } from './push.ts';
import { indexMemory } from './conflicts.ts';
import { reconcileInFlight } from './in-flight.ts';
import { quarantineOutcomes } from './quarantine.ts';
import { planRollback } from './rollback-plan.ts';
import { guardSyncPlan, recordPlanFindings, settleOpenWrites } from './write-safety.ts';
import { BudgetMeter, defaultOrgOf, reserveOf } from './budget.ts';
import { cronNextRun, recordRunStatus, runStatusOf } from './run-status.ts';
import { applyDeletionMarks } from './marks.ts';
import { fullReconcileDue, fullSyncPeriodHours } from './reconcile.ts';
import { planSyncTasks, planTaskRollback, pushTasks, rollBackTasks, taskCallEstimate, type TaskRollbackPlan } from './task-run.ts';
import type { TaskPlan } from './tasks.ts';
import { DEFAULT_LOCK_TTL_MS, DEFAULT_SAFETY_GATE_SHARE, type SyncDeps, type SyncOptions, type SyncResult } from './types.ts';

export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

function batchingOf(profile: SourceProfile, options: ConnectionSyncOptions, connector: Connector | null, total: number): PushBatching {
  const max = profile.pushBatchMax;
  const chosen = options.pushBatchSize;
  // Smaller batches help orgs whose automation locks rows; never above the source's maximum.
  if (chosen !== undefined) return { size: Math.min(chosen, max), bulk: false };
  // Otherwise the connector decides, e.g. one Bulk API job for a large plan instead of many batches.
  const preferred = connector?.pushBatching?.(total);
  return preferred && Number.isInteger(preferred.size) && preferred.size >= 1 ? preferred : { size: max, bulk: false };
}

function gateShareOf(connection: ConnectionSyncOptions, options: SyncOptions): number {
  return options.safetyGateShare ?? connection.safetyGateShare ?? DEFAULT_SAFETY_GATE_SHARE;
}

/** The tasks a run makes or removes beside its field writes (src/sync/task-run.ts). */
interface RunTasks {
  tasks?: TaskPlan | null;
  taskRollback?: TaskRollbackPlan | null;
  /** After the field writes went out: creates (or removes) the tasks. */
  afterPush?: () => Promise<void>;
}

interface RunSpec {
  kind: 'sync' | 'rollback';
  connectionId: string;
  full: boolean;
  dryRun: boolean;
  asOf: string | null;
  rollbackOf: string | null;
  /** The new run's id, when the caller must know it before the run starts. */
  newRunId: string | undefined;
  /** What the caller's own acquisition of the lock (under newRunId) took over. */
  lockTakenOver?: LockTakeover | undefined;
  /** Builds the plan from the fresh snapshot; may stop the run with a status before any push. */
  plan: (ctx: { snapshot: Snapshot; connection: ConnectionRecord; syncOptions: ConnectionSyncOptions; runTime: string; counts: RunCounts; runId: string; connector: Connector }) =>
    Promise<{ plan: WritePlan; hold?: { status: RunStatus; message: string }; afterChunk?: PushContext['afterChunk']; analysis?: AnalysisResult } & RunTasks>;
}

/**
 * One run under the connection's lock: pull into the mirror, plan from the mirror, push, record.
 * Per-record failures are counted values; a CRM error that stops the run ends it as failed or
 * stopped-by-limit (resumable), with every checkpoint kept.
 */
async function execute(deps: SyncDeps, spec: RunSpec): Promise<SyncResult> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const ttl = deps.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  const connection = await store.getConnection(spec.connectionId);
  if (!connection) throw new NotFoundError('connection', spec.connectionId);
  const credentials = await store.loadCredentials(connection.id);
  const startedAt = now();
  const runId = spec.newRunId ?? newRunId(startedAt);
  const lock = await store.acquireLock(connection.id, runId, startedAt, ttl);
  if (!lock.acquired) {
    throw new ConnectionBusyError(`connection ${connection.id} is busy: ${describeOwner(lock.owner)} holds its lock until ${lock.expiresAt.toISOString()} (or until it finishes)`);
  }
  // A caller that took the lock first (the console, a worker) passes on what it took over.
  const takenOver = lock.takenOver ?? spec.lockTakenOver;
  if (takenOver) deps.logger.warn({ connectionId: connection.id, runId, previous: takenOver.previous, reason: takenOver.reason }, takeoverMessage(takenOver));
  let lockLost = false;
  const budget = new BudgetMeter(store, (deps.orgOf ?? defaultOrgOf)(connection), reserveOf(connection), now);
  let meteredConnector: Connector | null = null;
  const heartbeat = async (): Promise<void> => {
    if (!(await store.renewLock(connection.id, runId, now(), ttl))) {
      lockLost = true;
      throw new Error(`run ${runId} lost the lock of connection ${connection.id} to another run`);
    }
    await budget.flush(meteredConnector);
  };
  const timer = setInterval(() => { heartbeat().catch(() => undefined); }, Math.max(1000, Math.floor(ttl / 3)));
  timer.unref();
  try {
    return await executeLocked(deps, spec, { connection, credentials, runId, startedAt, heartbeat, takenOver, budget, meter: (c) => { meteredConnector = c; } });
  } finally {
    clearInterval(timer);
    if (!lockLost) await store.releaseLock(connection.id, runId);
  }
}

interface LockedRun {
  connection: ConnectionRecord;
  credentials: Credentials;
  runId: string;
  startedAt: Date;
  heartbeat: () => Promise<void>;
  takenOver: LockTakeover | undefined;
  budget: BudgetMeter;
  /** Tells the heartbeat which connector's calls to count. */
  meter: (connector: Connector) => void;
}

/** Says whose lock a run took, and why it could. */
export function takeoverMessage(t: LockTakeover): string {
  const why = t.reason === 'expired' ? 'its heartbeat had stopped for longer than the lock TTL'
    : t.reason === 'session-gone' ? 'its database session has ended'
    : 'that process no longer runs';
  return `took over the lock of ${describeOwner(t.previous)}: ${why}; resuming from its checkpoints`;
}

async function executeLocked(deps: SyncDeps, spec: RunSpec, locked: LockedRun): Promise<SyncResult> {
  const { store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const { connection, credentials, runId, startedAt, heartbeat, takenOver, budget } = locked;
  const interrupted = await store.markRunningAsInterrupted(connection.id, startedAt.toISOString());
  if (interrupted > 0) logger.warn({ connectionId: connection.id, interrupted }, 'earlier run(s) stopped without finishing; resuming from their checkpoints');
  const asOf = spec.asOf ?? startedAt.toISOString().slice(0, 10);
  const profile = deps.profileOf(connection.crm);
  // Parsed once per run; a stored value that no longer parses is named in the log and left unset.
  const { sync: syncOptions, problems } = splitConnectionOptions(connection.options);
  if (problems.length > 0) logger.warn({ connectionId: connection.id, problems }, 'connection options ignored: they do not parse');
  const full = spec.full || (spec.kind === 'sync' && (await fullReconcileDue(store, connection, fullSyncPeriodHours(syncOptions, profile.fullSyncEveryHours), startedAt)));
  await store.createRun({
    id: runId, connectionId: connection.id, kind: spec.kind, mode: full ? 'full' : 'incremental', dryRun: spec.dryRun,
    asOf, startedAt: startedAt.toISOString(), rollbackOf: spec.rollbackOf,
  });
  if (takenOver) {
    await store.addRunIssues(runId, [{ stage: 'lock', object: null, recordId: takenOver.previous.runId, kind: `lock-taken-over:${takenOver.reason}`, message: takeoverMessage(takenOver) }]);
  }
  const counts = emptyCounts();
  let connector: Connector | null = null;
  let plan: WritePlan | null = null;
  let runStatus: RunStatusRecord | null = null;
  let tasks: RunTasks = {};
  const finish = async (status: RunStatus, message: string, error: string | null = null): Promise<SyncResult> => {
    // The last calls go into the org's shared budget too (a reading past the reserve now only stops the next run).
    await budget.flush(connector).catch(() => undefined);
    const run = await store.updateRun(runId, { status, finishedAt: now().toISOString(), counts, apiUsage: connector?.usage() ?? {}, error });
    const estimatedCalls = plan
      ? { ...estimatePushCalls(plan, profile, batchingOf(profile, syncOptions, connector, plan.writes.length)), ...taskCallEstimate(connector, tasks.tasks ?? null, tasks.taskRollback ?? null) }
      : {};
    logger.info({ runId, connectionId: connection.id, status, counts: { ...counts } }, message);
    return { run, plan, estimatedCalls, message, runStatus, tasks: tasks.tasks ?? null, taskRollback: tasks.taskRollback ?? null };
  };
  const statusNow = (): RunStatusRecord => runStatusOf(connection, { startedAt: startedAt.toISOString(), finishedAt: now().toISOString() }, deps.nextScheduledRun ?? cronNextRun);
  try {
    connector = deps.connectorFactory(connection, credentials, (t) => store.saveTokens(connection.id, t));
    locked.meter(connector);
    logger.info({ runId, connectionId: connection.id, kind: spec.kind, full, dryRun: spec.dryRun }, 'run started');
    // Jobs a stopped run left open at the source settle before the pull, so it sees their effect.
    if (!spec.dryRun) await settleOpenWrites(store, connector, connection.id, runId, logger, now);
    const changeMarks = spec.kind === 'sync' ? await applyDeletionMarks(store, connection.id) : [];
    await pullIntoMirror({ store, connector, connectionId: connection.id, runId, full, counts, heartbeat, onProgress: deps.onProgress });
    // The pull went through: the changes webhooks told us about have been read.
    if (changeMarks.length > 0) await store.clearChangeMarks(connection.id, changeMarks);
    const currency = await connector.currency();
    const { snapshot, rejected } = snapshotFromMirror(await loadMirror(store, connection.id), connection.crm, currency);
    counts.rejected = rejected.length;
    counts.accounts = snapshot.accounts.length;
    if (rejected.length > 0) {
      await store.addRunIssues(runId, rejected.map((r) => ({ stage: 'snapshot', object: r.kind, recordId: r.id, kind: 'rejected', message: r.reason })));
    }
    // Writes a stopped run left in flight are settled against what was just pulled, before planning.
    const reconciled = await reconcileInFlight(store, connection.id, runId, snapshot.accounts);
    if (reconciled.runs.length > 0) logger.warn({ connectionId: connection.id, ...reconciled }, 'writes of stopped runs checked against the CRM');
    const planned = await spec.plan({ snapshot, connection, syncOptions, runTime: now().toISOString(), counts, runId, connector });
    plan = planned.plan;
    tasks = planned;
    await recordPlanFindings(store, runId, plan, counts);
    counts.plannedAccounts = plan.summary.changedAccounts;
    counts.plannedFields = plan.summary.changedFields;
    counts.unchangedAccounts = plan.summary.unchangedAccounts;
    deps.onProgress?.({ stage: 'plan', changedAccounts: plan.summary.changedAccounts, unchangedAccounts: plan.summary.unchangedAccounts });
    if (spec.dryRun) {
      if (spec.kind === 'sync' && connector.recordRunStatus && !planned.hold) runStatus = statusNow();
      const gate = planned.hold ? `; a real run would stop at the ${planned.hold.message}` : '';
      return await finish('succeeded', `dry run: ${plan.summary.changedAccounts} account(s) would change${taskNote(planned)}, nothing written${gate}`);
    }
    if (planned.hold) return await finish(planned.hold.status, planned.hold.message);
    await pushPlan({
      store, connector, connectionId: connection.id, runId, batchSize: batchingOf(profile, syncOptions, connector, plan.writes.length).size,
      counts, heartbeat, onProgress: deps.onProgress, afterChunk: planned.afterChunk, now,
    }, plan.writes);
    if (planned.afterPush) await planned.afterPush();
    if (connector.publish) {
      const written = (await store.listWrites(runId)).filter((w) => w.status === 'ok').map((w) => ({ accountId: w.accountId, fields: w.fields }));
      await connector.publish({ runId, kind: spec.kind, asOf, analysis: planned.analysis ?? null, accounts: snapshot.accounts, written });
    }
    if (spec.kind === 'sync' && connector.recordRunStatus) {
      runStatus = statusNow();
      await recordRunStatus({ connector, store, logger, runId }, runStatus);
    }
    return await finish('succeeded', `run finished: ${counts.written} account(s) written${outcomeNotes(counts, spec.kind)}`);
  } catch (error) {
    if (isCrmError(error) && error.kind === 'api-limit') {
      return await finish('stopped-by-limit', 'stopped by the CRM API limit; the next run resumes from the saved checkpoints', error.message);
    }
    const message = error instanceof Error ? error.message : String(error);
    return await finish('failed', `run failed: ${message}`, message);
  }
}

function taskNote(t: RunTasks): string {
  const made = t.tasks?.tasks.length ?? 0;
  const removed = t.taskRollback?.remove.length ?? 0;
  const parts = [made > 0 ? `${made} task(s) would be created` : '', removed > 0 ? `${removed} task(s) would be removed` : ''].filter((p) => p !== '');
  return parts.length > 0 ? ` and ${parts.join(' and ')}` : '';
}

function outcomeNotes(counts: RunCounts, kind: RunSpec['kind']): string {
  const conflicts = kind === 'rollback'
    ? `${counts.conflicts} field(s) changed since that run by a person or a later run, left as they are unless forced (see \`kamflow run\`)`
    : `${counts.conflicts} field(s) changed by someone else since Kamflow wrote them (see \`kamflow run\`)`;
  const notes = [
    counts.failed > 0 ? `${counts.failed} failed (planned again next run)` : '',
    counts.unconfirmed > 0 ? `${counts.unconfirmed} unconfirmed (the answer was lost; checked against the CRM next run, never sent twice)` : '',
    counts.conflicts > 0 ? conflicts : '',
    counts.quarantined > 0 ? `${counts.quarantined} held back after the CRM refused them for good` : '',
  ].filter((n) => n !== '');
  return notes.length > 0 ? `, ${notes.join(', ')}` : '';
}

/** One sync run for a connection (see DOMAIN.md section 4 and issue 5). */
export async function runSync(deps: SyncDeps, options: SyncOptions): Promise<SyncResult> {
  return execute(deps, {
    kind: 'sync', connectionId: options.connectionId, full: options.full ?? false, dryRun: options.dryRun ?? false,
    asOf: options.asOf ?? null, rollbackOf: null, newRunId: options.newRunId, lockTakenOver: options.lockTakenOver,
    plan: async ({ snapshot, connection, syncOptions, runTime, runId, connector }) => {
      const asOf = options.asOf ?? runTime.slice(0, 10);
      // Rejected records are already recorded as the run's snapshot issues; not passed twice.
      const analysis = deps.analyze({ snapshot, config: connection.analysisConfig, asOf, rejected: [] });
      deps.onProgress?.({ stage: 'analyze', accounts: analysis.accounts.length });
      if (analysis.issues.length > 0) {
        await deps.store.addRunIssues(runId, analysis.issues.map((i) => ({ stage: 'analyze', object: null, recordId: i.recordId, kind: i.kind, message: i.message })));
      }
      const guarded = await guardSyncPlan(
        { store: deps.store, connector, connection, runId, syncOptions, overwriteEdits: options.overwriteEdits ?? false, now: new Date(runTime) },
        planWrites(analysis, snapshot.accounts, { runTime }),
      );
      const plan = guarded.plan;
      const tasks = await planSyncTasks({ store: deps.store, connector, connectionId: connection.id }, { syncOptions, analysis, accounts: snapshot.accounts, plan, asOf });
      const afterPush = async (): Promise<void> => {
        if (!tasks) return;
        const done = await pushTasks({ store: deps.store, connector, connectionId: connection.id, runId, logger: deps.logger, now: deps.now ?? (() => new Date()) }, tasks);
        if (tasks.tasks.length > 0) deps.logger.info({ runId, ...done }, 'tasks for account owners');
      };
      const afterChunk: PushContext['afterChunk'] = (items, outcomes) =>
        quarantineOutcomes(deps.store, connection.id, runId, items, outcomes, guarded.guard.quarantine, deps.now?.() ?? new Date());
      const share = plan.summary.changedAccounts / Math.max(1, snapshot.accounts.length);
      const limit = gateShareOf(syncOptions, options);
      if (share > limit && !options.confirm && (await deps.store.hasSucceededRun(connection.id))) {
        const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
        return {
          plan,
          analysis,
          tasks,
          hold: {
            status: 'awaiting-confirmation',
            message: `safety gate: the plan changes ${plan.summary.changedAccounts} of ${snapshot.accounts.length} accounts (${pct(share)}, over ${pct(limit)}); nothing written. Review it with --dry-run, then rerun with --confirm`,
          },
        };
      }
      return { plan, afterChunk, analysis, tasks, afterPush };
    },
  });
}

export interface RollbackOptions {
  runId: string;
  dryRun?: boolean;
  /** The new run's id, when the caller must know it before the run starts. */
  newRunId?: string;
  /** Restore fields that no longer hold what the run wrote too (each still reported as a conflict). */
  force?: boolean;
  /** What the caller's own acquisition of the lock (under newRunId) took over. */
  lockTakenOver?: LockTakeover;
}

/**
 * Restores the values a run replaced, field by field, while each field still holds what the
 * run wrote; every other field is a conflict (reported on the plan and the run), restored
 * anyway only with `force`. The writes are read when the rollback plans, after its pull has
 * settled any the run left in flight.
 */
export async function rollbackRun(deps: SyncDeps, options: RollbackOptions): Promise<SyncResult> {
  const target = await deps.store.getRun(options.runId);
  if (!target) throw new NotFoundError('run', options.runId);
  if (target.dryRun) throw new NothingToRollBackError(options.runId);
  return execute(deps, {
    kind: 'rollback', connectionId: target.connectionId, full: false, dryRun: options.dryRun ?? false, asOf: null, rollbackOf: target.id, newRunId: options.newRunId, lockTakenOver: options.lockTakenOver,
    plan: async ({ snapshot, connector, runId }) => {
      const written = (await deps.store.listWrites(target.id)).filter((w) => w.status === 'ok');
      const memory = indexMemory(await deps.store.fieldMemory(target.connectionId));
      const taskRollback = await planTaskRollback({ store: deps.store, connector }, target.id, options.force ?? false);
      const afterPush = async (): Promise<void> => {
        if (taskRollback) await rollBackTasks({ store: deps.store, connector, connectionId: target.connectionId, runId, logger: deps.logger, now: deps.now ?? (() => new Date()) }, taskRollback);
      };
      return { plan: planRollback(written, snapshot.accounts, memory, { force: options.force ?? false }), taskRollback, afterPush };
    },
  });
}
