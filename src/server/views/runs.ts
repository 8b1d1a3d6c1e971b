import type { ConnectionHealth, RunDetail, RunPlanView } from '../backend.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Session } from '../sessions.ts';
import { csrfField, formatDate, formatNumber, page, path } from './layout.ts';
import { kindWords, statusWords } from './status-words.ts';

function figures(entries: Record<string, number>): string {
  const list = Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1));
  return list.length === 0 ? 'none' : list.map(([k, n]) => `${k} ${formatNumber(n)}`).join(', ');
}

/** "ada (console)", "bob (CLI)" from what the plan recorded. */
export function approverWords(by: string | null): string {
  if (by === null) return '';
  const at = by.indexOf(':');
  const where = at === -1 ? by : by.slice(0, at);
  const who = at === -1 ? '' : by.slice(at + 1);
  const label = where === 'cli' ? 'CLI' : where;
  return who ? `${who} (${label})` : label;
}

/** A kept plan: what it amounts to, then each account and field with the CRM's value and the new one. */
function planSection(session: Session, c: ConnectionHealth, run: RunDetail, plan: RunPlanView): SafeHtml {
  const rollback = plan.kind === 'rollback';
  const by = approverWords(plan.approvedBy);
  const state = plan.approvedAt !== null
    ? html`<p class="flash ok">Approved${by ? html` by <strong>${by}</strong>` : ''} at ${formatDate(plan.approvedAt)}${plan.approvedByRun ? html`, written by run <a href="${path('connections', c.id, 'runs', plan.approvedByRun)}">${plan.approvedByRun}</a>` : ''}.</p>`
    : run.status === 'awaiting-approval'
      ? rollback
        ? html`<p class="awaiting" role="status"><strong>Awaiting approval:</strong> nothing is restored until you approve this rollback. Approving writes exactly the values below; a field that changes meanwhile is left as it is and reported as a conflict.</p>`
        : html`<p class="awaiting" role="status"><strong>Awaiting approval:</strong> nothing is written until you approve this plan${plan.reasons.length > 0 ? html`, held because ${plan.reasons.join('; ')}` : ''}.</p>`
      : '';
  const cli = `kamflow plan ${run.id} --all`;
  const conflictCount = plan.conflicts.length + plan.hiddenConflicts;
  const summary = rollback
    ? html`
<tr><th>Accounts to restore</th><td>${formatNumber(plan.changedAccounts)} (${formatNumber(plan.changedFields)} fields)</td></tr>
<tr><th>Left as they are (conflicts)</th><td>${formatNumber(conflictCount)} fields changed since the run wrote them</td></tr>
<tr><th>Tier changes</th><td>${figures(plan.tierChanges)}</td></tr>
<tr><th>Key account flag</th><td>${formatNumber(plan.keyFlag.on)} set, ${formatNumber(plan.keyFlag.off)} cleared</td></tr>
<tr><th>Per field</th><td>${figures(plan.byField)}</td></tr>
<tr><th>API calls it will cost</th><td>${figures(plan.estimatedCalls)}</td></tr>`
    : html`
<tr><th>Accounts to change</th><td>${formatNumber(plan.changedAccounts)} of ${formatNumber(plan.accounts)} (${formatNumber(plan.changedFields)} fields)</td></tr>
<tr><th>Tier, flags or numbers change</th><td>${formatNumber(plan.substantiveAccounts)} accounts</td></tr>
<tr><th>Reasons' wording only</th><td>${formatNumber(plan.wordingOnlyAccounts)} accounts</td></tr>
<tr><th>Tier changes</th><td>${figures(plan.tierChanges)}</td></tr>
<tr><th>Key account flag</th><td>${formatNumber(plan.keyFlag.on)} set, ${formatNumber(plan.keyFlag.off)} cleared</td></tr>
<tr><th>Per field</th><td>${figures(plan.byField)}</td></tr>
<tr><th>API calls it will cost</th><td>${figures(plan.estimatedCalls)}</td></tr>`;
  const button = rollback ? `Roll back these ${formatNumber(plan.changedFields)} fields` : 'Approve and write this plan';
  return html`
<h2>${rollback ? 'Plan of the rollback' : 'Plan'}</h2>
${state}
<table class="plan-summary"><tbody>${summary}
</tbody></table>
${plan.canApprove
  ? html`<div class="actions"><form method="post" action="${path('connections', c.id, 'runs', run.id, 'approve')}">${csrfField(session)}
    <button type="submit"${rollback ? html` class="danger"` : ''}>${button}</button></form></div>`
  : ''}
${plan.rows.length === 0
  ? html`<p>${rollback ? 'The rollback restores nothing.' : 'The plan writes nothing.'}</p>`
  : html`<div class="scroll-x"><table class="plan">
<thead><tr><th>Account</th><th>Field</th><th>In the CRM now</th><th>${rollback ? 'Value it restores' : 'New value'}</th></tr></thead>
<tbody>${plan.rows.map((r) => html`<tr><td>${r.name ?? ''}<div class="help">${r.accountId}</div></td><td>${r.field}</td><td class="value">${r.from}</td><td class="value">${r.to}</td></tr>`)}</tbody>
</table></div>`}
${plan.hiddenAccounts > 0 ? html`<p class="help">… and ${formatNumber(plan.hiddenAccounts)} more account(s): <code>${cli}</code> lists every one.</p>` : ''}
${rollback && conflictCount > 0
  ? html`<h3>Conflicts: left as they are (${formatNumber(conflictCount)})</h3>
<p class="help">These fields changed after the run wrote them, by a person or a later run; the rollback does not overwrite them.</p>
<div class="scroll-x"><table class="plan conflicts">
<thead><tr><th>Account</th><th>Field</th><th>In the CRM now</th><th>The run wrote</th><th>Would have restored</th></tr></thead>
<tbody>${plan.conflicts.map((r) => html`<tr><td>${r.name ?? ''}<div class="help">${r.accountId}</div></td><td>${r.field}</td><td class="value">${r.now}</td><td class="value">${r.wrote}</td><td class="value">${r.restore}</td></tr>`)}</tbody>
</table></div>
${plan.hiddenConflicts > 0 ? html`<p class="help">… and ${formatNumber(plan.hiddenConflicts)} more: <code>kamflow run ${run.id}</code> lists every one.</p>` : ''}`
  : ''}`;
}

