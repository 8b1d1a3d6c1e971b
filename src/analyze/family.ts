import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AbcClass, AnalysisIssue, DriftEntry, FamilyInsight, FamilyQuality } from '../model/insights.ts';
import type { Account, User } from '../model/snapshot.ts';
import type { ContactCounts } from './coverage.ts';
import { evaluateCriteria } from './criteria.ts';
import { driftEntry, familyMarkedKey } from './drift.ts';
import { overrideDrift, overrideWhy, readOverride, withOverrideLine } from './overrides.ts';
import type { Facts } from './facts.ts';
import { STATE_CODE } from '../model/matrix.ts';
import { roundFraction, roundMoney } from './format.ts';
import type { Families } from './hierarchy.ts';
import { buildFamilyMatrix, type EntityTexts } from './matrix.ts';
import type { PeerIndex } from './peers.ts';
import { familyRelationships, type RelationshipIndex } from './relationships.ts';
import { lossScenario, type RevenueRanking } from './portfolio.ts';
import { riskFlags } from './risk.ts';
import { notTieredReasons, notTieredWhy, whyLine } from './reasons.ts';
import { decideTier, tierReasons } from './tier.ts';
import { familyTexts, type FamilyTexts } from './write-values.ts';

export interface FamilyContext {
  family: number;
  accounts: readonly Account[];
  families: Families;
  facts: Facts;
  peers: PeerIndex;
  /** Null when the snapshot carries no contact roles. */
  relationships: RelationshipIndex | null;
  offeringNames: readonly string[];
  contacts: ContactCounts;
  ranking: RevenueRanking;
  abcClass: AbcClass;
  /** Margin of all costed window line items; null without cost data. */
  portfolioMargin: number | null;
  users: ReadonlyMap<string, User>;
  /** Opportunity owners by number (FamilyFacts.soleOwner). */
  owners: readonly string[];
  config: AnalysisConfig;
  /** YYYY-MM-DD: overrides hold through their end date. */
  asOf: string;
  /** The quality of the family's inputs; not tiered below the configured confidence. */
  quality: FamilyQuality;
  /** Filled per entity. */
  texts: EntityTexts;
  /** Appended to. */
  issues: AnalysisIssue[];
}

export interface FamilyOutcome {
  insight: FamilyInsight;
  texts: FamilyTexts;
  drift: DriftEntry | null;
}

/** Per entity row, whether it has an active cell. */
function buyingEntities(states: Uint8Array, entities: number, offerings: number): boolean[] {
  const out: boolean[] = [];
  for (let e = 0; e < entities; e++) {
    let buys = false;
    for (let o = 0; o < offerings && !buys; o++) buys = states[e * offerings + o] === STATE_CODE.active;
    out.push(buys);
  }
  return out;
}

