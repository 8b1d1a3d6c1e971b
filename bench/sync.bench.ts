/**
 * The sync benchmark: a generated org (50,000 accounts by default) seeded into the simulator's
 * Salesforce and HubSpot, a per-call latency (30 ms by default), then per CRM: provisioning, a
 * full sync with write-back, an unchanged incremental sync, then an incremental sync after a
 * share of every stream's records was edited in the CRM (`--edit-share`, 1% by default). The
 * CRMs' clocks move an hour before each run (scheduled runs, an org filled long before). Reports
 * wall time and the read calls of each stream against the fewest the APIs' page and batch sizes
 * allow, HubSpot's first run against its rate-limit floor, and the write calls.
 * `npm run bench:sync -- --accounts 2000 --latency 0` runs a small one; --help lists the flags.
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import type { CrmKind } from '../src/demo/environment.ts';
import { totalCalls } from '../src/demo/calls.ts';
import { runDemo, syncOnce, type CrmDemo, type CrmRun, type DemoOptions } from '../src/demo/run.ts';
import type { DemoEnvironment } from '../src/demo/environment.ts';
import type { RunRecord } from '../src/store/types.ts';
import { OBJECT_KINDS, type ObjectKind } from '../src/contract/connector.ts';
import { fullStreamFloor } from './support/minimum-calls.ts';
import { incrementalFloor, StreamCalls } from './support/stream-calls.ts';
import { createLogger } from '../src/log.ts';
import { formatUsage } from '../src/cli/sync-support.ts';
import { minimumCalls } from './support/minimum-calls.ts';
import { pacing, type Pacing, type TimedRequest } from './support/pacing.ts';
import { hubSpotOptionsSchema } from '../connectors/hubspot/options.ts';

const HELP = `Usage: npm run bench:sync -- [options]

  --accounts N              accounts per CRM (default 50000)
  --latency MS              added to every simulator API call (default 30)
  --contacts-per-account N  average contacts per account (default 5)
  --deals-per-account N     deals per account (default 3; line items 10 per 3 deals)
  --hubspot-budget N        HubSpot requests per rolling 10 s the connector allows itself
                            (default 190, HubSpot Professional and Enterprise; 100 on Starter)
  --hubspot-limit N         the portal's limit per rolling 10 s, which the simulator enforces with
                            429 TEN_SECONDLY_ROLLING (default: the budget)
  --edit-share X            share of each stream's records edited before the third run (default 0.01)
  --run-gap-minutes N       the CRMs' clocks move this far before each run (default 60)
  --seed N                  generator seed (default 1)
  --as-of DATE              analysis date (default 2026-06-30)
  --json                    print the measurements as one JSON line as well
  --timeline FILE           write HubSpot's first-run requests (ms since the run's start, endpoint) to FILE`;

function whole(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new Error(`--${name} must be a non-negative number, got "${raw}"`);
  return Number(raw);
}

const { values } = parseArgs({
  options: {
    accounts: { type: 'string' }, latency: { type: 'string' }, 'contacts-per-account': { type: 'string' },
    'deals-per-account': { type: 'string' }, 'hubspot-budget': { type: 'string' }, 'hubspot-limit': { type: 'string' }, seed: { type: 'string' },
    'as-of': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    'edit-share': { type: 'string' }, 'run-gap-minutes': { type: 'string' }, timeline: { type: 'string' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const accounts = whole('accounts', values.accounts, 50_000);
const latencyMs = whole('latency', values.latency, 30);
const dealsPerAccount = whole('deals-per-account', values['deals-per-account'], 3);
const hubspotBudget = whole('hubspot-budget', values['hubspot-budget'], 190);
const hubspotLimit = whole('hubspot-limit', values['hubspot-limit'], hubspotBudget);
if (!Number.isInteger(hubspotBudget) || hubspotBudget < 1) throw new Error(`--hubspot-budget must be a whole number of at least 1, got ${hubspotBudget}`);
if (!Number.isInteger(hubspotLimit) || hubspotLimit < 1) throw new Error(`--hubspot-limit must be a whole number of at least 1, got ${hubspotLimit}`);
const asOf = values['as-of'] ?? '2026-06-30';
const editShare = whole('edit-share', values['edit-share'], 0.01);
if (editShare > 1) throw new Error(`--edit-share must be at most 1, got ${editShare}`);
const runGapMs = whole('run-gap-minutes', values['run-gap-minutes'], 60) * 60_000;
const LABEL: Record<CrmKind, string> = { salesforce: 'Salesforce', hubspot: 'HubSpot' };

// Ending through process.exit runs the exit hook that removes the temporary store.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);
};
let lastPull = 0;
let environment: DemoEnvironment | null = null;
const trackers: Partial<Record<CrmKind, StreamCalls>> = {};
const streamCalls: Record<CrmKind, Map<ObjectKind, number>[]> = { salesforce: [], hubspot: [] };
/**
 * HubSpot's first run, as the simulator saw it: when each request arrived (and whether it was a
 * search), and where the full pull ended (the last request before the analysis), with the
 * process's CPU time at the run's start and at the pull's end.
 */
