import { analyze } from '../analyze/index.ts';
import { countContacts, type ContactCounts } from '../analyze/coverage.ts';
import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AnalysisResult, FamilyInsight } from '../model/insights.ts';
import type { Snapshot } from '../model/snapshot.ts';
import type { EntityView, FamilySummary, FamilyView, PortfolioView, TierChange } from '../server/backend.ts';
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

/** What every family view of one analysis needs, computed once per analysis (not per request). */
interface AnalysisIndex {
  accountIndex: Map<string, number>;
  counts: ContactCounts;
  insightOf: Map<string, AnalysisResult['accounts'][number]>;
  familyOf: Map<string, FamilyInsight>;
  contactNames: Map<string, string>;
  userNames: Map<string, string>;
  opportunityNames: Map<string, string>;
}

const INDEXES = new WeakMap<MirrorAnalysis, AnalysisIndex>();

function indexOf(analysis: MirrorAnalysis): AnalysisIndex {
  const hit = INDEXES.get(analysis);
  if (hit) return hit;
  const { snapshot, result } = analysis;
  const accountIndex = new Map<string, number>();
  snapshot.accounts.forEach((a, i) => accountIndex.set(a.id, i));
  const named = <T extends { id: string; name: string }>(rows: readonly T[]): Map<string, string> =>
    new Map(rows.filter((r) => r.name !== '').map((r) => [r.id, r.name]));
  const index: AnalysisIndex = {
    accountIndex,
    counts: countContacts(snapshot.contacts, accountIndex, snapshot.accounts.length),
    insightOf: new Map(result.accounts.map((a) => [a.id, a])),
    familyOf: new Map(result.families.map((f) => [f.id, f])),
    contactNames: named(snapshot.contacts),
    userNames: named(snapshot.users),
    opportunityNames: named(snapshot.opportunities),
  };
  INDEXES.set(analysis, index);
  return index;
}

/** The ids the family's relationships and horizon name, with their names where the snapshot has one. */
function familyNames(family: FamilyInsight, index: AnalysisIndex): NonNullable<FamilyView['names']> {
  const contacts: Record<string, string> = {};
  const users: Record<string, string> = {};
  const opportunities: Record<string, string> = {};
  const put = (into: Record<string, string>, from: Map<string, string>, id: string | null): void => {
    if (id === null) return;
    const name = from.get(id);
    if (name !== undefined) into[id] = name;
  };
  for (const e of family.relationships?.entities ?? []) {
    for (const id of [...e.decisionMakers, ...e.influencers, ...e.referenceable]) put(contacts, index.contactNames, id);
  }
  for (const id of family.relationships?.owners ?? []) put(users, index.userNames, id);
  put(users, index.userNames, family.relationships?.singleOwner ?? null);
  for (const it of family.horizon?.top ?? []) {
    put(users, index.userNames, it.owner);
    put(opportunities, index.opportunityNames, it.opportunity);
  }
  return { contacts, users, opportunities };
}

export function familyView(analysis: MirrorAnalysis, familyId: string): FamilyView | null {
  const { snapshot, result } = analysis;
  const index = indexOf(analysis);
  const family = index.familyOf.get(familyId);
  if (!family) return null;
  const entities: EntityView[] = family.entityIds.map((id) => {
    const i = index.accountIndex.get(id);
    const insight = index.insightOf.get(id);
    return {
      id,
      name: i === undefined ? id : (snapshot.accounts[i]?.name || id),
      depth: insight?.depth ?? 0,
      activeContacts: i === undefined ? 0 : (index.counts.active[i] ?? 0),
      referenceableContacts: i === undefined ? 0 : (index.counts.referenceable[i] ?? 0),
      coverage: insight?.kam_contact_coverage ?? '',
    };
  });
  return { asOf: result.asOf, currency: result.currency, family, entities, names: familyNames(family, index) };
}

/** The analysis's portfolio view: concentration, loss scenarios, worst case, drift, risks. */
export function portfolioView(analysis: MirrorAnalysis): PortfolioView {
  const { result } = analysis;
  const families = result.families
    .map((f) => ({ id: f.id, name: f.name, tier: f.tier, revenue: f.revenue, risks: f.risks, lossScenario: f.lossScenario }))
    .sort((a, b) => b.revenue - a.revenue || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { asOf: result.asOf, currency: result.currency, portfolio: result.portfolio, families, drift: result.drift, worstCase: result.worstCase ?? null };
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
