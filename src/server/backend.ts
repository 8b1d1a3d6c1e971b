import type { ObjectKind, SourceId } from '../contract/connector.ts';
import type { InstallFailure } from '../contract/errors.ts';
import type { BacktestResult } from '../analyze/backtest.ts';
import type { DriftEntry, FamilyInsight, LossScenario, Portfolio, RiskId, WorstCase } from '../model/insights.ts';
import type { Tier } from '../model/output-fields.ts';

/**
 * What the install server and admin console need from the rest of Kamflow (store, sync engine,
 * analysis, connectors). The server knows nothing else; the real implementation is wired in by
 * whoever starts the server. Every expected failure comes back as a value; a thrown error means
 * a bug or an unavailable store and becomes a generic 500 page.
 */
export interface ConsoleBackend {
  /** Liveness of what the server depends on (store reachable...). Must not throw. */
  readiness(): Promise<Readiness>;

  /** The stored admin password hash, when set through first-run setup (null when none). */
  getAdminPasswordHash(): Promise<string | null>;
  setAdminPasswordHash(hash: string): Promise<void>;

  /** The sources Kamflow can install into, with their labels and install forms. */
  listSources(): Promise<SourceSummary[]>;

  listConnections(): Promise<ConnectionHealth[]>;
  getConnection(connectionId: string): Promise<ConnectionHealth | null>;

  /** The editable analysis config and schedule of a connection, as form fields. */
  getConfigForm(connectionId: string): Promise<ConfigForm | null>;
  /**
   * Validates the submitted values (by field path) with the same schema as the CLI and reports
   * which families would gain or lose Key against the last snapshot. Nothing is saved.
   */
  previewConfig(connectionId: string, values: ConfigValues): Promise<PreviewResult>;
  /**
   * Validates and saves; nothing is saved when any value is invalid, or when the saved config
   * is no longer `baseVersion` (someone saved in between: an error on path "").
   */
  saveConfig(connectionId: string, values: ConfigValues, baseVersion: number): Promise<SaveResult>;

  listRuns(connectionId: string, limit: number): Promise<RunSummary[]>;
  getRun(connectionId: string, runId: string): Promise<RunDetail | null>;
  /** Starts a run in the background and returns at once. */
  startRun(connectionId: string, request: RunRequest): Promise<StartRunResult>;

  listFamilies(connectionId: string): Promise<FamilySummary[] | null>;
  /**
   * The backtest of the connection's mirror as of `asOf` (null: the latest date possible, 12
   * months before the analysis date). Null when the connection does not exist; absent: no page.
   */
  backtest?(connectionId: string, asOf: string | null): Promise<BacktestView | null>;
  getFamily(connectionId: string, familyId: string): Promise<FamilyView | null>;
  /** The portfolio view of the latest analysis (null before the first pull). */
  getPortfolio(connectionId: string): Promise<PortfolioView | null>;

  /** Builds the CRM's authorize URL. The server owns state and the PKCE verifier. */
  /** A connection's settings page: its name, gate, and the connector options that name CRM fields, with the CRM's live field lists. Absent: the page is not offered. */
  getSettings?(connectionId: string): Promise<ConnectionSettingsView | null>;
  /** Saves settings from the page (`name`, `safetyGateShare`, `apiReserve`, `opt.<option>`); field options checked against the live field lists first. */
  saveSettings?(connectionId: string, values: Record<string, string>): Promise<SettingsSaveResult>;
  /** Drops credentials and schedule; `deleteData` deletes the pulled data too. The message says which. */
  disconnect?(connectionId: string, deleteData: boolean): Promise<{ ok: boolean; message: string }>;
  /** Removes the connection with its pulled data (runs stay as history). */
  deleteConnection?(connectionId: string): Promise<{ ok: boolean; message: string }>;

  beginInstall(request: BeginInstallRequest): Promise<BeginInstallResult>;
  /**
   * Exchanges the code, stores the connection with its (encrypted) tokens, provisions the
   * fields and schedules the first sync: all or nothing.
   */
  completeInstall(request: CompleteInstallRequest): Promise<CompleteInstallResult>;

