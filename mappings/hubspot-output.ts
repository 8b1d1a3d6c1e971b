import { OUTPUT_FIELDS, TIERS, type OutputFieldKey, type OutputFieldType, type Tier } from '../src/model/output-fields.ts';
import { OVERRIDE_FIELDS, type OverrideFieldKey } from '../src/model/override-fields.ts';

/** Kamflow's output fields as HubSpot company properties, and the values written to them. */

export const OUTPUT_PROPERTY_GROUP = { name: 'kamflow', label: 'Kamflow', displayOrder: -1 } as const;

export type HubSpotPropertyType = 'bool' | 'date' | 'datetime' | 'enumeration' | 'number' | 'string';

export interface OutputPropertySpec {
  key: OutputFieldKey;
  name: string;
  label: string;
  description: string;
  type: HubSpotPropertyType;
  fieldType: 'booleancheckbox' | 'number' | 'select' | 'text' | 'textarea' | 'date';
  /** Position within the `kamflow` group, in the order a rep reads them (what HubSpot's property lists follow). */
  displayOrder: number;
  numberDisplayHint?: 'currency' | 'formatted' | 'unformatted';
  options?: { label: string; value: string; displayOrder: number; hidden: boolean }[];
}

const TYPE_BY_OUTPUT: Record<OutputFieldType, Pick<OutputPropertySpec, 'type' | 'fieldType' | 'numberDisplayHint'>> = {
  picklist: { type: 'enumeration', fieldType: 'select' },
  checkbox: { type: 'bool', fieldType: 'booleancheckbox' },
  number: { type: 'number', fieldType: 'number', numberDisplayHint: 'formatted' },
  // Stored as 0..100, so HubSpot's "percentage" hint (which expects 0..1) would mislead.
  percent: { type: 'number', fieldType: 'number', numberDisplayHint: 'formatted' },
  currency: { type: 'number', fieldType: 'number', numberDisplayHint: 'currency' },
  text: { type: 'string', fieldType: 'text' },
  longtext: { type: 'string', fieldType: 'textarea' },
  datetime: { type: 'datetime', fieldType: 'date' },
};

/**
 * The order a rep reads Kamflow's properties in: the verdict first, then what to do, then the
 * figures behind it. HubSpot has no API for the record sidebar's "About" card; a property's
 * `displayOrder` within its group is what the API offers.
 */
export const REP_READING_ORDER: readonly OutputFieldKey[] = [
  'kam_tier', 'kam_why', 'kam_score', 'kam_key_account', 'kam_reasons', 'kam_next_best_offers', 'kam_contact_coverage',
  'kam_risks', 'kam_revenue_share', 'kam_penetration', 'kam_whitespace_value', 'kam_ultimate_parent', 'kam_updated_at',
];

/** Kamflow's company properties (DOMAIN.md section 4), as HubSpot declares them. */
export const OUTPUT_PROPERTIES: readonly OutputPropertySpec[] = OUTPUT_FIELDS.map((f) => {
  const spec: OutputPropertySpec = {
    key: f.key, name: f.key, label: f.label, description: f.description, displayOrder: REP_READING_ORDER.indexOf(f.key), ...TYPE_BY_OUTPUT[f.type],
  };
  if (f.type === 'picklist') spec.options = TIERS.map((t, i) => ({ label: t, value: t, displayOrder: i, hidden: false }));
  if (f.type === 'checkbox') {
    spec.options = [
      { label: 'Yes', value: 'true', displayOrder: 0, hidden: false },
      { label: 'No', value: 'false', displayOrder: 1, hidden: false },
    ];
  }
  return spec;
});

/**
 * The override properties a manager types into (src/model/override-fields.ts), after Kamflow's own
 * in the group. Provisioned and read, never written.
 */
export const OVERRIDE_PROPERTIES: readonly (Omit<OutputPropertySpec, 'key'> & { key: OverrideFieldKey })[] = OVERRIDE_FIELDS.map((f, i) => ({
  key: f.key, name: f.key, label: f.label, description: f.description, displayOrder: REP_READING_ORDER.length + i,
  ...(f.type === 'picklist'
    ? { type: 'enumeration' as const, fieldType: 'select' as const, options: TIERS.map((t, n) => ({ label: t, value: t, displayOrder: n, hidden: false })) }
    : f.type === 'date' ? { type: 'date' as const, fieldType: 'date' as const } : { type: 'string' as const, fieldType: 'text' as const }),
}));

/** HubSpot's own ABM properties, set from the tier only when configured to. */
export const IDEAL_CUSTOMER_PROFILE_BY_TIER: Record<Tier, string> = {
  Key: 'tier_1',
  Develop: 'tier_2',
  Maintain: 'tier_3',
  // Clearing: a Standard family is not an ideal customer profile.
  Standard: '',
};

/** A value for a HubSpot property: strings on the wire, an empty string clears the value. */
export function toPropertyValue(v: string | number | boolean | null): string {
  if (v === null) return '';
  return typeof v === 'string' ? v : String(v);
}
