import type { AnalysisResult, FamilyInsight, FamilyRelationships, RiskId } from '../../model/insights.ts';
import { count, heading, money, pct, signedPct, table, truncate, wrap, type Painter } from './format.ts';
import { renderMatrix, type ReportContext } from './matrix.ts';

export interface SectionOptions {
  width: number;
  limit: number;
  matrixRows: number;
}

const TIER_STYLE = { Key: 'green', Develop: 'cyan', Maintain: 'yellow', Standard: 'dim' } as const;

/** Biggest first, ties by id, so that lists read the same on every run. */
function byRevenue(families: FamilyInsight[]): FamilyInsight[] {
  return [...families].sort((a, b) => b.revenue - a.revenue || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function more(shown: number, total: number, what: string): string[] {
  return total > shown ? [`  ... ${total - shown} more ${what} (all in --json)`] : [];
}

export function portfolioSection(r: AnalysisResult, accounts: number, p: Painter): string[] {
  const pf = r.portfolio;
  return [
    ...heading(p, 'Portfolio'),
    `  Revenue, 12 months   ${money(pf.totalRevenue)} ${r.currency} from ${count(pf.families, 'family', 'families')} (${count(accounts, 'account')})`,
    `  Concentration        top 1: ${pct(pf.top1Share)}   top 5: ${pct(pf.top5Share)}   top 10: ${pct(pf.top10Share)}   HHI ${pf.hhi.toFixed(4)}`,
    `  Key families         ${pf.keyFamilies}`,
  ];
}

/** Who decides and who holds the relationships, from the contact roles on deals. */
function relationshipsLine(r: FamilyRelationships, ctx: ReportContext): string {
  const deciders = r.entities.reduce((n, e) => n + e.decisionMakers.length, 0);
  const influencers = r.entities.reduce((n, e) => n + e.influencers.length, 0);
  const parts = [`${count(r.knownContacts, 'contact')} with a role on deals, ${deciders} deciding, ${influencers} influencing`];
  if (r.noDecisionMaker.length > 0) {
    const names = r.noDecisionMaker.slice(0, 3).map((id) => ctx.names.get(id) ?? id).join(', ');
    parts.push(`no decision maker known at ${names}${r.noDecisionMaker.length > 3 ? ` and ${r.noDecisionMaker.length - 3} more` : ''}`);
  }
  if (r.singleOwner !== null) parts.push(`all through one owner, ${r.singleOwner}`);
  return `Relationships: ${parts.join('; ')}`;
}

/** The family's three most valuable suggestions, where to sell first. */
function suggestionLines(f: FamilyInsight, ctx: ReportContext, width: number): string[] {
  const m = f.matrix;
  if (m.suggestions.length === 0) return wrap('Suggestions: none', width, '   ', '     ');
  const sisters = m.suggestions.filter((s) => s.rule === 'sister').length;
  const ranked = m.suggestionList().sort((a, b) =>
    b.estimatedValue - a.estimatedValue || (a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : 0) || (a.offering < b.offering ? -1 : 1));
  const out = wrap(
    `Suggestions: ${count(m.suggestions.length, 'cell')} (${sisters} from sister entities, ${m.suggestions.length - sisters} from peers), the first:`,
    width, '   ', '     ',
  );
  for (const s of ranked.slice(0, 3)) out.push(...wrap(`${ctx.names.get(s.entity) ?? s.entity}: ${s.reason}`, width, '     - ', '       '));
  return out;
}

function familyHeader(f: FamilyInsight, index: number, currency: string, ctx: ReportContext, p: Painter, width: number): string[] {
  const c = f.contacts;
  const coverage = [
    `${c.active} active, ${c.referenceable} referenceable`,
    ...(c.underCoveredEntities.length > 0 ? [`${count(c.underCoveredEntities.length, 'buying entity', 'buying entities')} under target`] : []),
    ...(c.singleThreadedEntities.length > 0 ? [`${c.singleThreadedEntities.length} single-threaded`] : []),
  ].join(', ');
  const para = (text: string) => wrap(text, width, '   ', '     ');
  const out = [
    '',
    ...wrap(`${index}. ${p.paint(f.name, 'bold')} (${f.id}): ${f.tier === null ? p.paint('not tiered', 'red') : p.paint(f.tier, TIER_STYLE[f.tier])}, score ${f.score.toFixed(1)}`, width, '', '   '),
    ...para(`Revenue ${money(f.revenue)} ${currency} (${pct(f.revenueShare)} share, class ${f.abcClass}, growth ${signedPct(f.growth)} on ${money(f.priorRevenue)})`),
    ...para(`Penetration ${pct(f.penetration)} of ${f.matrix.cellCount} cells, whitespace ${money(f.whitespaceValue)}/yr, ${count(f.entityIds.length, 'entity', 'entities')}`),
    ...para(`Contacts: ${coverage}`),
    ...(f.relationships ? para(relationshipsLine(f.relationships, ctx)) : []),
    ...para(`Risks: ${f.risks.length > 0 ? p.paint(f.risks.join(', '), 'red') : 'none'}`),
  ];
  if (f.horizon) {
    const h = f.horizon;
    out.push(...para(`Pays off: ${money(h.thisQuarter)} ${currency} this quarter; later ${money(h.laterPipeline)} in deals and ${money(h.laterWhitespace)}/yr whitespace`));
  }
  if (f.lossScenario) {
    const l = f.lossScenario;
    out.push(...para(`If lost: ${money(l.revenueLost)} ${currency} (${pct(l.shareLost)} of revenue), HHI after ${l.hhiAfter.toFixed(4)}`));
  }
  out.push(...suggestionLines(f, ctx, width));
  if (f.reasons.length > 0) {
    out.push('   Why:');
    for (const line of f.reasons) out.push(...wrap(line, width, '     - ', '       '));
  }
  return out;
}

export function keyFamiliesSection(r: AnalysisResult, ctx: ReportContext, p: Painter, o: SectionOptions): string[] {
  const key = byRevenue(r.families.filter((f) => f.tier === 'Key'));
  const out = heading(p, `Key families (${key.length})`);
  if (key.length === 0) out.push('  None: no family passes the key-account criteria.');
  const shown = key.slice(0, o.limit);
  shown.forEach((f, i) => {
    out.push(...familyHeader(f, i + 1, r.currency, ctx, p, o.width));
    out.push('   Penetration matrix:');
    out.push(...renderMatrix(f, ctx, p, { width: o.width - 1, maxRows: o.matrixRows }).map((l) => (l === '' ? '' : ` ${l}`)));
  });
  out.push(...more(shown.length, key.length, 'key families'));
  return out;
}

export function tiersSection(r: AnalysisResult, p: Painter, o: SectionOptions): string[] {
  const tierCount = (t: string) => r.families.filter((f) => f.tier === t).length;
  const develop = r.families.filter((f) => f.tier === 'Develop')
    .sort((a, b) => b.whitespaceValue - a.whitespaceValue || (a.id < b.id ? -1 : 1));
  const out = [
    ...heading(p, 'Tiers'),
    `  Key ${tierCount('Key')}   Develop ${tierCount('Develop')}   Maintain ${tierCount('Maintain')}   Standard ${tierCount('Standard')}`
      + (r.families.some((f) => f.tier === null) ? `   Not tiered ${r.families.filter((f) => f.tier === null).length}` : ''),
  ];
  if (develop.length > 0) {
    out.push('', '  Develop (most whitespace first):');
    const rows = develop.slice(0, o.limit).map((f) => [
      truncate(f.name, 34), money(f.revenue), pct(f.penetration), money(f.whitespaceValue), f.score.toFixed(1),
    ]);
    out.push(...table(['Family', 'Revenue', 'Penetr.', 'Whitespace', 'Score'], rows, ['l', 'r', 'r', 'r', 'r']));
    out.push(...more(rows.length, develop.length, 'Develop families'));
  }
  return out;
}

export function whitespaceSection(r: AnalysisResult, ctx: ReportContext, p: Painter, o: SectionOptions): string[] {
  const cells = r.families.flatMap((f) =>
    f.matrix.suggestions.map((suggestion, k) => ({ family: f, cell: f.matrix.cell(f.matrix.suggestedCells[k] as number), suggestion })));
  cells.sort((a, b) =>
    b.suggestion.estimatedValue - a.suggestion.estimatedValue
    || (a.cell.entityId < b.cell.entityId ? -1 : a.cell.entityId > b.cell.entityId ? 1 : 0)
    || (a.cell.offering < b.cell.offering ? -1 : a.cell.offering > b.cell.offering ? 1 : 0));
  const out = heading(p, 'Top whitespace');
  if (cells.length === 0) {
    out.push('  No suggestions: no cell has enough peers or sister entities buying its offering.');
    return out;
  }
  const top = cells.slice(0, o.limit);
  out.push(...table(
    ['Est./yr', 'Offering', 'Entity', 'Family', 'Adopters', 'Rule'],
    top.map(({ family, cell, suggestion: s }) => [
      money(s.estimatedValue),
      truncate(cell.offering, 20),
      truncate(ctx.names.get(cell.entityId) ?? cell.entityId, 28),
      truncate(family.name, 24),
      `${s.adopters}/${s.peers}`,
      s.rule === 'sister' ? 'sisters' : 'peers',
    ]),
    ['r', 'l', 'l', 'l', 'r', 'l'],
  ));
  const first = top[0];
  if (first) out.push(...wrap(`e.g. ${first.suggestion.reason}`, o.width, '  ', '       '));
  out.push(...more(top.length, cells.length, 'suggestions'));
  return out;
}

export function lossSection(r: AnalysisResult, p: Painter, o: SectionOptions): string[] {
  const key = byRevenue(r.families.filter((f) => f.lossScenario !== null));
  const out = heading(p, 'Loss scenarios (losing one key family)');
  if (key.length === 0) {
    out.push('  No key families, so no single loss scenario.');
    return out;
  }
  const rows = key.slice(0, o.limit).map((f) => {
    const l = f.lossScenario;
    return [truncate(f.name, 34), money(l?.revenueLost ?? 0), pct(l?.shareLost ?? null), (l?.hhiAfter ?? 0).toFixed(4)];
  });
  out.push(...table(['Family', 'Revenue lost', 'Share', 'HHI after'], rows, ['l', 'r', 'r', 'r']));
  out.push(`  HHI now ${r.portfolio.hhi.toFixed(4)}`);
  out.push(...more(rows.length, key.length, 'key families'));
  const w = r.worstCase;
  if (w && (w.keyFamilies.length > 0 || w.owners.length > 0)) {
    out.push('', '  Worst case:');
    const worst = [
      ...w.keyFamilies.map((g) => [`top ${g.families.length} key families together`, g] as const),
      ...w.owners.slice(0, 3).map((g) => [truncate(`owner ${g.name ?? g.owner} leaves (${count(g.families.length, 'family', 'families')})`, 40), g] as const),
    ];
    out.push(...table(['Losing', 'Revenue lost', 'Share', 'HHI after'],
      worst.map(([what, g]) => [what, money(g.revenueLost), pct(g.shareLost), g.hhiAfter.toFixed(4)]), ['l', 'r', 'r', 'r']));
  }
  return out;
}

const RISK_TEXT: Record<RiskId, string> = {
  declining: 'revenue down 20% or more on the prior year',
  'single-threaded': 'at most one active contact in the family',
  stalled: 'revenue, but nothing won in the last 6 months',
  concentration: '20% or more of all revenue',
  'owner-dependence': "every deal closed this year owned by one user",
  'relationship-owner': "every known relationship on one owner's deals: at risk if they leave",
};

export function risksSection(r: AnalysisResult, p: Painter, o: SectionOptions): string[] {
  const flagged = r.families.filter((f) => f.risks.length > 0);
  const out = heading(p, `Risks (${count(flagged.length, 'family', 'families')} flagged)`);
  if (flagged.length === 0) {
    out.push('  No risk flags.');
    return out;
  }
  for (const id of Object.keys(RISK_TEXT) as RiskId[]) {
    const n = flagged.filter((f) => f.risks.includes(id)).length;
    if (n > 0) out.push(`  ${p.paint(id.padEnd(17), 'red')} ${String(n).padStart(6)}  ${RISK_TEXT[id]}`);
  }
  const sorted = byRevenue(flagged);
  const revenueWidth = Math.max(7, ...sorted.slice(0, o.limit).map((f) => money(f.revenue).length));
  // What is left of the width after name (26), tier (8), revenue and the gaps; the rest is in --json.
  const risksWidth = Math.max(20, o.width - 2 - 26 - 2 - 8 - 2 - revenueWidth - 2);
  const rows = sorted.slice(0, o.limit).map((f) => [
    truncate(f.name, 26), f.tier ?? 'none', money(f.revenue), truncate(f.risks.join(', '), risksWidth),
  ]);
  out.push('', ...table(['Family', 'Tier', 'Revenue', 'Risks'], rows, ['l', 'l', 'r', 'l']));
  out.push(...more(rows.length, flagged.length, 'flagged families'));
  return out;
}

export function driftSection(r: AnalysisResult, p: Painter, o: SectionOptions): string[] {
  const out = heading(p, `Drift from the CRM's key marking (${r.drift.length})`);
  if (r.drift.length === 0) {
    out.push("  None: the CRM's key marking agrees with the criteria.");
    return out;
  }
  const label = { 'marked-but-fails': 'Marked key, fails the criteria', 'passes-but-unmarked': 'Passes the criteria, not marked key', 'override-contradicts': 'Tier override against the criteria' } as const;
  const names = new Map(r.families.map((f) => [f.id, f.name]));
  for (const d of r.drift.slice(0, o.limit)) {
    out.push(...wrap(`${label[d.kind]}: ${names.get(d.familyId) ?? d.familyId} (${d.familyId})`, o.width, '  ', '    '));
    out.push(...wrap(d.message, o.width, '    ', '    '));
  }
  out.push(...more(Math.min(o.limit, r.drift.length), r.drift.length, 'drift entries'));
  return out;
}

export function issuesSection(r: AnalysisResult, p: Painter, o: SectionOptions): string[] {
  const out = heading(p, `Data issues (${r.issues.length})`);
  if (r.issues.length === 0) {
    out.push('  None.');
    return out;
  }
  const kinds = new Map<string, number>();
  for (const i of r.issues) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
  for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    out.push(`  ${kind.padEnd(28)} ${String(n).padStart(7)}`);
  }
  out.push('', '  For example:');
  for (const i of r.issues.slice(0, Math.min(o.limit, 5))) {
    out.push(...wrap(`${i.kind}${i.recordId ? ` ${i.recordId}` : ''}: ${i.message}`, o.width, '  - ', '    '));
  }
  return out;
}
