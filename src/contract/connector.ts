import type { Account, Contact, ContactRole, LineItem, Opportunity, Product, User } from '../model/snapshot.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { OutputFieldKey } from '../model/output-fields.ts';

/**
 * The contract every source implements. Only code under `connectors/` knows a source's API; the
 * sync engine drives any source through this interface.
 */

/**
 * A source module's id as the registry (`connectors/registry.ts`) lists it. The contract names
 * no source: a new one is registered there, and nothing here changes.
 */
export type SourceId = string;

/** The record streams a connector pulls, in the common model, in the order they are pulled. */
export const OBJECT_KINDS = ['users', 'products', 'accounts', 'contacts', 'opportunities', 'lineItems', 'contactRoles'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** A line item pulled on its own (incremental pulls see line items apart from their deal). */
export type PulledLineItem = LineItem & { opportunityId: string };
/** An opportunity pulled without its line items; they arrive in the `lineItems` stream. */
export type PulledOpportunity = Omit<Opportunity, 'lineItems'>;

export interface RecordsByKind {
  users: User;
  products: Product;
  accounts: Account;
  contacts: Contact;
  opportunities: PulledOpportunity;
  lineItems: PulledLineItem;
  /** The role a contact plays on an opportunity (Salesforce OpportunityContactRole, a HubSpot deal-contact association). */
  contactRoles: ContactRole;
}

/**
 * Where a stream's pull stands, opaque to everything but the connector that made it. Stored by
 * the sync engine after every page and handed back on the next pull.
 */
export type Cursor = Record<string, string | number | boolean | null>;

/** A record that came from the CRM but could not be mapped; the rest of the page goes on. */
export interface RecordIssue {
  object: ObjectKind;
  recordId: string | null;
  kind: string;
  message: string;
}

/**
 * One raw record mapped into the model: the record, or null when it cannot be used, and every
 * problem found on the way (a value left empty comes with its record; a null record with why).
 */
export interface Mapped<T> {
  record: T | null;
  issues: RecordIssue[];
}

export interface PullPage<K extends ObjectKind = ObjectKind> {
  object: K;
  records: RecordsByKind[K][];
  /** Ids deleted (or archived) in the CRM since the cursor. */
  deletedIds: string[];
  issues: RecordIssue[];
  /** Resume point after this page: persist it before asking for the next page. */
  cursor: Cursor;
  /** True on the last page of a full pull: ids not seen during this full pull are gone. */
  fullPullComplete?: boolean;
  /**
   * The source's modified stamp of records on this page, by id (e.g. SystemModstamp), when it
   * has one: a write refused for good is tried again once its record's stamp moves.
   */
  recordStamps?: Record<string, string>;
}

export interface PullOptions {
  mode: 'full' | 'incremental';
  /** Saved cursors by stream, from the previous run. Missing means start from the beginning. */
  cursors: Partial<Record<ObjectKind, Cursor>>;
  /** Streams to pull; all by default, in the order of OBJECT_KINDS. */
  objects?: ObjectKind[];
  /**
   * What the mirror holds of each stream, as the sync engine has checkpointed it (absent when
   * the pull does not feed a mirror): a connector may infer from it what it need not read.
   */
  mirror?: MirrorView;
  /**
   * Streams the run pulls in full after these, in order, each with the cursor it will start
   * from (null: the beginning). A connector may start reading them now, while these are
   * checkpointed, as long as what it hands back later is what a pull started then would read.
   */
  readAhead?: readonly PullAhead[];
}

/** A read-only view of the connection's mirror, for a connector's pull. */
export interface MirrorView {
  /** How many records of the stream the mirror holds. */
  count(object: ObjectKind): Promise<number>;
  /** Which of these ids of the stream the mirror holds. */
  holds(object: ObjectKind, ids: readonly string[]): Promise<ReadonlySet<string>>;
}

/** A later stream's full pull, told ahead (PullOptions.readAhead). */
export interface PullAhead {
  object: ObjectKind;
  cursor: Cursor | null;
}

export type FieldValues = Partial<Record<OutputFieldKey, string | number | boolean | null>>;

/** One account's change: only the fields whose values differ from what the CRM holds. */
export interface AccountWrite {
  accountId: string;
  fields: FieldValues;
}

export interface WritePlanForConnector {
  writes: AccountWrite[];
}

/**
 * `unknown`: the request went out but its answer was lost (a dropped connection), so the source
 * may or may not have applied it; the engine checks it against the next pull instead of sending
 * it again.
 */
export type WriteErrorKind = 'transient' | 'bad-data' | 'config' | 'unknown';

export interface WriteOutcome {
  accountId: string;
  ok: boolean;
  errorKind?: WriteErrorKind;
  /** CRM error code, e.g. UNABLE_TO_LOCK_ROW, VALIDATION_ERROR. */
  code?: string;
  message?: string;
}

export interface ProvisionFieldReport {
  key: OutputFieldKey;
  crmName: string;
  status: 'created' | 'exists' | 'wrong-type' | 'failed';
  message?: string;
}

export interface ProvisionReport {
  fields: ProvisionFieldReport[];
  /** Other steps (permission set, property group, layout), each with what happened. */
  steps: { name: string; status: 'created' | 'exists' | 'skipped' | 'failed'; message?: string }[];
}

/** A connection's run status as the CRM cards read it (crm-apps/README.md, "Fresh or stale"). */
export interface RunStatusRecord {
  /** The connection's id: the record's key in the CRM. */
  connectionKey: string;
  /** ISO 8601: when the run's write-back ended. */
  lastRunFinishedAt: string;
  /** ISO 8601: by when the next scheduled run should have finished; null when the connection runs on demand only. */
  nextRunDueBy: string | null;
}

export interface PushBatching {
  size: number;
  bulk: boolean;
}

/** API calls used, by kind ("query", "queryMore", "bulkQuery", "collectionsUpdate", "search", ...). */
export type ApiUsage = Record<string, number>;

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
  /** Where the tokens are valid, when the source says so (e.g. an org's own host). */
  instanceUrl?: string;
}

