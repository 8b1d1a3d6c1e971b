import { BadInputError } from '../../../src/contract/errors.ts';
import { SOURCES } from '../../../connectors/registry.ts';
import { receiveWebhook } from '../../../src/console/webhooks.ts';
import type {
  BeginInstallRequest, BeginInstallResult, ChangedRecord, CompleteInstallRequest, CompleteInstallResult, ConfigForm, ConfigValues,
  ConnectionHealth, ConsoleBackend, FamilySummary, FamilyView, FieldError, PortfolioView,
  PreviewResult, Readiness, RunDetail, RunRequest, RunSummary, SaveResult, SourceSummary, StartRunResult, WebhookRequest, WebhookResult,
} from '../../../src/server/backend.ts';
import { FamilyMatrix } from '../../../src/model/matrix.ts';

export const WEBHOOK_SECRET = 'hubspot-client-secret-for-tests';

/** What the backend marked for one account of a webhook. */
export interface MarkedRequest {
  crm: string;
  accountId: string;
  records: ChangedRecord[];
}

/** An in-memory backend that records every call, for HTTP tests of the server. */
export class FakeBackend implements ConsoleBackend {
  adminHash: string | null = null;
  readinessResult: Readiness = { ok: true, checks: [{ name: 'store', ok: true }] };
  connections: ConnectionHealth[] = [
    {
      id: 'c1', crm: 'salesforce', sourceLabel: 'Salesforce', name: 'Acme <Prod>', location: 'https://acme.my.salesforce.com', status: 'ok',
      lastRun: { id: 'r1', kind: 'sync', status: 'partial', finishedAt: '2026-06-30T02:05:00.000Z' },
      nextRun: '2026-07-01T02:00:00.000Z', apiUsage: { used: 1200, limit: 15000, period: '24h' }, recentErrors: [],
    },
  ];
  config: ConfigForm = {
    version: 3,
    fields: [
      { path: 'criteria.revenueShare.threshold', label: 'Revenue share threshold', group: 'Revenue share', kind: 'number', value: '0.1' },
      { path: 'criteria.revenueShare.weight', label: 'Revenue share weight', group: 'Revenue share', kind: 'integer', value: '30' },
      { path: 'criteria.growth.enabled', label: 'Use growth', group: 'Growth', kind: 'boolean', value: 'true' },
      { path: 'schedule.cron', label: 'Schedule (cron)', group: 'Schedule', kind: 'text', value: '0 2 * * *' },
    ],
  };
  saved: { values: ConfigValues; baseVersion: number }[] = [];
  previews: ConfigValues[] = [];
  runs: RunDetail[] = [
    {
      id: 'r1', kind: 'sync', status: 'partial', trigger: 'schedule', startedAt: '2026-06-30T02:00:00.000Z',
      finishedAt: '2026-06-30T02:05:00.000Z', written: 40, unchanged: 900, failed: 2, error: null, rollbackOf: null, canRollback: true,
      recordErrors: [
        { recordId: '001A', kind: 'bad-data', message: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: <b>Region</b> required' },
        { recordId: '001B', kind: 'transient', message: 'UNABLE_TO_LOCK_ROW' },
      ],
    },
  ];
  started: { connectionId: string; request: RunRequest }[] = [];
  busy = false;
  begun: BeginInstallRequest[] = [];
  /** The params each successful begin answered with (as the source module normalised them). */
  begunParams: Record<string, string>[] = [];
  webhookSecret: string | null = WEBHOOK_SECRET;
  now: () => number = Date.now;
  completed: CompleteInstallRequest[] = [];
  completeResult: CompleteInstallResult = { ok: true, connectionId: 'c2', name: 'New Org' };
  completeThrows = false;
  marked: MarkedRequest[] = [];
  family: FamilyView = sampleFamily();

  async readiness(): Promise<Readiness> {
    return this.readinessResult;
  }
  async getAdminPasswordHash(): Promise<string | null> {
    return this.adminHash;
  }
  async setAdminPasswordHash(hash: string): Promise<void> {
    this.adminHash = hash;
  }
  async listConnections(): Promise<ConnectionHealth[]> {
    return this.connections;
  }
  async getConnection(id: string): Promise<ConnectionHealth | null> {
    return this.connections.find((c) => c.id === id) ?? null;
  }
  async getConfigForm(id: string): Promise<ConfigForm | null> {
    return id === 'c1' ? this.config : null;
  }

  /** The checks the real backend makes with the config's zod schema, in miniature. */
  validate(values: ConfigValues): FieldError[] {
    const errors: FieldError[] = [];
    for (const key of Object.keys(values)) {
      if (!this.config.fields.some((f) => f.path === key)) errors.push({ path: key, message: 'unknown setting' });
    }
    const threshold = Number(values['criteria.revenueShare.threshold']);
    if (!(threshold >= 0 && threshold <= 1)) errors.push({ path: 'criteria.revenueShare.threshold', message: 'must be a number from 0 to 1' });
    const weight = Number(values['criteria.revenueShare.weight']);
    if (!Number.isInteger(weight) || weight < 0) errors.push({ path: 'criteria.revenueShare.weight', message: 'must be a whole number, 0 or more' });
    if ((values['schedule.cron'] ?? '').trim().split(/\s+/).length !== 5) errors.push({ path: 'schedule.cron', message: 'must have 5 cron fields' });
    return errors;
  }

  async previewConfig(_id: string, values: ConfigValues): Promise<PreviewResult> {
    this.previews.push(values);
    const errors = this.validate(values);
    if (errors.length > 0) return { ok: false, errors };
    return {
      ok: true, asOf: '2026-06-30', otherChanges: 1,
      gainingKey: [{ familyId: 'f2', name: 'Globex & Sons', before: 'Develop', after: 'Key', scoreBefore: 55, scoreAfter: 72.5 }],
      losingKey: [],
    };
  }
  async saveConfig(_id: string, values: ConfigValues, baseVersion: number): Promise<SaveResult> {
    const errors = this.validate(values);
    if (baseVersion !== this.config.version) errors.push({ path: '', message: 'the configuration was changed by someone else; reload' });
    if (errors.length > 0) return { ok: false, errors };
    this.saved.push({ values, baseVersion });
    this.config = { ...this.config, version: this.config.version + 1 };
    return { ok: true, version: this.config.version };
  }
  async listRuns(id: string, limit: number): Promise<RunSummary[]> {
    return id === 'c1' ? this.runs.slice(0, limit) : [];
  }
  async getRun(id: string, runId: string): Promise<RunDetail | null> {
    return id === 'c1' ? this.runs.find((r) => r.id === runId) ?? null : null;
  }
  async startRun(connectionId: string, request: RunRequest): Promise<StartRunResult> {
    if (this.busy) return { ok: false, reason: 'busy', message: 'A run is already going for this connection.' };
    if (request.kind === 'rollback' && !this.runs.some((r) => r.id === request.runId)) {
      return { ok: false, reason: 'not-found', message: 'No such run to roll back.' };
    }
    this.started.push({ connectionId, request });
    return { ok: true, runId: 'r1' };
  }
  async listFamilies(id: string): Promise<FamilySummary[] | null> {
    return id === 'c1' ? [{ id: this.family.family.id, name: this.family.family.name, tier: 'Key', score: 85, revenue: 180000, penetration: 0.25 }] : null;
  }
  async getFamily(id: string, familyId: string): Promise<FamilyView | null> {
    return id === 'c1' && familyId === this.family.family.id ? this.family : null;
  }
  portfolio: PortfolioView | null = samplePortfolio();
  async getPortfolio(id: string): Promise<PortfolioView | null> {
    return id === 'c1' ? this.portfolio : null;
  }
  async listSources(): Promise<SourceSummary[]> {
    return [SOURCES.salesforce, SOURCES.hubspot].map((m) => ({ kind: m.kind, label: m.label, installForms: m.install?.startForms ?? [] }));
  }
  async beginInstall(request: BeginInstallRequest): Promise<BeginInstallResult> {
    this.begun.push(request);
    if (request.crm !== 'salesforce' && request.crm !== 'hubspot') return { ok: false, reason: 'unknown-source', message: `No source "${request.crm}".` };
    let params: Record<string, string>;
    try {
      params = SOURCES[request.crm].install?.parseStart(request.params) ?? {};
    } catch (e) {
      if (e instanceof BadInputError) return { ok: false, reason: 'bad-request', message: e.message };
      throw e;
    }
    this.begunParams.push(params);
    const loginHost = params['loginHost'];
    const host = request.crm === 'hubspot' ? 'https://app.hubspot.com/oauth/authorize'
      : loginHost === 'sandbox' ? 'https://test.salesforce.com/services/oauth2/authorize'
      : loginHost === 'production' ? 'https://login.salesforce.com/services/oauth2/authorize'
      : `${loginHost ?? ''}/services/oauth2/authorize`;
    const q = new URLSearchParams({ client_id: 'cid', redirect_uri: request.redirectUri, state: request.state, code_challenge: request.codeChallenge });
    return { ok: true, authorizeUrl: `${host}?${q.toString()}`, params };
  }
  async completeInstall(request: CompleteInstallRequest): Promise<CompleteInstallResult> {
    this.completed.push(request);
    if (this.completeThrows) throw new Error('store exploded with token=abc123');
    return this.completeResult;
  }
  private readonly seen = new Map<string, number>();
  /** The real webhook handling (the HubSpot module's signature and events), marking into `marked`. */
  receiveWebhook(request: WebhookRequest): Promise<WebhookResult> {
    return receiveWebhook({
      sources: [SOURCES.salesforce, SOURCES.hubspot],
      secrets: this.webhookSecret ? { hubspot: this.webhookSecret } : {},
      now: this.now,
      rememberOnce: async (key, expiresAt, now) => {
        for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
        if (this.seen.has(key)) return false;
        this.seen.set(key, expiresAt);
        return true;
      },
      mark: async (source, accountId, records) => {
        this.marked.push({ crm: source.kind, accountId, records });
        return { marked: records.length, unknownAccount: accountId !== '62515' };
      },
    }, request);
  }
}

export function sampleFamily(): FamilyView {
  return {
    asOf: '2026-06-30',
    currency: 'USD',
    names: { contacts: { '003A': 'Dana <Decides>', '003B': 'Ira Influence' }, users: { '005A': 'Olga Owner' }, opportunities: { '006A': 'Services renewal' } },
    entities: [
      { id: 'a1', name: 'Acme Holding', depth: 0, activeContacts: 4, referenceableContacts: 1, coverage: '4 contacts (target 3-5)' },
      { id: 'a2', name: 'Acme <Labs>', depth: 1, activeContacts: 1, referenceableContacts: 0, coverage: '1 contact (target 3-5)' },
    ],
    family: {
      id: 'a1', name: 'Acme Holding', entityIds: ['a1', 'a2'], revenue: 180000, priorRevenue: 150000, revenueShare: 0.18,
      abcClass: 'A', growth: 0.2, penetration: 0.25, whitespaceValue: 48000,
      contacts: { active: 5, referenceable: 1, underCoveredEntities: ['a2'], singleThreadedEntities: ['a2'] },
      tier: 'Key', score: 85,
      criteria: [{ id: 'revenueShare', value: 0.18, threshold: 0.1, direction: 'atLeast', passed: true, weight: 30, sufficient: true, knockout: false }],
      reasons: ['revenueShare 18.0% >= 10.0%: pass', 'would drop below Key under 10% share, now 18.0%'],
      risks: ['single-threaded'],
      lossScenario: { revenueLost: 180000, shareLost: 0.18, hhiAfter: 0.12 },
      matrix: FamilyMatrix.fromCells([
        { entityId: 'a1', offering: 'Hardware', state: 'active', revenue: 150000, lifetimeRevenue: 400000, lastWonDate: '2026-03-01', openAmount: 0, suggestion: null },
        { entityId: 'a1', offering: 'Services', state: 'open', revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 20000, suggestion: null },
        { entityId: 'a2', offering: 'Hardware', state: 'lapsed', revenue: 0, lifetimeRevenue: 30000, lastWonDate: '2024-01-10', openAmount: 0, suggestion: null },
        {
          entityId: 'a2', offering: 'Services', state: 'whitespace', revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 0,
          suggestion: { rule: 'peer', peers: 12, adopters: 7, adoption: 7 / 12, estimatedValue: 48000, reason: '7 of 12 Manufacturing peers (1000-4999 employees) buy Services; est. 48,000/yr' },
        },
        { entityId: 'a1', offering: 'Software', state: 'whitespace', revenue: 0, lifetimeRevenue: 0, lastWonDate: null, openAmount: 0,
          suggestion: { rule: 'sister', peers: 1, adopters: 1, adoption: 1, estimatedValue: 9000, reason: '1 of 1 sister entities buys Software; est. 9,000/yr' } },
        { entityId: 'a2', offering: 'Software', state: 'active', revenue: 9000, lifetimeRevenue: 9000, lastWonDate: '2026-05-01', openAmount: 0, suggestion: null },
      ]),
      relationships: {
        entities: [{ entity: 'a1', decisionMakers: ['003A'], influencers: ['003B'], referenceable: [] }],
        noDecisionMaker: ['a2'], knownContacts: 2, owners: ['005A'], singleOwner: '005A', decisionMakerCoverage: 0.5,
      },
      horizon: {
        thisQuarter: 20000, laterPipeline: 0, laterWhitespace: 57000, later: 57000,
        top: [
          { payoff: 'later', kind: 'whitespace', value: 48000, entity: 'a2', opportunity: null, offering: 'Services', closeDate: null, owner: '005A' },
          { payoff: 'thisQuarter', kind: 'pipeline', value: 20000, entity: 'a1', opportunity: '006A', offering: null, closeDate: '2026-09-15', owner: '005A' },
        ],
      },
    },
  };
}

export function samplePortfolio(): PortfolioView {
  return {
    asOf: '2026-06-30',
    currency: 'USD',
    portfolio: { totalRevenue: 955000, families: 12, top1Share: 0.18, top5Share: 0.62, top10Share: 0.95, hhi: 0.121, keyFamilies: 2 },
    families: [
      { id: 'a1', name: 'Acme Holding', tier: 'Key', revenue: 180000, risks: ['single-threaded', 'concentration'], lossScenario: { revenueLost: 180000, shareLost: 0.18, hhiAfter: 0.1 } },
      { id: 'f2', name: 'Globex & Sons', tier: 'Key', revenue: 150000, risks: [], lossScenario: { revenueLost: 150000, shareLost: 0.15, hhiAfter: 0.105 } },
      ...Array.from({ length: 10 }, (_, i) => ({ id: `f${i + 3}`, name: `Family ${i + 3}`, tier: 'Maintain' as const, revenue: 67000 - i * 1000, risks: i === 0 ? ['declining' as const] : [], lossScenario: null })),
    ],
    drift: [
      { familyId: 'f3', kind: 'marked-but-fails', message: 'marked key in the CRM; score 40.0 is under 70' },
      { familyId: 'f2', kind: 'passes-but-unmarked', message: 'key by the criteria; not marked in the CRM' },
    ],
    worstCase: {
      keyFamilies: [{ families: ['a1', 'f2'], revenueLost: 330000, shareLost: 0.33, hhiAfter: 0.09 }],
      owners: [{ owner: '005A', name: 'Olga <Owner>', families: ['f2'], revenueLost: 150000, shareLost: 0.15, hhiAfter: 0.105 }],
    },
  };
}
