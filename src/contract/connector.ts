import type { Account, Contact, LineItem, Opportunity, Product, User } from '../model/snapshot.ts';
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
export const OBJECT_KINDS = ['users', 'products', 'accounts', 'contacts', 'opportunities', 'lineItems'] as const;
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
}

export interface PullOptions {
  mode: 'full' | 'incremental';
  /** Saved cursors by stream, from the previous run. Missing means start from the beginning. */
  cursors: Partial<Record<ObjectKind, Cursor>>;
  /** Streams to pull; all by default, in the order of OBJECT_KINDS. */
  objects?: ObjectKind[];
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

export type WriteErrorKind = 'transient' | 'bad-data' | 'config';

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

export interface Connector {
  readonly kind: SourceId;
  /** The currency amounts are expressed in. Known after the first pull page at the latest. */
  currency(): Promise<string>;
  /** Pages of mapped records, stream after stream; each page carries its resume cursor. */
  pull(options: PullOptions): AsyncIterable<PullPage>;
  /** Creates Kamflow's fields (idempotent) and makes them readable and writable. */
  provision(): Promise<ProvisionReport>;
  /** Carries out a write plan; one outcome per account, never an exception per record. */
  push(plan: WritePlanForConnector): Promise<WriteOutcome[]>;
  /** Calls used since the connector was made. */
  usage(): ApiUsage;
  /**
   * How the connector wants a plan of `total` writes handed to push: `size` writes per push
   * call (its batch maximum, or a whole bulk job), `bulk` when each call is a bulk job. The sync
   * engine checkpoints after every push call. Absent: the CRM's batch maximum, not bulk.
   */
  pushBatching?(total: number): PushBatching;
  /**
   * Called after a sync's push with a stream's saved incremental cursor: the cursor with the
   * writes this connector made noted in it, so the next incremental pull does not read them back
   * (the engine has put the written values in the mirror already). Null leaves the cursor as it
   * is. Absent: Kamflow's own writes are read back like anyone's.
   */
  noteOwnWrites?(object: ObjectKind, cursor: Cursor): Cursor | null;
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
}
