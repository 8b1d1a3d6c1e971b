import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AccountInsight, AnalysisIssue, AnalysisResult, DriftEntry, FamilyInsight } from '../model/insights.ts';
import type { Account, RejectedRecord, Snapshot, User } from '../model/snapshot.ts';
import { countContactColumns } from './coverage.ts';
import { analysisWindows } from './dates.ts';
import { collectFacts } from './facts.ts';
import { guardSums } from './finite.ts';
import { analyzeFamily, finiteOrNull } from './family.ts';
import { compareStrings } from './format.ts';
import { buildHierarchy, groupFamilies } from './hierarchy.ts';
import { rejectedIssues, sortIssues } from './issues.ts';
import { buildOfferings } from './offerings.ts';
import { buildPeerIndex } from './peers.ts';
import { buildQualityIndex, familyQuality } from './quality.ts';
import { buildRelationshipIndex } from './relationships.ts';
import { worstCase } from './worst-case.ts';
import { buildPipeline, familyHorizon, horizonSummary, ownerHorizons } from './horizon.ts';
import type { HorizonItem } from '../model/insights.ts';
import { type AnalysisInput, inputFromSnapshot } from './input.ts';
import { abcClasses, portfolioSummary, rankRevenue } from './portfolio.ts';
import { accountValues } from './write-values.ts';

export { AsOfError, validateAsOf } from './dates.ts';
export { accountPath, buildHierarchy } from './hierarchy.ts';
export { analysisJsonChunks } from './json.ts';
export { AnalysisInputBuilder, type AnalysisInput } from './input.ts';

export interface AnalyzeInput {
  snapshot: Snapshot;
  config: AnalysisConfig;
  /** The analysis date, YYYY-MM-DD; the window is the 12 months ending on it. */
  asOf: string;
  /** Records the snapshot parser rejected, reported among the issues. */
  rejected?: RejectedRecord[];
}

export interface AnalyzeColumnsInput {
  input: AnalysisInput;
  config: AnalysisConfig;
  asOf: string;
  rejected?: RejectedRecord[];
}

function sortedById<T extends { id: string }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if (compareStrings((items[i - 1] as T).id, (items[i] as T).id) > 0) return [...items].sort((a, b) => compareStrings(a.id, b.id));
  }
  return items;
}

/** The analysis of a snapshot held in memory; see {@link analyzeColumns}. */
export function analyze(input: AnalyzeInput): AnalysisResult {
  const { snapshot, ...rest } = input;
  // An invalid date fails before any work.
  analysisWindows(input.asOf, input.config.risk.stalledMonths);
  return analyzeColumns({ ...rest, input: inputFromSnapshot(snapshot) });
}

/**
 * How it runs: accounts are sorted by id and numbered; everything after works on those
 * numbers and flat typed arrays, so 100,000 accounts x 40 offerings stay compact and no result
 * depends on the input order. A family's entities get consecutive rows of the cell arrays (a
 * cell is `row * offerings + offering`), so its matrix in the result is a view, not a copy.
 *
 *   hierarchy (root, depth; cycles, missing parents) -> families (CSR by root)
 *   -> facts (one pass over opportunities in id order: cell flags and sums, family sums)
 *   -> contacts per account -> revenue ranking and ABC -> peer index (per group and offering:
 *   adopters' sorted revenues) -> per family: matrix, suggestions, coverage, criteria, tier,
 *   reasons, risks, loss scenario, drift -> per account: the kam_* values.
 *
 * The whole analysis of DOMAIN.md section 3, pure: the same snapshot, config and asOf give
 * byte-identical JSON whatever the order of the input records. Throws only for an invalid
 * asOf; bad or dangling records become issues.
 */
