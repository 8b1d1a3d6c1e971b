import { OUTPUT_FIELDS, type OutputFieldKey } from '../../model/output-fields.ts';

/** `kam_next_best_offers` -> `KAM_Next_Best_Offers__c`, the Salesforce names of DOMAIN.md section 4. */
export function salesforceFieldName(key: OutputFieldKey): string {
  const words = key.split('_').slice(1).map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `KAM_${words.join('_')}__c`;
}

export const KAM_KEYS: readonly OutputFieldKey[] = OUTPUT_FIELDS.map((f) => f.key);

/** Splits a display name into first and last name (the last word is the last name). */
export function splitName(name: string): { first: string; last: string } {
  const parts = name.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length === 0) return { first: '', last: 'Unknown' };
  if (parts.length === 1) return { first: '', last: parts[0] as string };
  return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] as string };
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '') || 'user';
}

/**
 * The CRM fields the sandbox seeds for model values that have no standard field, so that a
 * connector configuration can point at them.
 */
export const SANDBOX_FIELDS = {
  salesforce: {
    /** Account checkbox: the CRM already marks the account as key (snapshot `markedKey`). */
    markedKey: 'Key_Account__c',
    contactActive: 'Active__c',
    contactReferenceable: 'Referenceable__c',
    /** OpportunityLineItem currency: the line's total cost. */
    lineItemCost: 'Cost__c',
    productFamily: 'Family',
  },
  hubspot: {
    markedKey: 'hs_is_target_account',
    contactActive: 'active',
    contactReferenceable: 'referenceable',
    /** Line item number: the unit cost (HubSpot's meaning); line cost = unit cost x quantity. */
    lineItemUnitCost: 'hs_cost_of_goods_sold',
    productFamily: 'product_family',
    productActive: 'active',
    /** Deal stage ids for won / lost / open deals in the single `default` pipeline. */
    stages: { won: 'closedwon', lost: 'closedlost', open: 'qualifiedtobuy' },
  },
} as const;
