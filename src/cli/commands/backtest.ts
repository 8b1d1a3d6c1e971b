import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AsOfError, validateAsOf } from '../../analyze/dates.ts';
import { parseFlags } from '../args.ts';
import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';

async function modules() {
  const [backtest, load, report] = await Promise.all([
    import('../../analyze/backtest.ts'), import('../load.ts'), import('../report/backtest.ts'),
  ]);
  return { ...backtest, ...load, ...report };
}

const USAGE = `Usage: kamflow backtest --snapshot FILE --as-of YYYY-MM-DD [--config FILE] [--json OUT]

Tiers every family as of a past date with the current criteria, from only what was
known then (opportunities won or lost by that date), and shows what happened in the
12 months after: revenue kept, grown, lost and churned per tier, whether the Key
families were the ones that mattered and whether "declining" preceded losses.

Options:
  --snapshot FILE     snapshot (format version 1 or 2), JSON or NDJSON (required)
  --as-of DATE        the past date YYYY-MM-DD to tier as of; it must be at least 12
                      months before today (UTC), so that the 12 months after are over
                      (required)
  --config FILE       analysis settings as JSON (the criteria to judge); defaults apply
                      to anything left out
  --json OUT          also write the result as JSON to OUT ("-": to stdout, instead
                      of the table); compact unless --pretty
  --pretty            indent the JSON
  --limit N           families listed (default 10)
  -h, --help          show this help

Exit codes: 0 done, 1 unreadable or invalid snapshot/config, 2 bad options.`;

const FLAGS = {
  snapshot: { type: 'string' },
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

async function run(argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  const snapshotPath = flags.snapshot;
  if (snapshotPath === undefined || snapshotPath === '') throw new UsageError('--snapshot FILE is required');
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
  try {
    const config = await m.loadConfig(flags.config);
    const { input } = await m.loadSnapshot(snapshotPath);
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
        throw new m.InputError(`cannot write JSON output ${flags.json}: ${m.describeFsError(error)}`);
      }
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof m.InputError) {
      io.stderr.write(`kamflow backtest: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

export const backtestCommand: CliCommand = {
  name: 'backtest',
  summary: 'Tier families as of a past date and show what happened in the 12 months after',
  usage: USAGE,
  run,
};
