import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { CellState, FamilyInsight, HorizonItem, RiskId, Suggestion } from '../../model/insights.ts';
import type { ConnectionHealth, EntityView, FamilyView } from '../backend.ts';
import { html, unsafeRaw, type SafeHtml } from '../html.ts';
import type { Session } from '../sessions.ts';
import { formatCompact, formatNumber, formatPercent, page, path } from './layout.ts';

export const STATE_LEGEND: { state: CellState; label: string }[] = [
  { state: 'active', label: 'Active: bought in the last 12 months (amount: revenue)' },
  { state: 'open', label: 'Open: in the pipeline (amount: open value)' },
  { state: 'lapsed', label: 'Lapsed: bought before, not in the last 12 months' },
  { state: 'lost', label: 'Lost: only lost opportunities' },
  { state: 'whitespace', label: 'Empty: never offered' },
];

/** The mark of a suggested cell, by the rule that suggested it. */
export const SUGGESTION_MARK: Record<Suggestion['rule'], string> = { peer: '★', sister: '◆' };

export const RISK_TEXT: Record<RiskId, string> = {
  declining: 'Declining: revenue fell by 20% or more against the prior 12 months',
  'single-threaded': 'Single-threaded: at most one active contact in the family',
  stalled: 'Stalled: no won opportunity in the last 6 months',
  concentration: 'Concentration: 20% or more of all revenue',
  'owner-dependence': 'Owner dependence: every deal in the window owned by one user',
  'relationship-owner': 'Relationship owner: every known relationship is on deals of one owner, so it leaves with them',
};

const STATE_WORD: Record<CellState, string> = { active: 'active', open: 'open', lapsed: 'lapsed', lost: 'lost', whitespace: 'never offered' };

/**
 * The matrix body as one string, built cell by cell with indexes into the matrix's columns: the
 * largest families have thousands of cells, and an `html` template per cell (or a cell object
 * per cell) is most of the page's cost. Every text that comes from the CRM goes through `esc`.
 */
function matrixRows(f: FamilyInsight, entities: EntityView[], currency: string, esc: (s: string) => string): string {
  const m = f.matrix;
  const O = m.offerings.length;
  const rowOf = new Map(m.entities.map((id, i) => [id, i]));
  const offeringText = m.offerings.map((o) => esc(o));
  let out = '';
  for (const e of entities) {
    const row = rowOf.get(e.id);
    const name = esc(e.name);
    out += `<tr><th scope="row" class="entity depth-${Math.min(e.depth, 4)}" title="${name}">${name}</th>`;
    if (row === undefined) {
      out += '<td></td>'.repeat(O);
      out += '</tr>';
      continue;
    }
    for (let o = 0; o < O; o++) {
      const c = m.cellIndex(row, o);
      const state = m.state(c);
      const suggestion = m.suggestion(c);
      // A cell never offered and not suggested: white and empty, with no title (most cells are).
      if (state === 'whitespace' && !suggestion) {
        out += '<td></td>';
        continue;
      }
      const revenue = m.revenue[c] as number;
      const open = m.openAmount[c] as number;
      const lastWon = m.lastWonDate(c);
      let title = `${offeringText[o] ?? ''}: ${STATE_WORD[state]}`;
      if (revenue > 0) title += `&#10;revenue ${formatNumber(revenue)} ${currency}`;
      const lifetime = m.lifetimeRevenue[c] as number;
      if (lifetime > 0) title += `&#10;lifetime ${formatNumber(lifetime)} ${currency}`;
      if (lastWon) title += `&#10;last won ${lastWon}`;
      if (open > 0) title += `&#10;open ${formatNumber(open)} ${currency}`;
      // The reason itself is in the suggestions table below the matrix.
      if (suggestion) title += `&#10;${suggestion.rule === 'sister' ? 'sister' : 'peer'} suggestion, est. ${formatNumber(suggestion.estimatedValue)} ${currency}/yr`;
      const amount = state === 'active' ? formatCompact(revenue) : state === 'open' ? formatCompact(open) : '';
      const mark = suggestion ? `<span class="mark ${suggestion.rule}">${SUGGESTION_MARK[suggestion.rule]}</span>` : '';
      out += `<td class="cell state-${state}${suggestion ? ` suggested ${suggestion.rule}` : ''}" title="${title}">${amount}${mark}</td>`;
    }
    out += '</tr>';
  }
  return out;
}

