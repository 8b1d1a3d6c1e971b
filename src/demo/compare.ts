import type { AnalysisResult, FamilyInsight } from '../model/insights.ts';

/**
 * Whether two analyses of the same org, pulled from two CRMs, say the same thing. Each CRM
 * gives the records its own ids, so families are matched through the seed ids they came from.
 */

export interface AnalysisComparison {
  families: number;
  matching: number;
  /** One line per family that differs, or that only one side has. */
  differences: string[];
  /** Criteria whose value differs, with the number of families where it does. */
  criteriaDiffering: Record<string, number>;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function describe(f: FamilyInsight): string {
  return `${f.tier}, score ${f.score.toFixed(1)}, revenue ${round2(f.revenue).toFixed(2)}, penetration ${(f.penetration * 100).toFixed(2)}%`;
}

/** `aIds` and `bIds` map each side's account ids to the seed ids they share. */
export function compareAnalyses(
  a: AnalysisResult, aIds: ReadonlyMap<string, string>,
  b: AnalysisResult, bIds: ReadonlyMap<string, string>,
  labels: { a: string; b: string },
): AnalysisComparison {
  const bySeed = (r: AnalysisResult, ids: ReadonlyMap<string, string>): Map<string, FamilyInsight> =>
    new Map(r.families.map((f) => [ids.get(f.id) ?? `unmapped ${f.id}`, f]));
  const left = bySeed(a, aIds);
  const right = bySeed(b, bIds);
  const differences: string[] = [];
  const criteriaDiffering: Record<string, number> = {};
  let matching = 0;
  const seeds = [...new Set([...left.keys(), ...right.keys()])].sort();
  for (const seed of seeds) {
    const l = left.get(seed);
    const r = right.get(seed);
    if (!l || !r) {
      const only = (l ?? r) as FamilyInsight;
      differences.push(`${only.name} (${seed}): only in ${l ? labels.a : labels.b}`);
      continue;
    }
    for (const c of l.criteria) {
      const other = r.criteria.find((x) => x.id === c.id);
      if (!other || other.value !== c.value) criteriaDiffering[c.id] = (criteriaDiffering[c.id] ?? 0) + 1;
    }
    const dl = describe(l);
    const dr = describe(r);
    if (dl === dr) matching++;
    else differences.push(`${l.name} (${seed}): ${labels.a} ${dl}; ${labels.b} ${dr}`);
  }
  return { families: seeds.length, matching, differences, criteriaDiffering };
}

/** Inverts a seed id -> CRM id table. */
export function crmToSeed(table: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(table).map(([seed, crm]) => [crm, seed]));
}