  /**
   * A source's change notification: signature checked, then the records it names are marked
   * for the next sync. Every answer is a value (status and body), never an exception.
   */
  receiveWebhook(request: WebhookRequest): Promise<WebhookResult>;

  /**
   * The run status a CRM card asks for (crm-apps/README.md, "The run-status contract"): signature
   * checked as for webhooks, the account found from the signed query. Absent: the route answers 404.
   */
  cardRunStatus?(request: CardRequest): Promise<CardRunStatusResult>;
}

/** A card's signed request: the webhook request's parts and its query parameters. */
export interface CardRequest extends WebhookRequest {
  query: Record<string, string | undefined>;
}

export type CardRunStatusResult =
  | { status: 200; body: { lastRunFinishedAt: string | null; nextRunDueBy: string | null } }
  | { status: 400 | 401 | 404 | 503; error: string; message: string };

/** One field of a form that starts an install (e.g. which login host). */
export type InstallFormField =
  | { kind: 'select'; name: string; label: string; options: { value: string; label: string }[] }
  | { kind: 'url'; name: string; label: string; placeholder: string };

export interface SourceSummary {
  kind: SourceId;
  label: string;
  /** Forms on the connections page that start an install; empty when the source has none. */
  installForms: { button: string; fields: InstallFormField[]; secondary?: boolean }[];
}

export interface WebhookRequest {
  source: string;
  method: string;
  /** The full URI the source called: scheme, host, path and query. */
  uri: string;
  rawBody: string;
  headers: Record<string, string | undefined>;
}

export type WebhookResult =
  | { status: 200; body: { marked: number; ignored: number; unknownAccounts: number; replayed?: true } }
  | { status: 400 | 401 | 404 | 503; error: string; message: string; issues?: { field: string; message: string }[] };

export interface Readiness {
  ok: boolean;
  /** Names and states only: never a connection string or message that might hold a secret. */
  checks: { name: string; ok: boolean }[];
}

/** `awaiting-approval`: the last sync planned writes and waits for an admin to approve them (not a failure). */
export type ConnectionStatus = 'ok' | 'failing' | 'never-run' | 'running' | 'disconnected' | 'awaiting-approval';

export interface ConnectionHealth {
  id: string;
  crm: SourceId;
  /** The source's name shown to the admin. */
  sourceLabel: string;
  /** Org or portal name shown to the admin. */
  name: string;
  /** Where the connection reaches (an instance URL, a portal), for display. */
  location: string;
  status: ConnectionStatus;
  /** `progress`: where the run is while it goes, in a sentence (stage, object, done of total). */
  lastRun: { id: string; kind: RunKind; status: RunStatus; finishedAt: string | null; progress?: string } | null;
  /** ISO timestamp of the next scheduled run, null when none is scheduled. */
  nextRun: string | null;
  /** API calls used and allowed in the CRM's current allowance period, when known. */
  apiUsage: { used: number; limit: number; period: string } | null;
  /** The org's API budget today (UTC), shared by every worker: Kamflow's calls, and the CRM's reading of the whole org. */
  apiToday?: { kamflowCalls: number; orgUsed: number | null; orgMax: number | null } | null;
  /** Recent run-stopping errors, newest first, already free of secrets. */
  recentErrors: string[];
  /** The last sync planned writes and waits for an admin to approve its plan (the run page's Approve button). */
  awaitingConfirmation?: boolean;
}

export type ConfigFieldKind = 'number' | 'integer' | 'boolean' | 'text' | 'select';

/** One editable value of the analysis config or schedule, addressed by its path. */
export interface ConfigField {
  /** Dotted path in the config, e.g. `criteria.revenueShare.threshold` or `schedule.cron`. */
  path: string;
  label: string;
  /** Form section heading, e.g. "Criteria: revenue share" or "Schedule". */
  group: string;
  kind: ConfigFieldKind;
  /** Current value as text; booleans as "true"/"false". */
  value: string;
  /** Choices for `select`. */
  options?: { value: string; label: string }[];
  help?: string;
}

