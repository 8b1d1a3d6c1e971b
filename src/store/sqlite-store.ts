import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Credentials, ObjectKind, TokenSet, WriteOutcome } from '../contract/connector.ts';
import { checkBatchSize } from './codecs.ts';
import { checkStoreKey, KEY_CHECK_SETTING, parseEncryptionKey, type EncryptionKey } from './crypto.ts';
import { migrate } from './migrations.ts';
import { ConnectionTable } from './sqlite/connections.ts';
import { ConsoleTables } from './sqlite/console.ts';
import { SqliteLocks } from './sqlite/locks.ts';
import { SharedStateTables } from './sqlite/shared-state.ts';
import { currentProcess, type ProcessIdentity } from './holder.ts';
import { MirrorTables } from './sqlite/mirror.ts';
import { PlanTables } from './sqlite/plans.ts';
import { RunTables } from './sqlite/runs.ts';
import { WritebackTables } from './sqlite/writeback.ts';
import { TaskTables } from './sqlite/tasks.ts';
import type { KnownTaskStatus, PlannedTask } from '../contract/tasks.ts';
import type { StoredTask, TaskOutcomeUpdate } from './task-types.ts';
import type {
  ApiBudgetDay, ChangeMark, CheckpointInput, CheckpointResult, ConnectionPatch, ConnectionRecord, ConsoleStore, FailureCount, FieldConflict, FieldMemory, InFlightResolution,
  InFlightWrite, LockResult, NewConnection, NewQuarantineEntry, NewRun, NewStoredPlan, RunKind, StoredPlan, QuarantineEntry, RunIssue, RunPatch, RunRecord, Store, StoredWebSession, StoredWrite, StreamState,
} from './types.ts';
import { MIRROR_BATCH_SIZE } from './types.ts';

export const DB_PATH_VAR = 'KAMFLOW_DB_PATH';
export const DEFAULT_DB_PATH = './data/kamflow.db';

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  path: string;
  /** The raw KAMFLOW_ENCRYPTION_KEY value (base64), or undefined when unset. */
  encryptionKey?: string | undefined;
  now?: () => Date;
  /** The process a lock records as its holder's; this one by default (tests name others). */
  processIdentity?: ProcessIdentity;
}

/** The embedded store: one SQLite file in WAL mode, migrated at open. */
export class SqliteStore implements Store, ConsoleStore {
  readonly db: Database.Database;
  private readonly connections: ConnectionTable;
  private readonly locks: SqliteLocks;
  private readonly mirror: MirrorTables;
  private readonly runs: RunTables;
  private readonly plans: PlanTables;
  private readonly console: ConsoleTables;
  private readonly writeback: WritebackTables;
  private readonly now: () => string;
  private readonly shared: SharedStateTables;
  private readonly tasks: TaskTables;

  constructor(options: SqliteStoreOptions) {
    const key: EncryptionKey | null = parseEncryptionKey(options.encryptionKey);
    const now = (): string => (options.now ? options.now() : new Date()).toISOString();
    const isFile = options.path !== ':memory:';
    const isNew = isFile && !existsSync(options.path);
    if (isFile) mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    // The file holds customer records and sealed tokens: readable by its owner only.
    if (isNew) chmodSync(options.path, 0o600);
    // First, so that every later step waits for a process opening the same file at once.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db, now);
    if (key) this.checkKey(key);
    this.now = now;
    this.connections = new ConnectionTable(this.db, key, now);
    const identity = options.processIdentity;
    this.locks = new SqliteLocks(this.db, () => identity ?? currentProcess());
    this.shared = new SharedStateTables(this.db);
    this.mirror = new MirrorTables(this.db);
    this.writeback = new WritebackTables(this.db);
    this.runs = new RunTables(this.db, this.mirror, this.writeback, now);
    this.console = new ConsoleTables(this.db, now);
    this.tasks = new TaskTables(this.db);
    this.plans = new PlanTables(this.db);
  }

