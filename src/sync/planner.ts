import type { AccountWrite, FieldValues, PushBatching, SourceProfile } from '../contract/connector.ts';
import type { Account } from '../model/snapshot.ts';
import type { AnalysisResult } from '../model/insights.ts';
import { OUTPUT_FIELDS, type OutputFieldKey, type OutputFieldSpec } from '../model/output-fields.ts';
import type { FieldConflict } from '../store/types.ts';

/**
 * The write planner: pure. For each account, the Kamflow fields whose new value differs from
 * what the CRM holds now (the mirror's account.fields). The plan is also the dry run.
 */

export type FieldValue = string | number | boolean | null;

export interface FieldChange {
  field: OutputFieldKey;
  from: FieldValue;
  to: FieldValue;
}

export interface PlannedAccountWrite extends AccountWrite {
  /** What the CRM held for each written field, for the dry run and for rollback. */
  previous: FieldValues;
  changes: FieldChange[];
}

/** A text value longer than its field, cut to fit (a data issue of the run). */
export interface Truncation {
  accountId: string;
  field: OutputFieldKey;
  /** Characters of the computed value and of the field. */
  length: number;
  limit: number;
}

/** A planned write held back because an earlier write of the account was refused for good. */
export interface HeldWrite {
  accountId: string;
  code: string | null;
  message: string | null;
  since: string;
  retryAfter: string;
  attempts: number;
}

export interface WritePlan {
  writes: PlannedAccountWrite[];
  /** Fields someone else changed since Kamflow wrote them, or (a rollback) that no longer hold what the run wrote. */
  conflicts: FieldConflict[];
  /** Writes held back by the quarantine. */
  held: HeldWrite[];
  /** Text values cut to their field's length. */
  truncated: Truncation[];
  summary: {
    accounts: number;
    changedAccounts: number;
    unchangedAccounts: number;
    changedFields: number;
    /** Planned accounts the mirror does not hold (left out: Kamflow only updates what it pulled). */
    unknownAccounts: string[];
    byField: Partial<Record<OutputFieldKey, number>>;
  };
}

export interface DesiredAccountFields {
  accountId: string;
  fields: FieldValues;
}

export interface PlanOptions {
  /**
   * The run's time (ISO): written to kam_updated_at on accounts where another field changes.
   * null leaves kam_updated_at to the desired values (rollback restores it like any field).
   */
  updatedAt: string | null;
}

const SPECS = new Map<OutputFieldKey, OutputFieldSpec>(OUTPUT_FIELDS.map((f) => [f.key, f]));
const NUMERIC = new Set(['number', 'percent', 'currency']);

function roundHalfUp(value: number, scale: number): number {
  const factor = 10 ** scale;
  // The epsilon keeps 1.005 at scale 2 from rounding down through binary representation.
  const scaled = Math.abs(value) * factor * (1 + Number.EPSILON * 4);
  return (Math.sign(value) * Math.round(scaled)) / factor;
}

function asNumber(v: FieldValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function asBoolean(v: FieldValue | undefined): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}

/** What ends a text cut to fit its field. */
export const CUT_MARKER = '…';

/**
 * A text longer than `limit` characters, cut at the last word boundary that leaves room for the
 * marker (or mid-word when a single word is that long), never splitting a surrogate pair.
 */