export interface ConfigForm {
  /** Version of the saved config, shown and checked to catch concurrent edits. */
  version: number;
  fields: ConfigField[];
}

/** Submitted form values by field path. Unchecked boxes arrive as "false". */
export type ConfigValues = Record<string, string>;

export interface FieldError {
  /** Field path the error belongs to; a path that matches no field is shown above the form. */
  path: string;
  message: string;
}

export interface TierChange {
  familyId: string;
  name: string;
  before: Tier | null;
  after: Tier | null;
  scoreBefore: number;
  scoreAfter: number;
}

export type PreviewResult =
  | { ok: true; asOf: string | null; gainingKey: TierChange[]; losingKey: TierChange[]; otherChanges: number }
  | { ok: false; errors: FieldError[] };

export type SaveResult = { ok: true; version: number } | { ok: false; errors: FieldError[] };

export type RunKind = 'sync' | 'dry-run' | 'rollback';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'stopped-api-limit' | 'awaiting-approval';

export interface RunSummary {
  id: string;
  kind: RunKind;
  status: RunStatus;
  trigger: 'schedule' | 'console' | 'cli' | 'webhook';
  startedAt: string;
  finishedAt: string | null;
  written: number;
  unchanged: number;
  failed: number;
  /** The run-stopping error, free of secrets. */
  error: string | null;
}

export interface RecordError {
  recordId: string;
  kind: string;
  message: string;
}

export interface RunDetail extends RunSummary {
  recordErrors: RecordError[];
  /** For a rollback, the run it undid. */
  rollbackOf: string | null;
  /** Whether this run's writes can still be rolled back. */
  canRollback: boolean;
  /** The plan this run kept for review (a dry run, a waiting sync, a rollback preview), if any. */
  plan?: RunPlanView | null;
}

/** One field of a kept plan as shown: long texts already cut to the part that differs. */
export interface RunPlanRow {
  accountId: string;
  name: string | null;
  field: string;
  from: string;
  to: string;
}

/** A field a rollback leaves as it is: changed since the run wrote it (by a person or a later run). */
export interface RunPlanConflict {
  accountId: string;
  name: string | null;
  field: string;
  /** What the CRM holds now. */
  now: string;
  /** What the rolled-back run wrote there. */
  wrote: string;
  /** What the rollback would have restored. */
  restore: string;
  /** `kept`: left as it is; `overwritten`: restored anyway (forced). */
  resolution: 'kept' | 'overwritten';
}

/** A kept plan as the run page shows it. */
export interface RunPlanView {
  /** A sync's plan, or a rollback's preview (its rows restore the values the run replaced). */
  kind: 'sync' | 'rollback';
  /** Why it waits, in words (empty for a dry run's plan). */
  reasons: string[];
  accounts: number;
  changedAccounts: number;
  changedFields: number;
  substantiveAccounts: number;
  wordingOnlyAccounts: number;
  byField: Record<string, number>;
  tierChanges: Record<string, number>;
  keyFlag: { on: number; off: number };
  estimatedCalls: Record<string, number>;
  approvedAt: string | null;
  approvedByRun: string | null;
  /** Who approved it (`console:USER`, `cli:USER`), null when not recorded. */
  approvedBy: string | null;
  /** Still open, made by a dry run or a waiting run: the run page offers to approve and write it. */
  canApprove: boolean;
  /** For a rollback's preview: the fields it leaves as they are (the first ones; `hiddenConflicts` more). */
  conflicts: RunPlanConflict[];
  hiddenConflicts: number;
  /** The first accounts' rows; `hiddenAccounts` more are left out. */
  rows: RunPlanRow[];
  hiddenAccounts: number;
}

