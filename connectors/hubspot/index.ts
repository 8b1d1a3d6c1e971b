import type { Logger } from '../../src/log.ts';
import { silentLogger } from '../../src/log.ts';
import { describeZodError } from '../../src/model/snapshot.ts';
import { stageStatuses, type MappingSettings, type StageStatuses } from '../../mappings/hubspot.ts';
import { CrmError, isCrmError } from '../../src/contract/errors.ts';
import type { ApiUsage, Connector, ObjectKind, PullOptions, PullPage, ProvisionReport, WriteOutcome, WritePlanForConnector } from '../../src/contract/connector.ts';
import { realSleep, type Sleep } from '../shared/sleep.ts';
import { TokenManager } from './auth.ts';
import { HubSpotCaller } from './client.ts';
import { hubSpotOptionsSchema, type HubSpotOptions, type HubSpotOptionsInput, type HubSpotRuntime } from './options.ts';
import { provisionProperties } from './provision.ts';
import { pullStream, type PullContext } from './pull.ts';
import { pushWrites } from './push.ts';
import { readCompanyCurrency, readDealPipelines, readTokenInfo, type HubSpotTokenInfo } from './reads.ts';

export { hubSpotOptionsSchema, hubSpotAuthSchema, type HubSpotOptions, type HubSpotOptionsInput, type HubSpotRuntime } from './options.ts';
export { buildAuthorizeUrl, exchangeCode, HUBSPOT_SCOPES } from './auth.ts';

const ORDER: ObjectKind[] = ['users', 'products', 'accounts', 'contacts', 'opportunities', 'lineItems'];

/** Parses connector options, with an error that names each wrong setting (never its value). */
export function parseHubSpotOptions(input: unknown): HubSpotOptions {
  const parsed = hubSpotOptionsSchema.safeParse(input);
  if (!parsed.success) throw new CrmError('config', `invalid HubSpot connector options: ${describeZodError(parsed.error)}`, { crm: 'hubspot' });
  return parsed.data;
}

export class HubSpotConnector implements Connector {
  readonly kind = 'hubspot' as const;
  readonly options: HubSpotOptions;
  private readonly caller: HubSpotCaller;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly settings: MappingSettings;
  private currencyCode: string | null;
  private stagesCache: Promise<StageStatuses> | null = null;
  private readonly sleep: Sleep;

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
    caller = new HubSpotCaller({ options: this.options, tokens, logger: this.log, now: this.now, sleep });
    this.caller = caller;
    this.currencyCode = this.options.currency ?? null;
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
  }

  /** The portal's company currency: deal amounts are read in it (amount_in_home_currency). */
  async currency(): Promise<string> {
    if (this.currencyCode) return this.currencyCode;
    try {
      this.currencyCode = await readCompanyCurrency(this.caller);
    } catch (e) {
      if (!isCrmError(e) || e.kind === 'api-limit' || e.kind === 'auth') throw e;
      this.log.warn({ err: e.message }, 'hubspot account details unreadable');
    }
    if (!this.currencyCode) {
      throw new CrmError('config', 'HubSpot company currency unknown: the account details could not be read; set the connector option "currency"', { crm: 'hubspot' });
    }
    return this.currencyCode;
  }

  async *pull(options: PullOptions): AsyncIterable<PullPage> {
    // Stage metadata can change between runs; read it once per pull.
    this.stagesCache = null;
    const ctx: PullContext = {
      caller: this.caller,
      options: this.options,
      settings: this.settings,
      now: this.now,
      stages: () => (this.stagesCache ??= readDealPipelines(this.caller).then(stageStatuses)),
    };
    const wanted = options.objects ?? ORDER;
    for (const kind of ORDER.filter((k) => wanted.includes(k))) {
      this.log.info({ object: kind, mode: options.mode }, 'hubspot pull');
      yield* pullStream(kind, options.mode, options.cursors[kind], ctx);
    }
  }

  provision(): Promise<ProvisionReport> {
    return provisionProperties(this.caller);
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

  /** Last daily allowance left as the portal reported it (private apps only), or null. */
  dailyRemaining(): number | null {
    return this.caller.dailyRemaining;
  }

  dailyAllowance(): { used: number; max: number } | null {
    const { dailyRemaining: remaining, dailyMax: max } = this.caller;
    return remaining !== null && max !== null ? { used: Math.max(0, max - remaining), max } : null;
  }
}
