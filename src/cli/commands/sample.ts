import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { validateAsOf, AsOfError } from '../../analyze/index.ts';
import { sampleOrgStream, type SampleOrgOptions, type SampleOrgStream, type SampleRecord } from '../../sandbox/generate.ts';
import type { SnapshotFileFormat } from '../../snapshot/read.ts';
import { parseFlags } from '../args.ts';
import { EXIT, UsageError, type CliCommand, type CliIo } from '../command.ts';
import { describeFsError } from '../load.ts';
import { writeChunks } from '../output-json.ts';
import { progressFor, type Progress } from '../progress.ts';
import { snapshotRecordChunks } from '../snapshot-json.ts';

const USAGE = `Usage: kamflow sample --out FILE [--accounts N] [--seed N] [--as-of YYYY-MM-DD] [options]

Writes a generated sample org as a snapshot file that \`kamflow analyze\` reads: customer
families several levels deep, a product catalogue, contacts, users and three years of deals,
with planted cases (an 18% customer ACC-KEY18, a 1% one ACC-ONEPCT, a shrinking key account
ACC-SHRINK, a single-threaded family ACC-SOLO, a parent cycle ACC-CYC-A/B/C and an account
whose parent is missing ACC-ORPHAN). The same options always give the same file.

Options:
  --out FILE                  where to write the snapshot ("-": stdout) (required)
  --format json|ndjson        the file's form (default: ndjson for a .ndjson or .jsonl
                              file, else json); both are read by analyze
  --accounts N                accounts (default 70; at least 40)
  --seed N                    random seed (default 1)
  --as-of DATE                the date the deals lead up to (default: today, UTC)
  --contacts-per-account N    average contacts per account (default 5)
  --opportunities N           deals in all (default 3 per account)
  --line-items N              line items in all (default 10 per 3 deals)
  --offerings N               offerings, i.e. product families (default 12)
  -h, --help                  show this help`;

const FLAGS = {
  out: { type: 'string' },
  format: { type: 'string' },
  accounts: { type: 'string' },
  seed: { type: 'string' },
  'as-of': { type: 'string' },
  'contacts-per-account': { type: 'string' },
  opportunities: { type: 'string' },
  'line-items': { type: 'string' },
  offerings: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function number(flag: string, raw: string | undefined, pattern = /^\d+$/): number | undefined {
  if (raw === undefined) return undefined;
  if (!pattern.test(raw)) throw new UsageError(`--${flag} must be a non-negative number, got "${raw}"`);
  return Number(raw);
}

/** The records, counted into the progress line as they pass. */
function* counted(records: Iterable<SampleRecord>, totals: SampleOrgStream['counts'], progress: Progress): Generator<SampleRecord> {
  let list = '';
  let n = 0;
  for (const r of records) {
    if (r.list !== list) {
      if (list !== '') progress.done(`writing ${list}`);
      list = r.list;
      n = 0;
    }
    if (++n % 4096 === 0) progress.update(`writing ${list}`, n / Math.max(1, totals[r.list]));
    yield r;
  }
  if (list !== '') progress.done(`writing ${list}`);
}

async function writeSnapshot(path: string, org: SampleOrgStream, format: SnapshotFileFormat, io: CliIo, progress: Progress): Promise<void> {
  const chunks = snapshotRecordChunks({ header: org.header, records: counted(org.records, org.counts, progress) }, format);
  if (path === '-') {
    await writeChunks(io.stdout, chunks);
    return;
  }
  const stream = createWriteStream(path, { encoding: 'utf8' });
  const done = finished(stream);
  done.catch(() => undefined);
  try {
    await writeChunks(stream, chunks);
  } catch (error) {
    stream.destroy();
    throw error;
  }
  stream.end();
  await done;
}

function formatOf(raw: string | undefined, out: string): SnapshotFileFormat {
  if (raw === undefined) return /\.(ndjson|jsonl)$/i.test(out) ? 'ndjson' : 'json';
  if (raw !== 'json' && raw !== 'ndjson') throw new UsageError(`--format must be json or ndjson, got "${raw}"`);
  return raw;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  if (flags.out === undefined || flags.out === '') throw new UsageError('--out FILE is required ("-" for stdout)');
  let asOf: string;
  try {
    asOf = validateAsOf(flags['as-of'] ?? new Date().toISOString().slice(0, 10));
  } catch (error) {
    if (error instanceof AsOfError) throw new UsageError(`--as-of: ${error.message}`);
    throw error;
  }
  const options: SampleOrgOptions = {
    seed: number('seed', flags.seed) ?? 1,
    accounts: number('accounts', flags.accounts) ?? 70,
    asOf,
  };
  const contacts = number('contacts-per-account', flags['contacts-per-account'], /^\d+(\.\d+)?$/);
  const opportunities = number('opportunities', flags.opportunities);
  const lineItems = number('line-items', flags['line-items']);
  const offerings = number('offerings', flags.offerings);
  if (contacts !== undefined) options.contactsPerAccount = contacts;
  if (opportunities !== undefined) options.opportunities = opportunities;
  if (lineItems !== undefined) options.lineItems = lineItems;
  if (offerings !== undefined) options.offerings = offerings;

  const format = formatOf(flags.format, flags.out);
  const progress = progressFor(io, flags.out === '-');
  let org: SampleOrgStream;
  try {
    progress.update('drawing the accounts');
    org = sampleOrgStream(options);
    progress.done('drawing the accounts');
  } catch (error) {
    progress.clear();
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  try {
    await writeSnapshot(flags.out, org, format, io, progress);
  } catch (error) {
    progress.clear();
    io.stderr.write(`kamflow sample: cannot write snapshot ${flags.out}: ${describeFsError(error)}\n`);
    return EXIT.failed;
  }
  if (flags.out !== '-') {
    io.stderr.write(`kamflow sample: wrote ${org.counts.accounts} accounts, ${org.counts.opportunities} opportunities to ${flags.out}\n`);
  }
  return EXIT.ok;
}

export const sampleCommand: CliCommand = {
  name: 'sample',
  summary: 'Write a generated sample org (with planted cases) as a snapshot file',
  usage: USAGE,
  run,
};