/** `confirm` lets a sync through the safety gate (a plan changing more accounts than allowed). */
export type RunRequest = { kind: 'sync'; confirm?: boolean; approvedBy?: string } | { kind: 'dry-run' }
  /** `preview`: plan the rollback and keep its plan for review, writing nothing. */
  | { kind: 'rollback'; runId: string; preview?: boolean }
  /** An admin (`approvedBy`, e.g. `console:ada`) approved the kept plan of run `planRunId`: written exactly, after its records are read again. */
  | { kind: 'approve'; planRunId: string; approvedBy?: string };

export type StartRunResult = { ok: true; runId: string } | { ok: false; reason: 'busy' | 'not-found' | 'not-allowed'; message: string };

export interface BacktestView {
  asOf: string;
  /** The latest date a backtest can be as of. */
  latest: string;
  result: BacktestResult | null;
  /** Why there is no result (no snapshot yet, a date too recent). */
  error: string | null;
}

export interface FamilySummary {
  id: string;
  name: string;
  /** null: not tiered for want of data quality. */
  tier: Tier | null;
  score: number;
  revenue: number;
  penetration: number;
}

export interface EntityView {
  id: string;
  name: string;
  depth: number;
  activeContacts: number;
  referenceableContacts: number;
  /** "2 contacts (target 3-5)", as written to the CRM. */
  coverage: string;
}

export interface FamilyView {
  asOf: string;
  currency: string;
  family: FamilyInsight;
  /** In hierarchy order (root first). */
  entities: EntityView[];
  /**
   * Names of the contacts, users (owners) and opportunities the family's relationships and
   * payoff horizon name by id, each by its own id (ids of different objects may collide).
   */
  names?: { contacts: Record<string, string>; users: Record<string, string>; opportunities: Record<string, string> };
}

/** One family as the portfolio page shows it. */
export interface PortfolioFamily {
  id: string;
  name: string;
  /** Null: not tiered for the quality of its data. */
  tier: Tier | null;
  revenue: number;
  risks: RiskId[];
  lossScenario: LossScenario | null;
}

export interface PortfolioView {
  asOf: string;
  currency: string;
  portfolio: Portfolio;
  /** Every family, highest revenue first (the Pareto curve's order). */
  families: PortfolioFamily[];
  drift: DriftEntry[];
  worstCase: WorstCase | null;
}

export interface BeginInstallRequest {
  crm: SourceId;
  /** The start request's query: the source module reads the choices it asks for. */
  params: Record<string, string | undefined>;
  state: string;
  /** base64url(SHA-256(verifier)), method S256. */
  codeChallenge: string;
  redirectUri: string;
}

export type BeginInstallResult =
  | { ok: true; authorizeUrl: string; params: Record<string, string> }
  | { ok: false; reason: 'unknown-source' | 'bad-request' | 'unavailable'; message: string };

export interface CompleteInstallRequest {
  crm: SourceId;
  /** The params beginInstall answered with. */
  params: Record<string, string>;
  code: string;
  codeVerifier: string;
  redirectUri: string;
}

export type { InstallFailure };

export type CompleteInstallResult =
  /** `reconnected`: the org or portal was connected already (a reinstall, or another install that won a race): its tokens were replaced. */
  | { ok: true; connectionId: string; name: string; reconnected?: boolean }
  | { ok: false; reason: InstallFailure; message: string };

export interface ChangedRecord {
  object: ObjectKind;
  id: string;
  deleted: boolean;
}

/** One connector option that names a CRM field, with what the CRM lists now. */
export interface FieldOptionView {
  option: string;
  label: string;
  object: string;
  types: readonly string[];
  current: string | null;
  choices: { name: string; label: string; type: string }[];
}

export interface ConnectionSettingsView {
  name: string;
  safetyGateShare: number | null;
  /** Share of the org's daily API allowance Kamflow leaves to others (null: the default 0.2). */
  apiReserve: number | null;
  fieldOptions: FieldOptionView[];
  /** Why the CRM's field lists could not be read (disconnected, refused), or null. */
  fieldListProblem: string | null;
}

export type SettingsSaveResult = { ok: true; changed: string[] } | { ok: false; errors: string[] };
