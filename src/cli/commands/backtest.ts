import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AsOfError, validateAsOf } from '../../analyze/dates.ts';
import { parseFlags } from '../args.ts';
import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import type { SyncCommandDeps } from '../sync-support.ts';
import type { AnalysisInput } from '../../analyze/input.ts';
import type { ConsoleStore } from '../../store/types.ts';
import type { AnalysisConfig } from '../../config/analysis-config.ts';

async function modules() {
  const [backtest, load, report, input, config, mirror, fromMirror, keys] = await Promise.all([
    import('../../analyze/backtest.ts'), import('../load.ts'), import('../report/backtest.ts'), import('../../analyze/input.ts'),
    import('../../config/analysis-config.ts'), import('../../store/read-mirror.ts'), import('../../store/snapshot-from-mirror.ts'), import('../../store/setting-keys.ts'),
  ]);
  return { ...backtest, ...load, ...report, ...input, ...config, ...mirror, ...fromMirror, ...keys };
}

const USAGE = `Usage: kamflow backtest (--snapshot FILE | --connection ID) --as-of YYYY-MM-DD [--config FILE] [--json OUT]

Tiers every family as of a past date with the current criteria, from only what was
known then (opportunities won or lost by that date), and shows what happened in the
12 months after: revenue kept, grown, lost and churned per tier, whether the Key
families were the ones that mattered and whether "declining" preceded losses.

Options:
  --snapshot FILE     snapshot (format version 1 or 2), JSON or NDJSON
  --connection ID     instead of a file: the connection's mirror in the store
                      (KAMFLOW_DATABASE_URL, else KAMFLOW_DB_PATH), judged with the
                      connection's saved criteria unless --config is given;
                      one of --snapshot and --connection is required
  --as-of DATE        the past date YYYY-MM-DD to tier as of; it must be at least 12
                      months before today (UTC), so that the 12 months after are over
                      (required)
  --config FILE       analysis settings as JSON (the criteria to judge); defaults apply
                      to anything left out (with --connection: instead of its saved ones)
  --json OUT          also write the result as JSON to OUT ("-": to stdout, instead
                      of the table); compact unless --pretty
  --pretty            indent the JSON
  --limit N           families listed (default 10)
  -h, --help          show this help

Exit codes: 0 done, 1 unreadable or invalid snapshot/config, unknown connection or no data
  pulled yet, 2 bad options.`;

