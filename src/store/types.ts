import type { ApiUsage, Credentials, Cursor, FieldValues, ObjectKind, RecordIssue, RecordsByKind, SourceConnection, SourceId, TokenSet, WriteErrorKind, WriteOutcome } from '../contract/connector.ts';
import type { RunCounts } from '../contract/runs.ts';

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
}


export type ConnectionPatch = Partial<Pick<ConnectionRecord, 'baseUrl' | 'options' | 'schedule' | 'timezone' | 'analysisConfig'>>;

export type LockResult = { acquired: true } | { acquired: false; holder: string; expiresAt: Date };

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
}

export interface CheckpointResult {
  upserted: number;
  deleted: number;
  swept: number;
}

/** The mirror as stored: records per kind, as JSON the reader must validate. */
export type MirrorContents = Record<ObjectKind, unknown[]>;

/** Records a mirror read returns per batch unless asked otherwise. */
export const MIRROR_BATCH_SIZE = 5_000;

export type RunKind = 'sync' | 'rollback';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped-by-limit' | 'awaiting-confirmation' | 'interrupted';


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
  stage: 'pull' | 'snapshot' | 'analyze' | 'write-back';
  object: string | null;
  recordId: string | null;
  kind: string;
  message: string;
}

export interface Store {
  createConnection(input: NewConnection): Promise<ConnectionRecord>;
  updateConnection(id: string, patch: ConnectionPatch): Promise<ConnectionRecord>;
  getConnection(id: string): Promise<ConnectionRecord | null>;
  listConnections(): Promise<ConnectionRecord[]>;
  deleteConnection(id: string): Promise<void>;
  /** Encrypts and stores tokens (keeping the stored client secret); EncryptionKeyError without a key. */
  saveTokens(connectionId: string, tokens: TokenSet): Promise<void>;
  /** Decrypts stored credentials; both null when none are stored; EncryptionKeyError on a missing or wrong key. */
  loadCredentials(connectionId: string): Promise<Credentials>;

  /** Takes the connection's lock, or an expired one; refuses a live one held by another. */
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

  createRun(run: NewRun): Promise<RunRecord>;
  updateRun(runId: string, patch: RunPatch): Promise<RunRecord>;
  getRun(runId: string): Promise<RunRecord | null>;
  listRuns(filter: { connectionId?: string; limit?: number }): Promise<RunRecord[]>;
  /** True when the connection has a finished non-dry sync run that succeeded. */
  hasSucceededRun(connectionId: string): Promise<boolean>;
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

  /** Closes the database (for PostgreSQL, after the statements under way finish). */
  close(): Promise<void>;
}

/** A record the CRM reported as changed (webhook), waiting for the next run of its connection. */
export interface ChangeMark {
  object: ObjectKind;
  id: string;
  deleted: boolean;
  markedAt: string;
}

/** What the admin console keeps besides the sync engine's data. */
export interface ConsoleStore {
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
}

export type { RecordIssue };
