import type { AnalysisResult } from '../../model/insights.ts';
import { heading, money, table, type Painter } from './format.ts';

/** A rate as written, up to six decimals, without trailing zeros. */
function rateText(rate: number): string {
  return String(Number(rate.toFixed(6)));
}

/**
 * The amounts that came in other currencies: at which rate, from which source, and which were
 * left out for want of a rate. Nothing when every amount was in the analysis currency.
 */
export function currenciesSection(r: AnalysisResult, p: Painter): string[] {
  const c = r.currencies;
  if (!c) return [];
  const out = heading(p, `Currencies (amounts in ${r.currency})`);
  if (c.converted.length > 0) {
    out.push(...table(
      ['currency', 'rate', 'source', 'amounts', 'in currency', `in ${r.currency}`],
      c.converted.map((x) => [
        x.currency,
        x.rate === null ? 'by the CRM' : `1 ${x.currency} = ${rateText(x.rate)} ${r.currency}`,
        x.source,
        String(x.amounts),
        money(x.original),
        money(x.converted),
      ]),
      ['l', 'l', 'l', 'r', 'r', 'r'],
    ));
  }
  for (const x of c.leftOut) {
    out.push(p.paint(`  ${x.amounts} amount(s) in ${x.currency} (${money(x.original)} ${x.currency}) had no rate to ${r.currency}: left out of every sum`, 'yellow'));
  }
  return out;
}
