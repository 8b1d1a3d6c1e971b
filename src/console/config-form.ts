import type { z } from 'zod';
import { analysisConfigSchema, COMPUTED_CRITERIA, type AnalysisConfig, type ComputedCriterionId } from '../config/analysis-config.ts';
import type { ConfigField, ConfigForm, ConfigValues, FieldError } from '../server/backend.ts';
import type { ConnectionRecord } from '../store/types.ts';
import { validateSchedule } from '../sync/scheduler.ts';

/**
 * The console's editor over the analysis config and the schedule: which settings it shows, and
 * how submitted text becomes a config that the CLI's own zod schema validates, with every error
 * tied to the path of the field it belongs to.
 */

const CRITERION_LABEL: Record<ComputedCriterionId, string> = {
  revenueShare: 'revenue share', abcClass: 'ABC class', growth: 'growth', margin: 'margin', potential: 'potential', relationships: 'relationships',
};
const CRITERION_HELP: Partial<Record<ComputedCriterionId, string>> = {
  revenueShare: 'Share of all revenue in the last 12 months, 0 to 1.',
  growth: 'Revenue change against the prior 12 months, e.g. 0.1 for +10%.',
  margin: 'Margin share, -1 to 1.',
  potential: 'Whitespace value against current revenue.',
  relationships: 'Active contacts in the family.',
};

const NUMERIC_DIRECTIONS = [{ value: 'atLeast', label: 'at least' }, { value: 'atMost', label: 'at most' }];

/** The editable fields, in form order, without values. */
export function formFields(): Omit<ConfigField, 'value'>[] {
  const fields: Omit<ConfigField, 'value'>[] = [];
  for (const id of COMPUTED_CRITERIA) {
    const group = `Criterion: ${CRITERION_LABEL[id]}`;
    const p = `criteria.${id}`;
    fields.push({ path: `${p}.enabled`, label: 'Enabled', group, kind: 'boolean' });
    fields.push(id === 'abcClass'
      ? { path: `${p}.threshold`, label: 'Threshold', group, kind: 'select', options: ['A', 'B', 'C'].map((v) => ({ value: v, label: v })), help: 'A is the best class.' }
      : { path: `${p}.threshold`, label: 'Threshold', group, kind: id === 'relationships' ? 'integer' : 'number', ...(CRITERION_HELP[id] ? { help: CRITERION_HELP[id] } : {}) });
    fields.push({
      path: `${p}.direction`, label: 'Passes when the value is', group, kind: 'select',
      options: id === 'abcClass' ? [...NUMERIC_DIRECTIONS, { value: 'equals', label: 'equal' }] : NUMERIC_DIRECTIONS,
    });
    fields.push({ path: `${p}.weight`, label: 'Weight', group, kind: 'number' });
    fields.push({ path: `${p}.sufficient`, label: 'Passing alone makes the family Key', group, kind: 'boolean' });
    fields.push({ path: `${p}.knockout`, label: 'Failing keeps the family out of Key', group, kind: 'boolean' });
  }
  fields.push(
    { path: 'tiers.key', label: 'Key from score', group: 'Tiers', kind: 'number', help: '0 to 100.' },
    { path: 'tiers.develop', label: 'Develop from score', group: 'Tiers', kind: 'number', help: '0 to 100, at most the Key score.' },
    { path: 'coverage.min', label: 'Contacts per entity, at least', group: 'Contact coverage', kind: 'integer' },
    { path: 'coverage.max', label: 'Contacts per entity, at most', group: 'Contact coverage', kind: 'integer' },
    { path: 'peers.minPeers', label: 'Peers needed for a suggestion', group: 'Cross-sell suggestions', kind: 'integer' },
    { path: 'peers.minAdoption', label: 'Peer adoption needed', group: 'Cross-sell suggestions', kind: 'number', help: '0 to 1.' },
    { path: 'suggestions.sisters.enabled', label: 'Suggest what sister entities buy', group: 'Cross-sell suggestions', kind: 'boolean' },
    { path: 'suggestions.sisters.minAdopters', label: 'Sisters buying needed for a suggestion', group: 'Cross-sell suggestions', kind: 'integer' },
    { path: 'suggestions.sisters.minAdoption', label: 'Sister adoption needed', group: 'Cross-sell suggestions', kind: 'number', help: '0 to 1.' },
    { path: 'criteria.decisionMakers.enabled', label: 'Enabled', group: 'Criterion: decision makers known', kind: 'boolean' },
    { path: 'criteria.decisionMakers.threshold', label: 'Threshold', group: 'Criterion: decision makers known', kind: 'number', help: 'Share of buying entities with a known decision maker, 0 to 1.' },
    { path: 'criteria.decisionMakers.weight', label: 'Weight', group: 'Criterion: decision makers known', kind: 'number' },
    { path: 'relationships.ownerRiskMinContacts', label: 'Known relationships before one owner is a risk', group: 'Relationships', kind: 'integer' },
    { path: 'horizon.fiscalYearStartMonth', label: 'Fiscal year starts in month', group: 'Payoff horizon', kind: 'integer', help: '1 to 12; empty takes the CRM\'s setting, else January.' },
    { path: 'horizon.topItems', label: 'Items in each ranked list', group: 'Payoff horizon', kind: 'integer' },
    { path: 'quality.minConfidence', label: 'Data confidence needed for a tier', group: 'Data quality', kind: 'number', help: '0 to 1; below it a family is not tiered.' },
    { path: 'quality.weights.noPeers', label: 'Weight: entities without industry or size', group: 'Data quality', kind: 'number', help: '0 to 1.' },
    { path: 'quality.weights.unknownProducts', label: 'Weight: line items with an unknown product', group: 'Data quality', kind: 'number', help: '0 to 1.' },
    { path: 'quality.weights.unconvertedAmounts', label: 'Weight: amounts without an exchange rate', group: 'Data quality', kind: 'number', help: '0 to 1.' },
    { path: 'quality.weights.contactsWithoutAccount', label: 'Weight: contacts without an account', group: 'Data quality', kind: 'number', help: '0 to 1.' },
    { path: 'quality.weights.suspectedDuplicates', label: 'Weight: suspected duplicates', group: 'Data quality', kind: 'number', help: '0 to 1.' },
    { path: 'schedule.cron', label: 'Sync schedule (cron)', group: 'Schedule', kind: 'text', help: 'Five fields, e.g. "0 2 * * *" for 02:00 daily; empty for on demand only.' },
    { path: 'schedule.timezone', label: 'Time zone', group: 'Schedule', kind: 'text', help: 'IANA name, e.g. Europe/Berlin.' },
  );
  return fields;
}

