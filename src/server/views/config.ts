import type { ConfigField, ConfigForm, ConnectionHealth, FieldError, PreviewResult, TierChange } from '../backend.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Session } from '../sessions.ts';
import { csrfField, page, path } from './layout.ts';

/** Config values travel as form fields named `cfg.<path>`, apart from `_csrf` and `version`. */
export const FIELD_PREFIX = 'cfg.';

export interface EditorState {
  form: ConfigForm;
  /** Submitted values overriding the saved ones, by path. */
  values: Record<string, string>;
  errors: FieldError[];
  preview: Extract<PreviewResult, { ok: true }> | null;
}

function fieldId(p: string): string {
  return `cfg-${p.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function input(field: ConfigField, value: string, invalid: boolean, errorId: string): SafeHtml {
  const id = fieldId(field.path);
  const name = FIELD_PREFIX + field.path;
  const aria = invalid ? html` aria-invalid="true" aria-describedby="${errorId}"` : '';
  if (field.kind === 'boolean' || field.kind === 'select') {
    const options = field.kind === 'boolean'
      ? [{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]
      : field.options ?? [];
    return html`<select id="${id}" name="${name}"${aria}>
      ${options.map((o) => html`<option value="${o.value}"${o.value === value ? html` selected` : ''}>${o.label}</option>`)}
    </select>`;
  }
  const mode = field.kind === 'text' ? 'text' : field.kind === 'integer' ? 'numeric' : 'decimal';
  return html`<input id="${id}" name="${name}" value="${value}" inputmode="${mode}"${aria}>`;
}

function fieldRow(field: ConfigField, value: string, errors: FieldError[]): SafeHtml {
  const mine = errors.filter((e) => e.path === field.path);
  const errorId = `${fieldId(field.path)}-error`;
  return html`<div class="field${mine.length > 0 ? ' invalid' : ''}" data-path="${field.path}">
  <label for="${fieldId(field.path)}">${field.label}${field.help ? html`<div class="help">${field.help}</div>` : ''}</label>
  ${input(field, value, mine.length > 0, errorId)}
  <div>${mine.length > 0 ? html`<span class="error" id="${errorId}">${mine.map((e) => e.message).join('; ')}</span>` : ''}</div>
</div>`;
}

function changeTable(title: string, changes: TierChange[]): SafeHtml {
  return html`<h3>${title} (${changes.length})</h3>
${changes.length === 0 ? html`<p>None.</p>` : html`<table><thead><tr><th>Family</th><th>Tier now</th><th>Tier after</th><th>Score now</th><th>Score after</th></tr></thead>
<tbody>${changes.map((c) => html`<tr><td>${c.name}</td><td>${c.before}</td><td>${c.after}</td><td class="num">${c.scoreBefore.toFixed(1)}</td><td class="num">${c.scoreAfter.toFixed(1)}</td></tr>`)}</tbody></table>`}`;
}

export function configPage(session: Session, c: ConnectionHealth, state: EditorState): string {
  const base = path('connections', c.id, 'config');
  const known = new Set(state.form.fields.map((f) => f.path));
  const general = state.errors.filter((e) => !known.has(e.path));
  const groups = [...new Set(state.form.fields.map((f) => f.group))];
  const p = state.preview;
  return page({ session }, `Criteria and schedule · ${c.name}`, html`
<p><a href="${path('connections', c.id)}">← ${c.name}</a></p>
<h1>Criteria and schedule</h1>
${state.errors.length > 0 ? html`<div class="errors" role="alert"><strong>Nothing was saved: ${state.errors.length} value(s) need fixing.</strong>
  ${general.length > 0 ? html`<ul>${general.map((e) => html`<li>${e.path ? html`${e.path}: ` : ''}${e.message}</li>`)}</ul>` : ''}</div>` : ''}
${p ? html`<section class="preview card">
  <h2>Preview${p.asOf ? html` against the snapshot of ${p.asOf}` : ''}</h2>
  <p>Not saved yet. ${p.otherChanges} other famil${p.otherChanges === 1 ? 'y changes' : 'ies change'} tier without gaining or losing Key.</p>
  ${changeTable('Gaining Key', p.gainingKey)}
  ${changeTable('Losing Key', p.losingKey)}
</section>` : ''}
<form method="post" action="${base}" class="config">
  ${csrfField(session)}
  <input type="hidden" name="version" value="${state.form.version}">
  ${groups.map((g) => html`<fieldset><legend>${g}</legend>
    ${state.form.fields.filter((f) => f.group === g).map((f) => fieldRow(f, state.values[f.path] ?? f.value, state.errors))}
  </fieldset>`)}
  <div class="actions">
    <button type="submit" formaction="${base}/preview" class="secondary">Preview</button>
    <button type="submit">Save</button>
  </div>
  <p class="help">Saved version ${state.form.version}.</p>
</form>`);
}
