import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCES, sourceProfile } from '../../connectors/registry.ts';
import { recordsOf, writeSampleWorkbook } from '../../connectors/spreadsheet/sample-input.ts';
import { workbookSheets } from '../../connectors/spreadsheet/xlsx-rows.ts';
import type { ProvisionReport } from '../contract/connector.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { analyzeWithStoredConfig } from '../sync/analyze-adapter.ts';
import { approvePlan, runSync } from '../sync/pipeline.ts';
import type { AnalyzeInput, SyncResult } from '../sync/types.ts';
import type { DemoEnvironment } from './environment.ts';

/**
 * The demo's third source: the same org as a workbook, connected as `kamflow connect --crm
 * spreadsheet --path customers.xlsx` would, provisioned, synced, and synced again unchanged.
 */

export const DEMO_SPREADSHEET_ID = 'demo-spreadsheet';

export interface SpreadsheetDemo {
  input: string;
  output: string;
  provision: ProvisionReport;
  first: SyncResult;
  second: SyncResult;
  /** A third run on the unchanged workbook rewrote the output with the same bytes as the second. */
  sameBytes: boolean;
  sheets: string[];
  analysis: AnalysisResult;
  /** The run whose plan waited for approval and was approved by the demo (the first). */
  approvedPlan: string | null;
  wallMs: number;
}

export class SpreadsheetDemoError extends Error {
  override readonly name = 'SpreadsheetDemoError';
}

export async function demoSpreadsheet(env: DemoEnvironment, org: Snapshot, options: { dir: string; asOf: string; logger?: Logger | undefined }): Promise<SpreadsheetDemo> {
  const start = performance.now();
  const input = join(options.dir, 'customers.xlsx');
  await writeSampleWorkbook(input, () => recordsOf(org));
  const flags = SOURCES.spreadsheet.connect.fromFlags({ path: input });
  if (await env.store.getConnection(DEMO_SPREADSHEET_ID)) await env.store.deleteConnection(DEMO_SPREADSHEET_ID);
  const connection = await env.store.createConnection({ id: DEMO_SPREADSHEET_ID, crm: 'spreadsheet', ...flags, options: { ...flags.options, currency: org.currency } });
  const provision = await env.connectorFactory(connection, { tokens: null, clientSecret: null }, () => undefined).provision();
  const failed = provision.steps.filter((s) => s.status === 'failed');
  if (failed.length > 0) throw new SpreadsheetDemoError(`spreadsheet: provisioning failed: ${failed.map((s) => `${s.name}: ${s.message ?? ''}`).join('; ')}`);
  let analysis: AnalysisResult | null = null;
  let approvedPlan: string | null = null;
  const sync = async (full: boolean): Promise<SyncResult> => {
    const deps = {
      store: env.store, connectorFactory: env.connectorFactory, profileOf: sourceProfile, logger: options.logger ?? silentLogger,
      analyze: (i: AnalyzeInput) => (analysis = analyzeWithStoredConfig(i)),
    };
    const planned = await runSync(deps, { connectionId: DEMO_SPREADSHEET_ID, full, asOf: options.asOf });
    // The first plan waits for an admin, as every new connection's does: the demo approves it.
    if (planned.run.status === 'awaiting-approval') approvedPlan = planned.run.id;
    const result = planned.run.status === 'awaiting-approval' ? await approvePlan(deps, { planRunId: planned.run.id }) : planned;
    if (result.run.status !== 'succeeded') throw new SpreadsheetDemoError(`spreadsheet: sync ${result.run.status}: ${result.message}`);
    return result;
  };
  const first = await sync(true);
  const firstAnalysis = analysis as AnalysisResult | null;
  const second = await sync(false);
  const output = typeof connection.options['output'] === 'string' ? connection.options['output'] : join(options.dir, 'customers.kamflow.xlsx');
  const afterSecond = readFileSync(output);
  await sync(false);
  const sameBytes = readFileSync(output).equals(afterSecond);
  const sheets: string[] = [];
  for await (const s of workbookSheets(output)) sheets.push(s.name);
  if (!firstAnalysis) throw new SpreadsheetDemoError('spreadsheet: the first sync ran no analysis');
  return { input, output, provision, first, second, sameBytes, sheets, analysis: firstAnalysis, approvedPlan, wallMs: Math.round(performance.now() - start) };
}
