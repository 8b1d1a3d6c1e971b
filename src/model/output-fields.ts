/**
 * The fields Kamflow owns in the CRM (DOMAIN.md section 4), by their CRM-neutral
 * (HubSpot-style) names. Each CRM's mapping file gives their names and types there.
 */

export const TIERS = ['Key', 'Develop', 'Maintain', 'Standard'] as const;
export type Tier = (typeof TIERS)[number];

export type OutputFieldType = 'picklist' | 'checkbox' | 'number' | 'percent' | 'currency' | 'text' | 'longtext' | 'datetime';

export interface OutputFieldSpec {
  /** CRM-neutral key, also the HubSpot property name. */
  key: OutputFieldKey;
  label: string;
  type: OutputFieldType;
  /** Decimal places the CRM field stores; values are compared at this precision. */
  scale?: number;
  /** Maximum length of text fields. */
  length?: number;
  description: string;
}

export const OUTPUT_FIELD_KEYS = [
  'kam_tier',
  'kam_key_account',
  'kam_score',
  'kam_revenue_share',
  'kam_penetration',
  'kam_whitespace_value',
  'kam_next_best_offers',
  'kam_reasons',
  'kam_why',
  'kam_contact_coverage',
  'kam_risks',
  'kam_ultimate_parent',
  'kam_updated_at',
] as const;
export type OutputFieldKey = (typeof OUTPUT_FIELD_KEYS)[number];

/** The values the analysis computes for one account; `kam_updated_at` is stamped at write time. */
export interface AccountFieldValues {
  /** null (the field cleared) when the family is not tiered for want of data quality. */
  kam_tier: Tier | null;
  kam_key_account: boolean;
  /** 0..100, one decimal. */
  kam_score: number;
  /** Percent 0..100 of the family's revenue share. */
  kam_revenue_share: number;
  /** Percent 0..100 of the family's penetration. */
  kam_penetration: number;
  kam_whitespace_value: number;
  kam_next_best_offers: string;
  kam_reasons: string;
  /** One line for list views, at most 255 characters. */
  kam_why: string;
  kam_contact_coverage: string;
  kam_risks: string;
  kam_ultimate_parent: string;
}

export type ComputedFieldKey = keyof AccountFieldValues;

export const OUTPUT_FIELDS: readonly OutputFieldSpec[] = [
  { key: 'kam_tier', label: 'KAM Tier', type: 'picklist', description: 'Key-account tier: Key, Develop, Maintain or Standard' },
  { key: 'kam_key_account', label: 'KAM Key Account', type: 'checkbox', description: 'The family is a key account' },
  { key: 'kam_score', label: 'KAM Score', type: 'number', scale: 1, description: 'Key-account score 0-100' },
  { key: 'kam_revenue_share', label: 'KAM Revenue Share', type: 'percent', scale: 2, description: "The family's share of all revenue in the last 12 months" },
  { key: 'kam_penetration', label: 'KAM Penetration', type: 'percent', scale: 2, description: 'Share of product x entity cells the family buys' },
  { key: 'kam_whitespace_value', label: 'KAM Whitespace Value', type: 'currency', scale: 2, description: 'Estimated yearly value of the suggested cross-sell cells' },
  { key: 'kam_next_best_offers', label: 'KAM Next Best Offers', type: 'longtext', length: 32768, description: "This entity's top suggested offerings" },
  { key: 'kam_reasons', label: 'KAM Reasons', type: 'longtext', length: 32768, description: 'Why the family has its tier' },
  { key: 'kam_why', label: 'KAM Why', type: 'text', length: 255, description: 'One line on why the family has its tier, for list views' },
  { key: 'kam_contact_coverage', label: 'KAM Contact Coverage', type: 'text', length: 255, description: "This entity's contacts against the 3-5 target" },
  { key: 'kam_risks', label: 'KAM Risks', type: 'longtext', length: 32768, description: 'Risk flags of the family' },
  { key: 'kam_ultimate_parent', label: 'KAM Ultimate Parent', type: 'text', length: 255, description: 'Id and name of the family root account' },
  { key: 'kam_updated_at', label: 'KAM Updated At', type: 'datetime', description: 'When Kamflow last changed any of its fields' },
];

export function outputFieldSpec(key: OutputFieldKey): OutputFieldSpec {
  const spec = OUTPUT_FIELDS.find((f) => f.key === key);
  if (!spec) throw new Error(`unknown output field ${key}`);
  return spec;
}
