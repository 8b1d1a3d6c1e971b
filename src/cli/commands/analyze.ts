import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AsOfError, validateAsOf } from '../../analyze/dates.ts';
import type { AnalysisResult } from '../../model/insights.ts';
import { parseFlags } from '../args.ts';
import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { progressFor } from '../progress.ts';

/** The analysis, the reader and the writers, loaded once a run starts (not for --help or a usage error). */
async function modules() {
  const [analysis, load, output, report] = await Promise.all([
    import('../../analyze/index.ts'), import('../load.ts'), import('../output-json.ts'), import('../report.ts'),
  ]);
  return { ...analysis, ...load, ...output, ...report };
}

const USAGE = `Usage: kamflow analyze --snapshot FILE [--config FILE] [--as-of YYYY-MM-DD] [--json OUT]

Analyses a snapshot: key accounts and why, each key account's penetration matrix,
whitespace, revenue concentration and loss scenarios, risks, drift and data issues.

Options:
  --snapshot FILE     snapshot (format version 1) to analyse, JSON or NDJSON (told
                      apart by the first line), read record by record (required)
  --config FILE       analysis settings as JSON; defaults apply to anything left out
  --as-of DATE        analysis date YYYY-MM-DD, the last day of the 12-month window
                      (default: today, UTC)
  --json OUT          also write the full result as JSON to OUT ("-": to stdout,
                      instead of the report); compact unless --pretty
  --pretty            indent the JSON (matrix rows stay one line each)
  --limit N           families, rows and suggestions listed per section (default 10)
  -h, --help          show this help

Exit codes: 0 done, 1 unreadable or invalid snapshot/config, 2 bad options.
Colour is used only when stdout is a terminal and NO_COLOR is unset; progress goes
to stderr when it is a terminal (not in CI, not with --json -).`;

const FLAGS = {
  snapshot: { type: 'string' },
  config: { type: 'string' },
  'as-of': { type: 'string' },
  json: { type: 'string' },
  pretty: { type: 'boolean' },
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

async function writeJson(m: Awaited<ReturnType<typeof modules>>, path: string, result: AnalysisResult, pretty: boolean): Promise<void> {
  const { writeAnalysisJsonFile, InputError, describeFsError } = m;
  try {
    // Like the README's `--json out/analysis.json` in a fresh clone: the folder is made when missing.
    await mkdir(dirname(path), { recursive: true });
    await writeAnalysisJsonFile(path, result, { pretty });
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

  const pretty = flags.pretty === true;
  const progress = progressFor(io, flags.json === '-');
  const m = await modules();
  const { analyzeColumns, loadConfig, loadSnapshot, analysisDocument, writeChunks, renderReport, reportContext, InputError } = m;
  try {
    const config = await loadConfig(flags.config);
    const { input, rejected } = await loadSnapshot(snapshotPath, (p) => progress.update('reading the snapshot', p.bytes / Math.max(1, p.totalBytes)));
    progress.done('reading the snapshot');
    progress.update('analysing');
    const result = analyzeColumns({ input, config, asOf, rejected });
    progress.done('analysing');
    if (flags.json === '-') {
      await writeChunks(io.stdout, analysisDocument(result, { pretty }));
      return EXIT.ok;
    }
    progress.clear();
    io.stdout.write(renderReport(result, reportContext(input), { color: useColor(io), limit }));
    if (flags.json !== undefined) {
      progress.update(`writing ${flags.json}`);
      await writeJson(m, flags.json, result, pretty);
      progress.done(`writing ${flags.json}`);
    }
    return EXIT.ok;
  } catch (error) {
    progress.clear();
    // A reader that stops early (`kamflow analyze --json - | head`) is not a failure.
    if (error && typeof error === 'object' && 'code' in error && error.code === 'EPIPE') return EXIT.ok;
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
