import type { FieldEdit, FieldEditQuery } from '../contract/connector.ts';
import type { FieldPolicy } from '../contract/sync-options.ts';
import { OUTPUT_FIELDS, type OutputFieldKey } from '../model/output-fields.ts';
import type { FieldConflict, FieldMemory } from '../store/types.ts';
import { sameFieldValue, summarize, type FieldChange, type FieldValue, type PlannedAccountWrite, type WritePlan } from './planner.ts';

/**
 * Syncs never overwrite a person silently. A planned change is suspect when the field no longer
 * holds what Kamflow last wrote there (its memory), or when Kamflow never wrote it on this
 * connection and it is not empty: a value Kamflow did not put there is a person's, unless the
 * source's field history shows Kamflow's own user did. The source's evidence (field history,
 * last modifier) tells who changed it where it has some. Each conflict is then kept (the
 * person's value stays) or overwritten, by the field's policy; either way it is reported. A
 * field that already holds what Kamflow would write is no change, so never a conflict.
 */

export type MemoryIndex = Map<string, Map<string, FieldMemory>>;

export function indexMemory(rows: readonly FieldMemory[]): MemoryIndex {
  const out: MemoryIndex = new Map();
  for (const r of rows) {
    let byField = out.get(r.accountId);
    if (!byField) {
      byField = new Map();
      out.set(r.accountId, byField);
    }
    byField.set(r.field, r);
  }
  return out;
}

export interface EditPolicy {
  /** The policy of fields the connection names none for. */
  fallback: FieldPolicy;
  fields: Partial<Record<OutputFieldKey, FieldPolicy>>;
  /** The admin chose to write over every person's edit in this run. */
  overwriteAll: boolean;
}

export const DEFAULT_FIELD_POLICY: FieldPolicy = 'respect-edits';

/**
 * The connection's `fieldPolicy` option read into a policy; `problems` names each key that is
 * no Kamflow field (a typo would otherwise leave that field on the default without a word).
 */
export function editPolicyOf(option: FieldPolicy | Record<string, FieldPolicy> | undefined, overwriteAll: boolean): { policy: EditPolicy; problems: string[] } {
  if (option === undefined) return { policy: { fallback: DEFAULT_FIELD_POLICY, fields: {}, overwriteAll }, problems: [] };
  if (typeof option === 'string') return { policy: { fallback: option, fields: {}, overwriteAll }, problems: [] };
  const fields: Partial<Record<OutputFieldKey, FieldPolicy>> = {};
  for (const spec of OUTPUT_FIELDS) {
    const p = option[spec.key];
    if (p !== undefined) fields[spec.key] = p;
  }
  const known = new Set<string>([...OUTPUT_FIELDS.map((f) => f.key), 'default']);
  const problems = Object.keys(option).filter((k) => !known.has(k)).map((k) => `fieldPolicy: ${k} is not a Kamflow field (expected one of ${[...known].join(', ')}); it follows the default policy`);
  return { policy: { fallback: option['default'] ?? DEFAULT_FIELD_POLICY, fields, overwriteAll }, problems };
}

function policyFor(policy: EditPolicy, field: OutputFieldKey): FieldPolicy {
  return policy.overwriteAll ? 'kamflow-owns' : (policy.fields[field] ?? policy.fallback);
}

const CHECKBOXES = new Set(OUTPUT_FIELDS.filter((f) => f.type === 'checkbox').map((f) => f.key));

/** Empty as a field Kamflow never wrote reads (a checkbox reads false). */
function isBlank(field: OutputFieldKey, v: FieldValue): boolean {
  return v === null || v === '' || (CHECKBOXES.has(field) && (v === false || v === 'false'));
}

interface Suspect {
  accountId: string;
  change: FieldChange;
  memory: FieldMemory | null;
}

/** kam_updated_at is Kamflow's stamp of its own changes: written with them, never a person's field. */
function suspects(plan: WritePlan, memory: MemoryIndex): Suspect[] {
  const out: Suspect[] = [];
  for (const w of plan.writes) {
    for (const c of w.changes) {
      if (c.field === 'kam_updated_at') continue;
      const mem = memory.get(w.accountId)?.get(c.field) ?? null;
      const suspect = mem ? !sameFieldValue(c.field, c.from, mem.value) : !isBlank(c.field, c.from);
      if (suspect) out.push({ accountId: w.accountId, change: c, memory: mem });
    }
  }
  return out;
}

