import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { DriftEntry } from '../model/insights.ts';
import type { Tier } from '../model/output-fields.ts';
import type { Account } from '../model/snapshot.ts';

/**
 * Whether the CRM marks a family as key. `any` (the default): some account of the family is
 * marked, since reps mark whichever record they work on; `root`: only the root's marking counts.
 */
export function familyMarkedKey(root: Account, entities: readonly Account[], marking: AnalysisConfig['driftMarking']): boolean {
  if (marking === 'root') return root.markedKey === true;
  return entities.some((a) => a.markedKey === true);
}

export function driftEntry(familyId: string, marked: boolean, tier: Tier, score: number): DriftEntry | null {
  if (marked && tier !== 'Key') {
    return {
      familyId,
      kind: 'marked-but-fails',
      message: `marked key in the CRM but fails the criteria: tier ${tier}, score ${score.toFixed(1)}`,
    };
  }
  if (!marked && tier === 'Key') {
    return {
      familyId,
      kind: 'passes-but-unmarked',
      message: `passes the key-account criteria (score ${score.toFixed(1)}) but is not marked key in the CRM`,
    };
  }
  return null;
}
