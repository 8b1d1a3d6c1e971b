/**
 * A small stand-in for the analysis in pipeline tests: per family (root by parentId), won
 * revenue drives the score, tier and whitespace value; contacts drive each entity's coverage.
 * It is not the product's analysis; it only has to be deterministic and family-shaped.
 */
import type { AnalysisResult, AccountInsight } from '../../../src/model/insights.ts';
import type { AnalyzeInput } from '../../../src/sync/types.ts';

export function fakeAnalyze({ snapshot, asOf }: AnalyzeInput): AnalysisResult {
  const byId = new Map(snapshot.accounts.map((a) => [a.id, a]));
  const rootOf = (id: string): string => {
    let cur = id;
    for (let i = 0; i < 50; i++) {
      const p = byId.get(cur)?.parentId;
      if (!p || !byId.has(p)) return cur;
      cur = p;
    }
    return cur;
  };
  const revenue = new Map<string, number>();
  for (const o of snapshot.opportunities) {
    if (o.status !== 'won' || !byId.has(o.accountId)) continue;
    const root = rootOf(o.accountId);
    revenue.set(root, (revenue.get(root) ?? 0) + (o.amount ?? 0));
  }
  const contacts = new Map<string, number>();
  for (const c of snapshot.contacts) if (c.accountId) contacts.set(c.accountId, (contacts.get(c.accountId) ?? 0) + 1);
  const accounts: AccountInsight[] = snapshot.accounts.map((a) => {
    const root = rootOf(a.id);
    const rev = revenue.get(root) ?? 0;
    const score = Math.min(100, rev / 100);
    return {
      id: a.id, familyId: root, depth: 0,
      kam_tier: score >= 70 ? 'Key' : 'Standard',
      kam_key_account: score >= 70,
      kam_score: score,
      kam_revenue_share: 0,
      kam_penetration: 0,
      kam_whitespace_value: rev / 3,
      kam_next_best_offers: '',
      kam_reasons: `family revenue ${rev}`,
      kam_why: `${score >= 70 ? 'Key' : 'Standard'}: score ${score}`,
      kam_contact_coverage: `${contacts.get(a.id) ?? 0} contacts (target 3-5)`,
      kam_risks: '',
      kam_ultimate_parent: `${root} ${byId.get(root)?.name ?? ''}`,
      kam_updated_at: typeof a.fields['kam_updated_at'] === 'string' ? a.fields['kam_updated_at'] : null,
    };
  });
  return {
    asOf, configVersion: 1, currency: snapshot.currency,
    portfolio: { totalRevenue: 0, families: 0, top1Share: 0, top5Share: 0, top10Share: 0, hhi: 0, keyFamilies: 0 },
    families: [], accounts, drift: [], issues: [],
  };
}
