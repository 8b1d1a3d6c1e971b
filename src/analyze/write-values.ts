import type { AccountInsight, FamilyInsight } from '../model/insights.ts';
import { outputFieldSpec, type OutputFieldKey } from '../model/output-fields.ts';
import type { Account } from '../model/snapshot.ts';
import { toPercent } from './format.ts';

/** Family-level texts computed once and shared by every account of the family. */
export interface FamilyTexts {
  reasons: string;
  why: string;
  risks: string;
  ultimateParent: string;
}

const lengths = new Map<OutputFieldKey, number>();
function fit(key: OutputFieldKey, text: string): string {
  let max = lengths.get(key);
  if (max === undefined) {
    max = outputFieldSpec(key).length ?? Number.POSITIVE_INFINITY;
    lengths.set(key, max);
  }
  // A CRM rejects a whole update for one over-long text value; cut it with a visible mark.
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function familyTexts(family: FamilyInsight, riskLines: readonly string[], root: Account, why: string): FamilyTexts {
  return {
    reasons: fit('kam_reasons', family.reasons.join('\n')),
    why: fit('kam_why', why),
    risks: fit('kam_risks', riskLines.join('\n')),
    ultimateParent: fit('kam_ultimate_parent', `${root.id} ${root.name}`),
  };
}

/** The section 4 values of one account: the family's on each account, and the entity's own. */
export function accountValues(
  account: Account,
  depth: number,
  family: FamilyInsight,
  texts: FamilyTexts,
  nextBestOffers: string,
  coverage: string,
): AccountInsight {
  const updated = account.fields['kam_updated_at'];
  return {
    id: account.id,
    familyId: family.id,
    depth,
    kam_tier: family.tier,
    kam_key_account: family.tier === 'Key',
    kam_score: family.score,
    kam_revenue_share: toPercent(family.revenueShare ?? 0),
    kam_penetration: toPercent(family.penetration),
    kam_whitespace_value: family.whitespaceValue,
    kam_next_best_offers: fit('kam_next_best_offers', nextBestOffers),
    kam_reasons: texts.reasons,
    kam_why: texts.why,
    kam_contact_coverage: fit('kam_contact_coverage', coverage),
    kam_risks: texts.risks,
    kam_ultimate_parent: texts.ultimateParent,
    kam_updated_at: typeof updated === 'string' && updated !== '' ? updated : null,
  };
}
