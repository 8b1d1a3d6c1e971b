import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CrmKind } from './environment.ts';
import { EXIT, type CliIo } from '../cli/command.ts';
import { createLogger } from '../log.ts';
import { MIN_ACCOUNTS } from '../sandbox/generate.ts';
import { DATABASE_URL_VAR } from '../store/open.ts';
import { DB_PATH_VAR } from '../store/sqlite-store.ts';
import { renderDemo } from './render.ts';
import { runDemo, type DemoOptions } from './run.ts';
import { untilSignal } from '../cli/signals.ts';

export const DEMO_USAGE = `Usage: npm run demo -- [--accounts N] [--seed N] [--as-of YYYY-MM-DD] [--latency MS] [--keep] [--workbook-dir DIR]

Runs Kamflow end to end against a local Salesforce and HubSpot simulator seeded with a
generated org: connect, provision, full sync with write-back, then a second, unchanged sync
that writes nothing; then the same org as an Excel workbook, synced into an annotated copy.
Needs no setup; uses a temporary store and encryption key unless KAMFLOW_DB_PATH and
KAMFLOW_ENCRYPTION_KEY are set.

Options:
  --accounts N     accounts in the generated org (default 200; at least ${MIN_ACCOUNTS})
  --seed N         random seed of the org (default 1)
  --as-of DATE     analysis date the deals lead up to (default: today, UTC)
  --latency MS     added to every simulator API call (default 0)
  --keep           leave the simulator running afterwards and print its URLs (Ctrl-C stops it)
  --workbook-dir DIR  where the workbook and its annotated copy go (default: a new temporary folder, kept)
  -h, --help       show this help`;

/** Bad flags: printed with the usage, exit code 2. */
class DemoUsageError extends Error {}

function integer(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new DemoUsageError(`--${flag} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min) throw new DemoUsageError(`--${flag} must be at least ${min}, got ${n}`);
  return n;
}

function date(raw: string | undefined, today: string): string {
  if (raw === undefined) return today;
  const d = new Date(`${raw}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== raw) {
    throw new DemoUsageError(`--as-of must be a calendar date YYYY-MM-DD, got "${raw}"`);
  }
  return raw;
}

export interface DemoFlags {
  accounts: number;
  seed: number;
  asOf: string;
  latencyMs: number;
  keep: boolean;
  workbookDir: string | null;
  help: boolean;
}

export function parseDemoFlags(argv: string[], today: string): DemoFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        accounts: { type: 'string' }, seed: { type: 'string' }, 'as-of': { type: 'string' }, latency: { type: 'string' },
        keep: { type: 'boolean' }, 'workbook-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new DemoUsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    accounts: integer('accounts', values.accounts, 200, MIN_ACCOUNTS),
    seed: integer('seed', values.seed, 1, 0),
    asOf: date(values['as-of'], today),
    latencyMs: integer('latency', values.latency, 0, 0),
    keep: values.keep === true,
    workbookDir: values['workbook-dir'] ?? null,
    help: values.help === true,
  };
}

const LABEL: Record<CrmKind, string> = { salesforce: 'Salesforce', hubspot: 'HubSpot' };

/** The folder asked for the demo's workbooks, made when missing. */
function workbookDir(asked: string | null): { workbookDir?: string } {
  if (asked === null) return {};
  mkdirSync(asked, { recursive: true });
  return { workbookDir: asked };
}

/** `npm run demo`: returns the exit code. `waitForStop` ends a --keep session (signals by default). */
export async function demoMain(argv: string[], io: CliIo, waitForStop: () => Promise<void> = untilSignal): Promise<number> {
  let flags: DemoFlags;
  try {
    flags = parseDemoFlags(argv, new Date().toISOString().slice(0, 10));
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    io.stderr.write(`demo: ${error.message}\n\n${DEMO_USAGE}\n`);
    return EXIT.usage;
  }
  if (flags.help) {
    io.stdout.write(`${DEMO_USAGE}\n`);
    return EXIT.ok;
  }
  const tty = io.stderr.isTTY === true;
  const options: DemoOptions = {
    accounts: flags.accounts, seed: flags.seed, asOf: flags.asOf, latencyMs: flags.latencyMs, keep: flags.keep, env: io.env,
    ...workbookDir(flags.workbookDir), keepWorkbooks: true,
    logger: createLogger({ level: io.env['KAMFLOW_LOG_LEVEL'] ?? 'warn', destination: io.stderr }),
    onProgress: (crm, e) => {
      if (e.stage === 'provision') io.stderr.write(`${tty ? '\r\x1b[2K' : ''}${LABEL[crm]}: creating Kamflow's fields\n`);
      else if (e.stage === 'start') io.stderr.write(`${tty ? '\r\x1b[2K' : ''}${LABEL[crm]}: ${e.run === 1 ? 'first sync (full, with write-back)' : 'second sync (nothing changed)'}\n`);
      else if (tty && e.stage === 'pull') io.stderr.write(`\r\x1b[2K  pulling ${e.object}: ${e.pulled}`);
      else if (tty && e.stage === 'push') io.stderr.write(`\r\x1b[2K  writing ${e.sent}/${e.total} account(s)`);
    },
  };
  // Ending through process.exit runs the exit hooks that remove a temporary store.
  const interrupted = (): void => {
    io.stderr.write('\ndemo interrupted\n');
    process.exit(130);
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  let result;
  try {
    result = await runDemo(options);
  } catch (error) {
    io.stderr.write(`${tty ? '\r\x1b[2K' : ''}demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  if (tty) io.stderr.write('\r\x1b[2K');
  const color = io.stdout.isTTY === true && !io.env['NO_COLOR'];
  io.stdout.write(renderDemo(result, { color }));
  const env = result.environment;
  if (env) {
    const s = env.sandbox;
    io.stdout.write([
      '',
      'The simulator is still running (Ctrl-C stops it):',
      `  Salesforce  login and instance URL ${s.salesforce.instanceUrl} (API ${s.salesforce.apiVersion})`,
      `  HubSpot     API base URL ${s.hubspot.baseUrl}`,
      `  Store       ${env.storePath}${env.temporaryStore ? ' (temporary, removed on exit)' : ` (${io.env[DATABASE_URL_VAR]?.trim() ? DATABASE_URL_VAR : DB_PATH_VAR})`}`,
      '',
    ].join('\n'));
    await waitForStop();
    await env.close();
  }
  return EXIT.ok;
}
