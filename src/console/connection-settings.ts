import { checkConnectorOptions, fieldChoices, fieldOptionProblems, type FieldChoice } from '../../connectors/registry.ts';
import { ActionableError } from '../contract/errors.ts';
import type { Logger } from '../log.ts';
import type { ConnectionSettingsView, SettingsSaveResult } from '../server/backend.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';

/** The CRM's live field lists for a connection's field options, or why they cannot be read. */
async function liveChoices(store: Store, c: ConnectionRecord, logger: Logger): Promise<{ choices: FieldChoice[]; problem: string | null }> {
  if (!c.hasTokens) return { choices: [], problem: 'The connection is disconnected: reconnect it to choose fields from the CRM.' };
  try {
    const credentials = await store.loadCredentials(c.id);
    return { choices: await fieldChoices(c, credentials, (t) => store.saveTokens(c.id, t), logger), problem: null };
  } catch (error) {
    if (error instanceof ActionableError) return { choices: [], problem: `The CRM's field list could not be read: ${error.message.slice(0, 300)}` };
    throw error;
  }
}

export async function settingsView(store: Store, c: ConnectionRecord, displayName: string, logger: Logger): Promise<ConnectionSettingsView> {
  const { choices, problem } = await liveChoices(store, c, logger);
  const gate = c.options['safetyGateShare'];
  const reserve = c.options['apiReserve'];
  return {
    name: typeof c.options['name'] === 'string' ? c.options['name'] : displayName,
    safetyGateShare: typeof gate === 'number' ? gate : null,
    apiReserve: typeof reserve === 'number' ? reserve : null,
    fieldOptions: choices.map((x) => ({ option: x.option.option, label: x.option.label, object: x.option.object, types: x.option.types, current: x.current, choices: x.usable })),
    fieldListProblem: problem,
  };
}

/**
 * Saves the settings form: `name`, `safetyGateShare` and `apiReserve` (blank: the default) and `opt.<option>`
 * (blank: unset) for the field options. Field options are checked against the live field list;
 * nothing is stored when anything is wrong.
 */
export async function saveSettings(store: Store, c: ConnectionRecord, values: Record<string, string>, logger: Logger): Promise<SettingsSaveResult> {
  const errors: string[] = [];
  const options: Record<string, unknown> = { ...c.options };
  const changed: string[] = [];
  const name = values['name']?.trim();
  if (name !== undefined) {
    if (name.length === 0 || name.length > 120) errors.push('name: 1 to 120 characters');
    else if (name !== c.options['name']) {
      options['name'] = name;
      changed.push('name');
    }
  }
  shareSetting(values, options, changed, errors, 'safetyGateShare', 1, 'a share from 0 to 1');
  shareSetting(values, options, changed, errors, 'apiReserve', 0.95, "a share from 0 to 0.95 of the org's daily API allowance");
  const fieldPatch: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(values)) {
    if (!key.startsWith('opt.')) continue;
    const option = key.slice(4);
    const value = raw.trim();
    const before = typeof c.options[option] === 'string' ? c.options[option] : '';
    if (value === before) continue;
    changed.push(option);
    if (value === '') delete options[option];
    else {
      options[option] = value;
      fieldPatch[option] = value;
    }
  }
  const { choices, problem } = Object.keys(fieldPatch).length > 0 ? await liveChoices(store, c, logger) : { choices: [], problem: null };
  const known = new Set(choices.map((x) => x.option.option));
  for (const option of Object.keys(fieldPatch)) if (problem === null && !known.has(option)) errors.push(`${option}: not a field option of this source`);
  if (problem !== null) errors.push(problem);
  errors.push(...fieldOptionProblems(choices, fieldPatch), ...checkConnectorOptions(c.crm, options));
  if (errors.length > 0) return { ok: false, errors };
  if (changed.length > 0) await store.updateConnection(c.id, { options });
  return { ok: true, changed };
}

/** A share option from the form: blank unsets it (the default), otherwise a number from 0 to `max`. */
function shareSetting(values: Record<string, string>, options: Record<string, unknown>, changed: string[], errors: string[], key: string, max: number, expected: string): void {
  const raw = values[key]?.trim();
  if (raw === undefined) return;
  if (raw === '') {
    if (key in options) changed.push(key);
    delete options[key];
    return;
  }
  const share = Number(raw);
  if (!(share >= 0 && share <= max)) errors.push(`${key}: ${expected}`);
  else if (share !== options[key]) {
    options[key] = share;
    changed.push(key);
  }
}

export async function disconnect(store: Store, c: ConnectionRecord, deleteData: boolean): Promise<{ ok: boolean; message: string }> {
  await store.disconnectConnection(c.id, { deleteData });
  return {
    ok: true,
    message: `Disconnected: credentials removed and schedule stopped; ${deleteData ? 'its pulled data was deleted' : 'its pulled data is kept'}; the run history stays. Install again to reconnect.`,
  };
}