function escapeText(s: string): string {
  return html`${s}`.value;
}

function matrixTable(view: FamilyView): SafeHtml {
  const f = view.family;
  if (f.matrix.offerings.length === 0) return html`<p>No offerings in the catalogue.</p>`;
  return html`<div class="matrix-scroll" role="region" aria-label="Penetration matrix of ${f.name}" tabindex="0">
<table class="matrix">
<thead><tr><th class="corner" scope="col">Entity</th>${f.matrix.offerings.map((o) => html`<th scope="col" title="${o}">${o}</th>`)}</tr></thead>
<tbody>${unsafeRaw(matrixRows(f, view.entities, escapeText(view.currency), escapeText))}</tbody>
</table>
</div>`;
}

function legend(currency: string): SafeHtml {
  return html`<ul class="legend">${STATE_LEGEND.map((l) => html`<li><span class="swatch state-${l.state}"></span>${l.label}</li>`)}
  <li><span class="swatch state-whitespace suggested peer"><span class="mark peer">${SUGGESTION_MARK.peer}</span></span>Suggested by peers in other families</li>
  <li><span class="swatch state-whitespace suggested sister"><span class="mark sister">${SUGGESTION_MARK.sister}</span></span>Suggested by sister entities of this family</li>
</ul>
<p class="help">Amounts in ${currency}: K thousands, M millions. A cell's title (hover) has its revenue, lifetime revenue, last win and the suggestion's estimate; the reasons are in the suggestions below.</p>`;
}

/** Suggestions listed per rule, the largest first; the matrix marks all of them. */
const SUGGESTIONS_SHOWN = 15;
/** Families with more entities show their coverage table folded. */
const COVERAGE_OPEN_UP_TO = 20;

function suggestionsSection(view: FamilyView, names: Map<string, string>): SafeHtml {
  const all = view.family.matrix.suggestionList();
  const byRule = (rule: Suggestion['rule']) => all.filter((s) => s.rule === rule).sort((a, b) => b.estimatedValue - a.estimatedValue);
  const list = (items: ReturnType<typeof byRule>) => html`<table class="suggestions">
<thead><tr><th>Entity</th><th>Offering</th><th class="num">Est. per year</th><th>Why</th></tr></thead>
<tbody>${items.slice(0, SUGGESTIONS_SHOWN).map((s) => html`<tr><td>${names.get(s.entity) ?? s.entity}</td><td>${s.offering}</td>
<td class="num">${formatNumber(s.estimatedValue)}</td><td>${s.reason}</td></tr>`)}</tbody></table>
${items.length > SUGGESTIONS_SHOWN ? html`<p class="help">The ${SUGGESTIONS_SHOWN} largest of ${items.length}; every one is marked in the matrix above.</p>` : ''}`;
  const peers = byRule('peer');
  const sisters = byRule('sister');
  return html`<h2>Suggestions</h2>
${all.length === 0 ? html`<p>None.</p>` : ''}
${peers.length > 0 ? html`<h3><span class="mark peer">${SUGGESTION_MARK.peer}</span> From peers in other families (${peers.length})</h3><div class="scroll-x">${list(peers)}</div>` : ''}
${sisters.length > 0 ? html`<h3><span class="mark sister">${SUGGESTION_MARK.sister}</span> From sister entities of this family (${sisters.length})</h3><div class="scroll-x">${list(sisters)}</div>` : ''}`;
}