const FIELDS = formFields();
const BY_PATH = new Map(FIELDS.map((f) => [f.path, f]));

function getAt(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function setAt(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) cur[last] = value;
}

/** The stored config with defaults filled in; the defaults alone when the stored one no longer parses. */
export function effectiveConfig(stored: unknown): { config: AnalysisConfig; valid: boolean } {
  const parsed = analysisConfigSchema.safeParse(stored ?? {});
  return parsed.success ? { config: parsed.data, valid: true } : { config: analysisConfigSchema.parse({}), valid: false };
}

export function configForm(connection: ConnectionRecord): ConfigForm {
  const { config } = effectiveConfig(connection.analysisConfig);
  const fields = FIELDS.map((f): ConfigField => {
    if (f.path === 'schedule.cron') return { ...f, value: connection.schedule ?? '' };
    if (f.path === 'schedule.timezone') return { ...f, value: connection.timezone ?? 'UTC' };
    const v = getAt(config, f.path.split('.'));
    return { ...f, value: v === undefined || v === null ? '' : String(v) };
  });
  return { version: config.version, fields };
}

export interface Candidate {
  /** The raw config to store: the stored one with the submitted values set. */
  raw: Record<string, unknown>;
  config: AnalysisConfig;
  schedule: string | null;
  timezone: string | null;
}

function describe(issue: z.core.$ZodIssue): FieldError[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ path: path ? `${path}.${k}` : k, message: 'unknown setting' }));
  return [{ path, message: issue.message }];
}

/**
 * Applies the submitted values to the stored config and validates the result with the analysis
 * config schema. A submitted path the editor does not know is an error on that path.
 */
export function buildCandidate(connection: ConnectionRecord, values: ConfigValues): { ok: true; candidate: Candidate } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const stored = connection.analysisConfig;
  const raw: Record<string, unknown> = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? structuredClone(stored as Record<string, unknown>) : {};
  let schedule = connection.schedule;
  let timezone = connection.timezone;
  for (const [path, text] of Object.entries(values)) {
    const field = BY_PATH.get(path);
    if (!field) {
      errors.push({ path, message: 'unknown setting' });
      continue;
    }
    const value = text.trim();
    if (path === 'schedule.cron') {
      schedule = value === '' ? null : value;
      continue;
    }
    if (path === 'schedule.timezone') {
      timezone = value === '' || value === 'UTC' ? null : value;
      continue;
    }
    if (path === 'horizon.fiscalYearStartMonth' && value === '') {
      // Empty: the CRM's own fiscal year setting.
      setAt(raw, path.split('.'), null);
    } else if (field.kind === 'number' || field.kind === 'integer') {
      const n = value === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(n)) {
        errors.push({ path, message: 'must be a number' });
        continue;
      }
      setAt(raw, path.split('.'), n);
    } else if (field.kind === 'boolean') {
      if (value !== 'true' && value !== 'false') {
        errors.push({ path, message: 'must be true or false' });
        continue;
      }
      setAt(raw, path.split('.'), value === 'true');
    } else {
      setAt(raw, path.split('.'), value);
    }
  }
  if (schedule !== null) {
    for (const message of validateSchedule(schedule, null)) errors.push({ path: 'schedule.cron', message });
  }
  if (timezone !== null) {
    for (const message of validateSchedule('* * * * *', timezone)) errors.push({ path: 'schedule.timezone', message });
  }
  const parsed = analysisConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const typed = new Set(errors.map((e) => e.path));
    // A value already refused as text is not reported twice.
    for (const issue of parsed.error.issues) for (const e of describe(issue)) if (!typed.has(e.path)) errors.push(e);
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, candidate: { raw, config: parsed.data, schedule, timezone } };
}
