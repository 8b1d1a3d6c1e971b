import { z } from 'zod';
import { describeZodError } from '../../src/model/snapshot.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import type { ApiUsage, Connector, Cursor, ObjectKind, PullOptions, PullPage, ProvisionReport, PushBatching, PushHooks, RunStatusRecord, SettleReport, WriteOutcome, WritePlanForConnector } from '../../src/contract/connector.ts';
import { CrmError } from '../../src/contract/errors.ts';
import type { Sleep } from '../shared/sleep.ts';
import { TokenRefresher } from './auth.ts';
import { SalesforceClient, stopError } from './client.ts';
import { salesforceOptionsSchema, type SalesforceOptions, type SalesforceOptionsInput } from './options.ts';
import { describeFields, detectCurrency, type CurrencyInfo, type DescribeField } from './org.ts';
import { provisionAccountFields } from './provision.ts';
import { upsertRunStatus } from './run-object.ts';
import { pullStream, type PullContext } from './pull.ts';
import { MONEY_STREAMS } from './pull-plan.ts';
import { OPTIONAL_STREAMS, skippedStreamPage, unreadableAnswer } from './optional-streams.ts';
import { SOBJECT_BY_KIND } from '../../mappings/salesforce.ts';
import { keepCurrency, keptCurrency, UnknownCurrencyError } from './currency-cache.ts';
import { pushWrites } from './push.ts';
import { settleIngestJobs } from './settle.ts';
import { createSalesforceTasks, deleteSalesforceTasks, readSalesforceTasks, SALESFORCE_TASK_PROFILE } from './tasks.ts';
import type { CrmTaskInput, CrmTaskOutcome, CrmTaskRemoval, CrmTaskState, TaskConnector } from '../../src/contract/tasks.ts';

export { salesforceOptionsSchema, type SalesforceOptions, type SalesforceOptionsInput } from './options.ts';
export { buildAuthorizeUrl, createPkcePair, createState, exchangeCode, pkceChallenge, type OAuthAppSettings } from './auth.ts';

/** sObject Collections take at most 200 records a call. */
const COLLECTION_MAX = 200;
/** Rows per Bulk API 2.0 ingest job Kamflow sends. */
const BULK_INGEST_ROWS = 50_000;

const ALL_OBJECTS: ObjectKind[] = ['users', 'products', 'accounts', 'contacts', 'opportunities', 'lineItems', 'contactRoles'];

/** Kamflow's connection to one Salesforce org. */
export class SalesforceConnector implements Connector, TaskConnector {
  readonly kind = 'salesforce' as const;
  readonly taskProfile = SALESFORCE_TASK_PROFILE;
  readonly options: SalesforceOptions;
  private readonly client: SalesforceClient;
  private readonly logger: Logger;
  private readonly now: () => number;
  private currencyInfo: Promise<CurrencyInfo> | null = null;
  /** The setup in use as money streams' cursors keep it (currency-cache.ts), and whether it was kept rather than read this run. */
  private currencyStamp: string | null = null;
  private currencyWasKept = false;
  /** The currency fallback is a data issue of the run: reported once, with the first page after it. */
  private currencyIssueReported = false;
  private accountDescribe: Promise<Map<string, DescribeField>> | null = null;

  /** Throws CrmError('config') naming each bad option. */
  constructor(input: SalesforceOptionsInput, deps: { now?: () => number; sleep?: Sleep } = {}) {
    const parsed = salesforceOptionsSchema.safeParse(input);
    if (!parsed.success) throw new CrmError('config', `invalid Salesforce options: ${describeZodError(parsed.error)}`, { crm: 'salesforce' });
    this.options = parsed.data;
    this.logger = (this.options.logger ?? silentLogger).child({ crm: 'salesforce' });
    this.now = deps.now ?? Date.now;
    const o = this.options;
    const refresher =
      o.refreshToken && o.clientId
        ? new TokenRefresher({ loginUrl: o.loginUrl, clientId: o.clientId, clientSecret: o.clientSecret }, o.refreshToken, o.onTokens, this.logger)
        : undefined;
    this.client = new SalesforceClient({
      instanceUrl: o.instanceUrl,
      accessToken: o.accessToken,
      apiVersion: o.apiVersion,
      apiReserve: o.apiReserve,
      retry: o.retry,
      refresher,
      logger: this.logger,
      sleep: deps.sleep,
    });
  }

