/**
 * The analysis benchmark: generates a synthetic portfolio (by default the reference size of
 * 100,000 accounts in families of 1-200 entities, 500,000 contacts, 300,000 opportunities with
 * 1,000,000 line items and 40 offerings), runs analyze() on it three times and reports
 * generation time, the median analysis time and peak memory against the targets (< 10 s,
 * < 2 GB). `npm run bench:analyze:memory -- --accounts 20000` runs a smaller one (in memory, no file; `bench:analyze` measures the CLI from a file); --help lists flags.
 */
import { parseArgs } from 'node:util';
import { analyze } from '../src/analyze/index.ts';
import { DEFAULT_ANALYSIS_CONFIG } from '../src/config/analysis-config.ts';
import { parseSnapshot, type Snapshot } from '../src/model/snapshot.ts';
import { generateSampleOrg } from '../src/sandbox/generate.ts';

const TARGET_SECONDS = 10;
const TARGET_BYTES = 2 * 1024 ** 3;

const HELP = `Usage: npm run bench:analyze:memory -- [options]

  --accounts N       accounts (default 100000)
  --contacts N       contacts in all (default 5 per account)
  --opportunities N  opportunities (default 3 per account)
  --line-items N     line items in all (default 10 per account)
  --offerings N      offerings (default 40)
  --runs N           analysis runs, the median is reported (default 3)
  --seed N           generator seed (default 1)
  --as-of DATE       analysis date (default 2026-06-30)
  --parse            also time parseSnapshot() on the generated org, as analyze --snapshot
                     does after reading the file, and analyse the parsed copy
  --json             print the measurements as one JSON line as well`;

function whole(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

const { values } = parseArgs({
  options: {
    accounts: { type: 'string' }, contacts: { type: 'string' }, opportunities: { type: 'string' },
    'line-items': { type: 'string' }, offerings: { type: 'string' }, runs: { type: 'string' },
    seed: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' }, parse: { type: 'boolean' }, help: { type: 'boolean' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const accounts = whole('accounts', values.accounts, 100_000);
const contacts = whole('contacts', values.contacts, accounts * 5);
const opportunities = whole('opportunities', values.opportunities, accounts * 3);
const lineItems = whole('line-items', values['line-items'], accounts * 10);
const offerings = whole('offerings', values.offerings, 40);
const runs = Math.max(1, whole('runs', values.runs, 3));
const seed = whole('seed', values.seed, 1);
const asOf = values['as-of'] ?? '2026-06-30';

const gc: (() => void) | undefined = typeof globalThis.gc === 'function' ? (): void => { void globalThis.gc?.(); } : undefined;
const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
let heapPeak = 0;
const sampleHeap = () => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
};
// Heap is sampled between steps and on a timer; RSS high-water comes from the kernel.
const sampler = setInterval(sampleHeap, 50);
sampler.unref();

const log = (line: string) => process.stdout.write(`${line}\n`);
log(`Kamflow analysis benchmark, Node ${process.version}`);
log(`portfolio: ${accounts} accounts, ${contacts} contacts, ${opportunities} opportunities, ${lineItems} line items, ${offerings} offerings (seed ${seed}, as of ${asOf})`);

const g0 = performance.now();
let snapshot: Snapshot = generateSampleOrg({
  seed, accounts, asOf, contactsPerAccount: contacts / accounts, opportunities, lineItems, offerings,
});
const generationMs = performance.now() - g0;
sampleHeap();
log(`generated in ${seconds(generationMs)}, heap ${mb(process.memoryUsage().heapUsed)}`);
let parseMs: number | null = null;
if (values.parse) {
  const p0 = performance.now();
  const parsed = parseSnapshot(snapshot);
  parseMs = performance.now() - p0;
  snapshot = parsed.snapshot;
  sampleHeap();
  log(`parsed in ${seconds(parseMs)} (${parsed.rejected.length} rejected), heap ${mb(process.memoryUsage().heapUsed)}`);
}

const times: number[] = [];
let families = 0;
for (let i = 0; i < runs; i++) {
  gc?.();
  const t0 = performance.now();
  const result = analyze({ snapshot, config: DEFAULT_ANALYSIS_CONFIG, asOf, rejected: [] });
  const ms = performance.now() - t0;
  sampleHeap();
  times.push(ms);
  families = result.families.length;
  log(`run ${i + 1}: ${seconds(ms)} (${result.families.length} families, ${result.portfolio.keyFamilies} key, ${result.issues.length} issues)`);
}
clearInterval(sampler);

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
// maxRSS is in kilobytes on Linux and macOS.
const maxRss = process.resourceUsage().maxRSS * 1024;
const verdict = (ok: boolean) => (ok ? 'ok' : 'OVER TARGET');
log('');
log(`generation       ${seconds(generationMs)}`);
if (parseMs !== null) log(`parseSnapshot    ${seconds(parseMs)}`);
log(`analysis median  ${seconds(median)} of ${runs} runs   target < ${TARGET_SECONDS} s: ${verdict(median < TARGET_SECONDS * 1000)}`);
log(`peak RSS         ${mb(maxRss)}   target < ${mb(TARGET_BYTES)}: ${verdict(maxRss < TARGET_BYTES)}`);
log(`peak heap used   ${mb(heapPeak)}${gc ? '' : ' (run with --expose-gc for cleaner runs)'}`);
if (values.json) {
  log(JSON.stringify({
    accounts, contacts, opportunities, lineItems, offerings, families, runs,
    generationMs: Math.round(generationMs), parseMs: parseMs === null ? null : Math.round(parseMs), analysisMedianMs: Math.round(median), analysisMs: times.map(Math.round),
    maxRssBytes: maxRss, heapPeakBytes: heapPeak,
  }));
}
