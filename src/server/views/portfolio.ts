import type { DriftEntry, GroupLoss, RiskId } from '../../model/insights.ts';
import type { ConnectionHealth, PortfolioFamily, PortfolioView } from '../backend.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Session } from '../sessions.ts';
import { RISK_TEXT } from './family.ts';
import { formatNumber, formatPercent, page, path } from './layout.ts';

/** The chart's drawing area inside its viewBox; the SVG scales to the page's width. */
const W = 640;
const H = 300;
const PAD = { left: 52, right: 16, top: 16, bottom: 40 };
/** Points of the curve drawn at most: a portfolio of 100,000 families still draws in a few KB. */
const MAX_POINTS = 400;

interface Point {
  /** 1-based rank by revenue. */
  rank: number;
  /** Cumulative share of revenue, 0..1. */
  share: number;
}

/** The cumulative share of revenue by rank, for every family. */
function cumulative(families: readonly PortfolioFamily[], total: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (const f of families) {
    sum += Math.max(0, f.revenue);
    out.push(total > 0 ? sum / total : 0);
  }
  return out;
}

/** The ranks drawn: an even spread, plus every rank that is marked (top 1/5/10, key families). */
function sampledRanks(n: number, marked: Iterable<number>): number[] {
  const ranks = new Set<number>([1, n]);
  const step = Math.max(1, n / MAX_POINTS);
  for (let r = 1; r <= n; r += step) ranks.add(Math.round(r));
  for (const r of marked) if (r >= 1 && r <= n) ranks.add(r);
  return [...ranks].sort((a, b) => a - b);
}

/**
 * The Pareto curve of family revenue as an SVG, made here (the console runs no script): the
 * cumulative share of revenue against the families ranked by revenue, the top 1, 5 and 10
 * marked with their shares, every key family as a dot on the curve, HHI in the corner.
 */
export function paretoChart(view: PortfolioView): SafeHtml {
  const fams = view.families;
  const n = fams.length;
  const total = view.portfolio.totalRevenue;
  if (n === 0 || total <= 0) return html`<p>No revenue in the window, so no concentration to draw.</p>`;
  const cum = cumulative(fams, total);
  const x = (rank: number): number => PAD.left + ((W - PAD.left - PAD.right) * (n === 1 ? 1 : (rank - 1) / (n - 1)));
  const y = (share: number): number => PAD.top + (H - PAD.top - PAD.bottom) * (1 - share);
  const keyRanks = fams.flatMap((f, i) => (f.tier === 'Key' ? [i + 1] : []));
  const tops = [1, 5, 10].filter((k) => k <= n);
  const points: Point[] = sampledRanks(n, [...tops, ...keyRanks]).map((rank) => ({ rank, share: cum[rank - 1] ?? 0 }));
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.rank).toFixed(1)},${y(p.share).toFixed(1)}`).join(' ');
  const area = `${line} L${x(n).toFixed(1)},${y(0).toFixed(1)} L${x(1).toFixed(1)},${y(0).toFixed(1)} Z`;
  const grid = [0, 0.25, 0.5, 0.75, 1];
  const topShare: Record<number, number> = { 1: view.portfolio.top1Share, 5: view.portfolio.top5Share, 10: view.portfolio.top10Share };
  const description = `Cumulative share of revenue by family, ${n} families ranked by revenue: top 1 ${formatPercent(view.portfolio.top1Share)}, top 5 ${formatPercent(view.portfolio.top5Share)}, top 10 ${formatPercent(view.portfolio.top10Share)}; HHI ${view.portfolio.hhi.toFixed(3)}; ${keyRanks.length} key families marked.`;
  return html`<figure class="chart">
