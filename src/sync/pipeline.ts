import { randomBytes } from 'node:crypto';
import { ConnectionBusyError, isCrmError, NotFoundError, NothingToRollBackError } from '../contract/errors.ts';
import type { Connector, Credentials, PushBatching, SourceProfile } from '../contract/connector.ts';
import { emptyCounts, type RunCounts } from '../contract/runs.ts';
import { splitConnectionOptions, type ConnectionSyncOptions } from '../contract/sync-options.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { loadMirror } from '../store/read-mirror.ts';
import { snapshotFromMirror } from '../store/snapshot-from-mirror.ts';
import type { ConnectionRecord, RunStatus } from '../store/types.ts';
import { estimatePushCalls, planFieldChanges, planWrites, type DesiredAccountFields, type WritePlan } from './planner.ts';
import { pullIntoMirror } from './pull.ts';
import { pushPlan } from './push.ts';
import { noteOwnWrites } from './own-writes.ts';
import { applyDeletionMarks } from './marks.ts';
import { fullReconcileDue, fullSyncPeriodHours } from './reconcile.ts';
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

interface RunSpec {
  kind: 'sync' | 'rollback';
  connectionId: string;
  full: boolean;
  dryRun: boolean;
  asOf: string | null;
  rollbackOf: string | null;
  /** The new run's id, when the caller must know it before the run starts. */
  newRunId: string | undefined;
  /** Builds the plan from the fresh snapshot; may stop the run with a status before any push. */
  plan: (ctx: { snapshot: Snapshot; connection: ConnectionRecord; syncOptions: ConnectionSyncOptions; runTime: string; counts: RunCounts; runId: string }) =>
    Promise<{ plan: WritePlan; hold?: { status: RunStatus; message: string } }>;
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
    throw new ConnectionBusyError(`connection ${connection.id} is busy: run ${lock.holder} holds its lock until ${lock.expiresAt.toISOString()} (or until it finishes)`);
  }
  let lockLost = false;
  const heartbeat = async (): Promise<void> => {
    if (!(await store.renewLock(connection.id, runId, now(), ttl))) {
      lockLost = true;
      throw new Error(`run ${runId} lost the lock of connection ${connection.id} to another run`);
    }
  };
  const timer = setInterval(() => { heartbeat().catch(() => undefined); }, Math.max(1000, Math.floor(ttl / 3)));
  timer.unref();
  try {
    return await executeLocked(deps, spec, { connection, credentials, runId, startedAt, heartbeat });
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
}

