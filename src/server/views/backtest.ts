import type { BacktestView, ConnectionHealth } from '../backend.ts';
import { html } from '../html.ts';
import type { Session } from '../sessions.ts';
import { formatNumber, formatPercent, page, path } from './layout.ts';

/** The backtest page: the date form, the per-tier table, the verdict and the families. */
export function backtestPage(session: Session, c: ConnectionHealth, view: BacktestView): string {
  const r = view.result;
  return page({ session }, `Backtest · ${c.name}`, html`
<p><a href="${path('connections', c.id)}">← ${c.name}</a></p>
<h1>Backtest</h1>
<p class="help">Tiers every family as of a past date with the current criteria, from only the deals won or lost by then,
and shows what happened in the 12 months after.</p>
<form method="get" action="${path('connections', c.id, 'backtest')}">
  <label>As of <input type="date" name="asOf" value="${view.asOf}" max="${view.latest}" required></label>
  <button type="submit">Run backtest</button>
</form>
${r === null ? html`<p class="error">${view.error ?? 'No result.'}</p>` : html`
<h2>Per tier: revenue in the 12 months before and after ${r.asOf}</h2>
<table>
<thead><tr><th>Tier then</th><th>Families</th><th>Before</th><th>After</th><th>Kept</th><th>Grown</th><th>Lost</th><th>Churned</th></tr></thead>
<tbody>${r.tiers.map((t) => html`<tr><td>${t.tier ?? 'Not tiered'}</td><td>${t.families}</td><td>${formatNumber(t.revenueBefore)}</td>
<td>${formatNumber(t.revenueAfter)}</td><td>${formatNumber(t.kept)}</td><td>${formatNumber(t.grown)}</td><td>${formatNumber(t.lost)}</td><td>${formatNumber(t.churned)}</td></tr>`)}</tbody>
</table>
<h2>Verdict</h2>
${r.verdict.map((v) => html`<p>${v}</p>`)}
<p>Key families' share of the revenue after: ${formatPercent(r.key.shareOfRevenueAfter)} (${r.currency}, outcomes to ${r.followEnd}).</p>
<h2>Families</h2>
<table>
<thead><tr><th>Family</th><th>Tier then</th><th>Declining</th><th>Before</th><th>After</th><th>Outcome</th></tr></thead>
<tbody>${r.families.slice(0, 200).map((f) => html`<tr><td><a href="${path('connections', c.id, 'families', f.id)}">${f.name}</a></td>
<td>${f.tier ?? 'Not tiered'}</td><td>${f.declining ? 'yes' : ''}</td><td>${formatNumber(f.revenueBefore)}</td><td>${formatNumber(f.revenueAfter)}</td><td>${f.outcome}</td></tr>`)}</tbody>
</table>
${r.families.length > 200 ? html`<p class="help">The 200 families with the most revenue before ${r.asOf}; the CLI's --json has all ${r.families.length}.</p>` : ''}`}
`);
}