function relationshipsSection(view: FamilyView, entityNames: Map<string, string>): SafeHtml {
  const r = view.family.relationships;
  if (!r) return html`<h2>Relationships by role</h2><p class="help">Not known: the CRM's data carries no contact roles on opportunities.</p>`;
  const contact = (id: string): string => view.names?.contacts[id] ?? id;
  const user = (id: string): string => view.names?.users[id] ?? id;
  const people = (ids: string[]): SafeHtml | string => (ids.length === 0 ? '—' : html`${ids.map((id, i) => html`${i > 0 ? ', ' : ''}${contact(id)}`)}`);
  return html`<h2>Relationships by role</h2>
<p>${r.knownContacts} contacts with a role on the family's deals, through ${r.owners.length === 0 ? 'no owner' : r.owners.map(user).join(', ')}.
Decision makers known at ${formatPercent(r.decisionMakerCoverage)} of the buying entities.</p>
${r.singleOwner ? html`<p class="warn">Every known relationship runs through ${user(r.singleOwner)}'s deals.</p>` : ''}
${r.noDecisionMaker.length > 0 ? html`<p class="warn">Buying with no decision maker known: ${r.noDecisionMaker.map((id) => entityNames.get(id) ?? id).join(', ')}.</p>` : ''}
${r.entities.length === 0 ? '' : html`<div class="scroll-x"><table class="relationships">
<thead><tr><th>Entity</th><th>Decision makers</th><th>Influencers</th><th>References</th></tr></thead>
<tbody>${r.entities.map((e) => html`<tr><td>${entityNames.get(e.entity) ?? e.entity}</td><td>${people(e.decisionMakers)}</td>
<td>${people(e.influencers)}</td><td>${people(e.referenceable)}</td></tr>`)}</tbody></table></div>`}`;
}

function horizonItem(it: HorizonItem, view: FamilyView, entityNames: Map<string, string>): SafeHtml {
  const what = it.kind === 'pipeline'
    ? html`deal ${it.opportunity ? (view.names?.opportunities[it.opportunity] ?? it.opportunity) : ''}${it.closeDate ? html`, closing ${it.closeDate}` : ''}`
    : html`whitespace: ${it.offering ?? ''}`;
  return html`<tr><td>${it.payoff === 'thisQuarter' ? 'this quarter' : 'later'}</td><td>${entityNames.get(it.entity) ?? it.entity}</td>
<td>${what}</td><td>${it.owner ? (view.names?.users[it.owner] ?? it.owner) : '—'}</td><td class="num">${formatNumber(it.value)}</td></tr>`;
}

function horizonSection(view: FamilyView, entityNames: Map<string, string>): SafeHtml {
  const h = view.family.horizon;
  if (!h) return html``;
  return html`<h2>Payoff horizon</h2>
<p>This quarter: ${formatNumber(h.thisQuarter)} ${view.currency} of open pipeline closing by the quarter's end.
Later (within 12 months): ${formatNumber(h.later)} ${view.currency}, of which pipeline ${formatNumber(h.laterPipeline)} and whitespace ${formatNumber(h.laterWhitespace)} per year.</p>
${h.top.length === 0 ? '' : html`<div class="scroll-x"><table class="horizon">
<thead><tr><th>When</th><th>Entity</th><th>What</th><th>Owner</th><th class="num">Value (${view.currency})</th></tr></thead>
<tbody>${h.top.map((it) => horizonItem(it, view, entityNames))}</tbody></table></div>`}`;
}

/**
 * The page body by family object (which lives as long as its analysis), for the connection it
 * was made for: the same family page is asked for again and again between two analyses, and
 * the largest take milliseconds to build. Only the page around it (session, flash) is per request.
 */
const BODY_CACHE = new WeakMap<FamilyInsight, { key: string; body: SafeHtml; bytes: Buffer; pages: Map<string, Buffer> }>();


/** Pages of one family body kept ready per session look (user, CSRF token) and encoding. */
const PAGES_PER_BODY = 32;
const MARK = '\u0000kamflow-family-body\u0000';

export type PageEncoding = 'br' | 'gzip' | null;

/** The encoding a client takes, from its Accept-Encoding: brotli first, then gzip, else none. */
export function pageEncoding(accept: string | undefined): PageEncoding {
  if (!accept) return null;
  const taken = new Set<string>();
  for (const part of accept.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) taken.add(name.trim());
  }
  if (taken.has('br')) return 'br';
  if (taken.has('gzip') || taken.has('*')) return 'gzip';
  return null;
}

type CachedBody = { key: string; body: SafeHtml; bytes: Buffer; pages: Map<string, Buffer> };
/** The same view object (the backend keeps one per analysis) under the same connection name: its body, without building the key. */
const BY_VIEW = new WeakMap<FamilyView, { id: string; name: string; cached: CachedBody }>();

function bodyOf(c: ConnectionHealth, view: FamilyView): CachedBody {
  const same = BY_VIEW.get(view);
  if (same && same.id === c.id && same.name === c.name && BODY_CACHE.get(view.family) === same.cached) return same.cached;
  const cached = bodyByKey(c, view);
  BY_VIEW.set(view, { id: c.id, name: c.name, cached });
  return cached;
}

function bodyByKey(c: ConnectionHealth, view: FamilyView): CachedBody {
  const key = `${c.id}\u0000${c.name}\u0000${view.asOf}\u0000${view.currency}\u0000${view.entities.map((e) => `${e.id}\u0001${e.name}\u0001${e.depth}\u0001${e.activeContacts}\u0001${e.referenceableContacts}\u0001${e.coverage}`).join('\u0000')}\u0000${JSON.stringify(view.names ?? null)}`;
  const hit = BODY_CACHE.get(view.family);
  if (hit && hit.key === key) return hit;
  const body = familyBody(c, view);
  const made = { key, body, bytes: Buffer.from(body.value, 'utf8'), pages: new Map<string, Buffer>() };
  BODY_CACHE.set(view.family, made);
  return made;
}

export function familyPage(session: Session, c: ConnectionHealth, view: FamilyView): string {
  return page({ session }, view.family.name, bodyOf(c, view).body);
}

/**
 * The family page as bytes to send, in the encoding asked for. The body is encoded once per
 * analysis; the page around it (user, CSRF token, a flash) is small and per session, and the
 * whole page compressed is kept per session look until the analysis changes (a page with a
 * flash message is compressed for that request only).
 */
export function familyPageBytes(session: Session, c: ConnectionHealth, view: FamilyView, encoding: PageEncoding): Buffer {
  const cached = bodyOf(c, view);
  const hadFlash = session.flash !== null;
  const [head = '', tail = ''] = page({ session }, view.family.name, unsafeRaw(MARK)).split(MARK);
  const slot = `${encoding ?? ''}\u0000${head}\u0000${tail}`;
  const kept = cached.pages.get(slot);
  if (kept) return kept;
  const plain = Buffer.concat([Buffer.from(head, 'utf8'), cached.bytes, Buffer.from(tail, 'utf8')]);
  const bytes = encoding === 'br'
    ? brotliCompressSync(plain, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: plain.length } })
    : encoding === 'gzip' ? gzipSync(plain, { level: 6 }) : plain;
  if (!hadFlash) {
    if (cached.pages.size >= PAGES_PER_BODY) cached.pages.delete(cached.pages.keys().next().value ?? '');
    cached.pages.set(slot, bytes);
  }
  return bytes;
}

function familyBody(c: ConnectionHealth, view: FamilyView): SafeHtml {
  const f = view.family;
  const entityNames = new Map(view.entities.map((e) => [e.id, e.name]));
  return html`
<p class="crumbs"><a href="${path('connections', c.id)}">← ${c.name}</a> · <a href="${path('connections', c.id, 'portfolio')}">Portfolio</a></p>
<h1>${f.name} <span class="help">${f.tier ?? 'Not tiered'} · score ${f.score.toFixed(1)}${f.override ? html` · tier set by ${f.override.by} until ${f.override.until}: ${f.override.reason}` : ''}</span></h1>
<dl class="facts">
<div><dt>Revenue (12 months)</dt><dd>${formatNumber(f.revenue)} ${view.currency}</dd></div>
<div><dt>Prior 12 months</dt><dd>${formatNumber(f.priorRevenue)} ${view.currency}</dd></div>
<div><dt>Growth</dt><dd>${formatPercent(f.growth)}</dd></div>
<div><dt>Share of revenue</dt><dd>${formatPercent(f.revenueShare)} · class ${f.abcClass}</dd></div>
<div><dt>Penetration</dt><dd>${formatPercent(f.penetration)}</dd></div>
<div><dt>Whitespace</dt><dd>${formatNumber(f.whitespaceValue)} ${view.currency}/yr</dd></div>
<div><dt>Entities</dt><dd>${view.entities.length}</dd></div>
<div><dt>As of</dt><dd>${view.asOf}</dd></div>
</dl>

<h2>Matrix</h2>
${legend(view.currency)}
${matrixTable(view)}

<h2>Reasons</h2>
<ul class="reasons">${f.reasons.map((r) => html`<li>${r}</li>`)}</ul>
<div class="scroll-x"><table class="criteria"><thead><tr><th>Criterion</th><th>Value</th><th>Threshold</th><th>Weight</th><th>Result</th></tr></thead>
<tbody>${f.criteria.map((k) => html`<tr><td>${k.id}${k.sufficient ? ' (sufficient)' : ''}${k.knockout ? ' (knockout)' : ''}</td>
<td>${k.value === null ? 'no data' : String(k.value)}</td><td>${k.direction} ${String(k.threshold)}</td><td class="num">${k.weight}</td>
<td>${k.passed === null ? 'left out' : k.passed ? 'pass' : 'fail'}</td></tr>`)}</tbody></table></div>

${horizonSection(view, entityNames)}
${suggestionsSection(view, entityNames)}
${relationshipsSection(view, entityNames)}

<h2>Contact coverage</h2>
<p>${f.contacts.active} active contacts, ${f.contacts.referenceable} referenceable.</p>
<details class="coverage"${view.entities.length <= COVERAGE_OPEN_UP_TO ? html` open` : ''}><summary>Contacts per entity (${view.entities.length} entities, ${f.contacts.underCoveredEntities.length} under-covered)</summary>
<div class="scroll-x"><table class="coverage"><thead><tr><th>Entity</th><th>Active contacts</th><th>Referenceable</th><th>Coverage</th></tr></thead>
<tbody>${view.entities.map((e) => html`<tr${f.contacts.underCoveredEntities.includes(e.id) ? html` class="under-covered"` : ''}>
<td>${e.name}</td><td class="num">${e.activeContacts}</td><td class="num">${e.referenceableContacts}</td><td>${e.coverage}${
  f.contacts.singleThreadedEntities.includes(e.id) ? ' · single-threaded' : f.contacts.underCoveredEntities.includes(e.id) ? ' · under-covered' : ''}</td></tr>`)}</tbody></table></div></details>

<h2>Risks</h2>
${f.risks.length === 0 ? html`<p>No risk flags.</p>` : html`<ul class="risks">${f.risks.map((r) => html`<li>${RISK_TEXT[r] ?? r}</li>`)}</ul>`}
${f.lossScenario ? html`<p>Losing this family would cost ${formatNumber(f.lossScenario.revenueLost)} ${view.currency}
(${formatPercent(f.lossScenario.shareLost)} of revenue); concentration (HHI) afterwards ${f.lossScenario.hhiAfter.toFixed(3)}.</p>` : ''}`;
}