export function runPage(session: Session, c: ConnectionHealth, run: RunDetail): string {
  const base = path('connections', c.id);
  // Only a rollback's preview keeps a plan; the run that writes it keeps none.
  const preview = run.kind === 'rollback' && run.plan?.kind === 'rollback';
  const counts = run.kind === 'dry-run'
    ? html`<tr><th>Written</th><td>nothing (a dry run)${run.plan ? html`; it would change ${formatNumber(run.plan.changedAccounts)} accounts, see the plan below` : ''}</td></tr>`
    : preview && run.plan
      ? run.plan.approvedByRun
        ? html`<tr><th>Written</th><td>nothing (a preview); approved, and its ${formatNumber(run.plan.changedFields)} fields on ${formatNumber(run.plan.changedAccounts)} accounts written by run <a href="${path('connections', c.id, 'runs', run.plan.approvedByRun)}">${run.plan.approvedByRun}</a></td></tr>`
        : html`<tr><th>Written</th><td>nothing (a preview); it would restore ${formatNumber(run.plan.changedFields)} fields on ${formatNumber(run.plan.changedAccounts)} accounts, see the plan below</td></tr>`
    : html`<tr><th>Written / unchanged / failed</th><td>${run.written} / ${run.unchanged} / ${run.failed}</td></tr>`;
  return page({ session }, `Run ${run.id}`, html`
<p><a href="${base}">← ${c.name}</a></p>
<h1>Run ${run.id}</h1>
<table class="run">
<tbody>
<tr><th>Kind</th><td>${kindWords(run.kind)}${preview ? ' preview' : ''}${run.rollbackOf ? html` of <a href="${path('connections', c.id, 'runs', run.rollbackOf)}">${run.rollbackOf}</a>` : ''}</td></tr>
<tr><th>Status</th><td class="status-${run.status}">${statusWords(run.status)}</td></tr>
<tr><th>Trigger</th><td>${run.trigger}</td></tr>
<tr><th>Started</th><td>${formatDate(run.startedAt)}</td></tr>
<tr><th>Finished</th><td>${formatDate(run.finishedAt)}</td></tr>
${counts}
${run.error && run.status !== 'awaiting-approval' ? html`<tr><th>Error</th><td>${run.error}</td></tr>` : ''}
</tbody>
</table>
${run.canRollback
  ? html`<div class="actions"><form method="post" action="${path('connections', c.id, 'runs', run.id, 'rollback')}">${csrfField(session)}
    <button type="submit" class="danger">Preview the rollback of this run</button></form>
    <p class="help">Shows what it would restore, field by field, and writes nothing until you approve it.</p></div>`
  : ''}
${run.plan ? planSection(session, c, run, run.plan) : ''}
<h2>Per-record errors (${run.recordErrors.length})</h2>
${run.recordErrors.length === 0
  ? html`<p>None.</p>`
  : html`<div class="scroll-x"><table class="record-errors"><thead><tr><th>Record</th><th>Kind</th><th>Message</th></tr></thead>
<tbody>${run.recordErrors.map((e) => html`<tr><td>${e.recordId}</td><td>${e.kind}</td><td>${e.message}</td></tr>`)}</tbody></table></div>`}`);
}
