import { readFile } from 'node:fs/promises';
import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { AlreadyConnectedError, BadInputError, CredentialsError } from '../../contract/errors.ts';
import type { Credentials, SourceConnection } from '../../contract/connector.ts';
import type { VerifiedAccount } from '../../../connectors/shared/source-module.ts';
import { sourceModules } from '../../../connectors/registry.ts';
import { parseCommandArgs } from '../args.ts';
import { withStore, type SyncCommandDeps } from '../sync-support.ts';
import { validateSchedule } from '../../sync/scheduler.ts';
import type { NewConnection } from '../../store/types.ts';

function usage(): string {
  const modules = sourceModules();
  return `Usage: kamflow connect --crm ${modules.map((m) => m.kind).join('|')} [options]

Registers a source connection. The credentials are tried first with one identity call (the
org or portal they reach is printed); bad ones are refused with what is wrong. Tokens and secrets are stored encrypted (set KAMFLOW_ENCRYPTION_KEY,
32 random bytes in base64, e.g. \`openssl rand -base64 32\`). Prefer the environment variables
to the flags for secrets: flags show up in the process list and shell history.

${modules.map((m) => m.connect.help).join('\n')}
Every source:
  --id ID                 connection id (default: generated)
  --schedule CRON         run on this cron schedule (see \`kamflow schedule\`)
  --timezone TZ           time zone of the schedule (IANA name; default UTC)
  --config FILE           analysis settings as JSON
  --safety-gate SHARE     share of accounts (0-1) a run may change before it waits for --confirm (default 0.5)
  --option KEY=VALUE      a connector or sync option, repeatable; VALUE is read as JSON when it
                          parses (numbers, true/false, null, arrays), else as text. E.g.
                          ${modules.map((m) => m.connect.optionExamples).join('\n                          ')}
                          Every source: fullSyncEveryHours=24 pushBatchSize=50
  --no-verify             store the credentials without trying them (scripted setups)
  --json                  print the connection as JSON
  -h, --help              show this help

To replace the credentials of an existing connection, use \`kamflow reconnect\`.`;
}

type StringFlag = { type: 'string' };
/** The flags every source shares, then each source module's own (all strings). */
function connectFlags() {
  const own: Record<string, StringFlag> = {};
  for (const m of sourceModules()) for (const name of Object.keys(m.connect.flags)) own[name] = { type: 'string' };
  return {
    crm: { type: 'string' }, id: { type: 'string' },
    schedule: { type: 'string' }, timezone: { type: 'string' }, config: { type: 'string' }, 'safety-gate': { type: 'string' },
    option: { type: 'string', multiple: true },
    json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'no-verify': { type: 'boolean' },
    ...own,
  } as const;
}

export interface ConnectDeps extends Pick<SyncCommandDeps, 'openStore'> {
  /** Validates analysis settings read from --config; throws with a message naming what is wrong. */
  parseAnalysisConfig?: (raw: unknown) => unknown;
  /** Checks connector and sync options; returns the problems, each naming its option. */
  checkOptions?: (crm: string, options: Record<string, unknown>) => string[];
  /**
   * One identity call with the credentials (the registry's verifyCredentials): the org or
   * portal, or CredentialsError naming what is wrong; null when the source has nothing to call.
   * Absent: credentials are stored untried (as with --no-verify).
   */
  verify?: (connection: SourceConnection, credentials: Credentials) => Promise<VerifiedAccount | null>;
}

/** What a failed identity call prints: the problem, then the message. */
export function credentialsLine(error: CredentialsError): string {
  const what = { 'bad-token': 'bad credentials', unreachable: 'wrong URL or unreachable', 'missing-scope': 'missing scope', 'other-account': 'another org or portal' }[error.problem];
  return `${what}: ${error.message}`;
}

/**
 * Tries the credentials of a connection about to be stored; null when not tried. Prints the
 * failure and returns it as `false` so the caller exits 1.
 */
export async function tryCredentials(
  deps: Pick<ConnectDeps, 'verify'>,
  io: CliIo,
  command: string,
  connection: SourceConnection,
  credentials: Credentials,
): Promise<VerifiedAccount | null | false> {
  if (!deps.verify) return null;
  try {
    return await deps.verify(connection, credentials);
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    io.stderr.write(`kamflow ${command}: ${credentialsLine(error)}\n`);
    return false;
  }
}

