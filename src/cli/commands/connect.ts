import { readFile } from 'node:fs/promises';
import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import type { TokenSet } from '../../../connectors/connector.ts';
import { parseCommandArgs } from '../args.ts';
import { withStore, type SyncCommandDeps } from '../../sync/cli-support.ts';
import { validateSchedule } from '../../sync/scheduler.ts';
import type { NewConnection } from '../../store/types.ts';

const USAGE = `Usage: kamflow connect --crm salesforce|hubspot [options]

Registers a CRM connection. Tokens and secrets are stored encrypted (set KAMFLOW_ENCRYPTION_KEY,
32 random bytes in base64, e.g. \`openssl rand -base64 32\`). Prefer the environment variables
to the flags for secrets: flags show up in the process list and shell history.

Salesforce, either an access token:
  --instance-url URL      org URL, e.g. https://acme.my.salesforce.com   (SALESFORCE_INSTANCE_URL)
  --access-token TOKEN                                                   (SALESFORCE_ACCESS_TOKEN)
or a refresh token with the connected app's credentials:
  --refresh-token TOKEN                                                  (SALESFORCE_REFRESH_TOKEN)
  --client-id ID                                                         (SALESFORCE_CLIENT_ID)
  --client-secret SECRET                                                 (SALESFORCE_CLIENT_SECRET)
  --login-url URL         default https://login.salesforce.com           (SALESFORCE_LOGIN_URL)
HubSpot:
  --token TOKEN           private app or OAuth access token              (HUBSPOT_TOKEN)
  --base-url URL          default https://api.hubapi.com                 (HUBSPOT_BASE_URL)
Both:
  --id ID                 connection id (default: generated)
  --schedule CRON         run on this cron schedule (see \`kamflow schedule\`)
  --timezone TZ           time zone of the schedule (IANA name; default UTC)
  --config FILE           analysis settings as JSON
  --safety-gate SHARE     share of accounts (0-1) a run may change before it waits for --confirm (default 0.5)
  --option KEY=VALUE      a connector or sync option, repeatable; VALUE is read as JSON when it
                          parses (numbers, true/false, null, arrays), else as text. E.g.
                          Salesforce: markedKeyField=Key_Account__c costField=Cost__c
                          referenceableField=Referenceable__c contactActiveField=Active__c
                          HubSpot: productFamilyProperty=product_family referenceableProperty=referenceable
                          Both: fullSyncEveryHours=24 pushBatchSize=50
  --json                  print the connection as JSON
  -h, --help              show this help`;

const FLAGS = {
  crm: { type: 'string' }, id: { type: 'string' },
  'instance-url': { type: 'string' }, 'access-token': { type: 'string' }, 'refresh-token': { type: 'string' },
  'client-id': { type: 'string' }, 'client-secret': { type: 'string' }, 'login-url': { type: 'string' },
  token: { type: 'string' }, 'base-url': { type: 'string' },
  schedule: { type: 'string' }, timezone: { type: 'string' }, config: { type: 'string' }, 'safety-gate': { type: 'string' },
  option: { type: 'string', multiple: true },
  json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

function checkUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} is not a URL: "${value}"`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new UsageError(`${name} must use https (http only for localhost)`);
  return url.origin;
}

export interface ConnectDeps extends Pick<SyncCommandDeps, 'openStore'> {
  /** Validates analysis settings read from --config; throws with a message naming what is wrong. */
  parseAnalysisConfig?: (raw: unknown) => unknown;
  /** Checks connector and sync options; returns the problems, each naming its option. */
  checkOptions?: (crm: 'salesforce' | 'hubspot', options: Record<string, unknown>) => string[];
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

type Flags = ReturnType<typeof parseCommandArgs<typeof FLAGS>>['values'];

/** Builds the new connection from flags, falling back to the environment, without touching the store. */
export function connectionFromFlags(flags: Flags, env: NodeJS.ProcessEnv): NewConnection & { clientSecret: string | null } {
  const pick = (flag: string | undefined, envName: string): string | undefined => {
    const v = flag ?? env[envName];
    return v === undefined || v === '' ? undefined : v;
  };
  if (flags.crm !== 'salesforce' && flags.crm !== 'hubspot') throw new UsageError('--crm must be salesforce or hubspot');
  const base = { ...(flags.id ? { id: flags.id } : {}) };
  if (flags.crm === 'hubspot') {
    const token = pick(flags.token, 'HUBSPOT_TOKEN');
    if (!token) throw new UsageError('HubSpot needs a token: --token or HUBSPOT_TOKEN');
    const baseUrl = checkUrl('--base-url', pick(flags['base-url'], 'HUBSPOT_BASE_URL') ?? 'https://api.hubapi.com');
    return { ...base, crm: 'hubspot', baseUrl, options: {}, tokens: { accessToken: token }, clientSecret: null };
  }
  const instanceUrl = pick(flags['instance-url'], 'SALESFORCE_INSTANCE_URL');
  const accessToken = pick(flags['access-token'], 'SALESFORCE_ACCESS_TOKEN');
  const refreshToken = pick(flags['refresh-token'], 'SALESFORCE_REFRESH_TOKEN');
  const clientId = pick(flags['client-id'], 'SALESFORCE_CLIENT_ID');
  const clientSecret = pick(flags['client-secret'], 'SALESFORCE_CLIENT_SECRET');
  const loginUrl = checkUrl('--login-url', pick(flags['login-url'], 'SALESFORCE_LOGIN_URL') ?? 'https://login.salesforce.com');
  if (refreshToken) {
    if (!clientId || !clientSecret) throw new UsageError('a Salesforce refresh token needs the connected app: --client-id and --client-secret (or SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET)');
    const url = instanceUrl ? checkUrl('--instance-url', instanceUrl) : loginUrl;
    const tokens: TokenSet = { accessToken: accessToken ?? '', refreshToken, ...(instanceUrl ? { instanceUrl: url } : {}) };
    return { ...base, crm: 'salesforce', baseUrl: url, options: { clientId, loginUrl }, tokens, clientSecret };
  }
  if (!instanceUrl || !accessToken) {
    throw new UsageError('Salesforce needs --instance-url and --access-token, or --refresh-token with --client-id and --client-secret (flags or SALESFORCE_* variables)');
  }
  const url = checkUrl('--instance-url', instanceUrl);
  return { ...base, crm: 'salesforce', baseUrl: url, options: { loginUrl }, tokens: { accessToken, instanceUrl: url }, clientSecret: null };
}

export function connectCommand(deps: ConnectDeps): CliCommand {
  return {
    name: 'connect',
    summary: 'Register a Salesforce or HubSpot connection',
    usage: USAGE,
    async run(argv: string[], io: CliIo): Promise<number> {
      const { values: flags } = parseCommandArgs(argv, FLAGS);
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
      return withStore(deps, io, 'connect', async (store) => {
        const c = await store.createConnection({ ...input, schedule: flags.schedule ?? null, timezone: flags.timezone ?? null, analysisConfig });
        if (flags.json) io.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
        else io.stdout.write(`connection ${c.id}: ${c.crm} at ${c.baseUrl}${c.schedule ? `, schedule "${c.schedule}" ${c.timezone ?? 'UTC'}` : ''}; credentials stored encrypted\nnext: kamflow provision --connection ${c.id}\n`);
        return EXIT.ok;
      });
    },
  };
}