/** What to ask the source about: the suspect fields of each account, since Kamflow's last write there. */
export function editQueries(plan: WritePlan, memory: MemoryIndex): FieldEditQuery[] {
  const byAccount = new Map<string, FieldEditQuery>();
  for (const s of suspects(plan, memory)) {
    const q = byAccount.get(s.accountId) ?? { accountId: s.accountId, fields: [], since: null };
    q.fields.push(s.change.field);
    const at = s.memory?.writtenAt ?? null;
    if (at !== null && (q.since === null || at > q.since)) q.since = at;
    byAccount.set(s.accountId, q);
  }
  return [...byAccount.values()];
}

interface Verdict {
  conflict: boolean;
  changedBy: string | null;
  changedAt: string | null;
  source: FieldConflict['source'];
}

function verdict(s: Suspect, edits: readonly FieldEdit[]): Verdict {
  const history = edits.find((e) => e.accountId === s.accountId && e.field === s.change.field && e.evidence === 'field-history');
  const record = edits.find((e) => e.accountId === s.accountId && e.field === null);
  if (s.memory === null) {
    // Kamflow never wrote this field on this connection, yet it holds a value: someone typed it
    // (before Kamflow's first write, or since, by another user or app). Only the field's own
    // history showing Kamflow's user put it there clears it.
    if (history?.byKamflow === true) return { conflict: false, changedBy: null, changedAt: null, source: 'field-history' };
    if (history) return { conflict: true, changedBy: history.changedBy, changedAt: history.changedAt, source: 'field-history' };
    if (record?.byKamflow === false) return { conflict: true, changedBy: record.changedBy, changedAt: record.changedAt, source: 'never-written' };
    return { conflict: true, changedBy: null, changedAt: null, source: 'never-written' };
  }
  // Kamflow's memory says the value changed; the history may show it was Kamflow after all.
  if (history?.byKamflow === true) return { conflict: false, changedBy: null, changedAt: null, source: 'field-history' };
  if (history?.byKamflow === false) return { conflict: true, changedBy: history.changedBy, changedAt: history.changedAt, source: 'field-history' };
  const since = s.memory.writtenAt;
  if (record?.byKamflow === false && (record.changedAt === null || record.changedAt >= since)) {
    return { conflict: true, changedBy: record.changedBy, changedAt: record.changedAt, source: 'last-modified-by' };
  }
  return { conflict: true, changedBy: null, changedAt: null, source: 'memory' };
}

/**
 * The plan with every person's edit kept or overwritten by policy, and the conflicts found. An
 * account left with nothing but its kam_updated_at stamp to write is not written.
 */
export function applyEditPolicy(plan: WritePlan, memory: MemoryIndex, edits: readonly FieldEdit[], policy: EditPolicy): WritePlan {
  const conflicts: FieldConflict[] = [];
  const kept = new Set<string>();
  for (const s of suspects(plan, memory)) {
    const v = verdict(s, edits);
    if (!v.conflict) continue;
    const resolution = policyFor(policy, s.change.field) === 'kamflow-owns' ? 'overwritten' : 'kept';
    if (resolution === 'kept') kept.add(`${s.accountId}\u0000${s.change.field}`);
    conflicts.push({
      accountId: s.accountId, field: s.change.field, current: s.change.from, kamflowValue: s.memory?.value ?? null, proposed: s.change.to,
      changedBy: v.changedBy, changedAt: v.changedAt, source: v.source, resolution,
    });
  }
  if (conflicts.length === 0) return plan;
  const writes: PlannedAccountWrite[] = [];
  let dropped = 0;
  for (const w of plan.writes) {
    const changes = w.changes.filter((c) => !kept.has(`${w.accountId}\u0000${c.field}`));
    if (!changes.some((c) => c.field !== 'kam_updated_at')) {
      dropped++;
      continue;
    }
    if (changes.length === w.changes.length) {
      writes.push(w);
      continue;
    }
    const fields: PlannedAccountWrite['fields'] = {};
    const previous: PlannedAccountWrite['previous'] = {};
    for (const c of changes) {
      fields[c.field] = c.to;
      previous[c.field] = c.from;
    }
    writes.push({ accountId: w.accountId, fields, previous, changes });
  }
  return { ...plan, writes, conflicts: [...plan.conflicts, ...conflicts], summary: summarize(writes, plan.summary, dropped) };
}
