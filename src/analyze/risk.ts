import type { AnalysisConfig } from '../config/analysis-config.ts';
import type { RiskId } from '../model/insights.ts';
import type { User } from '../model/snapshot.ts';
import { type DayNumber, fromDayNumber } from './dates.ts';
import { formatPercent1 } from './format.ts';

/** What the risk flags of one family look at. */
export interface RiskInputs {
  revenue: number;
  growth: number | null;
  share: number | null;
  activeContacts: number;
  recentWin: boolean;
  lastWon: DayNumber;
  closedInWindow: number;
  soleOwner: string | null;
  /** The one owner every known relationship runs through, if so. */
  relationshipOwner: string | null;
  knownRelationships: number;
}

export interface RiskOutcome {
  risks: RiskId[];
  /** One line per flag, in the order of `risks`. */
  lines: string[];
}

/** Flags sorted by id, each with a line saying why. */
export function riskFlags(x: RiskInputs, config: AnalysisConfig, users: ReadonlyMap<string, User>): RiskOutcome {
  const r = config.risk;
  const found: [RiskId, string][] = [];
  if (x.growth !== null && x.growth <= r.decliningGrowth + 1e-9) {
    found.push(['declining', `declining: revenue ${formatPercent1(x.growth)} against the prior 12 months`]);
  }
  if (x.activeContacts <= r.singleThreadedMaxContacts) {
    found.push(['single-threaded', `single-threaded: ${x.activeContacts} active contact${x.activeContacts === 1 ? '' : 's'} in the family`]);
  }
  if (x.revenue > 0 && !x.recentWin) {
    const since = x.lastWon === 0 ? '' : ` (last won ${fromDayNumber(x.lastWon)})`;
    found.push(['stalled', `stalled: nothing won in the last ${r.stalledMonths} months${since}`]);
  }
  if (x.share !== null && x.share >= r.concentrationShare - 1e-9) {
    found.push(['concentration', `concentration: ${formatPercent1(x.share)} of all revenue`]);
  }
  if (x.closedInWindow >= r.ownerDependenceMinOpportunities && x.soleOwner !== null) {
    const name = users.get(x.soleOwner)?.name;
    const who = name ? `${x.soleOwner} ${name}` : x.soleOwner;
    found.push(['owner-dependence', `owner-dependence: all ${x.closedInWindow} opportunities closed in the window owned by ${who}`]);
  }
  if (x.relationshipOwner !== null) {
    const name = users.get(x.relationshipOwner)?.name;
    const who = name ? `${x.relationshipOwner} ${name}` : x.relationshipOwner;
    found.push(['relationship-owner', `relationship-owner: all ${x.knownRelationships} known relationships are on deals owned by ${who}`]);
  }
  found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { risks: found.map((f) => f[0]), lines: found.map((f) => f[1]) };
}