async function executeLocked(deps: SyncDeps, spec: RunSpec, locked: LockedRun): Promise<SyncResult> {
  const { store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const { connection, credentials, runId, startedAt, heartbeat } = locked;
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
  const counts = emptyCounts();
  let connector: Connector | null = null;
  let plan: WritePlan | null = null;
  const finish = async (status: RunStatus, message: string, error: string | null = null): Promise<SyncResult> => {
    const run = await store.updateRun(runId, { status, finishedAt: now().toISOString(), counts, apiUsage: connector?.usage() ?? {}, error });
    const estimatedCalls = plan ? estimatePushCalls(plan, profile, batchingOf(profile, syncOptions, connector, plan.writes.length)) : {};
    logger.info({ runId, connectionId: connection.id, status, counts: { ...counts } }, message);
    return { run, plan, estimatedCalls, message };
  };
  try {
    connector = deps.connectorFactory(connection, credentials, (t) => store.saveTokens(connection.id, t));
    logger.info({ runId, connectionId: connection.id, kind: spec.kind, full, dryRun: spec.dryRun }, 'run started');
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
    const planned = await spec.plan({ snapshot, connection, syncOptions, runTime: now().toISOString(), counts, runId });
    plan = planned.plan;
    counts.plannedAccounts = plan.summary.changedAccounts;
    counts.plannedFields = plan.summary.changedFields;
    counts.unchangedAccounts = plan.summary.unchangedAccounts;
    deps.onProgress?.({ stage: 'plan', changedAccounts: plan.summary.changedAccounts, unchangedAccounts: plan.summary.unchangedAccounts });
    if (spec.dryRun) {
      const gate = planned.hold ? `; a real run would stop at the ${planned.hold.message}` : '';
      return await finish('succeeded', `dry run: ${plan.summary.changedAccounts} account(s) would change, nothing written${gate}`);
    }
    if (planned.hold) return await finish(planned.hold.status, planned.hold.message);
    const pushing = { store, connector, connectionId: connection.id, runId, batchSize: batchingOf(profile, syncOptions, connector, plan.writes.length).size, counts, heartbeat, onProgress: deps.onProgress };
    try {
      await pushPlan(pushing, plan.writes);
    } finally {
      // Also after a push cut short: what reached the CRM is in the mirror and need not be read back.
      if (spec.kind === 'sync' && counts.written > 0) await noteOwnWrites(store, connector, connection.id);
    }
    const failures = counts.failed > 0 ? `, ${counts.failed} failed (planned again next run)` : '';
    return await finish('succeeded', `run finished: ${counts.written} account(s) written${failures}`);
  } catch (error) {
    if (isCrmError(error) && error.kind === 'api-limit') {
      return await finish('stopped-by-limit', 'stopped by the CRM API limit; the next run resumes from the saved checkpoints', error.message);
    }
    const message = error instanceof Error ? error.message : String(error);
    return await finish('failed', `run failed: ${message}`, message);
  }
}

/** One sync run for a connection (see DOMAIN.md section 4 and issue 5). */
export async function runSync(deps: SyncDeps, options: SyncOptions): Promise<SyncResult> {
  return execute(deps, {
    kind: 'sync', connectionId: options.connectionId, full: options.full ?? false, dryRun: options.dryRun ?? false,
    asOf: options.asOf ?? null, rollbackOf: null, newRunId: options.newRunId,
    plan: async ({ snapshot, connection, syncOptions, runTime, runId }) => {
      const asOf = options.asOf ?? runTime.slice(0, 10);
      // Rejected records are already recorded as the run's snapshot issues; not passed twice.
      const analysis = deps.analyze({ snapshot, config: connection.analysisConfig, asOf, rejected: [] });
      deps.onProgress?.({ stage: 'analyze', accounts: analysis.accounts.length });
      if (analysis.issues.length > 0) {
        await deps.store.addRunIssues(runId, analysis.issues.map((i) => ({ stage: 'analyze', object: null, recordId: i.recordId, kind: i.kind, message: i.message })));
      }
      const plan = planWrites(analysis, snapshot.accounts, { runTime });
      const share = plan.summary.changedAccounts / Math.max(1, snapshot.accounts.length);
      const limit = gateShareOf(syncOptions, options);
      if (share > limit && !options.confirm && (await deps.store.hasSucceededRun(connection.id))) {
        const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
        return {
          plan,
          hold: {
            status: 'awaiting-confirmation',
            message: `safety gate: the plan changes ${plan.summary.changedAccounts} of ${snapshot.accounts.length} accounts (${pct(share)}, over ${pct(limit)}); nothing written. Review it with --dry-run, then rerun with --confirm`,
          },
        };
      }
      return { plan };
    },
  });
}

export interface RollbackOptions {
  runId: string;
  dryRun?: boolean;
  /** The new run's id, when the caller must know it before the run starts. */
  newRunId?: string;
}

/** Restores the values a run replaced, for every field it wrote, through the planner and push. */
export async function rollbackRun(deps: SyncDeps, options: RollbackOptions): Promise<SyncResult> {
  const target = await deps.store.getRun(options.runId);
  if (!target) throw new NotFoundError('run', options.runId);
  if (target.dryRun) throw new NothingToRollBackError(options.runId);
  const written = (await deps.store.listWrites(options.runId)).filter((w) => w.status === 'ok');
  const desired: DesiredAccountFields[] = written.map((w) => ({ accountId: w.accountId, fields: w.previous }));
  return execute(deps, {
    kind: 'rollback', connectionId: target.connectionId, full: false, dryRun: options.dryRun ?? false, asOf: null, rollbackOf: target.id, newRunId: options.newRunId,
    plan: async ({ snapshot }) => ({ plan: planFieldChanges(desired, snapshot.accounts, { updatedAt: null }) }),
  });
}