interface Timeline {
  requests: (TimedRequest & { endpoint: string })[];
  /** Requests before the run (provisioning): in the rate windows when it starts. */
  before: TimedRequest[];
  runStart: number | null;
  pullEnd: number | null;
  pullRequests: number | null;
  runEnd: number | null;
  cpuAtStart: NodeJS.CpuUsage | null;
  cpuAtPullEnd: NodeJS.CpuUsage | null;
  recording: boolean;
  /** 429s the simulator answered during the run, by policy. */
  rateLimited: Record<string, number>;
}
const hsTimeline: Timeline = {
  requests: [], before: [], runStart: null, pullEnd: null, pullRequests: null, runEnd: null, cpuAtStart: null, cpuAtPullEnd: null, recording: false, rateLimited: {},
};
const RUN_NAMES = ['first sync (full, write-back)', 'second sync (unchanged)', `third sync (${editShare * 100}% of records edited)`];
const onProgress: NonNullable<DemoOptions['onProgress']> = (crm, e) => {
  const tracker = environment ? (trackers[crm] ??= new StreamCalls(crm, () => environment?.sandbox.calls() ?? {})) : undefined;
  if (crm === 'hubspot') noteHubSpotStage(e);
  if (e.stage === 'provision') log(`${LABEL[crm]}: provisioning`);
  else if (e.stage === 'start') {
    log(`${LABEL[crm]}: ${RUN_NAMES[e.run - 1] ?? `run ${e.run}`}`);
    tracker?.reset();
    streamCalls[crm][e.run - 1] = tracker?.byStream ?? new Map();
  } else if (e.stage === 'pull') {
    tracker?.page(e.object);
    if (e.pulled - lastPull >= 50_000) {
      lastPull = e.pulled;
      log(`  ${e.object}: ${e.pulled}`);
    }
  } else if (e.stage === 'analyze') {
    lastPull = 0;
    log(`  analysed ${e.accounts} accounts`);
  } else if (e.stage === 'plan') log(`  plan: ${e.changedAccounts} to change`);
};
function noteHubSpotStage(e: Parameters<typeof onProgress>[1]): void {
  const t = hsTimeline;
  if (e.stage === 'provision') t.recording = true;
  else if (e.stage === 'start' && e.run === 1) {
    t.runStart = performance.now();
    t.cpuAtStart = process.cpuUsage();
    t.before = t.requests.filter((r) => r.at > (t.runStart as number) - 10_000);
    t.requests = [];
  } else if (e.stage === 'analyze' && t.runStart !== null && t.pullEnd === null) {
    // The plan run's analysis: the full pull made every HubSpot request before it.
    t.pullRequests = t.requests.length;
    t.pullEnd = t.requests.at(-1)?.at ?? null;
    t.cpuAtPullEnd = process.cpuUsage(t.cpuAtStart ?? undefined);
  } else if (e.stage === 'start' && e.run === 2) {
    t.runEnd = performance.now();
    t.recording = false;
    t.rateLimited = environment?.sandbox.rateLimited() ?? {};
  }
}
const demoOptions = {
  keep: true,
  runGapMs,
  onEnvironment: (env: DemoEnvironment) => {
    environment = env;
    env.sandbox.onCall((crm, endpoint) => {
      if (crm === 'hubspot' && hsTimeline.recording) hsTimeline.requests.push({ at: performance.now(), search: endpoint === 'search', endpoint });
    });
  },
  accounts,
  seed: whole('seed', values.seed, 1),
  asOf,
  latencyMs,
  hubspotTenSecondBudget: hubspotBudget,
  hubspotEnforcedTenSecondly: hubspotLimit,
  org: {
    ...(values['contacts-per-account'] !== undefined ? { contactsPerAccount: whole('contacts-per-account', values['contacts-per-account'], 5) } : {}),
    opportunities: Math.round(accounts * dealsPerAccount),
  },
  env: {},
  // The CRMs' sync is what this measures; bench:spreadsheet measures the workbook.
  spreadsheet: false,
  logger: createLogger({ level: process.env['KAMFLOW_LOG_LEVEL'] ?? 'warn' }),
  onProgress,
} satisfies DemoOptions;
const result = await runDemo(demoOptions);
if (!result.environment) throw new Error('the demo environment was not kept');
const env: DemoEnvironment = result.environment;

