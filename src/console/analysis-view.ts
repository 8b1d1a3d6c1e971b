import { analyze } from '../analyze/index.ts';
import { countContacts } from '../analyze/coverage.ts';
import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AnalysisResult } from '../model/insights.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { EntityView, FamilySummary, FamilyView, TierChange } from '../server/backend.ts';
import { loadMirror } from '../store/read-mirror.ts';
import { snapshotFromMirror } from '../store/snapshot-from-mirror.ts';
import type { ConnectionRecord, Store } from '../store/types.ts';

/** A connection's mirror as a snapshot, analysed with one config as of one date. */
export interface MirrorAnalysis {
  snapshot: Snapshot;
  result: AnalysisResult;
}

/** The mirror as a snapshot; null while the mirror holds no account (nothing pulled yet). */
export async function mirrorSnapshot(store: Store, connection: ConnectionRecord, currency: string): Promise<Snapshot | null> {
  const mirror = await loadMirror(store, connection.id);
  if (mirror.accounts.length === 0) return null;
  return snapshotFromMirror(mirror, connection.crm, currency).snapshot;
}

export function analyzeSnapshot(snapshot: Snapshot, config: AnalysisConfig, asOf: string): AnalysisResult {
  return analyze({ snapshot, config, asOf, rejected: [] });
}

/**
 * The latest analysis of each connection's mirror, kept until its key changes: a run that
 * finished (the mirror moved), a saved config, or a new day.
 */
export class AnalysisCache {
  // Promises, so that requests arriving while an analysis is computed share it.
  private readonly entries = new Map<string, { key: string; value: Promise<MirrorAnalysis | null> }>();

  get(connectionId: string, key: string, compute: () => Promise<MirrorAnalysis | null>): Promise<MirrorAnalysis | null> {
    const hit = this.entries.get(connectionId);
    if (hit && hit.key === key) return hit.value;
    const value = compute();
    const entry = { key, value };
    this.entries.set(connectionId, entry);
    value.catch(() => {
      if (this.entries.get(connectionId) === entry) this.entries.delete(connectionId);
    });
    return value;
  }

  invalidate(connectionId: string): void {
    this.entries.delete(connectionId);
  }
}

export function familySummaries(result: AnalysisResult): FamilySummary[] {
  return result.families
    .map((f) => ({ id: f.id, name: f.name, tier: f.tier, score: f.score, revenue: f.revenue, penetration: f.penetration }))
    .sort((a, b) => b.score - a.score || b.revenue - a.revenue || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function familyView(analysis: MirrorAnalysis, familyId: string): FamilyView | null {
  const { snapshot, result } = analysis;
  const family = result.families.find((f) => f.id === familyId);
  if (!family) return null;
  const indexOf = new Map<string, number>();
  snapshot.accounts.forEach((a, i) => indexOf.set(a.id, i));
  const counts = countContacts(snapshot.contacts, indexOf, snapshot.accounts.length);
  const insightOf = new Map(result.accounts.map((a) => [a.id, a]));
  const entities: EntityView[] = family.entityIds.map((id) => {
    const i = indexOf.get(id);
    const insight = insightOf.get(id);
    return {
      id,
      name: i === undefined ? id : (snapshot.accounts[i]?.name ?? id),
      depth: insight?.depth ?? 0,
      activeContacts: i === undefined ? 0 : (counts.active[i] ?? 0),
      referenceableContacts: i === undefined ? 0 : (counts.referenceable[i] ?? 0),
      coverage: insight?.kam_contact_coverage ?? '',
    };
  });
  return { asOf: result.asOf, currency: result.currency, family, entities };
}

/** Families whose tier differs between two analyses of the same snapshot. */
export function tierChanges(before: AnalysisResult, after: AnalysisResult): { gainingKey: TierChange[]; losingKey: TierChange[]; otherChanges: number } {
  const prior = new Map(before.families.map((f) => [f.id, f]));
  const gainingKey: TierChange[] = [];
  const losingKey: TierChange[] = [];
  let otherChanges = 0;
  for (const f of after.families) {
    const b = prior.get(f.id);
    if (!b || b.tier === f.tier) continue;
    const change: TierChange = { familyId: f.id, name: f.name, before: b.tier, after: f.tier, scoreBefore: b.score, scoreAfter: f.score };
    if (f.tier === 'Key') gainingKey.push(change);
    else if (b.tier === 'Key') losingKey.push(change);
    else otherChanges += 1;
  }
  const byScoreChange = (x: TierChange, y: TierChange): number => Math.abs(y.scoreAfter - y.scoreBefore) - Math.abs(x.scoreAfter - x.scoreBefore) || (x.name < y.name ? -1 : 1);
  return { gainingKey: gainingKey.sort(byScoreChange), losingKey: losingKey.sort(byScoreChange), otherChanges };
}