/** Called with new tokens after a refresh, so the caller can persist them (encrypted). */
export type TokenListener = (tokens: TokenSet) => void | Promise<void>;

/** The stored connection a connector is made for: what the store keeps besides the secrets. */
export interface SourceConnection {
  id: string;
  crm: SourceId;
  /** The source's API base, instance URL or login host, as its module stored it. */
  baseUrl: string;
  /** Non-secret options: the connector's own and the sync engine's (see sync-options.ts). */
  options: Record<string, unknown>;
}

/** The secret part of a connection, kept encrypted at rest. */
export interface Credentials {
  tokens: TokenSet | null;
  clientSecret: string | null;
}

/** What the engine hands a push besides the writes. */
export interface PushHooks {
  /**
   * Called with the id of a remote job (e.g. a Bulk API job) before any data goes into it, so
   * that a run killed while the job is open can find and settle it (settleWrites).
   */
  jobStarted?(jobId: string): Promise<void>;
}

/** What a connector found and did about writes a stopped run may have left half-done at the source. */
export interface SettleReport {
  /** Remote jobs closed without applying anything (aborted). */
  aborted: string[];
  /** Remote jobs that were already processing and were waited for. */
  finished: string[];
}

/** One account whose Kamflow fields may have been changed by someone else since Kamflow wrote them. */
export interface FieldEditQuery {
  accountId: string;
  fields: OutputFieldKey[];
  /** When Kamflow last wrote any of them (ISO), or null when it never did. */
  since: string | null;
}

/**
 * Who last changed one of Kamflow's fields on an account, as far as the source can tell:
 * per field from its history when the source keeps one (`field-history`), or the record's last
 * modifier (`last-modified-by`, `field` null: the record as a whole).
 */
export interface FieldEdit {
  accountId: string;
  field: OutputFieldKey | null;
  /** True: Kamflow's own user or app; false: someone or something else; null: the source cannot tell. */
  byKamflow: boolean | null;
  /** The source's id (or label) of the user or app that made the change. */
  changedBy: string | null;
  changedAt: string | null;
  evidence: 'field-history' | 'last-modified-by';
}

