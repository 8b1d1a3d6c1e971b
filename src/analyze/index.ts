import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { AccountInsight, AnalysisIssue, AnalysisResult, DriftEntry, FamilyInsight } from '../model/insights.ts';
import type { Account, RejectedRecord, Snapshot, User } from '../model/snapshot.ts';
import { countContacts } from './coverage.ts';
import { currencySummary } from './currencies.ts';
import { analysisWindows } from './dates.ts';
import { collectFacts } from './facts.ts';
import { analyzeFamily } from './family.ts';
import { compareStrings } from './format.ts';
import { buildHierarchy, groupFamilies } from './hierarchy.ts';
import { rejectedIssues, sortIssues } from './issues.ts';
import { buildOfferings } from './offerings.ts';
import { buildPeerIndex } from './peers.ts';
import { abcClasses, portfolioSummary, rankRevenue } from './portfolio.ts';
import { accountValues } from './write-values.ts';

export { AsOfError, validateAsOf } from './dates.ts';
export { accountPath, buildHierarchy } from './hierarchy.ts';
export { analysisJsonChunks } from './json.ts';

export interface AnalyzeInput {
  snapshot: Snapshot;
  config: AnalysisConfig;
  /** The analysis date, YYYY-MM-DD; the window is the 12 months ending on it. */
  asOf: string;
  /** Records the snapshot parser rejected, reported among the issues. */
  rejected?: RejectedRecord[];
}

function sortedById<T extends { id: string }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if (compareStrings((items[i - 1] as T).id, (items[i] as T).id) > 0) return [...items].sort((a, b) => compareStrings(a.id, b.id));
  }
  return items;
}

/**
 * How it runs: accounts are sorted by id and numbered; everything after works on those
 * numbers and flat typed arrays (a cell is `account * offerings + offering`), so 100,000
 * accounts x 40 offerings stay compact and no result depends on the input order.
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
export function analyze(input: AnalyzeInput): AnalysisResult {
  const { snapshot, config } = input;
  const windows = analysisWindows(input.asOf, config.risk.stalledMonths);
  const accounts = sortedById(snapshot.accounts);
  const indexOf = new Map<string, number>();
  accounts.forEach((a, i) => indexOf.set(a.id, i));

  const hierarchy = buildHierarchy(accounts, indexOf);
  const families = groupFamilies(hierarchy);
  const offerings = buildOfferings(snapshot.products, snapshot.opportunities, config.offeringLevel);
  const facts = collectFacts(snapshot.opportunities, indexOf, families.familyOf, families.count, offerings, windows);
  const contacts = countContacts(snapshot.contacts, indexOf, accounts.length);
  const ranking = rankRevenue(facts.families.revenue);
  const abc = abcClasses(facts.families.revenue, ranking, config.abc);
  const peers = buildPeerIndex(accounts, facts.cells, config);
  const users = new Map<string, User>();
  for (const u of snapshot.users) users.set(u.id, u);
  const portfolioMargin =
    facts.portfolioCostedPrice === 0 ? null : (facts.portfolioCostedPrice - facts.portfolioCost) / facts.portfolioCostedPrice;

  const issues: AnalysisIssue[] = [
    ...rejectedIssues(input.rejected ?? []),
    ...hierarchy.issues,
    ...facts.issues,
    ...contacts.issues,
  ];
  const texts = { nextBestOffers: new Array<string>(accounts.length).fill(''), coverage: new Array<string>(accounts.length).fill('') };
  const familyInsights: FamilyInsight[] = [];
  const drift: DriftEntry[] = [];
  const accountInsights = new Array<AccountInsight>(accounts.length);
  let keyFamilies = 0;

  for (let f = 0; f < families.count; f++) {
    const result = analyzeFamily({
      family: f,
      accounts,
      families,
      facts,
      peers,
      offeringNames: offerings.names,
      contacts,
      ranking,
      abcClass: abc[f] ?? 'C',
      portfolioMargin,
      users,
      config,
      texts,
      issues,
    });
    familyInsights.push(result.insight);
    if (result.drift) drift.push(result.drift);
    if (result.insight.tier === 'Key') keyFamilies++;
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

  const currencies = currencySummary(snapshot.opportunities);
  return {
    asOf: input.asOf,
    configVersion: config.version,
    currency: snapshot.currency,
    portfolio: portfolioSummary(ranking, keyFamilies),
    families: familyInsights,
    accounts: accountInsights,
    drift,
    issues: sortIssues(issues),
    ...(currencies ? { currencies } : {}),
  };
}
