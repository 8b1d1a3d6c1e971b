import type { ConnectionHealth, FamilySummary, InstallFormField, RunSummary, SourceSummary } from '../backend.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Session } from '../sessions.ts';
import { csrfField, formatDate, formatNumber, formatPercent, page, path } from './layout.ts';
import { kindWords, statusWords } from './status-words.ts';

/** Today's shared budget of the org (UTC day, every worker's calls), when Kamflow has counted any. */
function apiToday(c: ConnectionHealth): string {
  const today = c.apiToday;
  if (!today) return '';
  const org = today.orgUsed !== null && today.orgMax !== null ? `; the org: ${formatNumber(today.orgUsed)} / ${formatNumber(today.orgMax)}` : '';
  return ` · Kamflow today: ${formatNumber(today.kamflowCalls)} calls by every worker${org}`;
}

function apiUse(c: ConnectionHealth): string {
  if (!c.apiUsage) return c.apiToday ? apiToday(c).slice(3) : '—';
  // A limit of 0 means the CRM's allowance is not known: only Kamflow's own use is.
  if (c.apiUsage.limit <= 0) return `${formatNumber(c.apiUsage.used)} calls in the last ${c.apiUsage.period}${apiToday(c)}`;
  const pct = c.apiUsage.limit > 0 ? ` (${((c.apiUsage.used / c.apiUsage.limit) * 100).toFixed(0)}%)` : '';
  return `${formatNumber(c.apiUsage.used)} / ${formatNumber(c.apiUsage.limit)} per ${c.apiUsage.period}${pct}${apiToday(c)}`;
}

function lastRun(c: ConnectionHealth): SafeHtml {
  if (!c.lastRun) return html`never`;
  return html`<a href="${path('connections', c.id, 'runs', c.lastRun.id)}">${kindWords(c.lastRun.kind)}</a>
    <span class="status-${c.lastRun.status}">${statusWords(c.lastRun.status)}</span> ${formatDate(c.lastRun.finishedAt)}`;
}

function formField(kind: string, formIndex: number, f: InstallFormField): SafeHtml {
  const id = formIndex === 0 ? `${kind}-${f.name}` : `${kind}-${f.name}-${formIndex}`;
  if (f.kind === 'select') {
    return html`<label for="${id}">${f.label}</label>
    <select id="${id}" name="${f.name}">${f.options.map((o) => html`
      <option value="${o.value}">${o.label}</option>`)}
    </select>`;
  }
  return html`<label for="${id}">${f.label}</label>
    <input id="${id}" name="${f.name}" type="url" placeholder="${f.placeholder}" required>`;
}

/** A source's install forms; one without choices is a plain link. */
function installForms(s: SourceSummary): SafeHtml[] {
  return s.installForms.map((form, i) => form.fields.length === 0
    ? html`<a class="button${form.secondary ? ' secondary' : ''}" href="${path('connect', s.kind)}">${form.button}</a>`
    : html`<form method="get" action="${path('connect', s.kind)}">
    ${form.fields.map((f) => formField(s.kind, i, f))}
    <button type="submit"${form.secondary ? html` class="secondary"` : ''}>${form.button}</button>
  </form>`);
}

export function connectionsPage(session: Session, connections: ConnectionHealth[], sources: SourceSummary[]): string {
  const installable = sources.filter((s) => s.installForms.length > 0);
  return page({ session }, 'Connections', html`
<h1>Connections</h1>
${connections.length === 0
  ? html`<p>No source is connected yet.${installable.length > 0 ? html` Install Kamflow into ${installable.map((s) => s.label).join(' or ')} below.` : ''}</p>`
  : html`<table class="connections">
<thead><tr><th>Connection</th><th>Source</th><th>Status</th><th>Last run</th><th>Next run</th><th>API use</th><th>Errors</th></tr></thead>
<tbody>${connections.map((c) => html`
<tr>
  <td><a href="${path('connections', c.id)}">${c.name}</a><div class="help">${c.location}</div></td>
  <td>${c.sourceLabel}</td>
  <td class="status-${c.status}">${statusWords(c.status)}</td>
  <td>${lastRun(c)}</td>
  <td>${formatDate(c.nextRun)}</td>
  <td>${apiUse(c)}</td>
  <td>${c.recentErrors.length === 0 ? 'none' : html`<ul>${c.recentErrors.map((e) => html`<li>${e}</li>`)}</ul>`}</td>
</tr>`)}</tbody>
</table>`}
<h2>Install</h2>
<div class="actions">
  ${installable.flatMap(installForms)}
</div>`);
}

