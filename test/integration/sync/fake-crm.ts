/**
 * An in-memory stand-in for a CRM, implementing the Connector contract for pipeline tests. It
 * is not a model of Salesforce or HubSpot: it keeps records with a modification counter, pages
 * full pulls by id and incremental pulls by that counter, and records every push so tests can
 * assert on calls and on CRM state. Failures are injected through its public fields.
 */
import type {
  AccountWrite, ApiUsage, Connector, Cursor, ObjectKind, ProvisionReport, PullOptions, PullPage, PushBatching, RecordsByKind, WriteOutcome, WritePlanForConnector,
} from '../../../src/contract/connector.ts';
import { CrmError, OutcomeUnknownError } from '../../../src/contract/errors.ts';
import type { Account, Contact, User, Product } from '../../../src/model/snapshot.ts';

interface Stored<K extends ObjectKind> { record: RecordsByKind[K]; stamp: number }
type Tables = { [K in ObjectKind]: Map<string, Stored<K>> };

export class FakeCrm {
  tables: Tables = { users: new Map(), products: new Map(), accounts: new Map(), contacts: new Map(), opportunities: new Map(), lineItems: new Map(), contactRoles: new Map() };
  tombstones: { object: ObjectKind; id: string; stamp: number }[] = [];
  stamp = 0;
  pageSize = 2;
  /** Every push call, in order. */
  pushes: AccountWrite[][] = [];
  /** Each pull call's stream and the later full pulls the engine told it ahead (PullOptions.readAhead). */
  pullCalls: { objects: ObjectKind[]; mode: 'full' | 'incremental'; readAhead: { object: ObjectKind; cursor: Cursor | null }[] }[] = [];
  calls: ApiUsage = {};
  /** The org's daily allowance as the CRM reports it with every answer (null: no reading). */
  allowance: { used: number; max: number } | null = null;
  /** Throw a plain error after serving this many pages in total (simulates a crash mid-pull). */
  failAfterPages: number | null = null;
  pagesServed = 0;
  /** Throw an api-limit error on this push call number (1-based). */
  apiLimitOnPush: number | null = null;
  /** Throw a plain error on this push call number (1-based), after nothing was applied. */
  crashOnPush: number | null = null;
  /** Apply this push call number (1-based), then throw as if the answer never arrived. */
  loseAnswerOnPush: number | null = null;
  /** Apply this push call number (1-based), then throw OutcomeUnknownError (a connection dropped after sending). */
  dropAnswerOnPush: number | null = null;
  /** Called after each page is served (before it is yielded). */
  onPage: (() => void) | null = null;
  /** Accounts whose writes are rejected as bad data. */
  rejectAccounts = new Set<string>();
  /** What the connector answers to pushBatching(total); null: the CRM's batch of 200. */
  preferredPushBatch: ((total: number) => PushBatching) | null = null;

  put<K extends ObjectKind>(object: K, record: RecordsByKind[K]): void {
    (this.tables[object] as Map<string, Stored<K>>).set(record.id, { record, stamp: ++this.stamp });
  }
  remove(object: ObjectKind, id: string): void {
    this.tables[object].delete(id);
    this.tombstones.push({ object, id, stamp: ++this.stamp });
  }
  /** A person edits Kamflow's fields of an account in the CRM: its modification counter moves. */
  editAsPerson(id: string, fields: Account['fields']): void {
    const a = this.account(id);
    this.put('accounts', { ...a, fields: { ...a.fields, ...fields } });
  }
  account(id: string): Account {
    const a = this.tables.accounts.get(id);
    if (!a) throw new Error(`fake CRM has no account ${id}`);
    return a.record;
  }
  count(kind: string): void {
    this.calls[kind] = (this.calls[kind] ?? 0) + 1;
  }

  connector(): Connector {
    return new FakeConnector(this);
  }
}

class FakeConnector implements Connector {
  readonly kind = 'salesforce' as const;
  private readonly usageSince: ApiUsage = {};
  constructor(private readonly crm: FakeCrm) {}

  private count(kind: string): void {
    this.crm.count(kind);
    this.usageSince[kind] = (this.usageSince[kind] ?? 0) + 1;
  }

  async currency(): Promise<string> {
    return 'USD';
  }

  dailyAllowance(): { used: number; max: number } | null {
    return this.crm.allowance;
  }

  async *pull(options: PullOptions): AsyncIterable<PullPage> {
    this.crm.pullCalls.push({ objects: [...(options.objects ?? [])], mode: options.mode, readAhead: [...(options.readAhead ?? [])] });
    for (const object of options.objects ?? []) {
      yield* this.pullObject(object, options.mode, options.cursors[object] ?? null);
    }
  }

