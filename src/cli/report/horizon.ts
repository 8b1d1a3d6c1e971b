import type { AnalysisResult, HorizonItem } from '../../model/insights.ts';
import { heading, money, table, truncate, wrap, type Painter } from './format.ts';
import type { ReportContext } from './matrix.ts';

/** "Deal O7 (Acme EMEA), closes 2026-12-01" or "Cloud to Acme EMEA (suggested)". */
export function horizonItemText(it: HorizonItem, ctx: ReportContext): string {
  const entity = ctx.names.get(it.entity) ?? it.entity;
  const when = it.payoff === 'thisQuarter' ? 'this quarter' : 'later';
  return it.kind === 'pipeline'
    ? `${money(it.value)} ${when}: deal ${it.opportunity ?? ''} at ${entity}, closing ${it.closeDate ?? ''}`
    : `${money(it.value)}/yr ${when}: ${it.offering ?? ''} to ${entity} (suggested)`;
}

/** Per owner: what pays off this quarter against the next 3-12 months, and where to start. */
export function horizonSection(r: AnalysisResult, ctx: ReportContext, p: Painter, o: { width: number; limit: number }): string[] {
  const h = r.horizon;
  if (!h) return [];
  const out = heading(p, `Payoff horizon (quarter ${h.quarterStart} to ${h.quarterEnd}, later to ${h.laterEnd})`);
  if (h.owners.length === 0) {
    out.push('  No open pipeline or suggestion with an owner.');
    return out;
  }
  const owners = [...h.owners].sort((a, b) => b.thisQuarter + b.later - (a.thisQuarter + a.later) || (a.owner < b.owner ? -1 : 1));
  const shown = owners.slice(0, o.limit);
  out.push(...table(
    ['Owner', 'This quarter', 'Later deals', 'Whitespace/yr'],
    shown.map((x) => [truncate(x.name ?? x.owner, 30), money(x.thisQuarter), money(x.laterPipeline), money(x.laterWhitespace)]),
    ['l', 'r', 'r', 'r'],
  ));
  for (const x of shown.slice(0, 3)) {
    const first = x.top[0];
    if (first) out.push(...wrap(`${x.name ?? x.owner} first: ${horizonItemText(first, ctx)}`, o.width, '  ', '    '));
  }
  if (owners.length > shown.length) out.push(`  ... ${owners.length - shown.length} more owners (all in --json)`);
  return out;
}
