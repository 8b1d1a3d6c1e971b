import type { AnalysisResult } from '../model/insights.ts';

/**
 * The JSON document of DOMAIN.md section 6, pretty-printed with its top-level keys in the
 * documented order (and the snapshot's currency, so amounts are never unitless). Everything
 * below comes from the analysis in its own fixed order, so the same input gives the same bytes.
 */
export function analysisJson(result: AnalysisResult): string {
  const document = {
    asOf: result.asOf,
    configVersion: result.configVersion,
    currency: result.currency,
    portfolio: result.portfolio,
    families: result.families,
    accounts: result.accounts,
    drift: result.drift,
    issues: result.issues,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