  private async *pullObject(object: ObjectKind, mode: 'full' | 'incremental', cursor: Cursor | null): AsyncIterable<PullPage> {
    const crm = this.crm;
    const table = crm.tables[object] as Map<string, Stored<ObjectKind>>;
    if (mode === 'full') {
      const highWater = typeof cursor?.['highWater'] === 'number' ? cursor['highWater'] : crm.stamp;
      let after = typeof cursor?.['after'] === 'string' ? cursor['after'] : '';
      for (;;) {
        const rest = [...table.values()].filter((s) => s.record.id > after).sort((a, b) => (a.record.id < b.record.id ? -1 : 1));
        const page = rest.slice(0, crm.pageSize);
        const last = page.length === rest.length;
        this.serve();
        this.count('query');
        after = page.at(-1)?.record.id ?? after;
        yield {
          object, records: page.map((s) => s.record), deletedIds: [], issues: [],
          cursor: last ? { since: highWater } : { after, highWater }, fullPullComplete: last, recordStamps: stampsOf(page),
        } as PullPage;
        if (last) return;
      }
    }
    let since = typeof cursor?.['since'] === 'number' ? cursor['since'] : 0;
    for (;;) {
      const changed = [...table.values()].filter((s) => s.stamp > since).sort((a, b) => a.stamp - b.stamp).slice(0, crm.pageSize);
      const deleted = crm.tombstones.filter((t) => t.object === object && t.stamp > since);
      this.serve();
      this.count('query');
      const top = Math.max(since, ...changed.map((s) => s.stamp), ...(changed.length < crm.pageSize ? deleted.map((t) => t.stamp) : []));
      const last = changed.length < crm.pageSize;
      yield { object, records: changed.map((s) => s.record), deletedIds: last ? deleted.map((t) => t.id) : [], issues: [], cursor: { since: top }, recordStamps: stampsOf(changed) } as PullPage;
      since = top;
      if (last) return;
    }
  }

  private serve(): void {
    const crm = this.crm;
    if (crm.failAfterPages !== null && crm.pagesServed >= crm.failAfterPages) throw new Error('connection reset (injected)');
    crm.pagesServed++;
    crm.onPage?.();
  }

  async provision(): Promise<ProvisionReport> {
    return { fields: [], steps: [] };
  }

  async push(plan: WritePlanForConnector): Promise<WriteOutcome[]> {
    const crm = this.crm;
    const callNo = crm.pushes.length + 1;
    if (crm.apiLimitOnPush === callNo) {
      crm.apiLimitOnPush = null;
      throw new CrmError('api-limit', 'daily API limit reached (injected)');
    }
    if (crm.crashOnPush === callNo) {
      crm.crashOnPush = null;
      throw new Error('socket hang up (injected)');
    }
    crm.pushes.push(plan.writes.map((w) => ({ accountId: w.accountId, fields: { ...w.fields } })));
    this.count('collectionsUpdate');
    const outcomes: WriteOutcome[] = plan.writes.map((w) => {
      if (crm.rejectAccounts.has(w.accountId)) return { accountId: w.accountId, ok: false, errorKind: 'bad-data', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'rejected (injected)' };
      const a = crm.account(w.accountId);
      crm.put('accounts', { ...a, fields: { ...a.fields, ...w.fields } });
      return { accountId: w.accountId, ok: true };
    });
    if (crm.loseAnswerOnPush === callNo) {
      crm.loseAnswerOnPush = null;
      throw new Error('read ECONNRESET after the request was sent (injected)');
    }
    if (crm.dropAnswerOnPush === callNo) {
      crm.dropAnswerOnPush = null;
      throw new OutcomeUnknownError('the connection dropped after the batch was sent (injected)');
    }
    return outcomes;
  }

  usage(): ApiUsage {
    return { ...this.usageSince };
  }

  pushBatching(total: number): PushBatching {
    return this.crm.preferredPushBatch?.(total) ?? { size: 200, bulk: false };
  }
}

function stampsOf(stored: readonly { record: { id: string }; stamp: number }[]): Record<string, string> {
  return Object.fromEntries(stored.map((s) => [s.record.id, `stamp-${s.stamp}`]));
}

export function account(id: string, parentId: string | null = null): Account {
  return { id, name: `Account ${id}`, parentId, industry: null, employees: null, annualRevenue: null, country: null, ownerId: null, markedKey: null, fields: {}, extra: {} };
}
export function contact(id: string, accountId: string): Contact {
  return { id, accountId, name: id, email: null, title: null, active: true, referenceable: false };
}
export function user(id: string): User {
  return { id, name: id, active: true };
}
export function product(id: string): Product {
  return { id, name: id, family: null, active: true };
}
export function wonOpp(id: string, accountId: string, amount: number): RecordsByKind['opportunities'] {
  return { id, accountId, name: id, status: 'won', amount, closeDate: '2026-03-01', ownerId: null };
}
