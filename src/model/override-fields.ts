/**
 * The fields a manager types a tier override into, on a family's ultimate parent. Kamflow
 * provisions them beside its own fields and reads them with the account (into `account.extra`
 * under these keys), but never writes them: what a person typed stays as they left it.
 */

export const OVERRIDE_FIELD_KEYS = ['kam_override_tier', 'kam_override_reason', 'kam_override_until', 'kam_override_by'] as const;
export type OverrideFieldKey = (typeof OVERRIDE_FIELD_KEYS)[number];

export interface OverrideFieldSpec {
  key: OverrideFieldKey;
  label: string;
  type: 'picklist' | 'text' | 'date';
  length?: number;
  description: string;
}

export const OVERRIDE_FIELDS: readonly OverrideFieldSpec[] = [
  { key: 'kam_override_tier', label: 'KAM Override Tier', type: 'picklist', description: "A manager's tier for the family, held until the end date whatever the criteria give" },
  { key: 'kam_override_reason', label: 'KAM Override Reason', type: 'text', length: 255, description: 'Why the tier is overridden; shown to reps with the tier' },
  { key: 'kam_override_until', label: 'KAM Override Until', type: 'date', description: 'The last day the override holds; it lapses by itself after it' },
  { key: 'kam_override_by', label: 'KAM Override By', type: 'text', length: 80, description: 'Who set the override' },
];
