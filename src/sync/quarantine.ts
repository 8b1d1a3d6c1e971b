import { createHash } from 'node:crypto';
import type { FieldValues, WriteOutcome } from '../contract/connector.ts';
import type { OutputFieldKey } from '../model/output-fields.ts';
import type { ConnectionRecord, NewQuarantineEntry, QuarantineEntry, RunIssue, Store } from '../store/types.ts';
import { sameFieldValue, summarize, type HeldWrite, type PlannedAccountWrite, type WritePlan } from './planner.ts';

/**
 * A write the CRM refused for good (a validation rule, a deleted record: `bad-data`) is not
 * sent again run after run. Its account is quarantined, with the CRM's message, and its writes
 * are held back until one of: the record changed in the CRM (its modified stamp moved), the
 * configuration changed, the value to write changed, or the backoff ran out (1 hour, then 4,
 * 16, 64, at most 72 hours between tries). A write that goes through releases it.
 */

const HOUR = 3_600_000;
const MAX_BACKOFF = 72 * HOUR;

/** How long to wait after the `attempts`-th refusal before trying again regardless. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF, HOUR * 4 ** Math.max(0, attempts - 1));
}

/** What the connection's configuration is, for "retry when the config changes". */
export function configKeyOf(connection: Pick<ConnectionRecord, 'options' | 'analysisConfig'>): string {
  return createHash('sha256').update(JSON.stringify({ options: connection.options, analysis: connection.analysisConfig ?? null })).digest('hex').slice(0, 16);
}

/** The values a write tries, leaving out the run's stamp (every run has its own). */
function tried(fields: FieldValues): FieldValues {
  const { kam_updated_at: _stamp, ...rest } = fields;
  return rest;
}

function sameValues(a: FieldValues, b: FieldValues): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const field = k as OutputFieldKey;
    if (!(k in a) || !(k in b) || !sameFieldValue(field, a[field] ?? null, b[field] ?? null)) return false;
  }
  return true;
}

export interface QuarantineState {
  entries: Map<string, QuarantineEntry>;
  stamps: Record<string, string | null>;
  configKey: string;
}

export async function loadQuarantine(store: Store, connection: ConnectionRecord, accountIds: string[]): Promise<QuarantineState> {
  const entries = new Map((await store.listQuarantine(connection.id)).map((e) => [e.accountId, e]));
  const ids = accountIds.filter((id) => entries.has(id));
  return { entries, stamps: await store.recordStamps(connection.id, 'accounts', ids), configKey: configKeyOf(connection) };
}

/**
 * Holds back the writes of quarantined accounts whose reason to be refused still stands, and
 * releases entries that no longer matter (the account needs no write any more, or is gone).
 */
export async function holdQuarantined(store: Store, connectionId: string, plan: WritePlan, state: QuarantineState, now: Date): Promise<WritePlan> {
  if (state.entries.size === 0) return plan;
  const planned = new Set(plan.writes.map((w) => w.accountId));
  const moot = [...state.entries.keys()].filter((id) => !planned.has(id));
  if (moot.length > 0) await store.releaseQuarantine(connectionId, moot);
  const writes: PlannedAccountWrite[] = [];
  const held: HeldWrite[] = [];
  for (const w of plan.writes) {
    const e = state.entries.get(w.accountId);
    const stands = e !== undefined
      && now.toISOString() < e.retryAfter
      && e.configKey === state.configKey
      && (state.stamps[w.accountId] ?? null) === e.recordStamp
      && sameValues(tried(w.fields), e.fields);
    if (!e || !stands) {
      writes.push(w);
      continue;
    }
    held.push({ accountId: w.accountId, code: e.code, message: e.message, since: e.firstFailedAt, retryAfter: e.retryAfter, attempts: e.attempts });
  }
  if (held.length === 0) return plan;
  return { ...plan, writes, held: [...plan.held, ...held], summary: summarize(writes, plan.summary, held.length) };
}

export function heldIssues(held: readonly HeldWrite[]): RunIssue[] {
  return held.map((h) => ({
    stage: 'plan', object: 'accounts', recordId: h.accountId, kind: 'quarantined',
    message: `not sent: the CRM refused this account's write ${h.attempts} time(s) since ${h.since} (${[h.code, h.message].filter((x) => x).join(': ') || 'refused'}); `
      + `tried again after ${h.retryAfter}, or as soon as the record, the configuration or the values to write change`,
  }));
}

/** After a chunk: refused-for-good writes go into quarantine, written ones come out. */
export async function quarantineOutcomes(
  store: Store,
  connectionId: string,
  runId: string,
  items: readonly { accountId: string; fields: FieldValues }[],
  outcomes: readonly WriteOutcome[],
  state: QuarantineState,
  now: Date,
): Promise<void> {
  const byId = new Map(items.map((w) => [w.accountId, w]));
  const refused = outcomes.filter((o) => !o.ok && o.errorKind === 'bad-data').map((o) => o.accountId).filter((id) => !(id in state.stamps));
  if (refused.length > 0) Object.assign(state.stamps, await store.recordStamps(connectionId, 'accounts', refused));
  const entries: NewQuarantineEntry[] = [];
  const released: string[] = [];
  for (const o of outcomes) {
    if (o.ok) {
      if (state.entries.has(o.accountId)) released.push(o.accountId);
      continue;
    }
    const w = byId.get(o.accountId);
    if (o.errorKind !== 'bad-data' || !w) continue;
    const attempts = (state.entries.get(o.accountId)?.attempts ?? 0) + 1;
    entries.push({
      accountId: o.accountId, runId, code: o.code ?? null, message: o.message ?? null, fields: tried(w.fields),
      recordStamp: state.stamps[o.accountId] ?? null, configKey: state.configKey,
      failedAt: now.toISOString(), retryAfter: new Date(now.getTime() + backoffMs(attempts)).toISOString(),
    });
  }
  if (entries.length > 0) await store.quarantine(connectionId, entries);
  if (released.length > 0) await store.releaseQuarantine(connectionId, released);
}