  currency(): Promise<string> {
    return this.currencySetup().then((c) => c.corporate);
  }

  private currencySetup(): Promise<CurrencyInfo> {
    if (!this.currencyInfo) {
      const read = detectCurrency(this.client, this.options.currency, this.logger).then((info) => {
        this.currencyStamp = keepCurrency(info, this.now());
        return info;
      });
      this.currencyWasKept = false;
      this.currencyInfo = read;
      read.catch(() => {
        if (this.currencyInfo === read) this.currencyInfo = null;
      });
    }
    return this.currencyInfo;
  }

  private accountFields(): Promise<Map<string, DescribeField>> {
    if (!this.accountDescribe) {
      this.accountDescribe = describeFields(this.client, 'Account');
      this.accountDescribe.catch(() => {
        this.accountDescribe = null;
      });
    }
    return this.accountDescribe;
  }

  async *pull(options: PullOptions): AsyncIterable<PullPage> {
    const ctx: PullContext = {
      client: this.client,
      options: this.options,
      currency: () => this.currencySetup(),
      currencyKept: () => this.currencyWasKept,
      accountFields: () => this.accountFields(),
      now: this.now,
      logger: this.logger,
    };
    const wanted = options.objects ?? ALL_OBJECTS;
    for (const kind of ALL_OBJECTS.filter((k) => wanted.includes(k))) {
      const saved = options.cursors[kind];
      const money = MONEY_STREAMS.has(kind);
      if (money && !this.currencyInfo && options.mode === 'incremental') this.adoptKeptCurrency(saved);
      // The stream's cursor as last handed out: where a skipped stream stays.
      let cursor: Cursor | undefined = saved;
      for (let attempt = 0; ; attempt++) {
        try {
          for await (const page of pullStream(ctx, kind, options.mode, saved)) {
            const stamped = money && this.currencyStamp !== null ? { ...page, cursor: { ...page.cursor, currency: this.currencyStamp } } : page;
            cursor = stamped.cursor;
            yield await this.withCurrencyIssue(stamped);
          }
          break;
        } catch (e) {
          const unreadable = OPTIONAL_STREAMS.has(kind) ? unreadableAnswer(e) : null;
          if (unreadable) {
            this.logger.warn({ object: kind, sobject: SOBJECT_BY_KIND[kind], status: unreadable.status, code: unreadable.code }, `the integration user cannot read ${SOBJECT_BY_KIND[kind]}: ${kind} skipped this run, the other streams go on`);
            yield skippedStreamPage(kind, unreadable, cursor);
            break;
          }
          if (e instanceof UnknownCurrencyError && attempt === 0) {
            // The kept rates are a day old at most, but lack this currency: read them now, pull the stream again.
            this.logger.info({ object: kind, currency: e.code }, "a record's currency has no kept rate: reading the org's currencies again");
            this.currencyInfo = null;
            await this.currencySetup();
            continue;
          }
          throw stopError(`${kind} pull`, e);
        }
      }
    }
  }

  /** Takes the currency setup a money stream's cursor kept, when it is less than a day old (no call). */
  private adoptKeptCurrency(saved: Cursor | undefined): void {
    const kept = keptCurrency(saved, this.now());
    if (!kept) return;
    this.currencyInfo = Promise.resolve(kept);
    this.currencyStamp = typeof saved?.['currency'] === 'string' ? saved['currency'] : null;
    this.currencyWasKept = true;
  }

  /** Adds the currency fallback, once per connection run, to the issues of a page. */
  private async withCurrencyIssue(page: PullPage): Promise<PullPage> {
    if (this.currencyIssueReported || !this.currencyInfo) return page;
    const info = await this.currencyInfo;
    if (!info.fallback) return page;
    this.currencyIssueReported = true;
    return { ...page, issues: [...page.issues, { object: page.object, recordId: null, kind: 'currency-fallback', message: info.fallback }] };
  }

  async provision(): Promise<ProvisionReport> {
    const report = await provisionAccountFields(this.client, this.logger, this.options.pageLayouts);
    // Fields created or granted just now change what the next pull may select.
    this.accountDescribe = null;
    return report;
  }

