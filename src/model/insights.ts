import type { FamilyMatrix } from './matrix.ts';
import type { AccountFieldValues, Tier } from './output-fields.ts';

export type { MatrixCell } from './matrix.ts';

/**
 * The analysis output (DOMAIN.md section 6). Shares, penetration and growth are fractions
 * 0..1 here; the CRM's percent fields carry 0..100.
 */

export type CellState = 'active' | 'open' | 'lapsed' | 'lost' | 'whitespace';
export type AbcClass = 'A' | 'B' | 'C';
export type RiskId = 'declining' | 'single-threaded' | 'stalled' | 'concentration' | 'owner-dependence';
export type CriterionDirection = 'atLeast' | 'atMost' | 'equals';

export interface Suggestion {
  /** Peers of the entity (same industry and size band, other families). */
  peers: number;
  /** Peers with the offering active. */
  adopters: number;
  /** adopters / peers. */
  adoption: number;
  /** Median window revenue of the offering among adopting peers. */
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

export interface FamilyContacts {
  active: number;
  referenceable: number;
  /** Entities that buy but have fewer than the target minimum of contacts. */
  underCoveredEntities: string[];
  /** Entities that buy with 0 or 1 contact. */
  singleThreadedEntities: string[];
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
  tier: Tier;
  score: number;
  criteria: CriterionResult[];
  reasons: string[];
  risks: RiskId[];
  lossScenario: LossScenario | null;
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
  issues: AnalysisIssue[];
  currencies?: CurrenciesSummary;
}
