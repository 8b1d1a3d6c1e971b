import type { Logger } from '../../src/log.ts';
import type { CrmTaskInput, CrmTaskOutcome, CrmTaskRemoval, CrmTaskState, TaskConnector } from '../../src/contract/tasks.ts';
import { archiveHubSpotTasks, createHubSpotTasks, HUBSPOT_TASK_PROFILE, readHubSpotTasks } from './tasks.ts';
import { silentLogger } from '../../src/log.ts';
import { describeZodError } from '../../src/model/snapshot.ts';
import { stageStatuses, type MappingSettings, type QueueIds, type StageStatuses } from '../../mappings/hubspot.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type { ApiUsage, Connector, Cursor, ObjectKind, PullOptions, PullPage, ProvisionReport, WriteOutcome, WritePlanForConnector } from '../../src/contract/connector.ts';
import { realSleep, type Sleep } from '../shared/sleep.ts';
import { TokenManager } from './auth.ts';
import { HubSpotCaller } from './client.ts';
import { hubSpotOptionsSchema, type HubSpotOptions, type HubSpotOptionsInput, type HubSpotRuntime } from './options.ts';
import { provisionProperties } from './provision.ts';
import { FullReadAhead, pullStream, readQueueIds, type PullContext } from './pull.ts';
import { pushWrites } from './push.ts';
import { readAccountDetails, readDealPipelines, readProperties, readTokenInfo, type HubSpotTokenInfo } from './reads.ts';
import { readPortalCurrencies, type PortalCurrencies } from './currency.ts';
import { currenciesCover, keepCurrencies, keepStages, keptCurrencies, keptStages, stagesCover } from './lookups.ts';
import { portalConverter, portalRateFingerprint } from '../../mappings/hubspot-money.ts';

export { hubSpotOptionsSchema, hubSpotAuthSchema, type HubSpotOptions, type HubSpotOptionsInput, type HubSpotRuntime } from './options.ts';
export { buildAuthorizeUrl, exchangeCode, HUBSPOT_SCOPES } from './auth.ts';

/**
 * A lookup that rarely changes (lookups.ts): read at most once a connection run, or kept from a
 * stream's cursor less than a day old, and read again at once when a record needs what the
 * kept one lacks. A failed read is not kept: the next call tries again.
 */
class KeptLookup<T> {
  value: Promise<T> | null = null;
  /** The lookup as the cursors keep it; null when it is not to be kept. */
  stamp: string | null = null;
  /** Taken from a cursor rather than read this run. */
  private kept = false;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly keep: (value: T) => string | null,
  ) {}

  get(): Promise<T> {
    if (!this.value) {
      this.kept = false;
      const read = this.read().then((v) => {
        this.stamp = this.keep(v);
        return v;
      });
      read.catch(() => {
        if (this.value === read) this.value = null;
      });
      this.value = read;
    }
    return this.value;
  }

  /** A kept value that does not cover what a record needs is read again. */
  async readAgainUnless(covers: (value: T) => boolean): Promise<void> {
    if (this.value && this.kept && !covers(await this.value)) this.value = null;
  }

  /** The cursor's kept value (`stamp` as the cursor holds it) stands, when none is held yet. */
  adopt(kept: () => T | null, stamp: unknown): void {
    if (this.value) return;
    const value = kept();
    if (value === null) return;
    this.value = Promise.resolve(value);
    this.stamp = String(stamp);
    this.kept = true;
  }

  forget(): void {
    this.value = null;
  }
}

const ORDER: ObjectKind[] = ['users', 'products', 'accounts', 'contacts', 'opportunities', 'lineItems', 'contactRoles'];

/** Parses connector options, with an error that names each wrong setting (never its value). */
export function parseHubSpotOptions(input: unknown): HubSpotOptions {
  const parsed = hubSpotOptionsSchema.safeParse(input);
  if (!parsed.success) throw new CrmError('config', `invalid HubSpot connector options: ${describeZodError(parsed.error)}`, { crm: 'hubspot' });
  return parsed.data;
}

