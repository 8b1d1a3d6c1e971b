import type { ApiUsage, Credentials, Cursor, FieldValues, ObjectKind, RecordIssue, RecordsByKind, SourceConnection, SourceId, TokenSet, WriteErrorKind, WriteOutcome } from '../contract/connector.ts';
import type { RunCounts } from '../contract/runs.ts';
import type { TaskStore } from './task-types.ts';

export type { StoredTask, TaskOutcomeUpdate, TaskStore } from './task-types.ts';

/**
 * What the sync engine keeps between runs, behind an interface so that another database can
 * fill it without the pipeline changing. Every method that must be atomic (a pull checkpoint,
 * a chunk's outcomes with the mirror update) is one method here.
 */

export interface ConnectionRecord extends SourceConnection {
  /** Cron expression, or null when the connection runs only on demand. */
  schedule: string | null;
  /** IANA time zone the schedule is read in; null means UTC. */
  timezone: string | null;
  /** The analysis configuration as stored JSON, validated by the analysis when used. */
  analysisConfig: unknown;
  hasTokens: boolean;
  /** The org or portal the connection reaches (its module's describe().accountId); one connection each. */
  accountId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewConnection {
  /** Made from `idPrefix` when not given. */
  id?: string;
  /** Starts a generated id: the source module's prefix (`sf` gives `sf-1a2b3c4d`); `c` by default. */
  idPrefix?: string;
  /** The source module's id (connectors/registry.ts); the store keeps it as given. */
  crm: SourceId;
  baseUrl: string;
  options?: Record<string, unknown>;
  schedule?: string | null;
  timezone?: string | null;
  analysisConfig?: unknown;
  tokens?: TokenSet | null;
  /** The app's client secret (for token refresh); stored encrypted with the tokens. */
  clientSecret?: string | null;
  /**
   * The org or portal it reaches. Unique per source: a second connection of the same account is
   * refused with AlreadyConnectedError naming the first, even when two installs race.
   */
  accountId?: string | null;
}


export type ConnectionPatch = Partial<Pick<ConnectionRecord, 'baseUrl' | 'options' | 'schedule' | 'timezone' | 'analysisConfig' | 'accountId'>>;

/**
 * A lock taken (with what it took over, when another run held it: an expired lock, or one
 * whose holder is provably gone), or refused with who holds it and until when at the latest.
 */
export type LockResult =
  | { acquired: true; takenOver?: LockTakeover }
  | { acquired: false; holder: string; expiresAt: Date; owner: LockOwner };

/** A stream's pull position: `full` while a full pull is under way (resumable), then `incremental`. */
export interface StreamState {
  object: ObjectKind;
  cursor: Cursor | null;
  phase: 'full' | 'incremental';
  /** Marks the records seen by the full pull under way, so the unseen can be swept at its end. */
  sweepToken: string | null;
}

export interface CheckpointInput<K extends ObjectKind = ObjectKind> {
  connectionId: string;
  object: K;
  records: RecordsByKind[K][];
  deletedIds: string[];
  cursor: Cursor;
  /** The phase the stream is in after this page. */
  phase: 'full' | 'incremental';
  /** Set during a full pull: records are tagged with it. */
  sweepToken: string | null;
  /** On the last page of a full pull: remove this object's records not tagged with sweepToken. */
  sweep: boolean;
  /** The source's modified stamp of records on the page, by id (kept with the record). */
  stamps?: Record<string, string>;
}

export interface CheckpointResult {
  /** Records new to the mirror or changed in it (a record pulled again unchanged is not counted). */
  upserted: number;
  /** Records pulled again that held exactly what the mirror had (stamp and sweep mark still updated). */
  unchanged: number;
  deleted: number;
  swept: number;
}

/** The mirror as stored: records per kind, as JSON the reader must validate. */
export type MirrorContents = Record<ObjectKind, unknown[]>;

/** Records a mirror read returns per batch unless asked otherwise. */
export const MIRROR_BATCH_SIZE = 5_000;

export type RunKind = 'sync' | 'rollback';
/**
 * `awaiting-approval`: the run planned writes and stopped before sending any, until an admin
 * approves its stored plan (rows written before the rename say `awaiting-confirmation` and read
 * as this).
 */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped-by-limit' | 'awaiting-approval' | 'interrupted';

/** Why a plan waits for an admin's approval instead of being written. */
export type ApprovalReason = 'first-plan' | 'over-gate' | 'overwrites-edits';

/** One field of a stored plan: what the CRM held when the plan was made, and what Kamflow would write. */
export interface PlannedFieldChange {
  field: string;
  from: string | number | boolean | null;
  to: string | number | boolean | null;
}

/** One account of a stored plan, with its name as the CRM had it when planned. */
export interface PlannedAccount {
  accountId: string;
  name: string | null;
  changes: PlannedFieldChange[];
}

export interface NewStoredPlan {
  runId: string;
  connectionId: string;
  kind: RunKind;
  createdAt: string;
  /** Why it waits; empty for a dry run's plan that a real run would have written at once. */
  reasons: ApprovalReason[];
  /** Accounts the plan looked at (the base of the safety gate's share). */
  accounts: number;
  /** Write calls the plan takes, by the source's call names. */
  estimatedCalls: Record<string, number>;
  writes: PlannedAccount[];
}

/** A plan kept for review; approved once, by the run that then wrote it. */
export interface StoredPlan extends NewStoredPlan {
  approvedAt: string | null;
  approvedByRun: string | null;
  /** Who approved it: `console:USER` for a console login, `cli:USER` (the OS user) for the CLI; null before approval or when not recorded. */
  approvedBy: string | null;
}


export interface RunRecord {
  id: string;
  connectionId: string;
  kind: RunKind;
  status: RunStatus;
  mode: 'full' | 'incremental' | null;
  dryRun: boolean;
  asOf: string | null;
  startedAt: string;
  finishedAt: string | null;
  counts: RunCounts;
  apiUsage: ApiUsage;
  error: string | null;
  rollbackOf: string | null;
}

export interface NewRun {
  id: string;
  connectionId: string;
  kind: RunKind;
  mode: 'full' | 'incremental' | null;
  dryRun: boolean;
  asOf: string | null;
  startedAt: string;
  rollbackOf?: string | null;
}

export type RunPatch = Partial<Pick<RunRecord, 'status' | 'finishedAt' | 'counts' | 'apiUsage' | 'error' | 'asOf' | 'mode'>>;

export type WriteStatus = 'pending' | 'sending' | 'ok' | 'failed';

/** One account's planned write within a run, with the values it replaces (for rollback). */
export interface StoredWrite {
  accountId: string;
  chunk: number;
  fields: FieldValues;
  previous: FieldValues;
  status: WriteStatus;
  errorKind: WriteErrorKind | null;
  code: string | null;
  message: string | null;
}

export interface RunIssue {
  stage: 'pull' | 'snapshot' | 'analyze' | 'plan' | 'push' | 'lock';
  object: string | null;
  recordId: string | null;
  kind: string;
  message: string;
}

export interface Store extends TaskStore {
  createConnection(input: NewConnection): Promise<ConnectionRecord>;
  updateConnection(id: string, patch: ConnectionPatch): Promise<ConnectionRecord>;
  getConnection(id: string): Promise<ConnectionRecord | null>;
  listConnections(): Promise<ConnectionRecord[]>;
  deleteConnection(id: string): Promise<void>;
  /**
   * Disconnects without removing the connection: its credentials and schedule are dropped (it
   * reads as disconnected until a reconnect); `deleteData` also deletes what was pulled (mirror,
   * cursors, change marks, field memory, quarantine). Its runs and their history stay.
   */
  disconnectConnection(id: string, options: { deleteData: boolean }): Promise<void>;
  /** Encrypts and stores tokens (keeping the stored client secret); EncryptionKeyError without a key. */
  saveTokens(connectionId: string, tokens: TokenSet): Promise<void>;
  /** Replaces tokens and client secret together, sealed (a credential rotation); EncryptionKeyError without a key. */
  saveCredentials(connectionId: string, credentials: Credentials): Promise<void>;
  /** Decrypts stored credentials; both null when none are stored; EncryptionKeyError on a missing or wrong key. */
  loadCredentials(connectionId: string): Promise<Credentials>;

