import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { resolveConnectionId, withStore, type SyncCommandDeps } from '../sync-support.ts';
import { parseOptionFlags } from './connect.ts';
import type { Credentials, SourceConnection, TokenListener } from '../../contract/connector.ts';
import type { FieldChoice } from '../../../connectors/registry.ts';

const USAGE = `Usage: kamflow connection SUBCOMMAND [--connection ID] [options]

The settings of an existing connection (default: the only one).

  fields                     the connector options that name a CRM field, each with its current
                             value and the fields the CRM lists now that it can use
  set [--option KEY=VALUE]... [--name NAME] [--safety-gate SHARE]
                             change connector or sync options (e.g. costField=Cost__c,
                             productFamilyProperty=product_family); a field option is checked
                             against the CRM's live field list: the field must exist and have a
                             usable type (--no-verify skips that check); KEY=null unsets one
  rename NAME                the name shown for the connection
  disconnect --keep-data | --delete-data
                             drop the credentials and the schedule (no more runs until
                             \`kamflow reconnect\`); --keep-data keeps the mirror, cursors and field
                             memory, --delete-data deletes them; runs and their history stay
  delete --yes               remove the connection with everything pulled (runs stay as history)
  -h, --help                 show this help`;

export interface ConnectionDeps extends Pick<SyncCommandDeps, 'openStore'> {
  checkOptions?: (crm: string, options: Record<string, unknown>) => string[];
  fieldChoices?: (connection: SourceConnection, credentials: Credentials, onTokens: TokenListener) => Promise<FieldChoice[]>;
  fieldOptionProblems?: (choices: readonly FieldChoice[], options: Record<string, unknown>) => string[];
}

const FLAGS = {
  connection: { type: 'string' }, option: { type: 'string', multiple: true }, name: { type: 'string' }, 'safety-gate': { type: 'string' },
  'keep-data': { type: 'boolean' }, 'delete-data': { type: 'boolean' }, yes: { type: 'boolean' }, 'no-verify': { type: 'boolean' },
  json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

function showChoices(choices: FieldChoice[]): string {
  if (choices.length === 0) return 'this source has no options that name a CRM field\n';
  return choices.map((c) => {
    const names = c.usable.map((f) => (f.label && f.label !== f.name ? `${f.name} (${f.label})` : f.name));
    return `${c.option.option}: ${c.option.label}\n  now: ${c.current ?? '(unset)'}\n  ${c.option.object} fields of type ${c.option.types.join('/')}: ${names.length ? names.join(', ') : 'none'}\n`;
  }).join('');
}

export function connectionCommand(deps: ConnectionDeps): CliCommand {
  return {
    name: 'connection',
    summary: 'Show or change a connection: field options, other options, name; disconnect or delete it',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags, positionals } = parseCommandArgs(argv, FLAGS, 2);
      const [sub, arg] = positionals;
      if (!sub || !['fields', 'set', 'rename', 'disconnect', 'delete'].includes(sub)) throw new UsageError('a subcommand is needed: fields, set, rename, disconnect or delete');
      if (sub !== 'rename' && arg !== undefined) throw new UsageError(`unexpected argument "${arg}"`);
      return withStore(deps, io, `connection ${sub}`, async (store) => {
        const id = await resolveConnectionId(store, flags.connection);
        const c = await store.getConnection(id);
        if (!c) throw new UsageError(`no connection "${id}"`);
        const live = async (): Promise<FieldChoice[]> => {
          if (!deps.fieldChoices) return [];
          const credentials = await store.loadCredentials(id);
          if (!credentials.tokens) throw new UsageError(`connection ${id} is disconnected: \`kamflow reconnect --connection ${id}\` first, or pass --no-verify`);
          return deps.fieldChoices(c, credentials, (t) => store.saveTokens(id, t));
        };
        if (sub === 'fields') {
          const choices = await live();
          io.stdout.write(flags.json ? `${JSON.stringify(choices.map((x) => ({ option: x.option.option, object: x.option.object, types: x.option.types, current: x.current, usable: x.usable })), null, 2)}\n` : showChoices(choices));
          return EXIT.ok;
        }
        if (sub === 'rename') {
          const name = (arg ?? flags.name ?? '').trim();
          if (!name || name.length > 120) throw new UsageError('rename needs a NAME of 1 to 120 characters');
          await store.updateConnection(id, { options: { ...c.options, name } });
          io.stdout.write(`connection ${id}: renamed to "${name}"\n`);
          return EXIT.ok;
        }
        if (sub === 'disconnect') {
          if (flags['keep-data'] === flags['delete-data']) throw new UsageError('disconnect needs exactly one of --keep-data or --delete-data');
          const deleteData = flags['delete-data'] === true;
          await store.disconnectConnection(id, { deleteData });
          io.stdout.write(`connection ${id}: disconnected; credentials removed and schedule stopped${c.schedule ? ` (was "${c.schedule}")` : ''}; ${deleteData ? 'its pulled data (mirror, cursors, field memory) was deleted' : 'its pulled data is kept'}; its runs stay. Reconnect with: kamflow reconnect --connection ${id}\n`);
          return EXIT.ok;
        }
        if (sub === 'delete') {
          if (flags.yes !== true) throw new UsageError(`delete removes connection ${id} and everything pulled for it: add --yes`);
          await store.deleteConnection(id);
          io.stdout.write(`connection ${id}: deleted with its pulled data\n`);
          return EXIT.ok;
        }
        // set
        const patch = flags.option !== undefined ? parseOptionFlags(flags.option) : {};
        if (flags.name !== undefined) patch['name'] = flags.name;
        if (flags['safety-gate'] !== undefined) {
          const share = Number(flags['safety-gate']);
          if (!(share >= 0 && share <= 1)) throw new UsageError(`--safety-gate must be a share between 0 and 1, got "${flags['safety-gate']}"`);
          patch['safetyGateShare'] = share;
        }
        if (Object.keys(patch).length === 0) throw new UsageError('set needs --option KEY=VALUE, --name or --safety-gate');
        const options: Record<string, unknown> = { ...c.options };
        for (const [k, v] of Object.entries(patch)) {
          if (v === null) delete options[k];
          else options[k] = v;
        }
        const problems = deps.checkOptions?.(c.crm, options) ?? [];
        if (problems.length > 0) throw new UsageError(`bad --option: ${problems.join('; ')}`);
        if (flags['no-verify'] !== true && deps.fieldOptionProblems) {
          const choices = await live();
          const fieldProblems = deps.fieldOptionProblems(choices, patch);
          if (fieldProblems.length > 0) {
            io.stderr.write(`kamflow connection set: ${fieldProblems.join('; ')}; nothing was changed\n`);
            return EXIT.failed;
          }
        }
        await store.updateConnection(id, { options });
        io.stdout.write(`connection ${id}: ${Object.entries(patch).map(([k, v]) => `${k} ${v === null ? 'unset' : `= ${JSON.stringify(v)}`}`).join(', ')}\n`);
        return EXIT.ok;
      });
    },
  };
}