export function cutText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const room = Math.max(0, limit - CUT_MARKER.length);
  let end = room;
  const space = text.lastIndexOf(' ', room);
  const breakAt = Math.max(space, text.lastIndexOf('\n', room));
  // A boundary in the last half keeps most of the text; otherwise cut the long word.
  if (breakAt > room / 2) end = breakAt;
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}${CUT_MARKER}`;
}

/** The value as it would be sent: numbers rounded to the field's scale, texts cut to its length. */
export function normalizeForField(field: OutputFieldKey, value: FieldValue): FieldValue {
  const spec = SPECS.get(field);
  if (!spec || value === null) return value;
  if (NUMERIC.has(spec.type) && typeof value === 'number') return spec.scale === undefined ? value : roundHalfUp(value, spec.scale);
  if ((spec.type === 'text' || spec.type === 'longtext') && typeof value === 'string' && spec.length !== undefined) return cutText(value, spec.length);
  return value;
}

/**
 * True when the CRM's current value already equals the desired one: numbers at the field's
 * scale, booleans and texts exactly. An empty text equals null, because CRMs store a cleared
 * text as either and a write of one would come back as the other on every pull.
 */
export function sameFieldValue(field: OutputFieldKey, current: FieldValue | undefined, desired: FieldValue): boolean {
  const spec = SPECS.get(field);
  const cur = current === undefined ? null : current;
  if (spec && NUMERIC.has(spec.type)) {
    const a = asNumber(cur);
    const b = asNumber(desired);
    if (a === null || b === null) return a === b;
    const scale = spec.scale ?? 0;
    return roundHalfUp(a, scale) === roundHalfUp(b, scale);
  }
  if (spec?.type === 'checkbox') return asBoolean(cur) === asBoolean(desired);
  if (spec?.type === 'datetime') {
    const a = typeof cur === 'string' ? Date.parse(cur) : NaN;
    const b = typeof desired === 'string' ? Date.parse(desired) : NaN;
    if (Number.isNaN(a) || Number.isNaN(b)) return cur === desired;
    return a === b;
  }
  const a = cur === '' ? null : cur;
  const b = desired === '' ? null : desired;
  return a === b;
}

/** Plans field changes from desired values against the mirror's accounts. */
export function planFieldChanges(
  desired: readonly DesiredAccountFields[],
  mirrorAccounts: readonly Pick<Account, 'id' | 'fields'>[],
  options: PlanOptions,
): WritePlan {
  const current = new Map(mirrorAccounts.map((a) => [a.id, a.fields]));
  const writes: PlannedAccountWrite[] = [];
  const truncated: Truncation[] = [];
  const unknownAccounts: string[] = [];
  const byField: Partial<Record<OutputFieldKey, number>> = {};
  let unchanged = 0;
  const sorted = [...desired].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  for (const d of sorted) {
    const now = current.get(d.accountId);
    if (now === undefined) {
      unknownAccounts.push(d.accountId);
      continue;
    }
    const changes: FieldChange[] = [];
    for (const spec of OUTPUT_FIELDS) {
      if (spec.key === 'kam_updated_at' && options.updatedAt !== null) continue;
      if (!(spec.key in d.fields)) continue;
      const raw = d.fields[spec.key] ?? null;
      const want = normalizeForField(spec.key, raw);
      const have = now[spec.key];
      if (sameFieldValue(spec.key, have, want)) continue;
      changes.push({ field: spec.key, from: have ?? null, to: want });
      // Reported where the cut value is written; an unchanged cut value was reported when written.
      if (typeof raw === 'string' && typeof want === 'string' && want !== raw) {
        truncated.push({ accountId: d.accountId, field: spec.key, length: raw.length, limit: spec.length ?? want.length });
      }
    }
    if (changes.length > 0 && options.updatedAt !== null) {
      changes.push({ field: 'kam_updated_at', from: now['kam_updated_at'] ?? null, to: options.updatedAt });
    }
    if (changes.length === 0) {
      unchanged++;
      continue;
    }
    const fields: FieldValues = {};
    const previous: FieldValues = {};
    for (const c of changes) {
      fields[c.field] = c.to;
      previous[c.field] = c.from;
      byField[c.field] = (byField[c.field] ?? 0) + 1;
    }
    writes.push({ accountId: d.accountId, fields, previous, changes });
  }
  return {
    writes,
    conflicts: [],
    held: [],
    truncated,
    summary: {
      accounts: sorted.length - unknownAccounts.length,
      changedAccounts: writes.length,
      unchangedAccounts: unchanged,
      changedFields: writes.reduce((n, w) => n + w.changes.length, 0),
      unknownAccounts,
      byField,
    },
  };
}

/**
 * The summary of a plan whose writes were narrowed (conflicts kept, writes held back): the
 * counts of `writes`, with `dropped` accounts moved from changed to unchanged.
 */
export function summarize(writes: readonly PlannedAccountWrite[], before: WritePlan['summary'], dropped: number): WritePlan['summary'] {
  const byField: Partial<Record<OutputFieldKey, number>> = {};
  for (const w of writes) for (const c of w.changes) byField[c.field] = (byField[c.field] ?? 0) + 1;
  return {
    ...before,
    changedAccounts: writes.length,
    unchangedAccounts: before.unchangedAccounts + dropped,
    changedFields: writes.reduce((n, w) => n + w.changes.length, 0),
    byField,
  };
}

/** The computed kam_* values of each analysed account (kam_updated_at is stamped, not computed). */
export function desiredFromAnalysis(analysis: Pick<AnalysisResult, 'accounts'>): DesiredAccountFields[] {
  return analysis.accounts.map((a) => ({
    accountId: a.id,
    fields: {
      kam_tier: a.kam_tier,
      kam_key_account: a.kam_key_account,
      kam_score: a.kam_score,
      kam_revenue_share: a.kam_revenue_share,
      kam_penetration: a.kam_penetration,
      kam_whitespace_value: a.kam_whitespace_value,
      kam_next_best_offers: a.kam_next_best_offers,
      kam_reasons: a.kam_reasons,
      kam_why: a.kam_why,
      kam_contact_coverage: a.kam_contact_coverage,
      kam_risks: a.kam_risks,
      kam_ultimate_parent: a.kam_ultimate_parent,
    },
  }));
}

export function planWrites(
  analysis: Pick<AnalysisResult, 'accounts'>,
  mirrorAccounts: readonly Pick<Account, 'id' | 'fields'>[],
  options: { runTime: string },
): WritePlan {
  return planFieldChanges(desiredFromAnalysis(analysis), mirrorAccounts, { updatedAt: options.runTime });
}

/** The write calls a plan would take, by call kind (the source's names), for the dry run. */
export function estimatePushCalls(
  plan: Pick<WritePlan, 'writes'>,
  profile: Pick<SourceProfile, 'pushBatchMax' | 'pushCallName' | 'bulkJobName'>,
  batching: PushBatching = { size: profile.pushBatchMax, bulk: false },
): Record<string, number> {
  const calls = Math.ceil(plan.writes.length / batching.size);
  if (calls === 0) return {};
  // Each bulk job takes several calls (create, upload, close, poll, results): counted as jobs.
  return { [batching.bulk ? profile.bulkJobName : profile.pushCallName]: calls };
}