const FLAGS = {
  snapshot: { type: 'string' },
  connection: { type: 'string' },
  config: { type: 'string' },
  'as-of': { type: 'string' },
  json: { type: 'string' },
  pretty: { type: 'boolean' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 10;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--limit must be a whole number of at least 1, got "${raw}"`);
  return Number(raw);
}

type Modules = Awaited<ReturnType<typeof modules>>;
type Source = { kind: 'file'; path: string } | { kind: 'connection'; id: string };

async function run(deps: Pick<SyncCommandDeps, 'openStore'>, argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  const given = [flags.snapshot, flags.connection].filter((v) => v !== undefined);
  if (given.length !== 1) throw new UsageError(given.length === 0 ? 'give --snapshot FILE or --connection ID: what to backtest' : '--snapshot and --connection both given: give one of them');
  if (flags.snapshot === '' || flags.connection === '') throw new UsageError(flags.snapshot === '' ? '--snapshot needs a file name' : '--connection needs a connection id (see `kamflow runs`)');
  const source: Source = flags.snapshot !== undefined ? { kind: 'file', path: flags.snapshot } : { kind: 'connection', id: flags.connection as string };
  if (flags['as-of'] === undefined || flags['as-of'] === '') throw new UsageError('--as-of DATE is required: the past date to tier as of');
  let asOf: string;
  try {
    asOf = validateAsOf(flags['as-of']);
  } catch (error) {
    if (error instanceof AsOfError) throw new UsageError(`--as-of: ${error.message}`);
    throw error;
  }
  const today = (io.env['KAMFLOW_TODAY'] ?? '') !== '' ? validateAsOf(io.env['KAMFLOW_TODAY'] as string) : new Date().toISOString().slice(0, 10);
  const limit = parseLimit(flags.limit);
  if (flags.json === '') throw new UsageError('--json needs a file name, or "-" for stdout');
  const m = await modules();
  const latest = m.latestBacktestDate(today);
  if (asOf > latest) {
    throw new UsageError(`--as-of ${asOf}: the 12 months after it are not over yet; use ${latest} or earlier`);
  }
  if (source.kind === 'connection') {
    const { withStore } = await import('../sync-support.ts');
    return withStore(deps, io, 'backtest', async (store) => {
      const connection = await store.getConnection(source.id);
      if (!connection) {
        io.stderr.write(`kamflow backtest: no connection "${source.id}" in the store (see \`kamflow runs\` for the ids)\n`);
        return EXIT.failed;
      }
      let config: AnalysisConfig;
      if (flags.config !== undefined) {
        try {
          config = await m.loadConfig(flags.config);
        } catch (error) {
          if (error instanceof m.InputError) {
            io.stderr.write(`kamflow backtest: ${error.message}\n`);
            return EXIT.failed;
          }
          throw error;
        }
      } else {
        const parsed = m.analysisConfigSchema.safeParse(connection.analysisConfig ?? {});
        if (!parsed.success) {
          io.stderr.write(`kamflow backtest: the saved settings of connection "${source.id}" are not valid (${parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')}); fix them, or give --config FILE\n`);
          return EXIT.failed;
        }
        config = parsed.data;
      }
      const mirror = await m.loadMirror(store, connection.id);
      if (mirror.accounts.length === 0) {
        io.stderr.write(`kamflow backtest: connection "${source.id}" has no data pulled yet: run \`kamflow sync ${source.id}\` first\n`);
        return EXIT.failed;
      }
      // The currency the console noted from the connection's last succeeded run; amounts in the
      // mirror are converted already, so it only names them.
      const settings = store as Partial<ConsoleStore>;
      const currency = (await settings.getSetting?.(m.currencySetting(connection.id))) ?? 'USD';
      const { snapshot } = m.snapshotFromMirror(mirror, connection.crm, currency);
      return output(m, m.inputFromSnapshot(snapshot), config, asOf, flags, limit, io);
    });
  }
  try {
    const config = await m.loadConfig(flags.config);
    const { input } = await m.loadSnapshot(source.path);
    return await output(m, input, config, asOf, flags, limit, io);
  } catch (error) {
    if (error instanceof m.InputError) {
      io.stderr.write(`kamflow backtest: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

async function output(m: Modules, input: AnalysisInput, config: AnalysisConfig, asOf: string, flags: { json?: string; pretty?: boolean }, limit: number, io: CliIo): Promise<number> {
  {
    const result = m.backtest(input, config, asOf);
    const text = `${JSON.stringify(result, null, flags.pretty === true ? 2 : undefined)}\n`;
    if (flags.json === '-') {
      io.stdout.write(text);
      return EXIT.ok;
    }
    io.stdout.write(m.renderBacktest(result, { limit }));
    if (flags.json !== undefined) {
      try {
        await mkdir(dirname(flags.json), { recursive: true });
        await writeFile(flags.json, text);
      } catch (error) {
        io.stderr.write(`kamflow backtest: cannot write JSON output ${flags.json}: ${m.describeFsError(error)}\n`);
        return EXIT.failed;
      }
    }
    return EXIT.ok;
  }
}

/** The store opened only when --connection asks for it: reading a file loads no store code. */
const lazyStore: Pick<SyncCommandDeps, 'openStore'> = {
  openStore: async (env) => (await import('../../store/open.ts')).openStoreFromEnv(env),
};

export function backtestCommand(deps: Pick<SyncCommandDeps, 'openStore'> = lazyStore): CliCommand {
  return {
    name: 'backtest',
    summary: 'Tier families as of a past date and show what happened in the 12 months after',
    usage: USAGE,
    run: (argv, io) => run(deps, argv, io),
  };
}
