import type { Credentials, ObjectKind, TokenSet, WriteOutcome } from '../../contract/connector.ts';
import { checkBatchSize } from '../codecs.ts';
import { checkStoreKey, KEY_CHECK_SETTING, parseEncryptionKey, type EncryptionKey } from '../crypto.ts';
import type {
  ApiBudgetDay, ChangeMark, CheckpointInput, CheckpointResult, ConnectionPatch, ConnectionRecord, ConsoleStore, FailureCount, FieldConflict, FieldMemory, InFlightResolution,
  InFlightWrite, LockResult, NewConnection, NewQuarantineEntry, NewRun, NewStoredPlan, RunKind, StoredPlan, QuarantineEntry, RunIssue, RunPatch, RunRecord, Store, StoredWebSession, StoredWrite, StreamState,
} from '../types.ts';
import { MIRROR_BATCH_SIZE } from '../types.ts';
import { PgConnections } from './connections.ts';
import { PgConsole } from './console.ts';
import { createPool, Db, StoreUnavailableError, type QueryObserver } from './db.ts';
import { PgLocks } from './locks.ts';
import { PresenceSession } from './presence.ts';
import { PgSharedState } from './shared-state.ts';
import { currentProcess, type ProcessIdentity } from '../holder.ts';
import { PgMirror } from './mirror.ts';
import { migratePostgres } from './migrations.ts';
import { PgPlans } from './plans.ts';
import { PgRuns } from './runs.ts';
import { PgWriteback } from './writeback.ts';
import { PgTasks } from './tasks.ts';
import type { KnownTaskStatus, PlannedTask } from '../../contract/tasks.ts';
import type { StoredTask, TaskOutcomeUpdate } from '../task-types.ts';

