import type { AnalysisIssue } from '../model/insights.ts';
import type { Facts } from './facts.ts';

/**
 * The last guard between the sums and everything computed from them (shares, HHI, scores, the
 * report, the JSON, the CRM fields). The schemas bound every amount, so the sums of records that
 * passed them stay far from the edge; input that reaches the analysis some other way (a caller
 * of the columns API, a bug upstream) must still never turn into Infinity or NaN downstream.
 * A sum that is not finite, or so large that its square is not (every share and the HHI square
 * or divide by it), is set to 0 and reported once per family as a `non-finite-sum` data issue.
 */
export function guardSums(facts: Facts, rowFamily: (row: number) => number, familyName: (f: number) => string): AnalysisIssue[] {
  const bad = new Map<number, Set<string>>();
  const mark = (f: number, what: string): void => {
    const set = bad.get(f) ?? new Set<string>();
    set.add(what);
    bad.set(f, set);
  };
  const fam = facts.families;
  for (const [what, values] of [['revenue', fam.revenue], ['prior-window revenue', fam.prior], ['costed price', fam.costedPrice], ['cost', fam.cost]] as const) {
    if (squaresFinite(values)) continue;
    for (let f = 0; f < values.length; f++) {
      if (usable(values[f] as number)) continue;
      values[f] = 0;
      mark(f, what);
    }
  }
  const O = facts.cells.offerings;
  for (const [what, values] of [['offering revenue', facts.cells.revenue], ['lifetime offering revenue', facts.cells.lifetime], ['open pipeline', facts.cells.openAmount]] as const) {
    if (squaresFinite(values)) continue;
    for (let c = 0; c < values.length; c++) {
      if (usable(values[c] as number)) continue;
      values[c] = 0;
      mark(rowFamily(Math.floor(c / Math.max(1, O))), what);
    }
  }
  const issues: AnalysisIssue[] = [];
  if (!usable(facts.portfolioCostedPrice) || !usable(facts.portfolioCost)) {
    facts.portfolioCostedPrice = 0;
    facts.portfolioCost = 0;
    issues.push({ kind: 'non-finite-sum', recordId: null, message: 'the portfolio margin sums are not finite numbers; the margin is left out' });
  }
  for (const [f, whats] of [...bad].sort(([a], [b]) => a - b)) {
    const id = familyName(f);
    issues.push({ kind: 'non-finite-sum', recordId: id, message: `family ${id}: the ${[...whats].join(', ')} sum is not a finite number (or too large to square); counted as 0` });
  }
  return issues;
}

function usable(v: number): boolean {
  return Number.isFinite(v * v);
}

/** One pass: every square finite means every value is usable (NaN and Infinity propagate). */
function squaresFinite(values: Float64Array): boolean {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    s += v * v;
  }
  return Number.isFinite(s);
}
