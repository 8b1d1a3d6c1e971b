import type { BacktestResult } from '../../analyze/backtest.ts';
import { heading, money, painter, pct, table, truncate, wrap } from './format.ts';

/** The backtest as a table and a plain verdict, for a terminal up to 100 columns wide. */
export function renderBacktest(r: BacktestResult, options: { limit: number; width?: number }): string {
  const p = painter(false);
  const width = options.width ?? 100;
  const out = [
    `Kamflow backtest: tiers as of ${r.asOf}, outcomes to ${r.followEnd} (config v${r.configVersion}, ${r.currency})`,
    ...heading(p, 'Per tier: revenue in the 12 months before and after'),
    ...table(
      ['Tier', 'Families', 'Before', 'After', 'Kept', 'Grown', 'Lost', 'Churned'],
      r.tiers.map((t) => [
        t.tier ?? 'Not tiered', String(t.families), money(t.revenueBefore), money(t.revenueAfter),
        money(t.kept), money(t.grown), money(t.lost), money(t.churned),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    ...heading(p, 'Verdict'),
    ...r.verdict.flatMap((v) => wrap(v, width, '  ', '  ')),
    ...heading(p, `Families (largest revenue before ${r.asOf} first)`),
    ...table(
      ['Family', 'Tier then', 'Declining', 'Before', 'After', 'Outcome'],
      r.families.slice(0, options.limit).map((f) => [
        truncate(f.name, 30), f.tier ?? 'Not tiered', f.declining ? 'yes' : '', money(f.revenueBefore), money(f.revenueAfter), f.outcome,
      ]),
      ['l', 'l', 'l', 'r', 'r', 'l'],
    ),
  ];
  if (r.families.length > options.limit) out.push(`  ... and ${r.families.length - options.limit} more (all in --json)`);
  if (r.key.shareOfRevenueAfter !== null) out.push('', `  Key families' share of revenue after: ${pct(r.key.shareOfRevenueAfter)}`);
  return `${out.join('\n')}\n`;
}
