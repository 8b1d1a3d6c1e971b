import type { Connector } from '../contract/connector.ts';
import type { SourceModule } from '../../connectors/shared/source-module.ts';
import { sourceModules } from '../../connectors/registry.ts';
import type { Logger } from '../log.ts';
import type {
  BeginInstallRequest, BeginInstallResult, CompleteInstallRequest, CompleteInstallResult, ConfigForm, ConfigValues, ConnectionHealth,
  BacktestView, ConsoleBackend, FamilySummary, FamilyView, PortfolioView, PreviewResult, Readiness, RunDetail, RunRequest,
  RunSummary, SaveResult, SourceSummary, StartRunResult, WebhookRequest, WebhookResult, CardRequest, CardRunStatusResult,
  ConnectionSettingsView, SettingsSaveResult,
} from '../server/backend.ts';
import type { ConnectionRecord, ConsoleStore, RunRecord, Store } from '../store/types.ts';
import type { SyncDeps } from '../sync/types.ts';
import { defaultOrgOf } from '../sync/budget.ts';
import { currencySetting } from '../store/setting-keys.ts';
import { backtest, latestBacktestDate } from '../analyze/backtest.ts';
import { inputFromSnapshot } from '../analyze/input.ts';
import { AnalysisCache, analyzeSnapshot, familySummaries, familyView, mirrorSnapshot, portfolioView, tierChanges, type MirrorAnalysis } from './analysis-view.ts';
import { buildCandidate, configForm, effectiveConfig } from './config-form.ts';
import { beginInstall, completeInstall, type InstallDeps } from './install.ts';
import { disconnect, saveSettings, settingsView } from './connection-settings.ts';
import { RunLauncher } from './runner.ts';
import { connectionHealth, runDetail, runSummary } from './runs-view.ts';
import type { ConsoleSettings } from './settings.ts';
import { receiveWebhook } from './webhooks.ts';
import { cardRunStatus, RUNS_LOOKED_AT } from './card-status.ts';
import { cronNextRun } from '../sync/run-status.ts';

/** What the console asks of a scheduler: the embedded one (SQLite) or the queue's schedules table. */
export interface ScheduleView {
  reschedule(connectionId: string): Promise<boolean>;
  nextRun(connectionId: string): Date | null;
}

export const ADMIN_HASH_SETTING = 'admin.passwordHash';

export interface KamflowBackendDeps {
  store: Store & ConsoleStore;
  sync: SyncDeps;
  settings: ConsoleSettings;
  logger: Logger;
  now?: () => Date;
  /** The source modules; the registry's by default. */
  sources?: readonly SourceModule[];
  /**
   * How long the store's reads behind a page (the connection, its latest runs, the API budget)
   * are reused, in ms (default 1,000): every change made through this backend (a run started or
   * finished, a save) drops them at once; a change by another process shows within this time.
   */
  readCacheMs?: number;
}

/** The console's backend over the store, the sync engine, the analysis and the connectors. */
export class KamflowBackend implements ConsoleBackend {
  readonly runs: RunLauncher;
  private readonly cache = new AnalysisCache();
  private readonly reads = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly familyViews = new WeakMap<MirrorAnalysis, Map<string, FamilyView | null>>();
  private scheduler: ScheduleView | null = null;
  private readonly now: () => Date;
  private readonly sources: readonly SourceModule[];

  constructor(private readonly deps: KamflowBackendDeps) {
    this.now = deps.now ?? (() => new Date());
    this.sources = deps.sources ?? sourceModules();
    const sync: SyncDeps = {
      ...deps.sync,
      connectorFactory: (c, credentials, onTokens) => this.recordingCurrency(c.id, deps.sync.connectorFactory(c, credentials, onTokens)),
    };
    this.runs = new RunLauncher({
      store: deps.store, sync, logger: deps.logger, now: this.now,
      onFinished: (connectionId) => this.afterRun(connectionId),
    });
  }

  /** The scheduler whose next runs the health shows and which saved schedules update. */
  attachScheduler(scheduler: ScheduleView): void {
    this.scheduler = scheduler;
  }

  /** A store read reused for `readCacheMs` (pages ask the same of the store on every request). */
  private recent<T>(key: string, load: () => Promise<T>): Promise<T> {
    const ttl = this.deps.readCacheMs ?? 1_000;
    if (ttl <= 0) return load();
    const at = Date.now();
    const hit = this.reads.get(key);
    if (hit && at - hit.at < ttl) return hit.value as Promise<T>;
    const value = load();
    this.reads.set(key, { at, value });
    // A failed read is not kept.
    value.catch(() => { if (this.reads.get(key)?.value === value) this.reads.delete(key); });
    return value;
  }