export interface PostgresStoreOptions {
  /** postgres:// or postgresql:// URL (user, password, host, port, database, ?sslmode=...). */
  url: string;
  /** The raw KAMFLOW_ENCRYPTION_KEY value (base64), or undefined when unset. */
  encryptionKey?: string | undefined;
  now?: () => Date;
  /** Connections the store may open at once (default 10). */
  poolSize?: number;
  /** Told about every statement (its text, rows returned, time): for metrics and tests. */
  onQuery?: QueryObserver;
  /** The process a lock records as its holder's; this one by default (tests name others). */
  processIdentity?: ProcessIdentity;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', '28P01', '28000', '3D000', '57P03']);

function codeOf(error: unknown): string | undefined {
  return error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * The store on PostgreSQL, for several processes sharing one database. Opened with
 * `PostgresStore.open`, which connects and migrates; the same behaviour as the SQLite store,
 * checked by one contract suite over both.
 */
export class PostgresStore implements Store, ConsoleStore {
  private readonly connections: PgConnections;
  private readonly locks: PgLocks;
  private readonly mirror: PgMirror;
  private readonly runs: PgRuns;
  private readonly plans: PgPlans;
  private readonly console: PgConsole;
  private readonly writeback: PgWriteback;
  private readonly tasks: PgTasks;
  private readonly now: () => string;
  private readonly shared: PgSharedState;
  private readonly presence: PresenceSession;
  private closing: Promise<void> | null = null;

  private constructor(private readonly db: Db, options: PostgresStoreOptions) {
    const key = parseEncryptionKey(options.encryptionKey);
    const now = (): string => (options.now ? options.now() : new Date()).toISOString();
    this.connections = new PgConnections(db, key, now);
    this.now = now;
    this.presence = new PresenceSession(options.url);
    const identity = options.processIdentity;
    this.locks = new PgLocks(db, this.presence, () => identity ?? currentProcess());
    this.shared = new PgSharedState(db);
    this.mirror = new PgMirror(db);
    this.writeback = new PgWriteback(db);
    this.tasks = new PgTasks(db);
    this.runs = new PgRuns(db, this.mirror, this.writeback, now);
    this.console = new PgConsole(db, now);
    this.plans = new PgPlans(db);
  }

  /** Refuses a key other than the one the store was set up with; remembers the first (the first of two racing wins). */
  private static async checkKey(db: Db, key: EncryptionKey): Promise<void> {
    const sample = await db.query('SELECT tokens_sealed FROM connections WHERE tokens_sealed IS NOT NULL LIMIT 1');
    const sealed = (sample.rows[0] as { tokens_sealed?: unknown } | undefined)?.tokens_sealed;
    const sampleValue = typeof sealed === 'string' ? sealed : null;
    const first = await db.query('SELECT value FROM store_meta WHERE key = $1', [KEY_CHECK_SETTING]);
    const remembered = (first.rows[0] as { value?: unknown } | undefined)?.value;
    const check = checkStoreKey(key, typeof remembered === 'string' ? remembered : null, sampleValue);
    if (typeof remembered === 'string') return;
    await db.query('INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [KEY_CHECK_SETTING, check]);
    const after = await db.query('SELECT value FROM store_meta WHERE key = $1', [KEY_CHECK_SETTING]);
    const won = (after.rows[0] as { value?: unknown } | undefined)?.value;
    checkStoreKey(key, typeof won === 'string' ? won : null, null);
  }

  /** Connects and applies missing migrations; StoreUnavailableError when the server cannot be used. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    // The key is checked before anything connects, as the SQLite store does.
    const key = parseEncryptionKey(options.encryptionKey);
    const db = new Db(createPool({ url: options.url, ...(options.poolSize !== undefined ? { max: options.poolSize } : {}) }), options.onQuery);
    const now = (): string => (options.now ? options.now() : new Date()).toISOString();
    try {
      await migratePostgres(db, now);
    } catch (error) {
      await db.end();
      const code = codeOf(error);
      if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
        // The driver's message names the host or the refusal, never the password.
        throw new StoreUnavailableError(`cannot use the PostgreSQL database of KAMFLOW_DATABASE_URL: ${error instanceof Error ? error.message : code}`);
      }
      throw error;
    }
    if (key) {
      try {
        await PostgresStore.checkKey(db, key);
      } catch (error) {
        await db.end();
        throw error;
      }
    }
    return new PostgresStore(db, options);
  }

  async createConnection(input: NewConnection): Promise<ConnectionRecord> { return this.connections.create(input); }
  async updateConnection(id: string, patch: ConnectionPatch): Promise<ConnectionRecord> { return this.connections.update(id, patch); }
  async getConnection(id: string): Promise<ConnectionRecord | null> { return this.connections.get(id); }
  async listConnections(): Promise<ConnectionRecord[]> { return this.connections.list(); }
  async deleteConnection(id: string): Promise<void> { await this.connections.delete(id); }
  async disconnectConnection(id: string, options: { deleteData: boolean }): Promise<void> { await this.connections.disconnect(id, options.deleteData); }
  async saveTokens(connectionId: string, tokens: TokenSet): Promise<void> { await this.connections.saveTokens(connectionId, tokens); }
  async saveCredentials(connectionId: string, credentials: Credentials): Promise<void> { await this.connections.saveCredentials(connectionId, credentials); }
  async loadCredentials(connectionId: string): Promise<Credentials> { return this.connections.loadCredentials(connectionId); }

  async acquireLock(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<LockResult> {
    return this.locks.acquire(connectionId, holder, now, ttlMs);
  }
  async renewLock(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    return this.locks.renew(connectionId, holder, now, ttlMs);
  }
  async releaseLock(connectionId: string, holder: string): Promise<void> { await this.locks.release(connectionId, holder); }

  async getStreamStates(connectionId: string): Promise<Partial<Record<ObjectKind, StreamState>>> { return this.mirror.streamStates(connectionId); }
  async startFullPull(connectionId: string, object: ObjectKind, sweepToken: string): Promise<void> {
    await this.mirror.startFullPull(connectionId, object, sweepToken);
  }
  async checkpointPage(input: CheckpointInput): Promise<CheckpointResult> { return this.mirror.checkpoint(input); }
  mirrorCount(connectionId: string, object: ObjectKind): Promise<number> { return this.mirror.count(connectionId, object); }
  mirrorRecords(connectionId: string, object: ObjectKind, batchSize = MIRROR_BATCH_SIZE): AsyncIterable<unknown[]> {
    return this.mirror.records(connectionId, object, checkBatchSize(batchSize));
  }

  async createRun(run: NewRun): Promise<RunRecord> { return this.runs.create(run); }
  async updateRun(runId: string, patch: RunPatch): Promise<RunRecord> { return this.runs.update(runId, patch); }
  async getRun(runId: string): Promise<RunRecord | null> { return this.runs.get(runId); }
  async listRuns(filter: { connectionId?: string; limit?: number }): Promise<RunRecord[]> { return this.runs.list(filter); }
  async hasSucceededRun(connectionId: string): Promise<boolean> { return this.runs.hasSucceeded(connectionId); }
  async lastFullPullAt(connectionId: string): Promise<string | null> { return this.runs.lastFullPullAt(connectionId); }
  async savePlan(plan: NewStoredPlan): Promise<void> { return this.plans.save(plan); }
  async getPlan(runId: string): Promise<StoredPlan | null> { return this.plans.get(runId); }
  async latestOpenPlan(connectionId: string, kind: RunKind = 'sync'): Promise<StoredPlan | null> { return this.plans.latestOpen(connectionId, kind); }
  async approvePlan(runId: string, byRun: string, at: string, by: string | null = null): Promise<boolean> { return this.plans.approve(runId, byRun, at, by); }
  async hasWrittenPlan(connectionId: string): Promise<boolean> { return this.plans.hasWritten(connectionId); }
  async markRunningAsInterrupted(connectionId: string, now: string): Promise<number> { return this.runs.markRunningAsInterrupted(connectionId, now); }

  async savePlannedWrites(runId: string, writes: StoredWrite[]): Promise<void> { await this.runs.saveWrites(runId, writes); }
  async markChunkSending(runId: string, chunk: number): Promise<void> { await this.runs.setChunkStatus(runId, chunk, 'pending', 'sending'); }
  async markChunkPending(runId: string, chunk: number): Promise<void> { await this.runs.setChunkStatus(runId, chunk, 'sending', 'pending'); }
  async recordChunkOutcomes(runId: string, connectionId: string, outcomes: WriteOutcome[]): Promise<void> {
    await this.runs.recordOutcomes(runId, connectionId, outcomes);
  }
  async listWrites(runId: string): Promise<StoredWrite[]> { return this.runs.listWrites(runId); }
  async addRunIssues(runId: string, issues: RunIssue[]): Promise<void> { await this.runs.addIssues(runId, issues); }
  async listRunIssues(runId: string): Promise<RunIssue[]> { return this.runs.listIssues(runId); }

  async listInFlightWrites(connectionId: string): Promise<InFlightWrite[]> { return this.writeback.inFlight(connectionId); }
  async resolveInFlightWrites(connectionId: string, resolutions: InFlightResolution[]): Promise<void> {
    await this.writeback.resolveInFlight(connectionId, resolutions, this.now());
  }
  async fieldMemory(connectionId: string): Promise<FieldMemory[]> { return this.writeback.memory(connectionId); }
  async recordStamps(connectionId: string, object: ObjectKind, ids: string[]): Promise<Record<string, string | null>> {
    return this.writeback.stamps(connectionId, object, ids);
  }
  async addFieldConflicts(runId: string, conflicts: FieldConflict[]): Promise<void> { await this.writeback.addConflicts(runId, conflicts); }
  async listFieldConflicts(runId: string): Promise<FieldConflict[]> { return this.writeback.conflicts(runId); }
  async quarantine(connectionId: string, entries: NewQuarantineEntry[]): Promise<void> { await this.writeback.quarantine(connectionId, entries); }
  async releaseQuarantine(connectionId: string, accountIds: string[]): Promise<void> { await this.writeback.release(connectionId, accountIds); }
  async listQuarantine(connectionId: string): Promise<QuarantineEntry[]> { return this.writeback.quarantined(connectionId); }
  async recordRemoteJob(connectionId: string, job: { jobId: string; runId: string; createdAt: string }): Promise<void> { await this.writeback.recordJob(connectionId, job); }
  async listOpenRemoteJobs(connectionId: string): Promise<{ jobId: string; runId: string; createdAt: string }[]> { return this.writeback.openJobs(connectionId); }
  async settleRemoteJobs(connectionId: string, jobIds: string[], settledAt: string): Promise<void> { await this.writeback.settleJobs(connectionId, jobIds, settledAt); }
  async taskStatuses(connectionId: string, keys: readonly string[]): Promise<Map<string, KnownTaskStatus>> { return this.tasks.statuses(connectionId, keys); }
  async saveTasksSending(connectionId: string, runId: string, tasks: readonly PlannedTask[], at: string): Promise<void> { return this.tasks.saveSending(connectionId, runId, tasks, at); }
  async recordTaskOutcomes(connectionId: string, updates: readonly TaskOutcomeUpdate[], at: string): Promise<void> { return this.tasks.recordOutcomes(connectionId, updates, at); }
  async listRunTasks(runId: string): Promise<StoredTask[]> { return this.tasks.forRun(runId); }
  async checkIntegrity(): Promise<string[]> { return this.writeback.integrity(); }

  async getSetting(key: string): Promise<string | null> { return this.console.getSetting(key); }
  async setSetting(key: string, value: string): Promise<void> { await this.console.setSetting(key, value); }
  async markChanged(connectionId: string, marks: ChangeMark[]): Promise<number> { return this.console.markChanged(connectionId, marks); }
  async listChangeMarks(connectionId: string): Promise<ChangeMark[]> { return this.console.listChangeMarks(connectionId); }
  async clearChangeMarks(connectionId: string, marks: ChangeMark[]): Promise<void> { await this.console.clearChangeMarks(connectionId, marks); }

  async saveWebSession(session: StoredWebSession): Promise<void> { await this.shared.saveWebSession(session); }
  async getWebSession(id: string, now: number): Promise<StoredWebSession | null> { return this.shared.getWebSession(id, now); }
  async deleteWebSession(id: string): Promise<void> { await this.shared.deleteWebSession(id); }
  async pruneWebSessions(now: number, keep: number): Promise<number> { return this.shared.pruneWebSessions(now, keep); }
  async loginFailures(keys: string[], now: number): Promise<Record<string, FailureCount>> { return this.shared.loginFailures(keys, now); }
  async addLoginFailure(keys: string[], now: number, windowMs: number): Promise<Record<string, FailureCount>> { return this.shared.addLoginFailure(keys, now, windowMs); }
  async takeBackLoginFailure(keys: string[]): Promise<void> { await this.shared.takeBackLoginFailure(keys); }
  async clearLoginFailures(keys: string[]): Promise<void> { await this.shared.clearLoginFailures(keys); }
  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> { return this.shared.rememberOnce(key, expiresAt, now); }
  async setRunTrigger(runId: string, trigger: string): Promise<void> { await this.shared.setRunTrigger(runId, trigger); }
  async runTriggers(runIds: string[]): Promise<Record<string, string>> { return this.shared.runTriggers(runIds); }
  async addApiUsage(org: string, day: string, calls: number, reading: { used: number; max: number } | null, now: string): Promise<ApiBudgetDay> {
    return this.shared.addApiUsage(org, day, calls, reading, now);
  }
  async apiBudget(org: string, day: string): Promise<ApiBudgetDay | null> { return this.shared.apiBudget(org, day); }

  /** The database session that proves this process alive (opened on first use). */
  async presenceSession(): Promise<{ pid: number; started: string }> { return this.presence.session(); }

  /** Ends the pool once the statements under way finish; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= Promise.all([this.presence.close(), this.db.end()]).then(() => undefined);
    return this.closing;
  }
}
