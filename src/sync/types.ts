import type { Connector, Credentials, ObjectKind, RunStatusRecord, SourceId, SourceProfile, TokenListener } from '../contract/connector.ts';
import type { NextScheduledRun } from './run-status.ts';
import type { Logger } from '../log.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { RejectedRecord, Snapshot } from '../model/snapshot.ts';
import type { ConnectionRecord, LockTakeover, RunRecord, Store } from '../store/types.ts';
import type { WritePlan } from './planner.ts';
import type { TaskRollbackPlan } from './task-run.ts';
import type { TaskPlan } from './tasks.ts';

/** Makes the connector for a stored connection; `onTokens` persists refreshed tokens. */
export type ConnectorFactory = (connection: ConnectionRecord, credentials: Credentials, onTokens: TokenListener) => Connector;

export interface AnalyzeInput {
  snapshot: Snapshot;
  /** The connection's stored analysis config (JSON), validated by the analysis. */
  config: unknown;
  asOf: string;
  rejected: RejectedRecord[];
}
export type AnalyzeFn = (input: AnalyzeInput) => AnalysisResult;

export type ProgressEvent =
  | { stage: 'pull'; object: ObjectKind; pulled: number; deleted: number }
  | { stage: 'analyze'; accounts: number }
  | { stage: 'plan'; changedAccounts: number; unchangedAccounts: number }
  | { stage: 'push'; sent: number; total: number; failed: number };

/** What the engine must know of a source besides its connector (the registry's sourceProfile). */
export type ProfileOf = (source: SourceId) => SourceProfile;

export interface SyncDeps {
  store: Store;
  connectorFactory: ConnectorFactory;
  profileOf: ProfileOf;
  analyze: AnalyzeFn;
  logger: Logger;
  now?: () => Date;
  onProgress?: (event: ProgressEvent) => void;
  /** The org (or portal) a connection's API calls count against in the shared daily budget; crm and base URL by default. */
  orgOf?: (connection: ConnectionRecord) => string;
  /** How long a lock lives without a heartbeat; a crashed run's lock is taken over after it. */
  lockTtlMs?: number;
  /** When a connection's schedule fires next (for the run status); node-cron's reading by default. */
  nextScheduledRun?: NextScheduledRun;
}

export interface SyncOptions {
  connectionId: string;
  /** Full pull of every stream instead of incremental. */
  full?: boolean;
  dryRun?: boolean;
  /** Analysis date YYYY-MM-DD; today (UTC) by default. */
  asOf?: string;
  /** Lets a plan past the safety gate go through. */
  confirm?: boolean;
  /** Share of accounts a plan may change before it waits for confirm; else the connection's option, else 0.5. */
  safetyGateShare?: number;
  /** The new run's id, when the caller must know it before the run starts (made here otherwise). */
  newRunId?: string;
  /**
   * The admin chose to write over the fields people changed since Kamflow wrote them, for this
   * run (each still reported as a conflict); otherwise each field's policy decides.
   */
  overwriteEdits?: boolean;
  /** What the caller's own acquisition of the lock (under newRunId) took over. */
  lockTakenOver?: LockTakeover;
}

export interface SyncResult {
  run: RunRecord;
  /** Null when the run stopped before planning. */
  plan: WritePlan | null;
  /** Write calls the plan takes, by kind (the dry run's estimate). */
  estimatedCalls: Record<string, number>;
  message: string;
  /** The run status written to the CRM (for a dry run: what a real run would write); null when none. */
  runStatus?: RunStatusRecord | null;
  /** Tasks for account owners the run made (a dry run: would make); null when the source keeps none. */
  tasks?: TaskPlan | null;
  /** A rollback's tasks: removed, already gone, or kept because a person changed them. */
  taskRollback?: TaskRollbackPlan | null;
}

export const DEFAULT_SAFETY_GATE_SHARE = 0.5;
/**
 * How long a lock lives without a heartbeat (sent every third of it, and at every checkpoint).
 * Only a holder nobody can prove gone (on another host, without a database session) waits it out.
 */
export const DEFAULT_LOCK_TTL_MS = 60_000;
