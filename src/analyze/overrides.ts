import type { AnalysisIssue, DriftEntry } from '../model/insights.ts';
import { TIERS, type Tier } from '../model/output-fields.ts';
import type { OverrideFieldKey } from '../model/override-fields.ts';
import type { Account } from '../model/snapshot.ts';
import { REASON_MARKS } from './reasons.ts';

/**
 * A manager's tier override, typed into the fields Kamflow provisions on the family's ultimate
 * parent: the tier, why, until when, and who. The connectors read them into the root account's
 * `extra` under these neutral keys. Kamflow never writes these fields: an override lapses by
 * itself once its end date has passed, and stays in the CRM as the manager left it.
 */

export const OVERRIDE_KEYS = {
  tier: 'kam_override_tier',
  reason: 'kam_override_reason',
  until: 'kam_override_until',
  by: 'kam_override_by',
} as const satisfies Record<string, OverrideFieldKey>;

export interface TierOverride {
  tier: Tier;
  reason: string;
  /** YYYY-MM-DD, the last day the override holds. */
  until: string;
  by: string;
}

export type OverrideState =
  | { kind: 'none' }
  | { kind: 'active'; override: TierOverride }
  | { kind: 'expired'; override: TierOverride };

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** The date part of what a CRM date field gives (`2027-03-31`, or a datetime at midnight). */
function dateOf(v: unknown): string | null {
  const s = text(v);
  const m = /^(\d{4}-\d{2}-\d{2})(?:T.*)?$/.exec(s);
  if (!m?.[1]) return null;
  const d = new Date(`${m[1]}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== m[1] ? null : m[1];
}

/**
 * The root's override as of `asOf` (inclusive of its end date). An override needs a tier and an
 * end date; one with either missing or unreadable is ignored with an issue naming the account.
 */
export function readOverride(root: Account, asOf: string, issues: AnalysisIssue[]): OverrideState {
  const tierText = text(root.extra[OVERRIDE_KEYS.tier]);
  if (tierText === '') return { kind: 'none' };
  const tier = TIERS.find((t) => t.toLowerCase() === tierText.toLowerCase());
  if (!tier) {
    issues.push({ kind: 'override-ignored', recordId: root.id, message: `tier override "${tierText}" is not one of ${TIERS.join(', ')}; ignored` });
    return { kind: 'none' };
  }
  const until = dateOf(root.extra[OVERRIDE_KEYS.until]);
  if (until === null) {
    const given = text(root.extra[OVERRIDE_KEYS.until]);
    issues.push({ kind: 'override-ignored', recordId: root.id, message: given === '' ? `tier override ${tier} has no end date; ignored (an override must say until when)` : `tier override ${tier}: end date "${given}" is not a date; ignored` });
    return { kind: 'none' };
  }
  const override: TierOverride = { tier, until, reason: text(root.extra[OVERRIDE_KEYS.reason]), by: text(root.extra[OVERRIDE_KEYS.by]) };
  return until < asOf ? { kind: 'expired', override } : { kind: 'active', override };
}

/** "Overridden by Dana Lee until 2027-03-31: strategic partner", the sentence reps read. */
export function overrideSentence(o: TierOverride): string {
  const by = o.by === '' ? 'a manager' : o.by;
  return `Overridden by ${by} until ${o.until}${o.reason === '' ? '' : `: ${o.reason}`}`;
}

/** The reasons with the override line right after the summary, as the cards expect it. */
export function withOverrideLine(reasons: readonly string[], o: TierOverride): string[] {
  const [summary, ...rest] = reasons;
  return [...(summary === undefined ? [] : [summary]), `${REASON_MARKS.override} ${overrideSentence(o)}`, ...rest];
}

/** The list-view line under an override: the tier it holds, then who set it until when and why. */
export function overrideWhy(o: TierOverride): string {
  return `${o.tier}: ${overrideSentence(o).replace(/^O/, 'o')}`;
}

/** An override that holds a tier the criteria do not give: the admin should know it is there. */
export function overrideDrift(familyId: string, o: TierOverride, computed: Tier, score: number): DriftEntry | null {
  if (o.tier === computed) return null;
  return {
    familyId,
    kind: 'override-contradicts',
    message: `${overrideSentence(o)}, holds ${o.tier}; the criteria give ${computed} (score ${score.toFixed(1)})`,
  };
}
