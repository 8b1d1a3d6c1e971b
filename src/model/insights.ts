import type { FamilyMatrix } from './matrix.ts';
import type { AccountFieldValues, Tier } from './output-fields.ts';

export type { MatrixCell } from './matrix.ts';

/**
 * The analysis output (DOMAIN.md section 6). Shares, penetration and growth are fractions
 * 0..1 here; the CRM's percent fields carry 0..100.
 */

export type CellState = 'active' | 'open' | 'lapsed' | 'lost' | 'whitespace';
export type AbcClass = 'A' | 'B' | 'C';
export type RiskId = 'declining' | 'single-threaded' | 'stalled' | 'concentration' | 'owner-dependence' | 'relationship-owner';
export type CriterionDirection = 'atLeast' | 'atMost' | 'equals';

/** Which rule suggested a cell: peers in other families, or sister entities of the same family. */
export type SuggestionRule = 'peer' | 'sister';

export interface Suggestion {
  rule: SuggestionRule;
  /**
   * The entities compared: for `peer`, the peers of the entity (same industry and size band,
   * other families); for `sister`, the other entities of its family.
   */
  peers: number;
  /** Those with the offering active. */
  adopters: number;
  /** adopters / peers. */
  adoption: number;
  /** Median window revenue of the offering among the adopters. */
  estimatedValue: number;
  reason: string;
}

export interface CriterionResult {
  id: string;
  /** null when data is missing. */
  value: number | string | boolean | null;
  threshold: number | string | boolean;
  direction: CriterionDirection;
  /** null when the criterion was left out for missing data. */
  passed: boolean | null;
  weight: number;
  sufficient: boolean;
  knockout: boolean;
}

export interface LossScenario {
  revenueLost: number;
  /** Fraction 0..1 of total revenue. */
  shareLost: number;
  hhiAfter: number;
}

/** Losing several families together. */
export interface GroupLoss extends LossScenario {
  /** The families lost, highest revenue first. */
  families: string[];
}

/** Losing one owner: every family whose won revenue in the window is all theirs. */
export interface OwnerLoss extends GroupLoss {
  owner: string;
  name: string | null;
}

export interface WorstCase {
  /** Losing the top 2 and the top 3 key families together (each only with that many key families). */
  keyFamilies: GroupLoss[];
  /** Per owner holding at least one family, the largest loss first. */
  owners: OwnerLoss[];
}

export interface FamilyContacts {
  active: number;
  referenceable: number;
  /** Entities that buy but have fewer than the target minimum of contacts. */
  underCoveredEntities: string[];
  /** Entities that buy with 0 or 1 contact. */
  singleThreadedEntities: string[];
}

/** One entity's known relationships: contact ids, each list in id order. */
export interface EntityRelationships {
  entity: string;
  /** Active contacts with a decision role on the entity's opportunities. */
  decisionMakers: string[];
  /** Active contacts with an influencing role on the entity's opportunities. */
  influencers: string[];
  /** Active contacts of the entity who have given a referral or testimonial. */
  referenceable: string[];
}

/** Relationships by role (snapshot version 2); only when the snapshot carries contact roles. */
export interface FamilyRelationships {
  /** Entities with a decision maker, an influencer or a reference known, in id order. */
  entities: EntityRelationships[];
  /** Entities that buy (an active cell) with no decision maker known. */
  noDecisionMaker: string[];
  /** Distinct active contacts with a role on the family's opportunities. */
  knownContacts: number;
  /** The owners of the opportunities those roles are on. */
  owners: string[];
  /** Set when every known relationship (at least the configured minimum) runs through this one owner. */
  singleOwner: string | null;
  /** Buying entities with a decision maker known / buying entities; null when none buys. */
  decisionMakerCoverage: number | null;
}

/** One entry of a payoff-horizon list: an open deal, or a suggested cell. */
export interface HorizonItem {
  /** `thisQuarter`: open pipeline closing by the fiscal quarter's end; `later`: within 12 months of asOf. */
  payoff: 'thisQuarter' | 'later';
  kind: 'pipeline' | 'whitespace';
  /** The deal's amount, or the suggestion's estimate per year. */
  value: number;
  entity: string;
  /** The open opportunity, for pipeline. */
  opportunity: string | null;
  /** The suggested offering, for whitespace. */
  offering: string | null;
  closeDate: string | null;
  /** The deal's owner, or for whitespace the entity's account owner. */
  owner: string | null;
}

export interface FamilyHorizon {
  thisQuarter: number;
  laterPipeline: number;
  laterWhitespace: number;
  /** laterPipeline + laterWhitespace. */
  later: number;
  /** The most valuable items of both horizons, mixed, highest first. */
  top: HorizonItem[];
}

