import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { RejectedRecord, Snapshot } from '../model/snapshot.ts';
import { analysisWindows } from './dates.ts';

export { AsOfError, validateAsOf } from './dates.ts';

export interface AnalyzeInput {
  snapshot: Snapshot;
  config: AnalysisConfig;
  /** The analysis date, YYYY-MM-DD; the window is the 12 months ending on it. */
  asOf: string;
  /** Records the snapshot parser rejected, reported among the issues. */
  rejected?: RejectedRecord[];
}

export function analyze(input: AnalyzeInput): AnalysisResult {
  analysisWindows(input.asOf, input.config.risk.stalledMonths);
  return {
    asOf: input.asOf,
    configVersion: input.config.version,
    currency: input.snapshot.currency,
    portfolio: { totalRevenue: 0, families: 0, top1Share: 0, top5Share: 0, top10Share: 0, hhi: 0, keyFamilies: 0 },
    families: [],
    accounts: [],
    drift: [],
    issues: [],
  };
}
