import { analyze } from '../analyze/index.ts';
import { parseAnalysisConfig } from '../config/analysis-config.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { AnalyzeInput } from './types.ts';

/**
 * The pipeline's analysis step: the connection's stored settings are validated (defaults for
 * anything left out, a ConfigError naming each bad path otherwise) and the analysis runs.
 */
export function analyzeWithStoredConfig(input: AnalyzeInput): AnalysisResult {
  return analyze({ snapshot: input.snapshot, config: parseAnalysisConfig(input.config ?? {}), asOf: input.asOf, rejected: input.rejected });
}
