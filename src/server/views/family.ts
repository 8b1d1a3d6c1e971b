import type { CellState, MatrixCell } from '../../model/insights.ts';
import type { ConnectionHealth, FamilyView } from '../backend.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Session } from '../sessions.ts';
import { formatNumber, formatPercent, page, path } from './layout.ts';

export const STATE_LEGEND: { state: CellState; label: string }[] = [
  { state: 'active', label: 'Active: bought in the last 12 months' },
  { state: 'open', label: 'Open: in the pipeline' },
  { state: 'lapsed', label: 'Lapsed: bought before, not in the last 12 months' },
  { state: 'lost', label: 'Lost: only lost opportunities' },
  { state: 'whitespace', label: 'Whitespace: never offered' },
];

const RISK_TEXT: Record<string, string> = {
  declining: 'Declining: revenue fell by 20% or more against the prior 12 months',
  'single-threaded': 'Single-threaded: at most one active contact in the family',
  stalled: 'Stalled: no won opportunity in the last 6 months',
  concentration: 'Concentration: 20% or more of all revenue',
  'owner-dependence': 'Owner dependence: every deal in the window owned by one user',
  'relationship-owner': 'Relationship owner: every known relationship is on deals of one owner, so it leaves with them',
};

function cellHtml(cell: MatrixCell | undefined, currency: string): SafeHtml {
  if (!cell) return html`<td class="cell state-whitespace">—</td>`;
  const details = [
    `${cell.offering}: ${cell.state}`,
    `revenue ${formatNumber(cell.revenue)} ${currency}`,
    `lifetime ${formatNumber(cell.lifetimeRevenue)} ${currency}`,
    cell.lastWonDate ? `last won ${cell.lastWonDate}` : null,
    cell.openAmount > 0 ? `open ${formatNumber(cell.openAmount)} ${currency}` : null,
    cell.suggestion ? cell.suggestion.reason : null,
  ].filter((d): d is string => d !== null).join('\n');
  const amount = cell.state === 'active' ? formatNumber(cell.revenue) : cell.state === 'open' ? formatNumber(cell.openAmount) : '';
  return html`<td class="cell state-${cell.state}${cell.suggestion ? ' suggested' : ''}" title="${details}" data-state="${cell.state}">
    ${cell.state}${amount ? html`<br>${amount}` : ''}${cell.suggestion ? html`<br>★ ${formatNumber(cell.suggestion.estimatedValue)}/yr` : ''}</td>`;
}

export function familyPage(session: Session, c: ConnectionHealth, view: FamilyView): string {
  const f = view.family;
  const offerings = f.matrix.offerings;
  const byKey = new Map(f.matrix.cells().map((m) => [`${m.entityId}\u0000${m.offering}`, m]));
  const suggestions = f.matrix.suggestionList();
  const names = new Map(view.entities.map((e) => [e.id, e.name]));
  return page({ session }, f.name, html`
<p><a href="${path('connections', c.id)}">← ${c.name}</a></p>
<h1>${f.name} <span class="help">${f.tier ?? 'Not tiered'} · score ${f.score.toFixed(1)}</span></h1>
<p>Revenue ${formatNumber(f.revenue)} ${view.currency} (prior 12 months ${formatNumber(f.priorRevenue)}) ·
share ${formatPercent(f.revenueShare)} · class ${f.abcClass} · growth ${formatPercent(f.growth)} ·
penetration ${formatPercent(f.penetration)} · whitespace ${formatNumber(f.whitespaceValue)} ${view.currency}/yr · as of ${view.asOf}</p>

<h2>Matrix</h2>
<ul class="legend">${STATE_LEGEND.map((l) => html`<li><span class="swatch state-${l.state}"></span>${l.label}</li>`)}
  <li><span class="swatch state-whitespace suggested"></span>★ Suggested by peers (estimated value per year)</li></ul>
${offerings.length === 0 ? html`<p>No offerings in the catalogue.</p>` : html`<table class="matrix">
<thead><tr><th>Offering</th>${view.entities.map((e) => html`<th>${'· '.repeat(e.depth)}${e.name}</th>`)}</tr></thead>
<tbody>${offerings.map((o) => html`<tr><th>${o}</th>${view.entities.map((e) => cellHtml(byKey.get(`${e.id}\u0000${o}`), view.currency))}</tr>`)}</tbody>
</table>`}

<h2>Reasons</h2>
<ul class="reasons">${f.reasons.map((r) => html`<li>${r}</li>`)}</ul>
<table class="criteria"><thead><tr><th>Criterion</th><th>Value</th><th>Threshold</th><th>Weight</th><th>Result</th></tr></thead>
<tbody>${f.criteria.map((k) => html`<tr><td>${k.id}${k.sufficient ? ' (sufficient)' : ''}${k.knockout ? ' (knockout)' : ''}</td>
<td>${k.value === null ? 'no data' : String(k.value)}</td><td>${k.direction} ${String(k.threshold)}</td><td class="num">${k.weight}</td>
<td>${k.passed === null ? 'left out' : k.passed ? 'pass' : 'fail'}</td></tr>`)}</tbody></table>

<h2>Suggestions</h2>
${suggestions.length === 0 ? html`<p>None.</p>` : html`<ul class="suggestions">${suggestions.map((s) =>
  html`<li>${names.get(s.entity) ?? s.entity} · ${s.offering}: ${s.reason}</li>`)}</ul>`}

<h2>Contact coverage</h2>
<p>${f.contacts.active} active contacts, ${f.contacts.referenceable} referenceable.</p>
<table class="coverage"><thead><tr><th>Entity</th><th>Active contacts</th><th>Referenceable</th><th>Coverage</th></tr></thead>
<tbody>${view.entities.map((e) => html`<tr${f.contacts.underCoveredEntities.includes(e.id) ? html` class="under-covered"` : ''}>
<td>${e.name}</td><td class="num">${e.activeContacts}</td><td class="num">${e.referenceableContacts}</td><td>${e.coverage}${
  f.contacts.singleThreadedEntities.includes(e.id) ? ' · single-threaded' : f.contacts.underCoveredEntities.includes(e.id) ? ' · under-covered' : ''}</td></tr>`)}</tbody></table>

<h2>Risks</h2>
${f.risks.length === 0 ? html`<p>No risk flags.</p>` : html`<ul class="risks">${f.risks.map((r) => html`<li>${RISK_TEXT[r] ?? r}</li>`)}</ul>`}
${f.lossScenario ? html`<p>Losing this family would cost ${formatNumber(f.lossScenario.revenueLost)} ${view.currency}
(${formatPercent(f.lossScenario.shareLost)} of revenue); concentration (HHI) afterwards ${f.lossScenario.hhiAfter.toFixed(3)}.</p>` : ''}`);
}
