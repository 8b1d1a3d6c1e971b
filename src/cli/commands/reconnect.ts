import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { BadInputError, CredentialsError } from '../../contract/errors.ts';
import { sourceModules } from '../../../connectors/registry.ts';
import { parseCommandArgs } from '../args.ts';
import { resolveConnectionId, withStore } from '../sync-support.ts';
import type { VerifiedAccount } from '../../../connectors/shared/source-module.ts';
import type { ConnectionRecord } from '../../store/types.ts';
import { credentialsLine, tryCredentials, type ConnectDeps } from './connect.ts';

function usage(): string {
  const modules = sourceModules().filter((m) => m.verify);
  return `Usage: kamflow reconnect [--connection ID] [credential flags]

Replaces the credentials of an existing connection (a rotated token, a new refresh token, another
app client) and keeps everything else: its mirror, cursors, runs, history, options and schedule.
The new credentials are tried first with one identity call, and refused when they reach another
org or portal than the connection's. The credential flags are those of \`kamflow connect\`, read
from the same environment variables when not given:

${modules.map((m) => m.connect.help).join('\n')}
  --connection ID         the connection (default: the only one)
  --no-verify             store the credentials without trying them (the org is then not checked)
  -h, --help              show this help`;
}

type StringFlag = { type: 'string' };
function reconnectFlags() {
  const own: Record<string, StringFlag> = {};
  for (const m of sourceModules()) for (const name of Object.keys(m.connect.flags)) own[name] = { type: 'string' };
  return { connection: { type: 'string' }, 'no-verify': { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...own } as const;
}

/**
 * The org or portal a stored connection is known to reach, or null when it was never learned
 * (an unverified connect stored the URL in its place).
 */
function knownAccount(c: ConnectionRecord): string | null {
  return c.accountId !== null && c.accountId !== c.baseUrl ? c.accountId : null;
}

export function reconnectCommand(deps: Pick<ConnectDeps, 'openStore' | 'verify'>): CliCommand {
  return {
    name: 'reconnect',
    summary: "Replace a connection's credentials, keeping its data and history",
    get usage() {
      return usage();
    },
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags } = parseCommandArgs(argv, reconnectFlags());
      return withStore(deps, io, 'reconnect', async (store) => {
        const id = await resolveConnectionId(store, flags.connection);
        const existing = await store.getConnection(id);
        if (!existing) throw new UsageError(`no connection "${id}"`);
        const module = sourceModules().find((m) => m.kind === existing.crm);
        if (!module) throw new UsageError(`connection ${id} has an unknown source "${existing.crm}"`);
        const values: Record<string, string | undefined> = {};
        for (const [name, spec] of Object.entries(module.connect.flags)) {
          const flag = (flags as Record<string, unknown>)[name];
          const v = typeof flag === 'string' ? flag : spec.env !== undefined ? io.env[spec.env] : undefined;
          values[name] = v === undefined || v === '' ? undefined : v;
        }
        let input;
        try {
          input = module.connect.fromFlags(values);
        } catch (error) {
          if (error instanceof BadInputError) throw new UsageError(error.message);
          throw error;
        }
        if (!input.tokens && !input.clientSecret) throw new UsageError(`connection ${id} (${module.label}) has no credentials to replace`);
        const options = { ...existing.options, ...input.options };
        let verified: VerifiedAccount | null = null;
        if (flags['no-verify'] !== true) {
          const tried = await tryCredentials(deps, io, 'reconnect', { id, crm: existing.crm, baseUrl: input.baseUrl, options }, { tokens: input.tokens, clientSecret: input.clientSecret });
          if (tried === false) return EXIT.failed;
          verified = tried;
        }
        const known = knownAccount(existing);
        if (verified && known !== null && verified.accountId !== known) {
          const error = new CredentialsError('other-account', `these credentials reach ${verified.name} (${verified.accountId}), but connection ${id} is ${known}; nothing was changed (connect the other one with kamflow connect)`);
          io.stderr.write(`kamflow reconnect: ${credentialsLine(error)}\n`);
          return EXIT.failed;
        }
        const tokens = verified?.tokens ? { ...input.tokens, ...verified.tokens } : input.tokens;
        // The account first: a second connection of the same org is refused before the secrets move.
        await store.updateConnection(id, {
          baseUrl: verified?.location ?? input.baseUrl,
          options: { ...options, ...(verified?.options ?? {}) },
          ...(verified ? { accountId: verified.accountId } : {}),
        });
        await store.saveCredentials(id, { tokens, clientSecret: input.clientSecret });
        if (verified) io.stdout.write(`verified: ${verified.name} (${verified.accountId})\n`);
        io.stdout.write(`connection ${id}: credentials replaced (stored encrypted); its data, cursors and runs are kept${verified ? '' : ' (not tried: --no-verify)'}\n`);
        return EXIT.ok;
      });
    },
  };
}
