import type { AnalysisResult, DataIssueKind } from '../../model/insights.ts';
import { count, heading, money, table, truncate, wrap, type Painter } from './format.ts';
import type { SectionOptions } from './sections.ts';

const KIND_TEXT: Record<DataIssueKind, string> = {
  'no-peers': 'entities without industry or employee count (no peers)',
  'unknown-product': 'line items naming a product the export lacks',
  'unconverted-amount': 'opportunities in a currency without a rate',
  'contact-without-account': "contacts without an account at a family's domain",
  'suspected-duplicate': 'entities that look like another family\'s account',
};

/**
 * Data quality for the admin: how many families have each kind of data issue, then the families
 * left untiered (largest revenue first) with what would fix each.
 */
export function qualitySection(r: AnalysisResult, p: Painter, o: SectionOptions): string[] {
  const withQuality = r.families.filter((f) => f.quality !== undefined);
  const untiered = withQuality.filter((f) => f.quality?.tiered === false && f.tier === null)
    .sort((a, b) => b.revenue - a.revenue || (a.id < b.id ? -1 : 1));
  const out = heading(p, `Data quality (${count(untiered.length, 'family', 'families')} not tiered)`);
  const byKind = new Map<DataIssueKind, { families: number; inputs: number }>();
  for (const f of withQuality) {
    for (const i of f.quality?.issues ?? []) {
      const e = byKind.get(i.kind) ?? { families: 0, inputs: 0 };
      e.families += 1;
      e.inputs += i.count;
      byKind.set(i.kind, e);
    }
  }
  if (byKind.size === 0) {
    out.push('  No data issues in any family\'s inputs.');
    return out;
  }
  const rows = (Object.keys(KIND_TEXT) as DataIssueKind[]).filter((k) => byKind.has(k)).map((k) => {
    const e = byKind.get(k) ?? { families: 0, inputs: 0 };
    return [KIND_TEXT[k], String(e.inputs), String(e.families)];
  });
  out.push(...table(['Issue', 'Records', 'Families'], rows, ['l', 'r', 'r']));
  for (const f of untiered.slice(0, o.limit)) {
    const q = f.quality;
    if (!q) continue;
    out.push('', ...wrap(`${truncate(f.name, 40)} (${f.id}): not tiered, data confidence ${Math.round(q.confidence * 100)}%, revenue ${money(f.revenue)}`, o.width, '  ', '    '));
    for (const i of q.issues) out.push(...wrap(i.message, o.width, '    - ', '      '));
  }
  if (untiered.length > o.limit) out.push(`  ... and ${untiered.length - o.limit} more not tiered (all in --json)`);
  return out;
}