export class HubSpotConnector implements Connector, TaskConnector {
  readonly kind = 'hubspot' as const;
  readonly taskProfile = HUBSPOT_TASK_PROFILE;
  readonly options: HubSpotOptions;
  private readonly caller: HubSpotCaller;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly settings: MappingSettings;
  /** The portal's currencies: read once a connection run, or kept from a money stream's cursor. */
  private readonly portal: KeptLookup<PortalCurrencies>;
  /** The currency fallback is a data issue of the run: reported once, with the first page after it. */
  private currencyIssueReported = false;
  /** The deal pipelines' stages: read once a connection run, or kept from the deals stream's cursor. */
  private readonly stages: KeptLookup<StageStatuses>;
  private readonly sleep: Sleep;
  /** Owners that are queues, as the owners stream of this connection's current run found them. */
  private queueIds: Promise<QueueIds> | null = null;
  private noted: QueueIds = new Set();
  private readonly tokens: TokenManager;
  /** The owner ids the users stream's cursor kept (owners not read this run), or null. */
  private cachedOwners: ReadonlySet<string> | null = null;
  /** The deals of this run's complete full deals pull, until the contact roles take them. */
  private dealIds: readonly string[] | null = null;
  /** Streams to pull again in full before the run goes on (see pullAgain). */
  private stale = new Set<ObjectKind>();
  /** Later streams' full pulls read while earlier streams are pulled (PullOptions.readAhead). */
  private readonly readAhead = new FullReadAhead();

  constructor(options: HubSpotOptionsInput, runtime: HubSpotRuntime = {}) {
    this.options = parseHubSpotOptions(options);
    this.log = runtime.logger ?? silentLogger;
    this.now = runtime.now ?? Date.now;
    const sleep = runtime.sleep ?? realSleep;
    this.sleep = sleep;
    let caller: HubSpotCaller | null = null;
    const tokens = new TokenManager(this.options.auth, {
      basePath: this.options.baseUrl,
      refreshAheadMs: this.options.refreshAheadMs,
      onTokens: runtime.onTokens,
      logger: this.log,
      now: this.now,
      count: (kind) => caller?.count(kind),
      retries: this.options.retry.retries,
      minDelayMs: this.options.retry.minDelayMs,
      sleep,
    });
    this.tokens = tokens;
    caller = new HubSpotCaller({ options: this.options, tokens, logger: this.log, now: this.now, sleep, searchLimiter: runtime.searchLimiter });
    this.caller = caller;
    const o = this.options;
    this.settings = {
      keyProperty: o.keyProperty,
      productFamilyProperty: o.productFamilyProperty,
      lineItemCostProperty: o.lineItemCostProperty,
      lineItemCostPer: o.lineItemCostPer,
      referenceableProperty: o.referenceableProperty,
      contactActiveProperty: o.contactActiveProperty,
      extraCompanyProperties: o.extraCompanyProperties,
    };
    this.portal = new KeptLookup(() => readPortalCurrencies(this.caller, this.options.currency, this.log), (p) => keepCurrencies(p, this.now()));
    this.stages = new KeptLookup(() => readDealPipelines(this.caller).then(stageStatuses), (st) => keepStages(st, this.now()));
  }

  /** The portal's company currency: every amount is converted into it. */
  async currency(): Promise<string> {
    return (await this.currencies()).company;
  }

  private currencies(): Promise<PortalCurrencies> {
    return this.portal.get();
  }

  /** Adds the currency fallback, once per connection run, to the issues of a page. */
  private async withCurrencyIssue(page: PullPage): Promise<PullPage> {
    if (this.currencyIssueReported || !this.portal.value) return page;
    const info = await this.portal.value;
    if (!info.fallback) return page;
    this.currencyIssueReported = true;
    return { ...page, issues: [...page.issues, { object: page.object, recordId: null, kind: 'currency-fallback', message: info.fallback }] };
  }

  /** Streams a record of a later stream showed out of date (an owner not seen): pull them again in full now. */
  pullAgain(): ObjectKind[] {
    const out = [...this.stale];
    this.stale.clear();
    return out;
  }

  async *pull(options: PullOptions): AsyncIterable<PullPage> {
    // Stage metadata can change between runs: read once, or kept from the deals' cursor, for a day at most.
    if (this.stages.stamp !== null && !(keptStages({ stages: this.stages.stamp }, this.now()))) this.stages.forget();
    const ctx: PullContext = {
      caller: this.caller,
      options: this.options,
      settings: this.settings,
      now: this.now,
      mirror: options.mirror,
      noteDealIds: (ids) => {
        this.dealIds = ids;
      },
      takeDealIds: () => {
        const ids = this.dealIds;
        this.dealIds = null;
        return ids;
      },
      stages: async (deals) => {
        if (deals) await this.stages.readAgainUnless((st) => stagesCover(st, deals));
        return this.stages.get();
      },
      queues: () => {
        if (!this.queueIds) {
          const read = readQueueIds({ caller: this.caller, options: this.options });
          // A failed read is not kept: the next stream tries again.
          read.catch(() => {
            if (this.queueIds === read) this.queueIds = null;
          });
          this.queueIds = read;
        }
        return this.queueIds;
      },
      noteQueues: (queues) => {
        this.noted = queues;
        this.queueIds = Promise.resolve(queues);
      },
      knownQueues: () => this.noted,
      cachedOwners: () => this.cachedOwners,
      noteOwners: (ids) => {
        this.cachedOwners = ids;
      },
      ownersStale: () => {
        // Queues matter for the deals' owners now: read them again; the users stream follows.
        this.cachedOwners = null;
        this.queueIds = null;
        this.stale.add('users');
      },
      money: async (records) => {
        if (records) await this.portal.readAgainUnless((p) => currenciesCover(p, records.type, records.objects));
        const p = await this.currencies();
        return { company: p.company, convert: portalConverter(p), fingerprint: portalRateFingerprint(p), multi: p.rates.size > 0 };
      },
    };
    const wanted = options.objects ?? ORDER;
    ctx.readAhead = this.readAhead;
    this.readAhead.plan(options.readAhead ?? [], wanted, options.mode, ctx);
    for (const kind of ORDER.filter((k) => wanted.includes(k))) {
      this.log.info({ object: kind, mode: options.mode }, 'hubspot pull');
      const saved = options.cursors[kind];
      if (options.mode === 'incremental') this.adoptKeptLookups(kind, saved);
      for await (const page of pullStream(kind, options.mode, saved, ctx)) yield await this.withCurrencyIssue(this.withLookups(kind, page));
    }
  }

