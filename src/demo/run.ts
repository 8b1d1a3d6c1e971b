import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceProfile } from '../../connectors/registry.ts';
import type { ProvisionReport } from '../contract/connector.ts';
import type { CrmKind } from './environment.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { generateSampleOrg, type SampleOrgOptions } from '../sandbox/generate.ts';
import { approvePlan, runSync } from '../sync/pipeline.ts';
import { analyzeWithStoredConfig } from '../sync/analyze-adapter.ts';
import type { AnalyzeInput, ProgressEvent, SyncResult } from '../sync/types.ts';
import { startDemoEnvironment, type DemoEnvironment } from './environment.ts';
import { writeCalls } from './calls.ts';
import { compareAnalyses, crmToSeed, type AnalysisComparison } from './compare.ts';
import { demoSpreadsheet, type SpreadsheetDemo } from './spreadsheet.ts';

export const CRMS: readonly CrmKind[] = ['salesforce', 'hubspot'];

export interface DemoOptions {
  accounts: number;
  seed: number;
  /** Analysis date and the date the generated deals lead up to (YYYY-MM-DD). */
  asOf: string;
  /** Added to every simulator API call (ms). */
  latencyMs?: number;
  /** Further generator options (contacts, deals, line items per org...). */
  org?: Omit<SampleOrgOptions, 'seed' | 'accounts' | 'asOf'>;
  /** HubSpot requests per rolling ten seconds the connector allows itself. */
  hubspotTenSecondBudget?: number;
  /** The simulator enforces this HubSpot ten-second limit (429 TEN_SECONDLY_ROLLING past it); not enforced without it. */
  hubspotEnforcedTenSecondly?: number;
  /** Leave the simulator and store open: the caller closes `environment`. */
  keep?: boolean;
  /**
   * Moves the simulated CRMs' clocks this far forward before each sync (ms): scheduled runs hours
   * apart, on an org filled long before, rather than runs back to back right after seeding.
   */
  runGapMs?: number;
  /** Where the spreadsheet part writes its workbooks (kept); a new temporary folder otherwise. */
  workbookDir?: string;
  /** Run the spreadsheet part (default true; the CRM sync benchmark leaves it out). */
  spreadsheet?: boolean;
  /** Keep the temporary folder of the workbooks (the CLI does, to be opened); removed at the end otherwise. */
  keepWorkbooks?: boolean;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Told the environment as soon as it is up (before any sync). */
  onEnvironment?: (env: DemoEnvironment) => void;
  onProgress?: (crm: CrmKind, event: ProgressEvent | { stage: 'provision' } | { stage: 'start'; run: number }) => void;
}

export interface CrmRun {
  result: SyncResult;
  /** API calls the simulator received during the run, by endpoint. */
  simulatorCalls: Record<string, number>;
  /** Write calls among them (client's count and simulator's count). */
  writeCalls: { client: number; simulator: number };
  wallMs: number;
  /** The first run's plan, which waited for approval (every new connection's does) until the demo approved it. */
  approval?: { planRunId: string; status: string; accounts: number; fields: number };
}

export interface CrmDemo {
  crm: CrmKind;
  provision: ProvisionReport;
  first: CrmRun;
  second: CrmRun;
  /** The analysis of the first run and the snapshot it read. */
  analysis: AnalysisResult;
  snapshot: Snapshot;
}

export interface DemoResult {
  options: { accounts: number; seed: number; asOf: string };
  org: { accounts: number; contacts: number; opportunities: number; products: number };
  crms: CrmDemo[];
  /** Whether the two CRMs' analyses agree, family by family. */
  comparison: AnalysisComparison;
  /** The same org as a workbook, and whether its analysis agrees with the first CRM's. */
  spreadsheet: { demo: SpreadsheetDemo; comparison: AnalysisComparison; kept: boolean } | null;
  simulatorUrl: string;
  /** Set when `keep` was asked for. */
  environment: DemoEnvironment | null;
  wallMs: number;
}

/** Thrown when a step of the demo fails: says which CRM and which step. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}

async function timed<T>(body: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await body();
  return { value, ms: Math.round(performance.now() - start) };
}

/** One sync of one CRM of the environment, with the calls the simulator saw; throws DemoError unless it succeeded in full. */
export async function syncOnce(env: DemoEnvironment, crm: CrmKind, options: DemoOptions, full: boolean): Promise<{ run: CrmRun; captured: { analysis: AnalysisResult; snapshot: Snapshot } | null }> {
  let captured: { analysis: AnalysisResult; snapshot: Snapshot } | null = null;
  if (options.runGapMs) env.sandbox.clock.advance(options.runGapMs);
  env.sandbox.resetCalls();
  const deps = {
      store: env.store,
      connectorFactory: env.connectorFactory,
      profileOf: sourceProfile,
      analyze: (input: AnalyzeInput) => {
        const analysis = analyzeWithStoredConfig(input);
        captured = { analysis, snapshot: input.snapshot };
        return analysis;
      },
      logger: options.logger ?? silentLogger,
      onProgress: (e: ProgressEvent) => options.onProgress?.(crm, e),
  };
  let approval: CrmRun['approval'];
  const { value: result, ms } = await timed(async () => {
    const planned = await runSync(deps, { connectionId: env.connections[crm].id, full, asOf: options.asOf });
    if (planned.run.status !== 'awaiting-approval') return planned;
    // A new connection's first plan waits for an admin: the demo approves it, as
    // `kamflow plan RUN --approve` does, which reads the records again and writes exactly it.
    approval = { planRunId: planned.run.id, status: planned.run.status, accounts: planned.run.counts.plannedAccounts, fields: planned.run.counts.plannedFields };
    return approvePlan(deps, { planRunId: planned.run.id });
  });
  const simulatorCalls = Object.fromEntries(
    Object.entries(env.sandbox.calls()).filter(([k]) => k.startsWith(`${crm}.`)).map(([k, v]) => [k.slice(crm.length + 1), v]),
  );
  const which = full ? 'first' : 'second';
  if (result.run.status !== 'succeeded') throw new DemoError(`${crm}: ${which} sync ${result.run.status}: ${result.message}`);
  if (result.run.counts.failed > 0) {
    const failed = (await env.store.listWrites(result.run.id)).find((w) => w.status === 'failed');
    const why = failed ? `; first failure, account ${failed.accountId}: ${failed.code ?? failed.errorKind ?? 'error'}: ${failed.message ?? ''}` : '';
    throw new DemoError(`${crm}: ${which} sync could not write ${result.run.counts.failed} account(s)${why}`);
  }
  return {
    run: { result, simulatorCalls, writeCalls: { client: writeCalls(crm, result.run.apiUsage), simulator: writeCalls(crm, simulatorCalls) }, wallMs: ms, ...(approval ? { approval } : {}) },
    captured,
  };
}