  /**
   * Takes the connection's lock for run `holder` (the store records this process with it: host,
   * pid, process start; on PostgreSQL its database session). Takes over an expired lock, or at
   * once one whose holder is provably gone (a process of this host that no longer runs, a
   * PostgreSQL session that ended); refuses a live one held by another run.
   */
  acquireLock(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<LockResult>;
  /** Extends the lock; false when it is no longer ours (taken over after expiring). */
  renewLock(connectionId: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  releaseLock(connectionId: string, holder: string): Promise<void>;

  getStreamStates(connectionId: string): Promise<Partial<Record<ObjectKind, StreamState>>>;
  /** Starts a full pull of one stream: forgets its cursor and sets a new sweep token. */
  startFullPull(connectionId: string, object: ObjectKind, sweepToken: string): Promise<void>;
  /** Mirror upsert, deletions, sweep and the stream's cursor, in one transaction. */
  checkpointPage(input: CheckpointInput): Promise<CheckpointResult>;
  /**
   * One kind of the connection's mirror in id order (by bytes), as batches of at most
   * `batchSize` records (default MIRROR_BATCH_SIZE), each read by its own query when the
   * consumer asks for it: a million records never sit in one query result. The records are
   * stored JSON the reader must validate.
   */
  mirrorRecords(connectionId: string, object: ObjectKind, batchSize?: number): AsyncIterable<unknown[]>;
  /** How many records of one kind the connection's mirror holds. */
  mirrorCount(connectionId: string, object: ObjectKind): Promise<number>;

  createRun(run: NewRun): Promise<RunRecord>;
  updateRun(runId: string, patch: RunPatch): Promise<RunRecord>;
  getRun(runId: string): Promise<RunRecord | null>;
  listRuns(filter: { connectionId?: string; limit?: number }): Promise<RunRecord[]>;
  /** True when the connection has a finished non-dry sync run that succeeded. */
  hasSucceededRun(connectionId: string): Promise<boolean>;

  /** Keeps a run's plan (its exact writes) for review; one per run, replaced when saved again. */
  savePlan(plan: NewStoredPlan): Promise<void>;
  /** The run's stored plan, writes in account id order; null when it has none. */
  getPlan(runId: string): Promise<StoredPlan | null>;
  /** The newest plan of the connection (of `kind`, sync by default) not yet approved, or null. */
  latestOpenPlan(connectionId: string, kind?: RunKind): Promise<StoredPlan | null>;
  /** Marks the plan approved by run `byRun` on the word of `by` (who approved); false (and nothing changed) when it already was, or there is none. */
  approvePlan(runId: string, byRun: string, at: string, by?: string | null): Promise<boolean>;
  /**
   * True once anything was written for the connection under review: an approved plan, or a
   * real sync that wrote at least one account (before plans were kept).
   */
  hasWrittenPlan(connectionId: string): Promise<boolean>;
  /**
   * When everything was last pulled in full: the start of the latest successful non-dry full
   * sync, or else of the first successful sync (it had no cursors, so it pulled in full).
   */
  lastFullPullAt(connectionId: string): Promise<string | null>;

  /**
   * Records a CRM told us about (webhooks) that the next sync must take into account. Adds or
   * refreshes marks; a deletion mark is never downgraded to a change. Returns how many were stored.
   */
  markChanged(connectionId: string, marks: ChangeMark[]): Promise<number>;
  listChangeMarks(connectionId: string): Promise<ChangeMark[]>;
  /** Removes the given marks, unless they were marked again after `markedAt`. */
  clearChangeMarks(connectionId: string, marks: ChangeMark[]): Promise<void>;
  /** Marks runs of the connection still `running` (their process died) as interrupted. */
  markRunningAsInterrupted(connectionId: string, now: string): Promise<number>;

  savePlannedWrites(runId: string, writes: StoredWrite[]): Promise<void>;
  markChunkSending(runId: string, chunk: number): Promise<void>;
  /** Puts a chunk back to pending after a push call that failed as a whole. */
  markChunkPending(runId: string, chunk: number): Promise<void>;
  /**
   * Records a chunk's outcomes and, in the same transaction, copies the values written for the
   * accounts that succeeded into the mirror's account.fields.
   */
  recordChunkOutcomes(runId: string, connectionId: string, outcomes: WriteOutcome[]): Promise<void>;
  listWrites(runId: string): Promise<StoredWrite[]>;
  addRunIssues(runId: string, issues: RunIssue[]): Promise<void>;
  listRunIssues(runId: string): Promise<RunIssue[]>;

  /** The connection's writes still `sending` (their run stopped, or their answer was lost), oldest run first. */
  listInFlightWrites(connectionId: string): Promise<InFlightWrite[]>;
  /**
   * Settles in-flight writes in one transaction: applied ones become `ok` (previous values kept,
   * Kamflow's memory updated), the others `failed` with the given code and message.
   */
  resolveInFlightWrites(connectionId: string, resolutions: InFlightResolution[]): Promise<void>;
  /** What Kamflow last wrote to each account and field of the connection (its own writes only). */
  fieldMemory(connectionId: string): Promise<FieldMemory[]>;
  /** The source's modified stamps kept with mirrored records of one kind (null where none was given). */
  recordStamps(connectionId: string, object: ObjectKind, ids: string[]): Promise<Record<string, string | null>>;
  addFieldConflicts(runId: string, conflicts: FieldConflict[]): Promise<void>;
  listFieldConflicts(runId: string): Promise<FieldConflict[]>;
  /** Puts accounts into quarantine (or counts another refusal of one already there). */
  quarantine(connectionId: string, entries: NewQuarantineEntry[]): Promise<void>;
  /** Takes accounts out of quarantine (their write went through, or they are gone). */
  releaseQuarantine(connectionId: string, accountIds: string[]): Promise<void>;
  listQuarantine(connectionId: string): Promise<QuarantineEntry[]>;
  /** Remote jobs (e.g. Bulk API ingest jobs) a push opened, until they are known to be finished. */
  recordRemoteJob(connectionId: string, job: { jobId: string; runId: string; createdAt: string }): Promise<void>;
  listOpenRemoteJobs(connectionId: string): Promise<{ jobId: string; runId: string; createdAt: string }[]>;
  settleRemoteJobs(connectionId: string, jobIds: string[], settledAt: string): Promise<void>;
  /**
   * Checks the store's own consistency: the database's integrity check (SQLite) and rules of
   * the data (no write in flight in a finished run, no memory without its connection...).
   * Returns one line per problem; empty when sound.
   */
  checkIntegrity(): Promise<string[]>;
  /**
   * The org's API budget for a UTC day, shared by every process: adds the calls Kamflow made
   * and, when given, the CRM's own latest reading, which replaces the one before (the CRM's
   * allowance may be a rolling window, or reset).
   */
  addApiUsage(org: string, day: string, calls: number, reading: { used: number; max: number } | null, now: string): Promise<ApiBudgetDay>;
  apiBudget(org: string, day: string): Promise<ApiBudgetDay | null>;

  /** Closes the database (for PostgreSQL, after the statements under way finish). */
  close(): Promise<void>;
}

/** A write still `sending`, with its run. */
export interface InFlightWrite extends StoredWrite {
  runId: string;
}

export interface InFlightResolution {
  runId: string;
  accountId: string;
  applied: boolean;
  /** Why, for `kamflow run` and the console: what the check found. */
  code: string;
  message: string;
}

/** One value Kamflow wrote and the CRM confirmed. */
export interface FieldMemory {
  accountId: string;
  field: string;
  value: string | number | boolean | null;
  runId: string;
  writtenAt: string;
}

/**
 * A field someone else changed since Kamflow wrote it (a sync), or that no longer holds what a
 * run wrote (a rollback): what it holds now, what Kamflow wrote, what Kamflow would write.
 */
export interface FieldConflict {
  accountId: string;
  field: string;
  current: string | number | boolean | null;
  /** What Kamflow last wrote there (a sync) or what the rolled-back run wrote (a rollback). */
  kamflowValue: string | number | boolean | null;
  /** What the run would write: the computed value, or the value a rollback would restore. */
  proposed: string | number | boolean | null;
  changedBy: string | null;
  changedAt: string | null;
  /**
   * How it was found: Kamflow's memory, a value in a field Kamflow never wrote on this
   * connection (`never-written`, `kamflowValue` null), the source's field history, its
   * last-modified-by, or a later Kamflow run.
   */
  source: 'memory' | 'never-written' | 'field-history' | 'last-modified-by' | 'later-run';
  /** `kept`: the person's value stays; `overwritten`: written anyway (kamflow-owns, --overwrite-edits, --force). */
  resolution: 'kept' | 'overwritten';
}

export interface NewQuarantineEntry {
  accountId: string;
  runId: string;
  code: string | null;
  message: string | null;
  /** The values the refused write tried (kam_updated_at left out). */
  fields: FieldValues;
  /** The record's modified stamp when it was refused. */
  recordStamp: string | null;
  /** The configuration in force when it was refused. */
  configKey: string;
  failedAt: string;
  /** When to try again even if nothing changed. */
  retryAfter: string;
}

export interface QuarantineEntry extends NewQuarantineEntry {
  attempts: number;
  firstFailedAt: string;
}

/** A record the CRM reported as changed (webhook), waiting for the next run of its connection. */
export interface ChangeMark {
  object: ObjectKind;
  id: string;
  deleted: boolean;
  markedAt: string;
}

/** A console session as stored: the server's own fields as JSON it parses itself. */
export interface StoredWebSession {
  id: string;
  /** Null for an anonymous session (the login form's CSRF token only). */
  user: string | null;
  data: string;
  createdAt: number;
  lastSeenAt: number;
  /** Epoch ms after which the session is worth nothing (idle or maximum age, whichever first). */
  expiresAt: number;
}

/** A login failure counter: failures in a window that started at the first of them. */
export interface FailureCount {
  failures: number;
  windowEndsAt: number;
}

/** What an org's (or portal's) API budget shows for one UTC day, shared by every process. */
export interface ApiBudgetDay {
  org: string;
  day: string;
  /** Calls Kamflow made (every worker's together). */
  used: number;
  /** The CRM's own latest reading of the org's calls today (all clients), and its daily maximum. */
  reportedUsed: number | null;
  reportedMax: number | null;
  updatedAt: string;
}

/**
 * What the admin console keeps besides the sync engine's data, in the database so that any
 * number of `serve` processes behind a load balancer behave as one: settings, sessions, login
 * failure counters, run triggers, webhook deliveries seen, and the API budget per org.
 */
export interface ConsoleStore {
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;

  saveWebSession(session: StoredWebSession): Promise<void>;
  /** The session, unless it is unknown or expired at `now`. */
  getWebSession(id: string, now: number): Promise<StoredWebSession | null>;
  deleteWebSession(id: string): Promise<void>;
  /** Removes expired sessions, then the least recently seen (anonymous first) past `keep`; returns how many went. */
  pruneWebSessions(now: number, keep: number): Promise<number>;

  /** The live (window not over at `now`) failure counts of the given keys; absent keys have none. */
  loginFailures(keys: string[], now: number): Promise<Record<string, FailureCount>>;
  /** Adds one failure to each key (a new window of `windowMs` where none is live); returns the counts after. */
  addLoginFailure(keys: string[], now: number, windowMs: number): Promise<Record<string, FailureCount>>;
  /** Takes back one failure from each key (an attempt that turned out not to be one). */
  takeBackLoginFailure(keys: string[]): Promise<void>;
  clearLoginFailures(keys: string[]): Promise<void>;

  /**
   * Records `key` as seen until `expiresAt`; true the first time, false while an earlier record
   * of it lives (a replayed delivery). Expired records are forgotten.
   */
  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean>;

  /** What started a run (console, schedule, webhook, worker...), for the run history. */
  setRunTrigger(runId: string, trigger: string): Promise<void>;
  runTriggers(runIds: string[]): Promise<Record<string, string>>;

}

export type { RecordIssue };

/**
 * Who holds a run lock: the run, and the process it runs in (host, process id, and when that
 * process started, so that a recycled pid is not mistaken for the holder). On PostgreSQL the
 * holder's database session is recorded too; the store fills that in.
 */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** The process's start, as this host tells it (boot ticks on Linux); compared, never parsed. */
  startedAt: string;
}

/** What a lock row says of its holder, as shown in messages and the run's issues. */
export interface LockOwner extends ProcessIdentity {
  runId: string;
  /** PostgreSQL: the backend pid and start of the holder's session; null on SQLite. */
  sessionPid: number | null;
  sessionStartedAt: string | null;
}

/** Why a lock was taken from another run before its expiry (or that it had expired). */
export interface LockTakeover {
  previous: LockOwner;
  reason: 'process-gone' | 'session-gone' | 'expired';
}

/** A lock's holder in words, for messages. */
export function describeOwner(o: LockOwner): string {
  return `run ${o.runId} (process ${o.pid} on ${o.host})`;
}

