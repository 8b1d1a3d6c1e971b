import type { AnalysisResult } from '../model/insights.ts';
import type { Snapshot } from '../model/snapshot.ts';
import { currenciesSection } from './report/currencies.ts';
import { horizonSection } from './report/horizon.ts';
import { qualitySection } from './report/quality.ts';
import { painter } from './report/format.ts';
import type { ReportContext } from './report/matrix.ts';
import {
  driftSection, issuesSection, keyFamiliesSection, lossSection, portfolioSection, risksSection,
  tiersSection, whitespaceSection,
} from './report/sections.ts';

export type { ReportContext } from './report/matrix.ts';

export interface ReportOptions {
  color: boolean;
  /** Families, rows and suggestions listed per section. */
  limit: number;
  /** Line width to stay within; 100 by default. */
  width?: number;
  /** Entity rows per matrix; 30 by default. */
  matrixRows?: number;
}

/** What the report needs from the snapshot besides the result: account names and parents (one map of the accounts, looked into). */
export function reportContext(snapshot: Pick<Snapshot, 'accounts'>): ReportContext {
  const byId = new Map<string, Snapshot['accounts'][number]>();
  for (const a of snapshot.accounts) byId.set(a.id, a);
  return { names: { get: (id) => byId.get(id)?.name }, parents: { get: (id) => byId.get(id)?.parentId } };
}

/**
 * The readable report of an analysis, for a terminal 80-100 columns wide: portfolio
 * concentration, key families with their reasons and matrices, tiers, whitespace, loss
 * scenarios, risks, drift and data issues. Pure: the same result gives the same text.
 */
export function renderReport(result: AnalysisResult, ctx: ReportContext, options: ReportOptions): string {
  const p = painter(options.color);
  const o = { width: options.width ?? 100, limit: options.limit, matrixRows: options.matrixRows ?? 30 };
  const lines = [
    p.paint(`Kamflow analysis as of ${result.asOf}`, 'bold')
      + ` (12 months ${windowStart(result.asOf)} to ${result.asOf}, config v${result.configVersion}, ${result.currency})`,
    ...portfolioSection(result, result.accounts.length, p),
    ...keyFamiliesSection(result, ctx, p, o),
    ...lossSection(result, p, o),
    ...tiersSection(result, p, o),
    ...whitespaceSection(result, ctx, p, o),
    ...horizonSection(result, ctx, p, o),
    ...risksSection(result, p, o),
    ...driftSection(result, p, o),
    ...currenciesSection(result, p),
    ...qualitySection(result, p, o),
    ...issuesSection(result, p, o),
  ];
  return `${lines.join('\n')}\n`;
}

/** The window's first day: the day after the same date a year earlier (clamped to month end). */
function windowStart(asOf: string): string {
  const [y = 0, m = 1, d = 1] = asOf.split('-').map(Number);
  const lastOfMonth = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
  const yearEarlier = Date.UTC(y - 1, m - 1, Math.min(d, lastOfMonth));
  return new Date(yearEarlier + 86_400_000).toISOString().slice(0, 10);
}