  /** Something changed through this backend: the next page reads the store again. */
  private changed(): void {
    this.reads.clear();
  }

  private connectionRecord(connectionId: string): Promise<ConnectionRecord | null> {
    return this.recent(`connection\u0000${connectionId}`, () => this.deps.store.getConnection(connectionId));
  }

  private recentRuns(connectionId: string, limit: number): Promise<RunRecord[]> {
    return this.recent(`runs\u0000${connectionId}\u0000${limit}`, () => this.deps.store.listRuns({ connectionId, limit }));
  }

  private async afterRun(connectionId: string): Promise<void> {
    this.changed();
    this.cache.invalidate(connectionId);
    try {
      await this.saveCurrency(connectionId);
      // Analysed now rather than on the next page view, which would otherwise wait for it.
      const c = await this.deps.store.getConnection(connectionId);
      if (c) await this.latestAnalysis(c);
    } catch (error) {
      this.deps.logger.warn({ connectionId, err: error instanceof Error ? error.message : String(error) }, 'analysis after the run failed');
    }
  }

  private async saveCurrency(connectionId: string): Promise<void> {
    // The snapshot's currency is the connector's; remembered so the family view needs no CRM call.
    const latest = (await this.deps.store.listRuns({ connectionId, limit: 1 }))[0];
    const currency = this.lastCurrency.get(connectionId);
    if (latest?.status === 'succeeded' && currency !== undefined) await this.deps.store.setSetting(currencySetting(connectionId), currency);
  }

  private readonly lastCurrency = new Map<string, string>();