export function analyzeColumns(run: AnalyzeColumnsInput): AnalysisResult {
  const { input, config } = run;
  const windows = analysisWindows(run.asOf, config.risk.stalledMonths);
  const accounts = sortedById(input.accounts);
  const indexOf = new Map<string, number>();
  accounts.forEach((a, i) => indexOf.set(a.id, i));
  const accountOf = new Int32Array(input.accountRefs.length);
  input.accountRefs.forEach((id, ref) => {
    accountOf[ref] = indexOf.get(id) ?? -1;
  });

  const hierarchy = buildHierarchy(accounts, indexOf);
  const families = groupFamilies(hierarchy);
  const rowOf = new Int32Array(accounts.length);
  for (let k = 0; k < families.entities.length; k++) rowOf[families.entities[k] as number] = k;
  const offerings = buildOfferings(input.products, input.productRefs, config.offeringLevel);
  const offeringOf = new Int32Array(input.productRefs.length);
  input.productRefs.forEach((id, ref) => {
    offeringOf[ref] = offerings.ofProduct.get(id) ?? -1;
  });
  const O = offerings.names.length;
  const facts = collectFacts(input, accountOf, rowOf, families.familyOf, families.count, offeringOf, O, windows);
  const sumIssues = guardSums(
    facts,
    (row) => families.familyOf[families.entities[row] as number] as number,
    (f) => (accounts[families.rootIndex[f] as number] as Account).id,
  );
  const contacts = countContactColumns(input.contacts, accountOf, accounts.length);
  const ranking = rankRevenue(facts.families.revenue);
  const abc = abcClasses(facts.families.revenue, ranking, config.abc);
  const peers = buildPeerIndex(accounts, facts.cells, rowOf, config);
  const quality = buildQualityIndex(input, accounts, accountOf, families, offeringOf);
  const relationships = buildRelationshipIndex(input, accountOf, families.familyOf, config);
  const users = new Map<string, User>();
  for (const u of input.users) users.set(u.id, u);
  const pipeline = buildPipeline(input, accountOf, accounts, run.asOf, config);
  const byOwner = new Map<string, HorizonItem[]>();
  const portfolioMargin =
    facts.portfolioCostedPrice >= 0.005 ? finiteOrNull((facts.portfolioCostedPrice - facts.portfolioCost) / facts.portfolioCostedPrice) : null;

  const issues: AnalysisIssue[] = [
    ...rejectedIssues(run.rejected ?? []),
    ...hierarchy.issues,
    ...input.issues,
    ...sumIssues,
  ];
  const texts = {
    nextBestOffers: new Array<string>(accounts.length).fill(''),
    coverage: new Array<string>(accounts.length).fill(''),
    coverageByCount: new Map<number, string>(),
  };
  const familyInsights: FamilyInsight[] = [];
  const drift: DriftEntry[] = [];
  const accountInsights = new Array<AccountInsight>(accounts.length);
  let keyFamilies = 0;
  const keyIndexes: number[] = [];

  for (let f = 0; f < families.count; f++) {
    const result = analyzeFamily({
      family: f,
      accounts,
      families,
      facts,
      peers,
      relationships,
      offeringNames: offerings.names,
      contacts,
      ranking,
      abcClass: abc[f] ?? 'C',
      portfolioMargin,
      users,
      owners: input.owners,
      config,
      asOf: run.asOf,
      quality: familyQuality(quality, f, config),
      texts,
      issues,
    });
    const entityAccounts = Array.from(families.entities.subarray(families.start[f] as number, families.start[f + 1] as number));
    const h = familyHorizon(pipeline, entityAccounts, accounts, result.insight.matrix.suggestionList(), config);
    result.insight.horizon = h.horizon;
    for (const it of h.items) {
      if (it.owner === null) continue;
      const list = byOwner.get(it.owner);
      if (list) list.push(it);
      else byOwner.set(it.owner, [it]);
    }
    familyInsights.push(result.insight);
    if (result.drift) drift.push(result.drift);
    if (result.insight.tier === 'Key') {
      keyFamilies++;
      keyIndexes.push(f);
    }
    for (let k = families.start[f] as number; k < (families.start[f + 1] as number); k++) {
      const e = families.entities[k] as number;
      accountInsights[e] = accountValues(
        accounts[e] as Account,
        hierarchy.depth[e] as number,
        result.insight,
        result.texts,
        texts.nextBestOffers[e] ?? '',
        texts.coverage[e] ?? '',
      );
    }
  }

  const currencies = input.currencies;
  return {
    asOf: run.asOf,
    configVersion: config.version,
    currency: input.currency,
    portfolio: portfolioSummary(ranking, keyFamilies),
    families: familyInsights,
    accounts: accountInsights,
    drift,
    horizon: horizonSummary(pipeline, ownerHorizons(byOwner, users, config)),
    worstCase: worstCase(
      input, accountOf, families.familyOf, windows, facts.families.revenue, ranking, familyInsights.map((x) => x.id), keyIndexes, users,
    ),
    issues: sortIssues(issues),
    ...(currencies ? { currencies } : {}),
  };
}
