import { EXIT, type CliCommand, type CliIo } from '../command.ts';
import { NotFoundError } from '../../contract/errors.ts';
import { parseCommandArgs } from '../args.ts';
import { resolveConnectionId, withStore, type SyncCommandDeps } from '../sync-support.ts';

const USAGE = `Usage: kamflow provision [--connection ID] [--json]

Creates Kamflow's fields in the CRM (idempotent) and makes them readable and writable:
Salesforce custom fields on Account with field permissions; HubSpot company properties in
the "kamflow" group.

Options:
  --connection ID   the connection (optional when there is only one)
  --json            print the report as JSON
  -h, --help        show this help

Exit codes: 0 done, 1 a field or step failed, 2 bad usage, 3 stopped by an API limit.`;

const FLAGS = { connection: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function provisionCommand(deps: Pick<SyncCommandDeps, 'openStore' | 'connectorFactory' | 'logger'>): CliCommand {
  return {
    name: 'provision',
    summary: "Create Kamflow's fields in the CRM",
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags } = parseCommandArgs(argv, FLAGS);
      return withStore(deps, io, 'provision', async (store) => {
        const id = await resolveConnectionId(store, flags.connection);
        const connection = await store.getConnection(id);
        if (!connection) throw new NotFoundError('connection', id);
        const connector = deps.connectorFactory(connection, await store.loadCredentials(id), (t) => store.saveTokens(id, t));
        const report = await connector.provision();
        const bad = report.fields.filter((f) => f.status === 'failed' || f.status === 'wrong-type').length + report.steps.filter((s) => s.status === 'failed').length;
        if (flags.json) {
          io.stdout.write(`${JSON.stringify({ connectionId: id, ...report, apiUsage: connector.usage() }, null, 2)}\n`);
        } else {
          const lines = [`provision ${id} (${connection.crm}):`];
          for (const f of report.fields) lines.push(`  ${f.crmName.padEnd(28)} ${f.status}${f.message ? `: ${f.message}` : ''}`);
          for (const s of report.steps) lines.push(`  ${s.name.padEnd(28)} ${s.status}${s.message ? `: ${s.message}` : ''}`);
          lines.push(bad ? `${bad} problem(s): fix them and run provision again` : 'all fields ready');
          io.stdout.write(`${lines.join('\n')}\n`);
        }
        return bad ? EXIT.failed : EXIT.ok;
      });
    },
  };
}