/** `KEY=VALUE` pairs of --option; VALUE as JSON when it parses, else as text. */
export function parseOptionFlags(pairs: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new UsageError(`--option needs KEY=VALUE with a name like costField, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Plain text, e.g. a field name.
    }
    options[key] = value;
  }
  return options;
}

type Flags = Record<string, string | string[] | boolean | undefined>;

/**
 * Builds the new connection from flags, falling back to the environment, without touching the
 * store: the source's module reads its own flags.
 */
export function connectionFromFlags(flags: Flags, env: NodeJS.ProcessEnv): NewConnection & { clientSecret: string | null } {
  const modules = sourceModules();
  const crm = flags['crm'];
  const module = modules.find((m) => m.kind === crm);
  if (!module) throw new UsageError(`--crm must be ${modules.map((m) => m.kind).join(' or ')}`);
  const values: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(module.connect.flags)) {
    const flag = flags[name];
    const v = typeof flag === 'string' ? flag : spec.env !== undefined ? env[spec.env] : undefined;
    values[name] = v === undefined || v === '' ? undefined : v;
  }
  let input;
  try {
    input = module.connect.fromFlags(values);
  } catch (error) {
    if (error instanceof BadInputError) throw new UsageError(error.message);
    throw error;
  }
  const id = flags['id'];
  // The org or portal it reaches: the store keeps one connection per account.
  const { accountId } = module.describe({ id: '', crm: module.kind, baseUrl: input.baseUrl, options: input.options });
  return { ...(typeof id === 'string' && id ? { id } : {}), crm: module.kind, idPrefix: module.idPrefix, ...input, accountId };
}

export function connectCommand(deps: ConnectDeps): CliCommand {
  return {
    name: 'connect',
    summary: 'Register a source connection (Salesforce, HubSpot or a spreadsheet)',
    get usage() {
      return usage();
    },
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags } = parseCommandArgs(argv, connectFlags());
      const input = connectionFromFlags(flags, io.env);
      if (flags.schedule !== undefined) {
        const errors = validateSchedule(flags.schedule, flags.timezone ?? null);
        if (errors.length) throw new UsageError(errors.join('; '));
      } else if (flags.timezone !== undefined) {
        throw new UsageError('--timezone applies to a --schedule');
      }
      if (flags.option !== undefined) {
        input.options = { ...input.options, ...parseOptionFlags(flags.option) };
        const problems = deps.checkOptions?.(input.crm, input.options) ?? [];
        if (problems.length > 0) throw new UsageError(`bad --option: ${problems.join('; ')}`);
      }
      if (flags['safety-gate'] !== undefined) {
        const share = Number(flags['safety-gate']);
        if (!(share >= 0 && share <= 1)) throw new UsageError(`--safety-gate must be a share between 0 and 1, got "${flags['safety-gate']}"`);
        input.options = { ...input.options, safetyGateShare: share };
      }
      let analysisConfig: unknown = null;
      if (flags.config !== undefined) {
        try {
          const raw: unknown = JSON.parse(await readFile(flags.config, 'utf8'));
          analysisConfig = deps.parseAnalysisConfig ? deps.parseAnalysisConfig(raw) : raw;
        } catch (error) {
          io.stderr.write(`kamflow connect: --config ${flags.config}: ${error instanceof Error ? error.message : String(error)}\n`);
          return EXIT.failed;
        }
      }
      let verified: VerifiedAccount | null = null;
      if (flags['no-verify'] !== true) {
        const tried = await tryCredentials(deps, io, 'connect', { id: input.id ?? '(new)', crm: input.crm, baseUrl: input.baseUrl, options: input.options ?? {} }, { tokens: input.tokens ?? null, clientSecret: input.clientSecret });
        if (tried === false) return EXIT.failed;
        verified = tried;
      }
      if (verified) {
        input.options = { ...input.options, ...verified.options };
        input.accountId = verified.accountId;
        input.baseUrl = verified.location;
        if (verified.tokens) input.tokens = { ...input.tokens, ...verified.tokens };
        if (!flags.json) io.stdout.write(`verified: ${verified.name} (${verified.accountId})\n`);
      }
      return withStore(deps, io, 'connect', async (store) => {
        let c;
        try {
          c = await store.createConnection({ ...input, schedule: flags.schedule ?? null, timezone: flags.timezone ?? null, analysisConfig });
        } catch (error) {
          if (!(error instanceof AlreadyConnectedError)) throw error;
          io.stderr.write(`kamflow connect: ${error.message}; to replace its credentials: kamflow reconnect --connection ${error.connectionId}\n`);
          return EXIT.failed;
        }
        if (flags.json) io.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
        else {
          const sealed = input.tokens || input.clientSecret ? '; credentials stored encrypted' : '';
          io.stdout.write(`connection ${c.id}: ${c.crm} at ${c.baseUrl}${c.schedule ? `, schedule "${c.schedule}" ${c.timezone ?? 'UTC'}` : ''}${sealed}\nnext: kamflow provision --connection ${c.id}\n`);
        }
        return EXIT.ok;
      });
    },
  };
}
