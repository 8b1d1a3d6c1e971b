import type { AccountWrite, FieldValues, PushBatching, SourceProfile } from '../contract/connector.ts';
import type { Account } from '../model/snapshot.ts';
import type { AnalysisResult } from '../model/insights.ts';
import { OUTPUT_FIELDS, type OutputFieldKey, type OutputFieldSpec } from '../model/output-fields.ts';

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

export interface WritePlan {
  writes: PlannedAccountWrite[];
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

/** The value as it would be sent: numbers rounded to the field's scale. */
export function normalizeForField(field: OutputFieldKey, value: FieldValue): FieldValue {
  const spec = SPECS.get(field);
  if (!spec || value === null) return value;
  if (NUMERIC.has(spec.type) && typeof value === 'number') return spec.scale === undefined ? value : roundHalfUp(value, spec.scale);
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
      const want = normalizeForField(spec.key, d.fields[spec.key] ?? null);
      const have = now[spec.key];
      if (!sameFieldValue(spec.key, have, want)) changes.push({ field: spec.key, from: have ?? null, to: want });
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
  plan: WritePlan,
  profile: Pick<SourceProfile, 'pushBatchMax' | 'pushCallName' | 'bulkJobName'>,
  batching: PushBatching = { size: profile.pushBatchMax, bulk: false },
): Record<string, number> {
  const calls = Math.ceil(plan.writes.length / batching.size);
  if (calls === 0) return {};
  // Each bulk job takes several calls (create, upload, close, poll, results): counted as jobs.
  return { [batching.bulk ? profile.bulkJobName : profile.pushCallName]: calls };
}