  push(plan: WritePlanForConnector, hooks?: PushHooks): Promise<WriteOutcome[]> {
    return pushWrites({ client: this.client, options: this.options, logger: this.logger }, plan, hooks);
  }

  async createTasks(tasks: readonly CrmTaskInput[]): Promise<CrmTaskOutcome[]> {
    try {
      return await createSalesforceTasks(this.client, tasks);
    } catch (e) {
      throw stopError('tasks', e);
    }
  }

  async readTasks(taskIds: readonly string[]): Promise<CrmTaskState[]> {
    try {
      return await readSalesforceTasks(this.client, taskIds);
    } catch (e) {
      throw stopError('reading tasks', e);
    }
  }

  async removeTasks(taskIds: readonly string[]): Promise<CrmTaskRemoval[]> {
    try {
      return await deleteSalesforceTasks(this.client, taskIds);
    } catch (e) {
      throw stopError('deleting tasks', e);
    }
  }

  async settleWrites(knownJobs: string[]): Promise<SettleReport> {
    try {
      return await settleIngestJobs(this.client, knownJobs, this.options.bulkPoll, this.logger);
    } catch (e) {
      throw stopError('settling bulk jobs', e);
    }
  }

  usage(): ApiUsage {
    return this.client.usage();
  }

  async recordRunStatus(status: RunStatusRecord): Promise<void> {
    try {
      await upsertRunStatus(this.client, status);
    } catch (e) {
      throw stopError('run status', e);
    }
  }

  /**
   * A plan past the bulk threshold goes out as Bulk API 2.0 ingest jobs of up to
   * BULK_INGEST_ROWS rows (one job's upload stays well under the 100 MB CSV limit even with
   * long reasons); smaller plans as sObject Collections calls of 200.
   */
  pushBatching(total: number): PushBatching {
    return total > this.options.bulkWriteThreshold
      ? { size: Math.min(total, BULK_INGEST_ROWS), bulk: true }
      : { size: COLLECTION_MAX, bulk: false };
  }

  /**
   * Asks the org for its daily allowance (`/limits`), so a run can check its reserve before it
   * starts; the client's reserve check uses the answer from then on.
   */
  async dailyLimit(): Promise<{ max: number; remaining: number }> {
    try {
      const res = await this.client.json(
        'limits',
        { method: 'GET', path: `${this.client.versionPath}/limits` },
        z.object({ DailyApiRequests: z.object({ Max: z.number(), Remaining: z.number() }) }),
      );
      const { Max: max, Remaining: remaining } = res.DailyApiRequests;
      this.client.noteLimit(max - remaining, max);
      return { max, remaining };
    } catch (e) {
      throw stopError('limits', e);
    }
  }

  /**
   * The org the session belongs to: one query of the documented Organization fields Id and
   * Name (a REST call, so it needs the `api` scope the syncs need).
   */
  async organization(): Promise<{ id: string; name: string }> {
    try {
      const res = await this.client.json(
        'query',
        { method: 'GET', path: `${this.client.versionPath}/query?q=${encodeURIComponent('SELECT Id, Name FROM Organization')}` },
        z.object({ records: z.array(z.object({ Id: z.string().regex(/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/), Name: z.string() })).length(1) }),
      );
      const org = res.records[0];
      if (!org) throw new CrmError('bad-response', 'Salesforce answered the Organization query without the org', { crm: 'salesforce' });
      return { id: org.Id.slice(0, 15), name: org.Name };
    } catch (e) {
      throw stopError('query Organization', e);
    }
  }

  /** The fields of one object the integration user can see, read live (describe). */
  async describeObject(sobject: string): Promise<{ name: string; label: string; type: string }[]> {
    const fields = await describeFields(this.client, sobject);
    return [...fields.values()].map((f) => ({ name: f.name, label: f.label ?? f.name, type: f.type }));
  }

  /** The instance URL the session uses (the token response's, after a refresh). */
  instanceUrl(): string {
    return this.client.instanceUrl;
  }

  /** The org's daily API allowance as last reported (`Sforce-Limit-Info`). */
  apiLimit(): { used: number; max: number } | null {
    return this.client.apiLimit();
  }

  dailyAllowance(): { used: number; max: number } | null {
    return this.client.apiLimit();
  }
}
