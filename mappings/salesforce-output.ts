import type { OutputFieldKey } from '../src/model/output-fields.ts';
import type { OverrideFieldKey } from '../src/model/override-fields.ts';
import { TIERS } from '../src/model/output-fields.ts';

/** Kamflow's output fields as Salesforce Account fields: their metadata and the values written to them. */

export type SalesforceFieldType = 'Picklist' | 'Checkbox' | 'Number' | 'Percent' | 'Currency' | 'Text' | 'LongTextArea' | 'DateTime' | 'Date';

export interface SalesforceOutputField {
  key: OutputFieldKey;
  apiName: string;
  label: string;
  type: SalesforceFieldType;
  /** The `type` the describe call reports for a field of this kind. */
  describeType: string;
  length?: number;
  precision?: number;
  scale?: number;
  visibleLines?: number;
  picklistValues?: readonly string[];
}

export const SALESFORCE_OUTPUT_FIELDS: readonly SalesforceOutputField[] = [
  { key: 'kam_tier', apiName: 'KAM_Tier__c', label: 'KAM Tier', type: 'Picklist', describeType: 'picklist', picklistValues: TIERS },
  { key: 'kam_key_account', apiName: 'KAM_Key_Account__c', label: 'KAM Key Account', type: 'Checkbox', describeType: 'boolean' },
  { key: 'kam_score', apiName: 'KAM_Score__c', label: 'KAM Score', type: 'Number', describeType: 'double', precision: 5, scale: 1 },
  { key: 'kam_revenue_share', apiName: 'KAM_Revenue_Share__c', label: 'KAM Revenue Share', type: 'Percent', describeType: 'percent', precision: 5, scale: 2 },
  { key: 'kam_penetration', apiName: 'KAM_Penetration__c', label: 'KAM Penetration', type: 'Percent', describeType: 'percent', precision: 5, scale: 2 },
  { key: 'kam_whitespace_value', apiName: 'KAM_Whitespace_Value__c', label: 'KAM Whitespace Value', type: 'Currency', describeType: 'currency', precision: 18, scale: 2 },
  { key: 'kam_next_best_offers', apiName: 'KAM_Next_Best_Offers__c', label: 'KAM Next Best Offers', type: 'LongTextArea', describeType: 'textarea', length: 32768, visibleLines: 5 },
  { key: 'kam_reasons', apiName: 'KAM_Reasons__c', label: 'KAM Reasons', type: 'LongTextArea', describeType: 'textarea', length: 32768, visibleLines: 10 },
  { key: 'kam_why', apiName: 'KAM_Why__c', label: 'KAM Why', type: 'Text', describeType: 'string', length: 255 },
  { key: 'kam_contact_coverage', apiName: 'KAM_Contact_Coverage__c', label: 'KAM Contact Coverage', type: 'Text', describeType: 'string', length: 255 },
  { key: 'kam_risks', apiName: 'KAM_Risks__c', label: 'KAM Risks', type: 'LongTextArea', describeType: 'textarea', length: 32768, visibleLines: 5 },
  { key: 'kam_ultimate_parent', apiName: 'KAM_Ultimate_Parent__c', label: 'KAM Ultimate Parent', type: 'Text', describeType: 'string', length: 255 },
  { key: 'kam_updated_at', apiName: 'KAM_Updated_At__c', label: 'KAM Updated At', type: 'DateTime', describeType: 'datetime' },
];

/** The override fields a manager types into (src/model/override-fields.ts); provisioned, read, never written. */
export interface SalesforceOverrideField extends Omit<SalesforceOutputField, 'key'> {
  key: OverrideFieldKey;
}

export const SALESFORCE_OVERRIDE_FIELDS: readonly SalesforceOverrideField[] = [
  { key: 'kam_override_tier', apiName: 'KAM_Override_Tier__c', label: 'KAM Override Tier', type: 'Picklist', describeType: 'picklist', picklistValues: TIERS },
  { key: 'kam_override_reason', apiName: 'KAM_Override_Reason__c', label: 'KAM Override Reason', type: 'Text', describeType: 'string', length: 255 },
  { key: 'kam_override_until', apiName: 'KAM_Override_Until__c', label: 'KAM Override Until', type: 'Date', describeType: 'date' },
  { key: 'kam_override_by', apiName: 'KAM_Override_By__c', label: 'KAM Override By', type: 'Text', describeType: 'string', length: 80 },
];

const OUTPUT_BY_KEY = new Map(SALESFORCE_OUTPUT_FIELDS.map((f) => [f.key, f]));

export function salesforceOutputField(key: OutputFieldKey): SalesforceOutputField {
  const spec = OUTPUT_BY_KEY.get(key);
  if (!spec) throw new Error(`no Salesforce field for ${key}`);
  return spec;
}

/** The Tooling API `Metadata` body that creates an output field. */
export function customFieldMetadata(field: Omit<SalesforceOutputField, 'key'>): Record<string, unknown> {
  const meta: Record<string, unknown> = { type: field.type, label: field.label };
  if (field.length !== undefined) meta['length'] = field.length;
  if (field.precision !== undefined) meta['precision'] = field.precision;
  if (field.scale !== undefined) meta['scale'] = field.scale;
  if (field.visibleLines !== undefined) meta['visibleLines'] = field.visibleLines;
  if (field.type === 'Checkbox') meta['defaultValue'] = 'false';
  if (field.picklistValues) {
    meta['valueSet'] = {
      restricted: true,
      valueSetDefinition: { sorted: false, value: field.picklistValues.map((v) => ({ fullName: v, label: v, default: false })) },
    };
  }
  return meta;
}

// ---- writing ----

export type WriteValue = string | number | boolean | null;

function roundTo(n: number, scale: number): number {
  const f = 10 ** scale;
  return Math.round(n * f) / f;
}

/**
 * Converts a model value into what the Salesforce field accepts: numbers rounded to the field's
 * scale (percent fields carry 0..100), checkbox booleans, ISO datetimes, text cut to its length.
 * Returns an error message for a value the field cannot hold.
 */
export function toSalesforceValue(
  key: OutputFieldKey,
  value: WriteValue,
): { ok: true; value: WriteValue } | { ok: false; message: string } {
  const spec = salesforceOutputField(key);
  if (value === null) return { ok: true, value: spec.type === 'Checkbox' ? false : null };
  switch (spec.type) {
    case 'Checkbox':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return { ok: false, message: `${key}: expected a boolean, got ${JSON.stringify(value)}` };
    case 'Number':
    case 'Percent':
    case 'Currency': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      if (!Number.isFinite(n)) return { ok: false, message: `${key}: expected a number, got ${JSON.stringify(value)}` };
      return { ok: true, value: roundTo(n, spec.scale ?? 0) };
    }
    case 'DateTime': {
      const d = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : null;
      if (!d || Number.isNaN(d.getTime())) return { ok: false, message: `${key}: expected a date and time, got ${JSON.stringify(value)}` };
      return { ok: true, value: d.toISOString() };
    }
    case 'Picklist':
      if (typeof value === 'string' && spec.picklistValues?.includes(value)) return { ok: true, value };
      return { ok: false, message: `${key}: ${JSON.stringify(value)} is not one of ${spec.picklistValues?.join(', ')}` };
    default: {
      const s = String(value);
      return { ok: true, value: spec.length !== undefined && s.length > spec.length ? s.slice(0, spec.length) : s };
    }
  }
}