/**
 * Edits a share of every object stream's records in the CRM: a new account name, contact title
 * and deal name (changes the mirror takes), and line items touched with their own quantity (the
 * stamp moves, no mirrored value changes: read, and rightly not taken as a change).
 */
function editShareOf(crm: CrmKind): { edited: number; byStream: Partial<Record<ObjectKind, number>> } {
  const step = Math.max(1, Math.round(1 / Math.max(editShare, 1e-9)));
  let edited = 0;
  const byStream: Partial<Record<ObjectKind, number>> = {};
  const sb = env.sandbox;
  const kinds = [['accounts', 'Account', 'Name', 'companies', 'name', true], ['contacts', 'Contact', 'Title', 'contacts', 'jobtitle', true],
    ['opportunities', 'Opportunity', 'Name', 'deals', 'dealname', true], ['lineItems', 'OpportunityLineItem', 'Quantity', 'line_items', 'quantity', false]] as const;
  for (const [kind, sobject, field, type, property, change] of kinds) {
    const ids = Object.values(sb.ids[crm][kind]);
    for (let i = 0; i < ids.length; i += step) {
      const id = ids[i] as string;
      if (crm === 'salesforce') {
        const value = sb.sf.record(sobject, id)?.[field];
        const next = change ? `${String(value ?? '')} (edited)` : value === undefined ? null : (value as string | number | null);
        sb.sf.update(sobject, id, { [field]: next });
      } else {
        const value = sb.hs.object(type, id)?.properties[property] ?? '';
        sb.hs.update(type, id, { [property]: change ? `${value} (edited)` : value });
      }
      edited++;
      byStream[kind] = (byStream[kind] ?? 0) + 1;
    }
  }
  return { edited, byStream };
}

const thirdRuns: Partial<Record<CrmKind, { run: CrmRun; edited: number; byStream: Partial<Record<ObjectKind, number>> }>> = {};
/**
 * A new connection's first run is two: the run that pulled in full and planned (it waits for
 * approval) and the approval's run, which reads what changed since and writes. The stream
 * tracker counts the calls of both; so must the report, with the full pull's records.
 */
const planRuns: Partial<Record<CrmKind, RunRecord>> = {};
try {
  for (const c of result.crms) {
    const id = c.first.approval?.planRunId;
    const plan = id ? await env.store.getRun(id) : null;
    if (plan) planRuns[c.crm] = plan;
  }
  for (const c of result.crms) {
    const { edited, byStream } = editShareOf(c.crm);
    onProgress(c.crm, { stage: 'start', run: 3 });
    const third = await syncOnce(env, c.crm, demoOptions, false);
    thirdRuns[c.crm] = { run: third.run, edited, byStream };
  }
} finally {
  await env.close();
}

interface RunReport {
  wallSeconds: number;
  pulled: Partial<Record<string, number>>;
  written: number;
  calls: Record<string, number>;
  reads: number;
  writes: number;
  minimum: { reads: number; writes: number };
  simulatorWriteCalls: number;
}