export interface OwnerHorizon extends FamilyHorizon {
  owner: string;
  name: string | null;
}

export interface PayoffHorizon {
  fiscalYearStartMonth: number;
  quarterStart: string;
  quarterEnd: string;
  /** The last day that counts as later: 12 months after asOf. */
  laterEnd: string;
  /** Per owner of an open deal or of an account with a suggestion, in id order. */
  owners: OwnerHorizon[];
}

/** The data issues the quality check looks for. */
export type DataIssueKind = 'no-peers' | 'unknown-product' | 'unconverted-amount' | 'contact-without-account' | 'suspected-duplicate';

/** One kind of data issue in a family's inputs. */
export interface DataIssue {
  kind: DataIssueKind;
  /** Inputs with the issue, out of `of` inputs of that kind (entities, line items, opportunities, contacts). */
  count: number;
  of: number;
  /** count / of. */
  share: number;
  /** The configured weight; the issue takes weight x share off the confidence. */
  weight: number;
  /** Up to 5 record ids to fix, in id order (entities, opportunities or contacts). */
  records: string[];
  /** What is wrong and what would fix it, in plain words. */
  message: string;
}

/** How far the family's tier can be trusted, from the quality of its inputs. */
export interface FamilyQuality {
  /** 1 - sum of weight x share over the issues, never below 0; two decimals. */
  confidence: number;
  /** False when the confidence is below quality.minConfidence: `tier` is then null. */
  tiered: boolean;
  /** Largest loss of confidence first. */
  issues: DataIssue[];
}

export interface FamilyInsight {
  id: string;
  name: string;
  entityIds: string[];
  revenue: number;
  priorRevenue: number;
  revenueShare: number | null;
  abcClass: AbcClass;
  growth: number | null;
  penetration: number;
  whitespaceValue: number;
  contacts: FamilyContacts;
  relationships?: FamilyRelationships;
  /** null when the family is not tiered (its inputs' confidence is below quality.minConfidence, no override). */
  tier: Tier | null;
  score: number;
  /** Set by the analysis for every family; absent in results built by hand. */
  quality?: FamilyQuality;
  criteria: CriterionResult[];
  reasons: string[];
  risks: RiskId[];
  lossScenario: LossScenario | null;
  /** Set by the analysis for every family; absent in results built by hand. */
  horizon?: FamilyHorizon;
  /** Columns, not one object per cell; a suggestion only on non-active cells with enough adopting peers. */
  matrix: FamilyMatrix;
  /** A manager's tier override in force (`tier` is then its tier); absent otherwise. */
  override?: { tier: Tier; reason: string; until: string; by: string };
}

export interface AccountInsight extends AccountFieldValues {
  id: string;
  familyId: string;
  depth: number;
  /** What the CRM holds now (from the snapshot's `fields`), if anything. */
  kam_updated_at: string | null;
}

export interface Portfolio {
  totalRevenue: number;
  families: number;
  top1Share: number;
  top5Share: number;
  top10Share: number;
  hhi: number;
  keyFamilies: number;
}

export interface DriftEntry {
  familyId: string;
  kind: 'marked-but-fails' | 'passes-but-unmarked' | 'override-contradicts';
  message: string;
}

export interface AnalysisIssue {
  kind: string;
  recordId: string | null;
  message: string;
}

/** Amounts of one currency converted at one rate from one source (see the snapshot's conversion notes). */
export interface CurrencyConversion {
  currency: string;
  /** Units of the analysis currency for one unit of `currency`; null when the CRM converted the amounts itself. */
  rate: number | null;
  source: string;
  /** Opportunity amounts and line-item totals converted. */
  amounts: number;
  /** Their sum in `currency`, and in the analysis currency. */
  original: number;
  converted: number;
}

/** Present only when some amount was in another currency than the analysis currency. */
export interface CurrenciesSummary {
  converted: CurrencyConversion[];
  /** Amounts whose currency had no rate: left out of every sum. */
  leftOut: { currency: string; amounts: number; original: number }[];
}

export interface AnalysisResult {
  asOf: string;
  configVersion: number;
  currency: string;
  portfolio: Portfolio;
  families: FamilyInsight[];
  accounts: AccountInsight[];
  drift: DriftEntry[];
  /** Set by the analysis; absent in results built by hand. */
  horizon?: PayoffHorizon;
  /** Set by the analysis; absent in results built by hand. */
  worstCase?: WorstCase;
  issues: AnalysisIssue[];
  currencies?: CurrenciesSummary;
}