  /**
   * The connector as is, noting the currency it reports for the connection's later analyses.
   * Every other member, the optional ones included (conflict reads, write settling, the daily
   * allowance, run status, tasks, pulling a lookup again), is the connector's own, bound to it.
   */
  private recordingCurrency(connectionId: string, connector: Connector): Connector {
    const currency = async (): Promise<string> => {
      const value = await connector.currency();
      this.lastCurrency.set(connectionId, value);
      return value;
    };
    return new Proxy(connector, {
      get: (target, prop) => {
        if (prop === 'currency') return currency;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private sourceOf(crm: string): SourceModule | null {
    return this.sources.find((s) => s.kind === crm) ?? null;
  }

  async listSources(): Promise<SourceSummary[]> {
    return this.sources.map((s) => ({
      kind: s.kind, label: s.label,
      installForms: s.install && this.deps.settings.apps[s.kind] ? s.install.startForms : [],
    }));
  }

  async readiness(): Promise<Readiness> {
    try {
      await this.deps.store.listConnections();
      return { ok: true, checks: [{ name: 'store', ok: true }] };
    } catch {
      return { ok: false, checks: [{ name: 'store', ok: false }] };
    }
  }

  getAdminPasswordHash(): Promise<string | null> {
    return this.deps.store.getSetting(ADMIN_HASH_SETTING);
  }

  setAdminPasswordHash(hash: string): Promise<void> {
    return this.deps.store.setSetting(ADMIN_HASH_SETTING, hash);
  }

  private async health(c: ConnectionRecord): Promise<ConnectionHealth> {
    const runs = await this.recentRuns(c.id, 50);
    const health = connectionHealth(c, runs, {
      running: this.runs.isRunning(c.id), nextRun: this.scheduler?.nextRun(c.id) ?? null, now: this.now(), source: this.sourceOf(c.crm),
    });
    const org = (this.deps.sync.orgOf ?? defaultOrgOf)(c);
    const today = this.now().toISOString().slice(0, 10);
    const day = await this.recent(`budget\u0000${org}\u0000${today}`, () => this.deps.store.apiBudget(org, today));
    return day ? { ...health, apiToday: { kamflowCalls: day.used, orgUsed: day.reportedUsed, orgMax: day.reportedMax } } : health;
  }

  async listConnections(): Promise<ConnectionHealth[]> {
    const all = await this.deps.store.listConnections();
    return Promise.all(all.map((c) => this.health(c)));
  }

  async getConnection(connectionId: string): Promise<ConnectionHealth | null> {
    const c = await this.connectionRecord(connectionId);
    return c ? this.health(c) : null;
  }

  async getConfigForm(connectionId: string): Promise<ConfigForm | null> {
    const c = await this.deps.store.getConnection(connectionId);
    return c ? configForm(c) : null;
  }

  /** The date analyses are made as of: the latest sync's, else today. */
  private async asOfFor(connectionId: string): Promise<string> {
    const runs = await this.recentRuns(connectionId, 20);
    const sync = runs.find((r) => r.kind === 'sync' && r.asOf !== null && r.status !== 'running');
    return sync?.asOf ?? this.now().toISOString().slice(0, 10);
  }

  private async currencyOf(connectionId: string): Promise<string> {
    return (await this.deps.store.getSetting(currencySetting(connectionId))) ?? 'USD';
  }

  /** The latest analysis of the mirror with the saved config; null before the first pull. */
  private async latestAnalysis(c: ConnectionRecord): Promise<MirrorAnalysis | null> {
    const asOf = await this.asOfFor(c.id);
    const last = (await this.recentRuns(c.id, 1))[0];
    const key = `${last?.id ?? ''}|${last?.finishedAt ?? ''}|${c.updatedAt}|${asOf}`;
    return this.cache.get(c.id, key, async () => {
      const { config, valid } = effectiveConfig(c.analysisConfig);
      if (!valid) this.deps.logger.warn({ connectionId: c.id }, 'stored analysis config is invalid: the family view uses the defaults');
      const snapshot = await mirrorSnapshot(this.deps.store, c, await this.currencyOf(c.id));
      return snapshot ? { snapshot, result: analyzeSnapshot(snapshot, config, asOf) } : null;
    });
  }

  async previewConfig(connectionId: string, values: ConfigValues): Promise<PreviewResult> {
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return { ok: false, errors: [{ path: '', message: 'this connection no longer exists' }] };
    const built = buildCandidate(c, values);
    if (!built.ok) return built;
    const current = await this.latestAnalysis(c);
    if (!current) return { ok: true, asOf: null, gainingKey: [], losingKey: [], otherChanges: 0 };
    const after = analyzeSnapshot(current.snapshot, built.candidate.config, current.result.asOf);
    return { ok: true, asOf: current.result.asOf, ...tierChanges(current.result, after) };
  }

  async saveConfig(connectionId: string, values: ConfigValues, baseVersion: number): Promise<SaveResult> {
    this.changed();
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return { ok: false, errors: [{ path: '', message: 'this connection no longer exists' }] };
    const built = buildCandidate(c, values);
    const errors = built.ok ? [] : built.errors;
    const current = effectiveConfig(c.analysisConfig).config.version;
    if (baseVersion !== current) errors.push({ path: '', message: `the configuration was saved by someone else in the meantime (now version ${current}); reload and apply your change again` });
    if (!built.ok || errors.length > 0) return { ok: false, errors };
    const version = current + 1;
    const { candidate } = built;
    await this.deps.store.updateConnection(c.id, { analysisConfig: { ...candidate.raw, version }, schedule: candidate.schedule, timezone: candidate.timezone });
    this.cache.invalidate(c.id);
    if (candidate.schedule !== c.schedule || candidate.timezone !== c.timezone) await this.scheduler?.reschedule(c.id);
    this.deps.logger.info({ connectionId: c.id, version }, 'analysis config saved');
    return { ok: true, version };
  }

  async listRuns(connectionId: string, limit: number): Promise<RunSummary[]> {
    const runs = await this.deps.store.listRuns({ connectionId, limit });
    const triggers = await this.runs.triggersOf(runs.map((r) => r.id));
    return runs.map((r) => runSummary(r, triggers[r.id] ?? 'cli'));
  }

  async getRun(connectionId: string, runId: string): Promise<RunDetail | null> {
    const run = await this.deps.store.getRun(runId);
    if (!run || run.connectionId !== connectionId) return null;
    const [writes, issues, all, plan, conflicts] = await Promise.all([
      this.deps.store.listWrites(runId), this.deps.store.listRunIssues(runId), this.deps.store.listRuns({ connectionId }), this.deps.store.getPlan(runId),
      run.kind === 'rollback' ? this.deps.store.listFieldConflicts(runId) : Promise.resolve([]),
    ]);
    const triggers = await this.runs.triggersOf([run.id]);
    return runDetail(run, triggers[run.id] ?? 'cli', writes, issues, all, plan, conflicts);
  }

  startRun(connectionId: string, request: RunRequest): Promise<StartRunResult> {
    this.changed();
    return this.runs.start(connectionId, request, 'console');
  }

  async listFamilies(connectionId: string): Promise<FamilySummary[] | null> {
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return null;
    const analysis = await this.latestAnalysis(c);
    return analysis ? familySummaries(analysis.result) : null;
  }

  async backtest(connectionId: string, asOf: string | null): Promise<BacktestView | null> {
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return null;
    const latest = latestBacktestDate(await this.asOfFor(c.id));
    const date = asOf ?? latest;
    if (date > latest) return { asOf: date, latest, result: null, error: `The 12 months after ${date} are not over yet; choose ${latest} or earlier.` };
    const { config } = effectiveConfig(c.analysisConfig);
    const snapshot = await mirrorSnapshot(this.deps.store, c, await this.currencyOf(c.id));
    if (!snapshot) return { asOf: date, latest, result: null, error: 'No data pulled yet: run a sync first.' };
    return { asOf: date, latest, result: backtest(inputFromSnapshot(snapshot), config, date), error: null };
  }

  async getFamily(connectionId: string, familyId: string): Promise<FamilyView | null> {
    const c = await this.connectionRecord(connectionId);
    if (!c) return null;
    const analysis = await this.latestAnalysis(c);
    if (!analysis) return null;
    // One view per family and analysis: the page asks for the same one between two analyses.
    let views = this.familyViews.get(analysis);
    if (!views) this.familyViews.set(analysis, (views = new Map()));
    if (!views.has(familyId)) views.set(familyId, familyView(analysis, familyId));
    return views.get(familyId) ?? null;
  }

  async getPortfolio(connectionId: string): Promise<PortfolioView | null> {
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return null;
    const analysis = await this.latestAnalysis(c);
    return analysis ? portfolioView(analysis) : null;
  }

  private installDeps(): InstallDeps {
    return { settings: this.deps.settings, store: this.deps.store, connectorFactory: this.deps.sync.connectorFactory, logger: this.deps.logger, sources: this.sources };
  }

  async beginInstall(request: BeginInstallRequest): Promise<BeginInstallResult> {
    return beginInstall(this.installDeps(), request);
  }

  async getSettings(connectionId: string): Promise<ConnectionSettingsView | null> {
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return null;
    const health = await this.getConnection(connectionId);
    return settingsView(this.deps.store, c, health?.name ?? c.id, this.deps.logger);
  }

  async saveSettings(connectionId: string, values: Record<string, string>): Promise<SettingsSaveResult> {
    this.changed();
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return { ok: false, errors: ['no such connection'] };
    return saveSettings(this.deps.store, c, values, this.deps.logger);
  }

  async disconnect(connectionId: string, deleteData: boolean): Promise<{ ok: boolean; message: string }> {
    this.changed();
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return { ok: false, message: 'no such connection' };
    const done = await disconnect(this.deps.store, c, deleteData);
    await this.scheduler?.reschedule(connectionId);
    return done;
  }

  async deleteConnection(connectionId: string): Promise<{ ok: boolean; message: string }> {
    this.changed();
    const c = await this.deps.store.getConnection(connectionId);
    if (!c) return { ok: false, message: 'no such connection' };
    await this.deps.store.deleteConnection(connectionId);
    await this.scheduler?.reschedule(connectionId);
    return { ok: true, message: `Connection ${connectionId} deleted with its pulled data.` };
  }

  async completeInstall(request: CompleteInstallRequest): Promise<CompleteInstallResult> {
    this.changed();
    const result = await completeInstall(this.installDeps(), request);
    if (!result.ok) return result;
    await this.scheduler?.reschedule(result.connectionId);
    if (this.deps.settings.firstSync === 'now' && result.created) {
      const started = await this.runs.start(result.connectionId, { kind: 'sync' }, 'console');
      if (!started.ok) this.deps.logger.warn({ connectionId: result.connectionId, reason: started.reason }, 'first sync did not start');
    }
    return { ok: true, connectionId: result.connectionId, name: result.name, ...(result.created === false ? { reconnected: true } : {}) };
  }

  cardRunStatus(request: CardRequest): Promise<CardRunStatusResult> {
    this.changed();
    return cardRunStatus({
      sources: this.sources,
      secrets: this.deps.settings.webhookSecrets,
      now: () => this.now().getTime(),
      listConnections: () => this.deps.store.listConnections(),
      listRuns: (connectionId) => this.deps.store.listRuns({ connectionId, limit: RUNS_LOOKED_AT }),
      nextScheduledRun: this.deps.sync.nextScheduledRun ?? cronNextRun,
    }, request);
  }

  receiveWebhook(request: WebhookRequest): Promise<WebhookResult> {
    this.changed();
    return receiveWebhook({
      sources: this.sources,
      secrets: this.deps.settings.webhookSecrets,
      now: () => this.now().getTime(),
      rememberOnce: (key, expiresAt, now) => this.deps.store.rememberOnce(key, expiresAt, now),
      mark: async (source, accountId, records) => {
        const all = await this.deps.store.listConnections();
        const targets = all.filter((c) => c.crm === source.kind && source.describe(c).accountId === accountId);
        if (targets.length === 0) return { marked: 0, unknownAccount: true };
        const markedAt = this.now().toISOString();
        let marked = 0;
        for (const c of targets) {
          marked += await this.deps.store.markChanged(c.id, records.map((r) => ({ object: r.object, id: r.id, deleted: r.deleted, markedAt })));
        }
        return { marked, unknownAccount: false };
      },
    }, request);
  }
}