export function runsTable(connectionId: string, runs: RunSummary[]): SafeHtml {
  if (runs.length === 0) return html`<p>No runs yet.</p>`;
  return html`<table class="runs">
<thead><tr><th>Run</th><th>Kind</th><th>Trigger</th><th>Status</th><th>Started</th><th>Finished</th><th>Written</th><th>Unchanged</th><th>Failed</th><th>Error</th></tr></thead>
<tbody>${runs.map((r) => html`
<tr>
  <td><a href="${path('connections', connectionId, 'runs', r.id)}">${r.id}</a></td>
  <td>${kindWords(r.kind)}</td><td>${r.trigger}</td><td class="status-${r.status}">${statusWords(r.status)}</td>
  <td>${formatDate(r.startedAt)}</td><td>${formatDate(r.finishedAt)}</td>
  <td class="num">${r.written}</td><td class="num">${r.unchanged}</td><td class="num">${r.failed}</td>
  <td>${r.error ?? ''}</td>
</tr>`)}</tbody>
</table>`;
}

/** How often the connection page reloads itself while a run is going. */
export const RUNNING_REFRESH_SECONDS = 5;

export function connectionPage(session: Session, c: ConnectionHealth, runs: RunSummary[], families: FamilySummary[] | null): string {
  const base = path('connections', c.id);
  const running = c.status === 'running';
  return page({ session, ...(running ? { refreshSeconds: RUNNING_REFRESH_SECONDS } : {}) }, c.name, html`
<h1>${c.name} <span class="help">${c.sourceLabel} · ${c.location}</span></h1>
${running ? html`<p class="flash ok live" role="status">A run is going${c.lastRun && c.lastRun.status === 'running' ? html` (<a href="${path('connections', c.id, 'runs', c.lastRun.id)}">${c.lastRun.kind} ${c.lastRun.id}</a>)` : ''}${c.lastRun?.progress ? html`, ${c.lastRun.progress}` : ''}: this page reloads every ${RUNNING_REFRESH_SECONDS} seconds until it ends.</p>` : ''}
<p>Status: <span class="status-${c.status}">${statusWords(c.status)}</span> · Next run: ${formatDate(c.nextRun)} · API use: ${apiUse(c)}</p>
${c.recentErrors.length > 0 ? html`<div class="errors"><strong>Recent errors</strong><ul>${c.recentErrors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
${c.awaitingConfirmation ? html`<div class="awaiting" role="status"><p><strong>The last sync is awaiting approval:</strong> it planned writes and wrote nothing.${c.lastRun ? html` <a href="${path('connections', c.id, 'runs', c.lastRun.id)}">Review its plan</a> (every account and field, current and new value), then approve it there.` : ''}</p></div>` : ''}
<div class="actions">
  <form method="post" action="${base}/runs">${csrfField(session)}<input type="hidden" name="kind" value="sync"><button type="submit">Sync now</button></form>
  <form method="post" action="${base}/runs">${csrfField(session)}<input type="hidden" name="kind" value="dry-run"><button type="submit" class="secondary">Dry run</button></form>
  <a class="button" href="${base}/config">Criteria and schedule</a>
  <a class="button" href="${base}/backtest">Backtest</a>
  <a class="button secondary" href="${base}/settings">Settings</a>
</div>
<h2>Families</h2>
${families !== null && families.length > 0 ? html`<p><a class="button secondary" href="${base}/portfolio">Portfolio: concentration, loss scenarios, drift, risks</a></p>` : ''}
${families === null || families.length === 0
  ? html`<p>No analysis yet: run a sync first.</p>`
  : html`<div class="scroll-x"><table class="families">
<thead><tr><th>Family</th><th>Tier</th><th>Score</th><th>Revenue</th><th>Penetration</th></tr></thead>
<tbody>${families.map((f) => html`
<tr><td><a href="${path('connections', c.id, 'families', f.id)}">${f.name}</a></td><td>${f.tier ?? 'Not tiered'}</td>
<td class="num">${f.score.toFixed(1)}</td><td class="num">${formatNumber(f.revenue)}</td><td class="num">${formatPercent(f.penetration)}</td></tr>`)}</tbody>
</table></div>`}
<h2>Run history</h2>
<div class="scroll-x">${runsTable(c.id, runs)}</div>
${runs.length > 0 ? html`<p><a href="${base}/runs">All runs of this connection</a></p>` : ''}`);
}