/** Calls of two runs added up, by kind. */
function addUsage(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The run as the bench reports it: a first run with its planning run folded in (records pulled from it, calls of both). */
function asMeasured(crm: CrmKind, run: CrmRun, first: boolean): { mode: RunRecord['mode']; counts: RunRecord['counts']; apiUsage: Record<string, number> } {
  const r = run.result.run;
  const plan = first ? planRuns[crm] : undefined;
  if (!plan) return { mode: r.mode, counts: r.counts, apiUsage: r.apiUsage };
  return { mode: plan.mode, counts: { ...r.counts, pulled: plan.counts.pulled }, apiUsage: addUsage(plan.apiUsage, r.apiUsage) };
}

function runReport(crm: CrmKind, run: CrmRun, first = false): RunReport {
  const measured = asMeasured(crm, run, first);
  const { counts, apiUsage } = measured;
  const writes = run.writeCalls.client;
  const min = minimumCalls(crm, counts.pulled, counts.written);
  return {
    wallSeconds: Math.round(run.wallMs / 100) / 10,
    pulled: counts.pulled,
    written: counts.written,
    calls: apiUsage,
    reads: totalCalls(apiUsage) - writes,
    writes,
    minimum: measured.mode === 'full' ? min : { reads: Object.keys(counts.pulled).length, writes: 0 },
    simulatorWriteCalls: run.writeCalls.simulator,
  };
}

interface StreamReport {
  calls: Partial<Record<ObjectKind, number>>;
  floor: Partial<Record<ObjectKind, number>>;
  reads: number;
  readFloor: number;
}

/**
 * `touched`: records whose stamp the bench moved before the run, by stream. Every reader must
 * read those, also the ones whose mirrored values did not change (not taken as changes), so the
 * floor counts the larger of the records taken and the records touched.
 */
function streamReport(crm: CrmKind, run: CrmRun, index: number, touched: Partial<Record<ObjectKind, number>> = {}): StreamReport {
  const byStream = streamCalls[crm][index] ?? new Map<ObjectKind, number>();
  const measured = asMeasured(crm, run, index === 0);
  const full = measured.mode === 'full';
  const calls: Partial<Record<ObjectKind, number>> = {};
  const floor: Partial<Record<ObjectKind, number>> = {};
  for (const k of OBJECT_KINDS) {
    const n = Math.max(measured.counts.pulled[k] ?? 0, full ? 0 : touched[k] ?? 0);
    calls[k] = byStream.get(k) ?? 0;
    floor[k] = full ? fullStreamFloor(crm, k, n) : incrementalFloor(crm, k, n);
  }
  const sum = (r: Partial<Record<ObjectKind, number>>): number => Object.values(r).reduce((a, b) => a + (b ?? 0), 0);
  return { calls, floor, reads: sum(calls), readFloor: sum(floor) };
}

const reports = result.crms.map((c: CrmDemo) => {
  const third = thirdRuns[c.crm];
  return {
    crm: c.crm,
    first: { ...runReport(c.crm, c.first, true), streams: streamReport(c.crm, c.first, 0) },
    second: { ...runReport(c.crm, c.second), streams: streamReport(c.crm, c.second, 1) },
    ...(third ? { third: { ...runReport(c.crm, third.run), streams: streamReport(c.crm, third.run, 2, third.byStream), edited: third.edited } } : {}),
  };
});
/** HubSpot's first run: the API pacing of its full pull and of the whole run, and where the rest of the time went. */
interface HubSpotPacing {
  pull: Pacing;
  run: Pacing;
  /** Run start to the pull's last request, and the CPU time the process used meanwhile (ms). */
  pullWallMs: number;
  pullCpuMs: number;
  /** The pull's last request to the run's end: analysis, plan, the approval's reads and the write-back (ms). */
  afterPullMs: number;
  rateLimited: Record<string, number>;
}

function hubSpotPacing(t: Timeline): HubSpotPacing | null {
  if (t.runStart === null || t.pullEnd === null || t.pullRequests === null || t.runEnd === null || !t.cpuAtPullEnd) return null;
  const limits = { budget: hubspotBudget, windowMs: 10_000, searchPerSecond: SEARCH_PER_SECOND };
  const cpu = t.cpuAtPullEnd;
  return {
    pull: pacing(t.requests.slice(0, t.pullRequests), t.before, limits),
    run: pacing(t.requests, t.before, limits),
    pullWallMs: t.pullEnd - t.runStart,
    pullCpuMs: (cpu.user + cpu.system) / 1000,
    afterPullMs: t.runEnd - t.pullEnd,
    rateLimited: t.rateLimited,
  };
}

function pacingLines(p: HubSpotPacing): string[] {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const line = (what: string, x: Pacing): string =>
    `  ${what}: ${x.requests} requests, first to last ${s(x.spanMs)} against a floor of ${s(x.floorMs)} at ${hubspotBudget} per 10 s and ${SEARCH_PER_SECOND} searches per s (${ratio(x.spanMs, x.floorMs)}; at the sustained rate ${s(x.sustainedMs)}: ${ratio(x.spanMs, x.sustainedMs)})`;
  const limited = Object.entries(p.rateLimited).map(([k, v]) => `${k.replace(/^hubspot\./, '')} ${v}`).join(', ');
  return [
    line('API pacing of the full pull', p.pull),
    line('API pacing of the whole run', p.run),
    `  run start to the pull's last request ${s(p.pullWallMs)} (process CPU ${s(p.pullCpuMs)}); after it (analysis, plan, approval reads, write-back) ${s(p.afterPullMs)}; 429s from the simulator: ${limited || 'none'}`,
  ];
}

const SEARCH_PER_SECOND = hubSpotOptionsSchema.parse({ auth: { kind: 'private-app', token: 'x' } }).limits.searchPerSecond;
const hsPacing = hubSpotPacing(hsTimeline);
if (values.timeline !== undefined && hsTimeline.runStart !== null) {
  const t0 = hsTimeline.runStart;
  const rows = hsTimeline.requests.map((r, i) => `${(r.at - t0).toFixed(1)}\t${r.endpoint}${i === (hsTimeline.pullRequests ?? -1) - 1 ? '\tlast of the pull' : ''}`);
  writeFileSync(values.timeline, `${rows.join('\n')}\n`);
}
const o = result.org;
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');
const lines = [
  `Sync benchmark: ${o.accounts} accounts, ${o.contacts} contacts, ${o.opportunities} deals per CRM; ${latencyMs} ms per call; HubSpot budget ${hubspotBudget} per 10 s (the simulator enforces ${hubspotLimit}); CRM clocks moved ${runGapMs / 60_000} min before each run`,
];
for (const r of reports) {
  type Run = typeof r.first;
  const runs: [string, Run][] = [['first run (full + write-back)', r.first], ['second run (unchanged)', r.second]];
  if (r.third) runs.push([`third run (${r.third.edited} records edited)`, r.third]);
  for (const [name, run] of runs) {
    const pulled = Object.values(run.pulled).reduce((a: number, b) => a + (b ?? 0), 0);
    lines.push(`${LABEL[r.crm]}, ${name}: ${run.wallSeconds} s, ${pulled} records pulled, ${run.written} accounts written`);
    const st = run.streams;
    lines.push(`  stream reads ${st.reads} against a floor of ${st.readFloor} (${ratio(st.reads, st.readFloor)}): ${OBJECT_KINDS.map((k) => `${k} ${st.calls[k] ?? 0}/${st.floor[k] ?? 0}`).join(', ')}`);
    lines.push(`  all reads ${run.reads} (setup calls included), writes ${run.writes} (minimum ${run.minimum.writes}; simulator saw ${run.simulatorWriteCalls})`);
    if (r.crm === 'hubspot' && name.startsWith('first')) {
      const floorSeconds = (totalCalls(run.calls) / hubspotBudget) * 10;
      lines.push(`  run wall time ${run.wallSeconds} s against ${floorSeconds.toFixed(1)} s for its ${totalCalls(run.calls)} calls at ${hubspotBudget} per 10 s (${ratio(run.wallSeconds, floorSeconds)}; analysis, plan and write-back included)`);
      if (hsPacing) lines.push(...pacingLines(hsPacing));
    }
    lines.push(`  by kind: ${formatUsage(run.calls)}`);
  }
}
const clean = reports.every((r) => r.second.writes === 0 && r.second.simulatorWriteCalls === 0);
lines.push(clean ? 'Second run: no write call in either CRM (target met).' : 'Second run: write calls made (target missed).');
lines.push(`Total wall time ${(result.wallMs / 1000).toFixed(1)} s (generation and seeding included).`);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) process.stdout.write(`${JSON.stringify({ accounts, latencyMs, hubspotBudget, hubspotLimit, editShare, runGapMs, wallMs: result.wallMs, hubspotPacing: hsPacing, reports })}\n`);
