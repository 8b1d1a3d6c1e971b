import type { ConnectionHealth, RunDetail } from '../backend.ts';
import { html } from '../html.ts';
import type { Session } from '../sessions.ts';
import { csrfField, formatDate, page, path } from './layout.ts';

export function runPage(session: Session, c: ConnectionHealth, run: RunDetail): string {
  const base = path('connections', c.id);
  return page({ session }, `Run ${run.id}`, html`
<p><a href="${base}">← ${c.name}</a></p>
<h1>Run ${run.id}</h1>
<table class="run">
<tbody>
<tr><th>Kind</th><td>${run.kind}${run.rollbackOf ? html` of <a href="${path('connections', c.id, 'runs', run.rollbackOf)}">${run.rollbackOf}</a>` : ''}</td></tr>
<tr><th>Status</th><td class="status-${run.status}">${run.status}</td></tr>
<tr><th>Trigger</th><td>${run.trigger}</td></tr>
<tr><th>Started</th><td>${formatDate(run.startedAt)}</td></tr>
<tr><th>Finished</th><td>${formatDate(run.finishedAt)}</td></tr>
<tr><th>Written / unchanged / failed</th><td>${run.written} / ${run.unchanged} / ${run.failed}</td></tr>
${run.error ? html`<tr><th>Error</th><td>${run.error}</td></tr>` : ''}
</tbody>
</table>
${run.canRollback
  ? html`<div class="actions"><form method="post" action="${path('connections', c.id, 'runs', run.id, 'rollback')}">${csrfField(session)}
    <button type="submit" class="danger">Roll back this run</button></form></div>`
  : ''}
<h2>Per-record errors (${run.recordErrors.length})</h2>
${run.recordErrors.length === 0
  ? html`<p>None.</p>`
  : html`<table class="record-errors"><thead><tr><th>Record</th><th>Kind</th><th>Message</th></tr></thead>
<tbody>${run.recordErrors.map((e) => html`<tr><td>${e.recordId}</td><td>${e.kind}</td><td>${e.message}</td></tr>`)}</tbody></table>`}`);
}