async function demoCrm(env: DemoEnvironment, crm: CrmKind, options: DemoOptions): Promise<CrmDemo> {
  const connection = env.connections[crm];
  options.onProgress?.(crm, { stage: 'provision' });
  const connector = env.connectorFactory(connection, await env.store.loadCredentials(connection.id), (t) => env.store.saveTokens(connection.id, t));
  const provision = await connector.provision();
  const bad = [
    ...provision.fields.filter((f) => f.status === 'failed' || f.status === 'wrong-type').map((f) => `field ${f.crmName} ${f.status}${f.message ? `: ${f.message}` : ''}`),
    ...provision.steps.filter((s) => s.status === 'failed').map((s) => `step ${s.name} failed${s.message ? `: ${s.message}` : ''}`),
  ];
  if (bad.length > 0) throw new DemoError(`${crm}: provisioning failed: ${bad.join('; ')}`);
  options.onProgress?.(crm, { stage: 'start', run: 1 });
  const first = await syncOnce(env, crm, options, true);
  if (!first.captured) throw new DemoError(`${crm}: the first sync ran no analysis`);
  options.onProgress?.(crm, { stage: 'start', run: 2 });
  const second = await syncOnce(env, crm, options, false);
  const { analysis, snapshot } = first.captured;
  return { crm, provision, first: first.run, second: second.run, analysis, snapshot };
}

/** The org as a workbook, synced; its analysis compared with the first CRM's (the workbook keeps the org's own ids). */
async function workbookPart(env: DemoEnvironment, org: Snapshot, options: DemoOptions, sfAnalysis: AnalysisResult): Promise<NonNullable<DemoResult['spreadsheet']>> {
  const dir = options.workbookDir ?? mkdtempSync(join(tmpdir(), 'kamflow-demo-workbook-'));
  const kept = options.workbookDir !== undefined || options.keepWorkbooks === true;
  let demo: SpreadsheetDemo;
  try {
    demo = await demoSpreadsheet(env, org, { dir, asOf: options.asOf, logger: options.logger });
  } finally {
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
  const comparison = compareAnalyses(
    sfAnalysis, crmToSeed(env.sandbox.ids.salesforce.accounts),
    demo.analysis, new Map(org.accounts.map((a) => [a.id, a.id])),
    { a: 'Salesforce', b: 'the workbook' },
  );
  return { demo, comparison, kept };
}

/**
 * The whole product against the local simulator: a generated org seeded into both CRMs,
 * provisioning, a full sync with write-back, then an unchanged second sync, per CRM.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const start = performance.now();
  const org = generateSampleOrg({ contactRoles: true, ...options.org, seed: options.seed, accounts: options.accounts, asOf: options.asOf });
  const env = await startDemoEnvironment({
    org,
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.hubspotTenSecondBudget !== undefined ? { hubspotTenSecondBudget: options.hubspotTenSecondBudget } : {}),
    ...(options.hubspotEnforcedTenSecondly !== undefined ? { hubspotEnforcedTenSecondly: options.hubspotEnforcedTenSecondly } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  options.onEnvironment?.(env);
  let keep = false;
  try {
    const crms: CrmDemo[] = [];
    for (const crm of CRMS) crms.push(await demoCrm(env, crm, options));
    keep = options.keep === true;
    const [sf, hs] = crms as [CrmDemo, CrmDemo];
    const comparison = compareAnalyses(
      sf.analysis, crmToSeed(env.sandbox.ids.salesforce.accounts),
      hs.analysis, crmToSeed(env.sandbox.ids.hubspot.accounts),
      { a: 'Salesforce', b: 'HubSpot' },
    );
    const spreadsheet = options.spreadsheet === false ? null : await workbookPart(env, org, options, sf.analysis);
    return {
      options: { accounts: options.accounts, seed: options.seed, asOf: options.asOf },
      org: { accounts: org.accounts.length, contacts: org.contacts.length, opportunities: org.opportunities.length, products: org.products.length },
      crms,
      comparison,
      spreadsheet,
      simulatorUrl: env.sandbox.url,
      environment: options.keep ? env : null,
      wallMs: Math.round(performance.now() - start),
    };
  } finally {
    // A failed demo never leaves the simulator up, --keep or not.
    if (!keep) await env.close();
  }
}