export interface Connector {
  readonly kind: SourceId;
  /** The currency amounts are expressed in. Known after the first pull page at the latest. */
  currency(): Promise<string>;
  /** Pages of mapped records, stream after stream; each page carries its resume cursor. */
  pull(options: PullOptions): AsyncIterable<PullPage>;
  /** Creates Kamflow's fields (idempotent) and makes them readable and writable. */
  provision(): Promise<ProvisionReport>;
  /** Carries out a write plan; one outcome per account, never an exception per record. */
  push(plan: WritePlanForConnector, hooks?: PushHooks): Promise<WriteOutcome[]>;
  /** Calls used since the connector was made. */
  usage(): ApiUsage;
  /**
   * After the streams were pulled: streams whose lookup the connector kept from an earlier run
   * and a later stream's records showed out of date (e.g. an owner not seen); the engine pulls
   * them again in full at once. Absent: none.
   */
  pullAgain?(): ObjectKind[];
  /**
   * How the connector wants a plan of `total` writes handed to push: `size` writes per push
   * call (its batch maximum, or a whole bulk job), `bulk` when each call is a bulk job. The sync
   * engine checkpoints after every push call. Absent: the CRM's batch maximum, not bulk.
   */
  pushBatching?(total: number): PushBatching;
  /**
   * Who changed Kamflow's fields on these accounts, read through the source's documented
   * fields (record last-modified-by, field history). Absent: the engine relies on its own
   * memory of what it wrote.
   */
  fieldEdits?(queries: FieldEditQuery[]): Promise<FieldEdit[]>;
  /**
   * Before a run that follows a stopped one: finds writes left open at the source (remote jobs
   * created but never closed, or still processing), aborts the open ones and waits for the
   * processing ones, so the pull that follows sees their final effect. `knownJobs`: the jobs
   * the engine recorded through PushHooks.jobStarted and never saw finish.
   */
  settleWrites?(knownJobs: string[]): Promise<SettleReport>;
  /**
   * The org's (or portal's) daily API allowance as the CRM last reported it: calls used today by
   * every client of the org, and the day's maximum; null before any reading. The engine shares
   * it with every worker (the store's API budget), so the daily reserve holds across them.
   */
  dailyAllowance?(): { used: number; max: number } | null;
  /**
   * Records the run status where the source's cards read it (one upsert). Absent when the source
   * keeps none in the CRM; Kamflow's server then answers the cards itself.
   */
  recordRunStatus?(status: RunStatusRecord): Promise<void>;
  /**
   * For a source that shows the results itself besides holding the field values (a workbook it
   * writes rather than fields on records): called once at the end of every run that was not a
   * dry run and was not held back, after the push, also when nothing was written. Errors end
   * the run like a push error; what the push wrote stays written.
   */
  publish?(results: RunResults): Promise<void>;
}

/** What a run leaves behind, for `Connector.publish`. */
export interface RunResults {
  runId: string;
  kind: 'sync' | 'rollback';
  asOf: string;
  /** The run's analysis; null for a rollback, which restores values and computes nothing. */
  analysis: AnalysisResult | null;
  /** Every account pulled, with the values of Kamflow's fields it held before this run's writes. */
  accounts: readonly Pick<Account, 'id' | 'fields'>[];
  /** The writes of this run the source confirmed, in plan order. */
  written: readonly AccountWrite[];
}

/**
 * Exactly one outcome per planned account, in plan order. An account the answer left out gets
 * `missing` (a transient failure: it is planned again next run); the first outcome of an
 * account counts, and outcomes for accounts outside the plan are dropped.
 */
export function oneOutcomePerWrite(
  accountIds: readonly string[],
  outcomes: readonly WriteOutcome[],
  missing: (accountId: string) => WriteOutcome = (accountId) => ({
    accountId, ok: false, errorKind: 'transient', code: 'NO_RESULT', message: 'the source returned no outcome for this record',
  }),
): WriteOutcome[] {
  const byId = new Map<string, WriteOutcome>();
  for (const o of outcomes) if (!byId.has(o.accountId)) byId.set(o.accountId, o);
  return accountIds.map((id) => byId.get(id) ?? missing(id));
}

/** What the sync engine must know of a source besides its connector; its module declares it. */
export interface SourceProfile {
  /** Accounts per push call at most (the source's batch maximum). */
  pushBatchMax: number;
  /** The call kind of one batch write, for the dry run's estimate ("collectionsUpdate"). */
  pushCallName: string;
  /** The name the estimate gives bulk jobs, when the source has them. */
  bulkJobName: string;
  /** Hours between full pulls when the connection sets none; null: never. */
  fullSyncEveryHours: number | null;
  /**
   * Push calls on the way at once (1 when unset): more only where concurrent writes of other
   * records cannot contend for locks, and under the connector's own rate limiter.
   */
  pushConcurrency?: number;
}
