import { analyze, AsOfError, validateAsOf } from '../../analyze/index.ts';
import type { AnalysisResult } from '../../model/insights.ts';
import { parseFlags } from '../args.ts';
import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { describeFsError, InputError, loadConfig, loadSnapshot } from '../load.ts';
import { analysisJsonChunks, writeAnalysisJsonFile, writeChunks } from '../output-json.ts';
import { reportContext, renderReport } from '../report.ts';

const USAGE = `Usage: kamflow analyze --snapshot FILE [--config FILE] [--as-of YYYY-MM-DD] [--json OUT]

Analyses a snapshot: key accounts and why, each key account's penetration matrix,
whitespace, revenue concentration and loss scenarios, risks, drift and data issues.

Options:
  --snapshot FILE     snapshot JSON (format version 1) to analyse (required)
  --config FILE       analysis settings as JSON; defaults apply to anything left out
  --as-of DATE        analysis date YYYY-MM-DD, the last day of the 12-month window
                      (default: today, UTC)
  --json OUT          also write the full result as JSON to OUT ("-": to stdout,
                      instead of the report)
  --limit N           families, rows and suggestions listed per section (default 10)
  -h, --help          show this help

Exit codes: 0 done, 1 unreadable or invalid snapshot/config, 2 bad options.
Colour is used only when stdout is a terminal and NO_COLOR is unset.`;

const FLAGS = {
  snapshot: { type: 'string' },
  config: { type: 'string' },
  'as-of': { type: 'string' },
  json: { type: 'string' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 10;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--limit must be a whole number of at least 1, got "${raw}"`);
  return Number(raw);
}

function useColor(io: CliIo): boolean {
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return true;
  return io.stdout.isTTY === true;
}

async function writeJson(path: string, result: AnalysisResult): Promise<void> {
  try {
    await writeAnalysisJsonFile(path, result);
  } catch (error) {
    throw new InputError(`cannot write JSON output ${path}: ${describeFsError(error)}`);
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  const snapshotPath = flags.snapshot;
  if (snapshotPath === undefined || snapshotPath === '') throw new UsageError('--snapshot FILE is required');
  let asOf: string;
  try {
    asOf = validateAsOf(flags['as-of'] ?? todayUtc());
  } catch (error) {
    if (error instanceof AsOfError) throw new UsageError(`--as-of: ${error.message}`);
    throw error;
  }
  const limit = parseLimit(flags.limit);
  if (flags.json === '') throw new UsageError('--json needs a file name, or "-" for stdout');

  try {
    const config = await loadConfig(flags.config);
    const { snapshot, rejected } = await loadSnapshot(snapshotPath);
    const result = analyze({ snapshot, config, asOf, rejected });
    if (flags.json === '-') {
      await writeChunks(io.stdout, analysisJsonChunks(result));
      return EXIT.ok;
    }
    io.stdout.write(renderReport(result, reportContext(snapshot), { color: useColor(io), limit }));
    if (flags.json !== undefined) await writeJson(flags.json, result);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr.write(`kamflow analyze: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'Analyse a snapshot: key accounts, penetration matrix, whitespace, risk',
  usage: USAGE,
  run,
};
