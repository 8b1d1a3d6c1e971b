import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { ConnectionBusyError, isCrmError, NotFoundError, NothingToRollBackError, PlanNotApprovableError } from '../contract/errors.ts';
import type { Connector, Credentials, PushBatching, RunStatusRecord, SourceProfile } from '../contract/connector.ts';
import { emptyCounts, type RunCounts } from '../contract/runs.ts';
import { splitConnectionOptions, type ConnectionSyncOptions } from '../contract/sync-options.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { loadMirror } from '../store/read-mirror.ts';
import { snapshotFromMirror } from '../store/snapshot-from-mirror.ts';
import { describeOwner, type ApprovalReason, type ConnectionRecord, type FieldConflict, type LockTakeover, type RunStatus, type StoredPlan } from '../store/types.ts';
import { accountLabel, planDrift, REASON_TEXT, reviewWrites, summarizePlan, waitingMessage, writesOfPlan } from './plan-review.ts';
import { loadQuarantine } from './quarantine.ts';
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
import { DEFAULT_LOCK_TTL_MS, DEFAULT_SAFETY_GATE_SHARE, type ProgressEvent, type SyncDeps, type SyncOptions, type SyncResult } from './types.ts';
import { ProgressRecorder } from './progress.ts';

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
    Promise<PlannedRun & RunTasks>;
  /** Keep the plan for review when the run writes nothing (a dry run, or one that waits for approval). */
  keepPlan: boolean;
}