  /** Lookups a stream's cursor kept less than a day ago stand for this run, with no call. */
  private adoptKeptLookups(kind: ObjectKind, saved: Cursor | undefined): void {
    if (kind === 'opportunities') this.stages.adopt(() => keptStages(saved, this.now()), saved?.['stages']);
    if (kind === 'opportunities' || kind === 'lineItems') this.portal.adopt(() => keptCurrencies(saved, this.now()), saved?.['currencies']);
  }

  /** The deals and line items streams' cursors keep the lookups their records were mapped with. */
  private withLookups(kind: ObjectKind, page: PullPage): PullPage {
    const extra: Cursor = {};
    if (kind === 'opportunities' && this.stages.stamp !== null && this.stages.value) extra['stages'] = this.stages.stamp;
    if ((kind === 'opportunities' || kind === 'lineItems') && this.portal.stamp !== null && this.portal.value) extra['currencies'] = this.portal.stamp;
    return Object.keys(extra).length > 0 && Object.keys(page.cursor).length > 0 ? { ...page, cursor: { ...page.cursor, ...extra } } : page;
  }

  provision(): Promise<ProvisionReport> {
    return provisionProperties(this.caller);
  }

  createTasks(tasks: readonly CrmTaskInput[]): Promise<CrmTaskOutcome[]> {
    return createHubSpotTasks(this.caller, tasks);
  }

  readTasks(taskIds: readonly string[]): Promise<CrmTaskState[]> {
    return readHubSpotTasks(this.caller, taskIds);
  }

  removeTasks(taskIds: readonly string[]): Promise<CrmTaskRemoval[]> {
    return archiveHubSpotTasks(this.caller, taskIds);
  }

  push(plan: WritePlanForConnector): Promise<WriteOutcome[]> {
    return pushWrites(
      this.caller,
      plan,
      {
        batchSize: this.options.pageSizes.update, syncTargetAccountFromTier: this.options.syncTargetAccountFromTier,
        retry: this.options.retry, sleep: this.sleep,
      },
      this.log,
    );
  }

  usage(): ApiUsage {
    return this.caller.usage();
  }

  /** The portal the connection's access token belongs to, and the scopes it carries. */
  tokenInfo(accessToken: string): Promise<HubSpotTokenInfo> {
    return readTokenInfo(this.caller, accessToken);
  }

  /**
   * The portal the credentials reach, with one identity call: an OAuth connection asks for its
   * access token's information (portal, domain, granted scopes; a refresh first when the token
   * is expired or not there yet); a private-app token asks for the account details (portal).
   */
  async identity(): Promise<{ portalId: string; domain: string | null; scopes: string[] | null }> {
    if (this.tokens.canRefresh) {
      const info = await readTokenInfo(this.caller, await this.tokens.accessToken());
      return { portalId: info.hub_id, domain: info.hub_domain ?? null, scopes: info.scopes };
    }
    const details = await readAccountDetails(this.caller);
    return { portalId: details.portalId, domain: details.uiDomain ?? null, scopes: null };
  }

  /** An object's properties, read live. */
  describeObject(objectType: string): Promise<{ name: string; label: string; type: string }[]> {
    return readProperties(this.caller, objectType);
  }

  /** Last daily allowance left as the portal reported it (private apps only), or null. */
  dailyRemaining(): number | null {
    return this.caller.dailyRemaining;
  }

  dailyAllowance(): { used: number; max: number } | null {
    const { dailyRemaining: remaining, dailyMax: max } = this.caller;
    return remaining !== null && max !== null ? { used: Math.max(0, max - remaining), max } : null;
  }
}