<svg class="pareto" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="pareto-title pareto-desc" xmlns="http://www.w3.org/2000/svg">
<title id="pareto-title">Concentration of revenue (Pareto curve)</title>
<desc id="pareto-desc">${description}</desc>
${grid.map((g) => html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(g).toFixed(1)}" y2="${y(g).toFixed(1)}"></line>
<text class="axis" x="${PAD.left - 6}" y="${(y(g) + 5).toFixed(1)}" text-anchor="end">${Math.round(g * 100)}%</text>`)}
<text class="axis" x="${x(1).toFixed(1)}" y="${H - 20}" text-anchor="start">1</text>
<text class="axis" x="${x(n).toFixed(1)}" y="${H - 20}" text-anchor="end">${formatNumber(n)}</text>
<text class="axis" x="${((PAD.left + W - PAD.right) / 2).toFixed(1)}" y="${H - 4}" text-anchor="middle">families by revenue, largest first</text>
<path class="area" d="${area}"></path>
<path class="curve" d="${line}"></path>
${keyRanks.map((r) => html`<circle class="key" cx="${x(r).toFixed(1)}" cy="${y(cum[r - 1] ?? 0).toFixed(1)}" r="6"><title>${fams[r - 1]?.name ?? ''} (key, rank ${r})</title></circle>`)}
${tops.map((k) => html`<g class="top"><line x1="${x(k).toFixed(1)}" x2="${x(k).toFixed(1)}" y1="${y(0).toFixed(1)}" y2="${y(topShare[k] ?? 0).toFixed(1)}"></line>
<circle cx="${x(k).toFixed(1)}" cy="${y(topShare[k] ?? 0).toFixed(1)}" r="5"></circle>
<text x="${(x(k) + 7).toFixed(1)}" y="${(y(topShare[k] ?? 0) + (k === 1 ? 16 : k === 5 ? 4 : -8)).toFixed(1)}">top ${k}: ${formatPercent(topShare[k] ?? 0)}</text></g>`)}
<text class="hhi" x="${W - PAD.right - 6}" y="${y(0) - 10}" text-anchor="end">HHI ${view.portfolio.hhi.toFixed(3)}</text>
</svg>
<figcaption><span class="swatch curve"></span> cumulative share of revenue · <span class="swatch key"></span> key family · <span class="swatch top"></span> top 1, 5 and 10</figcaption>
</figure>`;
}

function hhiWords(hhi: number): string {
  // A common reading of the index (on the 0-1 scale); 1 is one family holding everything.
  if (hhi < 0.1) return 'low (under 0.10)';
  if (hhi <= 0.18) return 'moderate (0.10 to 0.18)';
  return 'high (over 0.18)';
}

function familyLink(c: ConnectionHealth, id: string, name: string): SafeHtml {
  return html`<a href="${path('connections', c.id, 'families', id)}">${name}</a>`;
}

function groupRow(c: ConnectionHealth, what: SafeHtml | string, g: GroupLoss, names: Map<string, string>, currency: string): SafeHtml {
  return html`<tr><td>${what}<div class="help">${g.families.map((id, i) => html`${i > 0 ? ', ' : ''}${familyLink(c, id, names.get(id) ?? id)}`)}</div></td>
<td class="num">${formatNumber(g.revenueLost)} ${currency}</td><td class="num">${formatPercent(g.shareLost)}</td><td class="num">${g.hhiAfter.toFixed(3)}</td></tr>`;
}

function lossSection(c: ConnectionHealth, view: PortfolioView, names: Map<string, string>): SafeHtml {
  const key = view.families.filter((f) => f.lossScenario !== null);
  const w = view.worstCase;
  return html`<h2 id="loss">Loss scenarios</h2>
${key.length === 0 ? html`<p>No key families, so no single loss scenario.</p>` : html`<div class="scroll-x"><table class="loss">
<thead><tr><th>Losing one key family</th><th class="num">Revenue lost</th><th class="num">Share</th><th class="num">HHI after</th></tr></thead>
<tbody>${key.map((f) => html`<tr><td>${familyLink(c, f.id, f.name)}</td><td class="num">${formatNumber(f.lossScenario?.revenueLost ?? 0)} ${view.currency}</td>
<td class="num">${formatPercent(f.lossScenario?.shareLost ?? null)}</td><td class="num">${(f.lossScenario?.hhiAfter ?? 0).toFixed(3)}</td></tr>`)}</tbody></table></div>`}
<h3>Worst case</h3>
${!w || (w.keyFamilies.length === 0 && w.owners.length === 0) ? html`<p>Nothing to combine: fewer than two key families and no owner holding a family alone.</p>` : html`<div class="scroll-x"><table class="worst">
<thead><tr><th>Losing</th><th class="num">Revenue lost</th><th class="num">Share</th><th class="num">HHI after</th></tr></thead>
<tbody>${w.keyFamilies.map((g) => groupRow(c, `the top ${g.families.length} key families together`, g, names, view.currency))}
${w.owners.slice(0, 5).map((g) => groupRow(c, html`owner <strong>${g.name ?? g.owner}</strong> leaves, with the ${g.families.length === 1 ? 'family' : `${g.families.length} families`} only they hold`, g, names, view.currency))}</tbody></table></div>
${w.owners.length > 5 ? html`<p class="help">${w.owners.length - 5} more owners hold families alone; the full list is in the analysis JSON.</p>` : ''}`}`;
}