/** Everything about one family: matrix, criteria, tier, reasons, risks, loss scenario, drift. */
export function analyzeFamily(ctx: FamilyContext): FamilyOutcome {
  const { family: f, accounts, families, facts, config } = ctx;
  const fam = facts.families;
  const root = accounts[families.rootIndex[f] as number] as Account;
  const from = families.start[f] as number;
  const to = families.start[f + 1] as number;
  const entities: Account[] = [];
  for (let k = from; k < to; k++) entities.push(accounts[families.entities[k] as number] as Account);
  const entityIds = entities.map((a) => a.id);

  const m = buildFamilyMatrix(f, root.name, entityIds, families, facts.cells, ctx.peers, ctx.offeringNames, ctx.contacts, config, ctx.texts);
  const revenue = fam.revenue[f] as number;
  const prior = fam.prior[f] as number;
  const share = ctx.ranking.total === 0 ? null : roundFraction(ctx.ranking.share[f] as number);
  // A non-positive prior year gives no meaningful growth rate.
  // A prior year under half a cent rounds to 0: no meaningful growth rate either.
  const growth = prior >= 0.005 ? finiteFraction((revenue - prior) / prior) : null;
  const costed = fam.costedPrice[f] as number;
  // A margin over a non-positive price (credit notes beyond sales) is not a margin.
  // So is one over a costed price under half a cent (it rounds to 0 money).
  const familyMargin = costed >= 0.005 ? finiteOrNull((costed - (fam.cost[f] as number)) / costed) : null;
  const margin = familyMargin === null || ctx.portfolioMargin === null ? null : finiteFraction(familyMargin - ctx.portfolioMargin);
  const potential = revenue >= 0.005 ? finiteFraction(m.whitespaceValue / revenue) : null;
  const relationships = ctx.relationships === null
    ? null
    : familyRelationships(ctx.relationships, f, families, accounts, buyingEntities(m.matrix.states, entityIds.length, ctx.offeringNames.length), config);

  const criteria = evaluateCriteria(
    {
      revenueShare: share, abcClass: ctx.abcClass, growth, margin, potential, relationships: m.contacts.active,
      decisionMakers: relationships?.decisionMakerCoverage ?? null,
    },
    root,
    config,
    ctx.issues,
  );
  const decision = decideTier(criteria, criteria.map((c) => c.passed), ctx.abcClass, config);
  const override = readOverride(root, ctx.asOf, ctx.issues);
  // A manager's override holds the tier until it ends; the criteria stay as computed.
  const active = override.kind === 'active' ? override.override : null;
  // Too little to go on: no tier rather than an invented one, unless a manager set it.
  const notTiered = !ctx.quality.tiered && active === null;
  const tier = active?.tier ?? (notTiered ? null : decision.tier);
  const computedReasons = notTiered
    ? notTieredReasons(criteria, decision.score, ctx.quality, config)
    : tierReasons(criteria, decision, ctx.abcClass, config);
  const reasons = active ? withOverrideLine(computedReasons, active) : computedReasons;
  const risk = riskFlags(
    {
      revenue,
      growth,
      share,
      activeContacts: m.contacts.active,
      recentWin: fam.recentWin[f] === 1,
      lastWon: fam.lastWon[f] as number,
      closedInWindow: fam.closedInWindow[f] as number,
      soleOwner: ctx.owners[fam.soleOwner[f] as number] ?? null,
      relationshipOwner: relationships?.singleOwner ?? null,
      knownRelationships: relationships?.knownContacts ?? 0,
    },
    config,
    ctx.users,
  );

  const insight: FamilyInsight = {
    id: root.id,
    name: root.name,
    entityIds,
    revenue: roundMoney(revenue),
    priorRevenue: roundMoney(prior),
    revenueShare: share,
    abcClass: ctx.abcClass,
    growth,
    penetration: m.penetration,
    whitespaceValue: m.whitespaceValue,
    contacts: m.contacts,
    ...(relationships === null ? {} : { relationships }),
    tier: tier,
    score: decision.score,
    quality: ctx.quality,
    criteria,
    reasons,
    risks: risk.risks,
    lossScenario: tier === 'Key' ? lossScenario(revenue, ctx.ranking) : null,
    // Filled in by the caller, which also gathers the owners' view.
    horizon: { thisQuarter: 0, laterPipeline: 0, laterWhitespace: 0, later: 0, top: [] },
    matrix: m.matrix,
    ...(active ? { override: active } : {}),
  };
  const marked = familyMarkedKey(root, entities, config.driftMarking);
  return {
    insight,
    texts: familyTexts(
      insight, risk.lines, root,
      active ? overrideWhy(active) : notTiered ? notTieredWhy(ctx.quality) : whyLine(criteria, decision, ctx.abcClass, config),
    ),
    // A family not tiered has no tier for the CRM's marking to contradict.
    drift: (active ? overrideDrift(root.id, active, decision.tier, decision.score) : null)
      ?? (notTiered ? null : driftEntry(root.id, marked, decision.tier, decision.score)),
  };
}

/** The value, or null when it is not a finite number (a ratio over a sum too close to 0). */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Rounded as every fraction is; null when it (or its rounding, or its percent) is not a finite number. */
function finiteFraction(v: number): number | null {
  const r = roundFraction(v);
  return Number.isFinite(r) && Number.isFinite(r * 100) ? r : null;
}