  /** Refuses a key other than the one the store was set up with; remembers the first. */
  private checkKey(key: EncryptionKey): void {
    try {
      this.db.transaction(() => {
        const remembered = this.db.prepare('SELECT value FROM store_meta WHERE key = ?').get(KEY_CHECK_SETTING) as { value: string } | undefined;
        const sample = this.db.prepare('SELECT tokens_sealed FROM connections WHERE tokens_sealed IS NOT NULL LIMIT 1').get() as { tokens_sealed: string } | undefined;
        const check = checkStoreKey(key, remembered?.value ?? null, sample?.tokens_sealed ?? null);
        if (!remembered) this.db.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?)').run(KEY_CHECK_SETTING, check);
      }).immediate();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  async createConnection(input: NewConnection): Promise<ConnectionRecord> { return this.connections.create(input); }
  async updateConnection(id: string, patch: ConnectionPatch): Promise<ConnectionRecord> { return this.connections.update(id, patch); }
  async getConnection(id: string): Promise<ConnectionRecord | null> { return this.connections.get(id); }
  async listConnections(): Promise<ConnectionRecord[]> { return this.connections.list(); }
  async deleteConnection(id: string): Promise<void> { this.connections.delete(id); }
  async disconnectConnection(id: string, options: { deleteData: boolean }): Promise<void> { this.connections.disconnect(id, options.deleteData); }
  async saveTokens(connectionId: string, tokens: TokenSet): Promise<void> { this.connections.saveTokens(connectionId, tokens); }
  async saveCredentials(connectionId: string, credentials: Credentials): Promise<void> { this.connections.saveCredentials(connectionId, credentials); }
  async loadCredentials(connectionId: string): Promise<Credentials> { return this.connections.loadCredentials(connectionId); }

  async acquireLock(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<LockResult> {
    return this.locks.acquire(connectionId, holder, now, ttlMs);
  }
  async renewLock(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    return this.locks.renew(connectionId, holder, now, ttlMs);
  }
  async releaseLock(connectionId: string, holder: string): Promise<void> { this.locks.release(connectionId, holder); }

  async getStreamStates(connectionId: string): Promise<Partial<Record<ObjectKind, StreamState>>> { return this.mirror.streamStates(connectionId); }
  async startFullPull(connectionId: string, object: ObjectKind, sweepToken: string): Promise<void> {
    this.mirror.startFullPull(connectionId, object, sweepToken);
  }
  async checkpointPage(input: CheckpointInput): Promise<CheckpointResult> { return this.mirror.checkpoint(input); }
  async mirrorCount(connectionId: string, object: ObjectKind): Promise<number> { return this.mirror.count(connectionId, object); }
  async *mirrorRecords(connectionId: string, object: ObjectKind, batchSize = MIRROR_BATCH_SIZE): AsyncIterable<unknown[]> {
    yield* this.mirror.records(connectionId, object, checkBatchSize(batchSize));
  }

  async createRun(run: NewRun): Promise<RunRecord> { return this.runs.create(run); }
  async updateRun(runId: string, patch: RunPatch): Promise<RunRecord> { return this.runs.update(runId, patch); }
  async getRun(runId: string): Promise<RunRecord | null> { return this.runs.get(runId); }
  async listRuns(filter: { connectionId?: string; limit?: number }): Promise<RunRecord[]> { return this.runs.list(filter); }
  async hasSucceededRun(connectionId: string): Promise<boolean> { return this.runs.hasSucceeded(connectionId); }
  async lastFullPullAt(connectionId: string): Promise<string | null> { return this.runs.lastFullPullAt(connectionId); }
  async savePlan(plan: NewStoredPlan): Promise<void> { this.plans.save(plan); }
  async getPlan(runId: string): Promise<StoredPlan | null> { return this.plans.get(runId); }
  async latestOpenPlan(connectionId: string, kind: RunKind = 'sync'): Promise<StoredPlan | null> { return this.plans.latestOpen(connectionId, kind); }
  async approvePlan(runId: string, byRun: string, at: string, by: string | null = null): Promise<boolean> { return this.plans.approve(runId, byRun, at, by); }
  async hasWrittenPlan(connectionId: string): Promise<boolean> { return this.plans.hasWritten(connectionId); }
  async markRunningAsInterrupted(connectionId: string, now: string): Promise<number> { return this.runs.markRunningAsInterrupted(connectionId, now); }

  async savePlannedWrites(runId: string, writes: StoredWrite[]): Promise<void> { this.runs.saveWrites(runId, writes); }
  async markChunkSending(runId: string, chunk: number): Promise<void> { this.runs.setChunkStatus(runId, chunk, 'pending', 'sending'); }
  async markChunkPending(runId: string, chunk: number): Promise<void> { this.runs.setChunkStatus(runId, chunk, 'sending', 'pending'); }
  async recordChunkOutcomes(runId: string, connectionId: string, outcomes: WriteOutcome[]): Promise<void> {
    this.runs.recordOutcomes(runId, connectionId, outcomes);
  }
  async listWrites(runId: string): Promise<StoredWrite[]> { return this.runs.listWrites(runId); }
  async addRunIssues(runId: string, issues: RunIssue[]): Promise<void> { this.runs.addIssues(runId, issues); }
  async listRunIssues(runId: string): Promise<RunIssue[]> { return this.runs.listIssues(runId); }

  async listInFlightWrites(connectionId: string): Promise<InFlightWrite[]> { return this.writeback.inFlight(connectionId); }
  async resolveInFlightWrites(connectionId: string, resolutions: InFlightResolution[]): Promise<void> {
    this.writeback.resolveInFlight(connectionId, resolutions, this.now());
  }
  async fieldMemory(connectionId: string): Promise<FieldMemory[]> { return this.writeback.memory(connectionId); }
  async recordStamps(connectionId: string, object: ObjectKind, ids: string[]): Promise<Record<string, string | null>> {
    return this.writeback.stamps(connectionId, object, ids);
  }
  async addFieldConflicts(runId: string, conflicts: FieldConflict[]): Promise<void> { this.writeback.addConflicts(runId, conflicts); }
  async listFieldConflicts(runId: string): Promise<FieldConflict[]> { return this.writeback.conflicts(runId); }
  async quarantine(connectionId: string, entries: NewQuarantineEntry[]): Promise<void> { this.writeback.quarantine(connectionId, entries); }
  async releaseQuarantine(connectionId: string, accountIds: string[]): Promise<void> { this.writeback.release(connectionId, accountIds); }
  async listQuarantine(connectionId: string): Promise<QuarantineEntry[]> { return this.writeback.quarantined(connectionId); }
  async recordRemoteJob(connectionId: string, job: { jobId: string; runId: string; createdAt: string }): Promise<void> { this.writeback.recordJob(connectionId, job); }
  async listOpenRemoteJobs(connectionId: string): Promise<{ jobId: string; runId: string; createdAt: string }[]> { return this.writeback.openJobs(connectionId); }
  async settleRemoteJobs(connectionId: string, jobIds: string[], settledAt: string): Promise<void> { this.writeback.settleJobs(connectionId, jobIds, settledAt); }
  async checkIntegrity(): Promise<string[]> { return this.writeback.integrity(); }

  async getSetting(key: string): Promise<string | null> { return this.console.getSetting(key); }
  async setSetting(key: string, value: string): Promise<void> { this.console.setSetting(key, value); }
  async markChanged(connectionId: string, marks: ChangeMark[]): Promise<number> { return this.console.markChanged(connectionId, marks); }
  async listChangeMarks(connectionId: string): Promise<ChangeMark[]> { return this.console.listChangeMarks(connectionId); }
  async clearChangeMarks(connectionId: string, marks: ChangeMark[]): Promise<void> { this.console.clearChangeMarks(connectionId, marks); }

  async saveWebSession(session: StoredWebSession): Promise<void> { this.shared.saveWebSession(session); }
  async getWebSession(id: string, now: number): Promise<StoredWebSession | null> { return this.shared.getWebSession(id, now); }
  async deleteWebSession(id: string): Promise<void> { this.shared.deleteWebSession(id); }
  async pruneWebSessions(now: number, keep: number): Promise<number> { return this.shared.pruneWebSessions(now, keep); }
  async loginFailures(keys: string[], now: number): Promise<Record<string, FailureCount>> { return this.shared.loginFailures(keys, now); }
  async addLoginFailure(keys: string[], now: number, windowMs: number): Promise<Record<string, FailureCount>> { return this.shared.addLoginFailure(keys, now, windowMs); }
  async takeBackLoginFailure(keys: string[]): Promise<void> { this.shared.takeBackLoginFailure(keys); }
  async clearLoginFailures(keys: string[]): Promise<void> { this.shared.clearLoginFailures(keys); }
  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> { return this.shared.rememberOnce(key, expiresAt, now); }
  async setRunTrigger(runId: string, trigger: string): Promise<void> { this.shared.setRunTrigger(runId, trigger); }
  async runTriggers(runIds: string[]): Promise<Record<string, string>> { return this.shared.runTriggers(runIds); }
  async addApiUsage(org: string, day: string, calls: number, reading: { used: number; max: number } | null, now: string): Promise<ApiBudgetDay> {
    return this.shared.addApiUsage(org, day, calls, reading, now);
  }
  async apiBudget(org: string, day: string): Promise<ApiBudgetDay | null> { return this.shared.apiBudget(org, day); }

  async taskStatuses(connectionId: string, keys: readonly string[]): Promise<Map<string, KnownTaskStatus>> { return this.tasks.statuses(connectionId, keys); }
  async saveTasksSending(connectionId: string, runId: string, tasks: readonly PlannedTask[], at: string): Promise<void> { this.tasks.saveSending(connectionId, runId, tasks, at); }
  async recordTaskOutcomes(connectionId: string, updates: readonly TaskOutcomeUpdate[], at: string): Promise<void> { this.tasks.recordOutcomes(connectionId, updates, at); }
  async listRunTasks(runId: string): Promise<StoredTask[]> { return this.tasks.forRun(runId); }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