const DRIFT: { kind: DriftEntry['kind']; title: string; help: string }[] = [
  { kind: 'marked-but-fails', title: 'Marked key in the CRM, but fails the criteria', help: 'The CRM calls them key; by the criteria they are not. Check the marking or the criteria.' },
  { kind: 'passes-but-unmarked', title: 'Passes the criteria, not marked key in the CRM', help: 'Key by the criteria, not yet marked in the CRM.' },
  { kind: 'override-contradicts', title: 'A tier override against the criteria', help: "A manager's override in force that the criteria disagree with." },
];

function driftSection(c: ConnectionHealth, view: PortfolioView, names: Map<string, string>): SafeHtml {
  return html`<h2 id="drift">Drift from the CRM's key marking (${view.drift.length})</h2>
${view.drift.length === 0 ? html`<p>None: the CRM's key marking agrees with the criteria.</p>` : DRIFT.map((d) => {
    const entries = view.drift.filter((e) => e.kind === d.kind);
    return html`<h3>${d.title} (${entries.length})</h3>
${entries.length === 0 ? html`<p class="help">None.</p>` : html`<p class="help">${d.help}</p><ul class="drift">${entries.map((e) => html`<li>${familyLink(c, e.familyId, names.get(e.familyId) ?? e.familyId)}: ${e.message}</li>`)}</ul>`}`;
  })}`;
}

const RISK_ORDER: RiskId[] = ['concentration', 'declining', 'stalled', 'single-threaded', 'owner-dependence', 'relationship-owner'];
/** Families listed under each risk; the count says how many there are in all. */
const RISK_LIST_LIMIT = 50;

function risksSection(c: ConnectionHealth, view: PortfolioView): SafeHtml {
  const flagged = view.families.filter((f) => f.risks.length > 0);
  return html`<h2 id="risks">Risks (${flagged.length} ${flagged.length === 1 ? 'family' : 'families'} flagged)</h2>
${flagged.length === 0 ? html`<p>No risk flags.</p>` : html`<ul class="risk-counts">${RISK_ORDER.map((id) => {
    const fams = flagged.filter((f) => f.risks.includes(id));
    if (fams.length === 0) return '';
    return html`<li><details><summary><strong class="count">${fams.length}</strong> ${RISK_TEXT[id]}</summary>
<ul>${fams.slice(0, RISK_LIST_LIMIT).map((f) => html`<li>${familyLink(c, f.id, f.name)} <span class="help">${f.tier ?? 'Not tiered'} · ${formatNumber(f.revenue)} ${view.currency}</span></li>`)}</ul>
${fams.length > RISK_LIST_LIMIT ? html`<p class="help">and ${fams.length - RISK_LIST_LIMIT} more, the largest first above.</p>` : ''}</details></li>`;
  })}</ul>`}`;
}

export function portfolioPage(session: Session, c: ConnectionHealth, view: PortfolioView): string {
  const p = view.portfolio;
  const names = new Map(view.families.map((f) => [f.id, f.name]));
  return page({ session }, `Portfolio · ${c.name}`, html`
<p class="crumbs"><a href="${path('connections', c.id)}">← ${c.name}</a></p>
<h1>Portfolio <span class="help">${c.name} · as of ${view.asOf}</span></h1>
<nav class="toc"><a href="#concentration">Concentration</a> · <a href="#loss">Loss scenarios</a> · <a href="#drift">Drift</a> · <a href="#risks">Risks</a></nav>
<h2 id="concentration">Concentration</h2>
<dl class="facts">
<div><dt>Revenue (12 months)</dt><dd>${formatNumber(p.totalRevenue)} ${view.currency}</dd></div>
<div><dt>Families</dt><dd>${formatNumber(p.families)}</dd></div>
<div><dt>Key families</dt><dd>${formatNumber(p.keyFamilies)}</dd></div>
<div><dt>Top 1 / 5 / 10</dt><dd>${formatPercent(p.top1Share)} / ${formatPercent(p.top5Share)} / ${formatPercent(p.top10Share)}</dd></div>
<div><dt>HHI</dt><dd>${p.hhi.toFixed(3)}</dd></div>
</dl>
<p class="help">HHI, the sum of the squared revenue shares of the families (1 when one family holds all revenue), is ${hhiWords(p.hhi)}, as concentration is commonly read.</p>
${paretoChart(view)}
${lossSection(c, view, names)}
${driftSection(c, view, names)}
${risksSection(c, view)}`);
}