interface PlannedRun {
  plan: WritePlan;
  /** Stops the run before any push; `reasons` when it waits for approval. */
  hold?: { status: RunStatus; message: string; error?: string; reasons?: ApprovalReason[] };
  afterChunk?: PushContext['afterChunk'];
  analysis?: AnalysisResult;
  /** Why a real run would wait (kept with a dry run's plan). */
  reasons?: ApprovalReason[];
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
  const progress = new ProgressRecorder(store, runId, counts);
  const onProgress = (event: ProgressEvent): void => {
    deps.onProgress?.(event);
    progress.note(event);
  };
  let connector: Connector | null = null;
  let plan: WritePlan | null = null;
  let runStatus: RunStatusRecord | null = null;
  let tasks: RunTasks = {};
  const finish = async (status: RunStatus, message: string, error: string | null = null): Promise<SyncResult> => {
    await progress.settle();
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
    await pullIntoMirror({ store, connector, connectionId: connection.id, runId, full, counts, heartbeat, onProgress });
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
    onProgress({ stage: 'plan', changedAccounts: plan.summary.changedAccounts, unchangedAccounts: plan.summary.unchangedAccounts });
    const waits = planned.hold?.status === 'awaiting-approval';
    if (spec.keepPlan && (spec.dryRun || waits)) {
      await store.savePlan({
        runId, connectionId: connection.id, kind: spec.kind, createdAt: now().toISOString(), reasons: planned.hold?.reasons ?? planned.reasons ?? [],
        accounts: snapshot.accounts.length, estimatedCalls: estimatePushCalls(plan, profile, batchingOf(profile, syncOptions, connector, plan.writes.length)),
        writes: reviewWrites(plan.writes, snapshot.accounts),
      });
    }
    if (spec.dryRun) {
      // What a real run records once written (a plan waiting for approval records it when approved).
      if (spec.kind === 'sync' && connector.recordRunStatus && (!planned.hold || planned.hold.status === 'awaiting-approval')) runStatus = statusNow();
      const reasons = planned.hold?.reasons ?? planned.reasons ?? [];
      const gate = reasons.length > 0 ? `; a real run would wait for approval (${reasons.map((r) => REASON_TEXT[r]).join('; ')})` : '';
      const approve = plan.writes.length > 0 ? `; write exactly this plan with \`kamflow plan ${runId} --approve\`` : '';
      return await finish('succeeded', `dry run: ${plan.summary.changedAccounts} account(s) would change${taskNote(planned)}, nothing written${gate}${approve}`);
    }
    if (planned.hold) return await finish(planned.hold.status, planned.hold.message, planned.hold.error ?? null);
    await pushPlan({
      store, connector, connectionId: connection.id, runId, batchSize: batchingOf(profile, syncOptions, connector, plan.writes.length).size,
      concurrency: profile.pushConcurrency, counts, heartbeat, onProgress, afterChunk: planned.afterChunk, now,
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

/** Creates a run's planned tasks right after its field writes (none when nothing is planned). */
function taskPusher(deps: SyncDeps, connector: Connector, connectionId: string, runId: string, tasks: TaskPlan | null): () => Promise<void> {
  return async () => {
    if (!tasks) return;
    const done = await pushTasks({ store: deps.store, connector, connectionId, runId, logger: deps.logger, now: deps.now ?? (() => new Date()) }, tasks);
    if (tasks.tasks.length > 0) deps.logger.info({ runId, ...done }, 'tasks for account owners');
  };
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

/** True when the connection's last real sync before `runId` planned, was let through to write, and stopped part-way. */
async function resumesAllowedRun(store: SyncDeps['store'], connectionId: string, runId: string): Promise<boolean> {
  const last = (await store.listRuns({ connectionId, limit: 5 })).find((r) => r.id !== runId && r.kind === 'sync' && !r.dryRun);
  if (!last || !['stopped-by-limit', 'interrupted', 'failed'].includes(last.status)) return false;
  // It reached the push: its plan had been approved (or needed no approval).
  return last.counts.plannedAccounts > 0 && (last.counts.written + last.counts.failed + last.counts.unconfirmed > 0 || (await store.listWrites(last.id)).length > 0);
}

/** One sync run for a connection (see DOMAIN.md section 4 and issue 5). */
export async function runSync(deps: SyncDeps, options: SyncOptions): Promise<SyncResult> {
  return execute(deps, {
    kind: 'sync', connectionId: options.connectionId, full: options.full ?? false, dryRun: options.dryRun ?? false,
    asOf: options.asOf ?? null, rollbackOf: null, newRunId: options.newRunId, lockTakenOver: options.lockTakenOver, keepPlan: true,
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
      const afterPush = taskPusher(deps, connector, connection.id, runId, tasks);
      const afterChunk: PushContext['afterChunk'] = (items, outcomes) =>
        quarantineOutcomes(deps.store, connection.id, runId, items, outcomes, guarded.guard.quarantine, deps.now?.() ?? new Date());
      const limit = gateShareOf(syncOptions, options);
      const summary = summarizePlan(plan.writes, snapshot.accounts.length);
      // The gate counts accounts whose tier, flags or numbers change; wording alone never trips it.
      const reasons: ApprovalReason[] = [];
      // The rest of a plan that was let through and stopped part-way (API limit, a crash, a
      // failure while writing) is not held again, unless it writes over a person's edit.
      const resumes = await resumesAllowedRun(deps.store, connection.id, runId);
      if (!resumes && plan.writes.length > 0 && !(await deps.store.hasWrittenPlan(connection.id))) reasons.push('first-plan');
      if (!resumes && summary.substantiveAccounts / Math.max(1, snapshot.accounts.length) > limit) reasons.push('over-gate');
      if (plan.conflicts.some((c) => c.resolution === 'overwritten' && plan.writes.some((w) => w.accountId === c.accountId))) reasons.push('overwrites-edits');
      if (reasons.length > 0 && !options.confirm) {
        return { plan, analysis, reasons, tasks, hold: { status: 'awaiting-approval', reasons, message: waitingMessage(runId, reasons, summary, plan, limit) } };
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
    keepPlan: true,
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

export interface ApproveOptions {
  /** Who approves: `console:USER` for a console login; the CLI's OS user (`cli:USER`) when not given. */
  approvedBy?: string;
  /** The run whose plan is approved; the connection's newest open plan when only connectionId is given. */
  planRunId?: string;
  connectionId?: string;
  /** The new run's id, when the caller must know it before the run starts. */
  newRunId?: string;
  /** What the caller's own acquisition of the lock (under newRunId) took over. */
  lockTakenOver?: LockTakeover;
}

/** The plan an approval would write: the given run's, or the connection's newest open one. */
export async function planToApprove(deps: Pick<SyncDeps, 'store'>, options: Pick<ApproveOptions, 'planRunId' | 'connectionId'>): Promise<StoredPlan> {
  const plan = options.planRunId !== undefined
    ? await deps.store.getPlan(options.planRunId)
    : options.connectionId !== undefined ? await deps.store.latestOpenPlan(options.connectionId) : null;
  if (!plan) {
    throw new PlanNotApprovableError(options.planRunId !== undefined
      ? `run ${options.planRunId} has no plan kept for review (only dry runs and runs awaiting approval keep one)`
      : `connection ${options.connectionId ?? '?'} has no plan waiting for approval; make one with \`kamflow sync\` or \`kamflow sync --dry-run\``);
  }
  if (plan.approvedAt !== null) throw new PlanNotApprovableError(`the plan of run ${plan.runId} was already approved at ${plan.approvedAt} and written by run ${plan.approvedByRun ?? '?'}`);
  return plan;
}

/** The CLI's approver: the OS user it runs as. */
export function cliApprover(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/**
 * Writes exactly a reviewed plan, as a run of its own: it reads the CRM again first and
 * refuses, writing nothing, when any planned record changed since the plan was made (naming
 * account, field, the value now and when planned). A rollback's preview is written the same
 * way, except that a field no longer holding the value the preview saw is left as it is and
 * reported as a conflict, while the rest of the reviewed rollback goes ahead.
 */
export async function approvePlan(deps: SyncDeps, options: ApproveOptions): Promise<SyncResult> {
  const reviewed = await planToApprove(deps, options);
  const approvedBy = options.approvedBy ?? cliApprover();
  const source = await deps.store.getRun(reviewed.runId);
  if (reviewed.kind === 'rollback') return approveRollbackPlan(deps, options, reviewed, source?.rollbackOf ?? null, approvedBy);
  return execute(deps, {
    kind: 'sync', connectionId: reviewed.connectionId, full: false, dryRun: false, asOf: source?.asOf ?? null, rollbackOf: null,
    newRunId: options.newRunId, lockTakenOver: options.lockTakenOver, keepPlan: false,
    plan: async ({ snapshot, connection, runId, runTime, connector, syncOptions }) => {
      const writes = writesOfPlan(reviewed);
      const byField: WritePlan['summary']['byField'] = {};
      for (const w of writes) for (const c of w.changes) byField[c.field] = (byField[c.field] ?? 0) + 1;
      const plan: WritePlan = {
        writes, conflicts: [], held: [], truncated: [],
        summary: {
          accounts: snapshot.accounts.length, changedAccounts: writes.length, unchangedAccounts: Math.max(0, snapshot.accounts.length - writes.length),
          changedFields: writes.reduce((n, w) => n + w.changes.length, 0), unknownAccounts: [],
          byField,
        },
      };
      const drift = planDrift(reviewed, snapshot.accounts);
      if (drift.length > 0) {
        const shown = drift.slice(0, 10).map((d) => (d.gone ? `${accountLabel(d)} is no longer in the CRM` : `${accountLabel(d)} ${d.field}: now ${JSON.stringify(d.now)}, ${JSON.stringify(d.planned)} when planned`));
        const more = drift.length > 10 ? `; and ${drift.length - 10} more` : '';
        const error = `the CRM changed since plan ${reviewed.runId} was made, so it no longer writes what was reviewed: ${shown.join('; ')}${more}. Nothing written; make a new plan with \`kamflow sync\``;
        await deps.store.addRunIssues(runId, drift.map((d) => ({ stage: 'plan', object: 'accounts', recordId: d.accountId, kind: 'plan-outdated', message: d.gone ? 'gone from the CRM since the plan' : `${d.field}: now ${JSON.stringify(d.now)}, ${JSON.stringify(d.planned)} when planned` })));
        return { plan: { ...plan, writes: [] }, hold: { status: 'failed', message: `approval refused: ${error}`, error } };
      }
      if (!(await deps.store.approvePlan(reviewed.runId, runId, runTime, approvedBy))) {
        const error = `the plan of run ${reviewed.runId} was approved by another run meanwhile; nothing written`;
        return { plan: { ...plan, writes: [] }, hold: { status: 'failed', message: `approval refused: ${error}`, error } };
      }
      const quarantine = await loadQuarantine(deps.store, connection, writes.map((w) => w.accountId));
      const afterChunk: PushContext['afterChunk'] = (items, outcomes) =>
        quarantineOutcomes(deps.store, connection.id, runId, items, outcomes, quarantine, deps.now?.() ?? new Date());
      // A source that publishes the analysis beside the values (a workbook's sheets) gets it
      // from the same records; what is written to the accounts stays the reviewed plan.
      const asOf = source?.asOf ?? runTime.slice(0, 10);
      const analysis = deps.analyze({ snapshot, config: connection.analysisConfig, asOf, rejected: [] });
      // The tasks for account owners follow the reviewed writes, as they would have in the sync
      // that planned them (the dry run and the waiting run list them; they are made only now).
      const tasks = await planSyncTasks({ store: deps.store, connector, connectionId: connection.id }, { syncOptions, analysis, accounts: snapshot.accounts, plan, asOf });
      const afterPush = taskPusher(deps, connector, connection.id, runId, tasks);
      return { plan, afterChunk, tasks, afterPush, ...(connector.publish ? { analysis } : {}) };
    },
  });
}

/**
 * Writes a reviewed rollback preview: the rollback of the same run, restoring exactly the
 * values the admin saw. Refused when that run was rolled back since. Each field is checked
 * again against the CRM: one that no longer holds the value the preview saw there is left as
 * it is and reported as a conflict (kam_updated_at follows its account's other fields).
 */
async function approveRollbackPlan(deps: SyncDeps, options: ApproveOptions, reviewed: StoredPlan, targetId: string | null, approvedBy: string): Promise<SyncResult> {
  if (targetId === null) throw new PlanNotApprovableError(`run ${reviewed.runId} kept a rollback plan but names no run it rolls back`);
  const undone = (await deps.store.listRuns({ connectionId: reviewed.connectionId }))
    .find((r) => r.rollbackOf === targetId && r.kind === 'rollback' && !r.dryRun && r.status === 'succeeded');
  if (undone) throw new PlanNotApprovableError(`run ${targetId} was already rolled back by run ${undone.id}; preview its rollback again if anything is left to restore`);
  return execute(deps, {
    kind: 'rollback', connectionId: reviewed.connectionId, full: false, dryRun: false, asOf: null, rollbackOf: targetId,
    newRunId: options.newRunId, lockTakenOver: options.lockTakenOver, keepPlan: false,
    plan: async ({ snapshot, runId, runTime, connector }) => {
      const drift = planDrift(reviewed, snapshot.accounts);
      const moved = new Set(drift.map((d) => `${d.accountId}\u0000${d.field}`));
      const gone = new Set(drift.filter((d) => d.gone).map((d) => d.accountId));
      const kept = reviewed.writes.flatMap((w) => {
        if (gone.has(w.accountId)) return [];
        const changes = w.changes.filter((c) => !moved.has(`${w.accountId}\u0000${c.field}`));
        const substantive = changes.filter((c) => c.field !== 'kam_updated_at');
        return substantive.length === 0 ? [] : [{ ...w, changes }];
      });
      const planned = new Map(reviewed.writes.flatMap((w) => w.changes.map((c) => [`${w.accountId}\u0000${c.field}`, c.to] as const)));
      const conflicts: FieldConflict[] = drift.filter((d) => !d.gone && d.field !== 'kam_updated_at').map((d) => ({
        accountId: d.accountId, field: d.field, current: d.now, kamflowValue: d.planned, proposed: planned.get(`${d.accountId}\u0000${d.field}`) ?? null,
        changedBy: null, changedAt: null, source: 'memory', resolution: 'kept',
      }));
      if (gone.size > 0) {
        await deps.store.addRunIssues(runId, [...gone].map((id) => ({ stage: 'plan', object: 'accounts', recordId: id, kind: 'plan-outdated', message: 'gone from the CRM since the rollback was previewed; nothing restored' })));
      }
      const writes = writesOfPlan({ writes: kept });
      const byField: WritePlan['summary']['byField'] = {};
      for (const w of writes) for (const c of w.changes) byField[c.field] = (byField[c.field] ?? 0) + 1;
      const plan: WritePlan = {
        writes, conflicts, held: [], truncated: [],
        summary: {
          accounts: snapshot.accounts.length, changedAccounts: writes.length, unchangedAccounts: Math.max(0, snapshot.accounts.length - writes.length),
          changedFields: writes.reduce((n, w) => n + w.changes.length, 0), unknownAccounts: [...gone], byField,
        },
      };
      if (!(await deps.store.approvePlan(reviewed.runId, runId, runTime, approvedBy))) {
        const error = `the rollback plan of run ${reviewed.runId} was approved by another run meanwhile; nothing written`;
        return { plan: { ...plan, writes: [] }, hold: { status: 'failed', message: `approval refused: ${error}`, error } };
      }
      // The tasks the rolled-back run made go too, as in the rollback the preview showed.
      const taskRollback = await planTaskRollback({ store: deps.store, connector }, targetId, false);
      const afterPush = async (): Promise<void> => {
        if (taskRollback) await rollBackTasks({ store: deps.store, connector, connectionId: reviewed.connectionId, runId, logger: deps.logger, now: deps.now ?? (() => new Date()) }, taskRollback);
      };
      return { plan, taskRollback, afterPush };
    },
  });
}
