import type { ConnectionHealth, ConnectionSettingsView } from '../backend.ts';
import { html } from '../html.ts';
import type { Session } from '../sessions.ts';
import { csrfField, page, path } from './layout.ts';

/** A connection's settings: name, safety gate, the connector's field options from the CRM's live field lists, disconnect and delete. */
export function settingsPage(session: Session, c: ConnectionHealth, view: ConnectionSettingsView, errors: readonly string[] = [], values: Record<string, string> = {}): string {
  const base = path('connections', c.id, 'settings');
  const value = (key: string, saved: string): string => values[key] ?? saved;
  return page({ session }, `Settings · ${c.name}`, html`
<p><a href="${path('connections', c.id)}">← ${c.name}</a> · <a href="${path('connections', c.id, 'config')}">Criteria and schedule</a></p>
<h1>Connection settings</h1>
${errors.length > 0 ? html`<div class="flash error" role="alert"><p>Nothing was saved:</p><ul>${errors.map((e) => html`<li>${e}</li>`)}</ul></div>` : ''}
<form method="post" action="${base}">
  ${csrfField(session)}
  <div class="field"><label for="set-name">Name</label><input id="set-name" name="name" value="${value('name', view.name)}" maxlength="120"></div>
  <div class="field"><label for="set-gate">Safety gate<div class="help">Share of accounts (0 to 1) a run may change before it waits for approval; blank: the default.</div></label>
    <input id="set-gate" name="safetyGateShare" inputmode="decimal" value="${value('safetyGateShare', view.safetyGateShare === null ? '' : String(view.safetyGateShare))}"></div>
  <div class="field"><label for="set-reserve">API reserve<div class="help">Share of the org's daily API allowance (0 to 0.95) Kamflow leaves to everyone else: a run stops, to resume the next day, once the org's use passes the rest; blank: 0.2.</div></label>
    <input id="set-reserve" name="apiReserve" inputmode="decimal" value="${value('apiReserve', view.apiReserve === null ? '' : String(view.apiReserve))}"></div>
  <h2>Fields Kamflow reads</h2>
  ${view.fieldListProblem ? html`<p class="error">${view.fieldListProblem}</p>` : html`<p>Chosen from the fields the CRM lists now, of a type each setting can use.</p>`}
  ${view.fieldOptions.map((o) => {
    const current = value(`opt.${o.option}`, o.current ?? '');
    const missing = current !== '' && !o.choices.some((f) => f.name === current);
    return html`<div class="field"><label for="opt-${o.option}">${o.label}<div class="help">${o.object}, ${o.types.join(' or ')}</div></label>
    <select id="opt-${o.option}" name="opt.${o.option}">
      <option value=""${current === '' ? html` selected` : ''}>(none)</option>
      ${missing ? html`<option value="${current}" selected>${current} (not found in the CRM)</option>` : ''}
      ${o.choices.map((f) => html`<option value="${f.name}"${f.name === current ? html` selected` : ''}>${f.label === f.name ? f.name : `${f.label} (${f.name})`}</option>`)}
    </select></div>`;
  })}
  <button type="submit">Save settings</button>
</form>
<h2>Disconnect</h2>
<p>Removes the credentials and stops the schedule: no run reaches the CRM until it is installed again. The run history stays.</p>
<form method="post" action="${base}/disconnect">
  ${csrfField(session)}
  <fieldset><legend>The data Kamflow pulled (mirror, cursors, field memory)</legend>
    <label><input type="radio" name="data" value="keep" checked> Keep it (a reconnect resumes from it)</label>
    <label><input type="radio" name="data" value="delete"> Delete it</label>
  </fieldset>
  <button type="submit" class="secondary">Disconnect</button>
</form>
<h2>Delete</h2>
<form method="post" action="${base}/delete">
  ${csrfField(session)}
  <label><input type="checkbox" name="confirm" value="yes" required> Delete ${c.name} and everything pulled for it</label>
  <button type="submit" class="danger">Delete connection</button>
</form>`);
}
