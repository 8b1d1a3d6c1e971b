/*
 * Reads the texts Kamflow writes into the kam_* properties, as the Salesforce card's kamText.js
 * does (the repository's tests hold the two to the same output). Line formats: crm-apps/README.md,
 * "What the cards read".
 */

/** The kam_* properties the card shows (kam_key_account is implied by the tier). */
export const KAM_PROPERTIES = [
  'kam_tier',
  'kam_score',
  'kam_why',
  'kam_reasons',
  'kam_revenue_share',
  'kam_penetration',
  'kam_whitespace_value',
  'kam_next_best_offers',
  'kam_contact_coverage',
  'kam_risks',
  'kam_ultimate_parent',
  'kam_updated_at',
] as const;

export type Outcome = 'pass' | 'fail' | 'noData';

export interface Reasons {
  summary: string | null;
  overrides: string[];
  criteria: { outcome: Outcome; text: string }[];
  nearest: string | null;
  /** What keeps the family from a tier and what would fix it ("!" lines). */
  dataIssues: string[];
  other: string[];
}

const MARKS: Record<string, 'summary' | 'override' | Outcome | 'nearest' | 'dataIssue'> = {
  '★': 'summary',
  '⚑': 'override',
  '✓': 'pass',
  '✗': 'fail',
  '○': 'noData',
  '→': 'nearest',
  '!': 'dataIssue',
};

function lines(text: string | null | undefined): string[] {
  if (typeof text !== 'string') return [];
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** kam_reasons: "<mark> <sentence>" per line; a line with an unknown first character is plain text. */
export function parseReasons(text: string | null | undefined): Reasons {
  const out: Reasons = { summary: null, overrides: [], criteria: [], nearest: null, dataIssues: [], other: [] };
  for (const line of lines(text)) {
    const kind = MARKS[line.charAt(0)];
    const body = line.slice(1).trim();
    if (kind === undefined || line.charAt(1) !== ' ') out.other.push(line);
    else if (kind === 'summary') out.summary = body;
    else if (kind === 'override') out.overrides.push(body);
    else if (kind === 'nearest') out.nearest = body;
    else if (kind === 'dataIssue') out.dataIssues.push(body);
    else out.criteria.push({ outcome: kind, text: body });
  }
  return out;
}

/** Whether kam_reasons says the family is not tiered ("★ Not tiered, score ...: data confidence ..."). */
export function isNotTiered(reasons: string | null | undefined): boolean {
  const summary = parseReasons(reasons).summary;
  return typeof summary === 'string' && summary.startsWith('Not tiered');
}

export interface Offer {
  offering: string;
  evidence: string;
}

/** kam_next_best_offers: "<offering>: <adopters> of <peers> <group> buy <offering>; est. <value>/yr". */
export function parseOffers(text: string | null | undefined): Offer[] {
  return lines(text).map((line) => {
    const m = /^(.*?): (\d+ of \d+ .*)$/.exec(line);
    return m ? { offering: m[1] ?? '', evidence: m[2] ?? '' } : { offering: '', evidence: line };
  });
}

export interface Coverage {
  count: number;
  min: number;
  max: number;
  status: 'under' | 'ok' | 'over';
}

/** kam_contact_coverage: "2 contacts (target 3-5)". */
export function parseCoverage(text: string | null | undefined): Coverage | null {
  const m = /^(\d+) contacts? \(target (\d+)-(\d+)\)$/.exec(typeof text === 'string' ? text.trim() : '');
  if (!m) return null;
  const count = Number(m[1]);
  const min = Number(m[2]);
  const max = Number(m[3]);
  const status = count < min ? 'under' : count > max ? 'over' : 'ok';
  return { count, min, max, status };
}

const RISK_LABELS: Record<string, string> = {
  declining: 'Declining',
  'single-threaded': 'Single-threaded',
  stalled: 'Stalled',
  concentration: 'Concentration',
  'owner-dependence': 'Owner dependence',
  'relationship-owner': 'Relationship owner',
};

export interface Risk {
  id: string;
  label: string;
  detail: string;
}

/** kam_risks: "<risk id>: <detail>" per line. */
export function parseRisks(text: string | null | undefined): Risk[] {
  return lines(text).map((line) => {
    const m = /^([a-z][a-z-]*): (.*)$/.exec(line);
    if (!m) return { id: '', label: '', detail: line };
    const id = m[1] ?? '';
    const label = RISK_LABELS[id] ?? id.charAt(0).toUpperCase() + id.slice(1).replace(/-/g, ' ');
    return { id, label, detail: m[2] ?? '' };
  });
}

/** kam_ultimate_parent: "<record id> <name>". */
export function parseUltimateParent(text: string | null | undefined): { id: string; name: string } | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  const t = text.trim();
  const space = t.indexOf(' ');
  return space === -1 ? { id: t, name: t } : { id: t.slice(0, space), name: t.slice(space + 1) };
}

/** An ISO 8601 timestamp, or milliseconds since the epoch as digits (how HubSpot hands out datetimes). */
function time(value: string | null | undefined): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export type FreshnessState = 'not-analysed' | 'unknown' | 'stale' | 'fresh';

export interface Freshness {
  state: FreshnessState;
  lastRunFinishedAt: string | null;
  nextRunDueBy: string | null;
  updatedAt: string | null;
}

/**
 * Whether the values can be trusted now; the same rule as the Salesforce card's (see kamText.js):
 * not-analysed without values, unknown without a run status, stale once the next run was due and
 * has not finished, fresh otherwise.
 */
export function freshness(input: {
  tier: string | null | undefined;
  updatedAt: string | null | undefined;
  lastRunFinishedAt: string | null | undefined;
  nextRunDueBy: string | null | undefined;
  now: number;
  /** kam_reasons, which says when a family was analysed but left untiered. */
  reasons?: string | null | undefined;
}): Freshness {
  const lastRun = time(input.lastRunFinishedAt);
  const due = time(input.nextRunDueBy);
  const base = {
    lastRunFinishedAt: lastRun === null ? null : (input.lastRunFinishedAt ?? null),
    nextRunDueBy: due === null ? null : (input.nextRunDueBy ?? null),
    updatedAt: time(input.updatedAt) === null ? null : (input.updatedAt ?? null),
  };
  // A family Kamflow left untiered for want of data has no tier but has been analysed.
  if ((typeof input.tier !== 'string' || input.tier === '') && !isNotTiered(input.reasons)) return { state: 'not-analysed', ...base };
  if (lastRun === null) return { state: 'unknown', ...base };
  if (due !== null && input.now > due) return { state: 'stale', ...base };
  return { state: 'fresh', ...base };
}

/** Score to one decimal as the field stores it; '' without one. Takes a number or its text. */
export function formatScore(score: number | string | null | undefined): string {
  const n = typeof score === 'string' && score.trim() !== '' ? Number(score) : score;
  return typeof n === 'number' && Number.isFinite(n) ? n.toFixed(1) : '';
}

function formatted(iso: string | null, locale: string, timeZone: string, withTime: boolean): string {
  const ms = time(iso);
  if (ms === null) return '';
  const options: Intl.DateTimeFormatOptions = withTime
    ? { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
    : { year: 'numeric', month: 'short', day: 'numeric' };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(ms));
  } catch {
    // An unknown locale or zone must not blank the card: fall back to the stored timestamp.
    return iso ?? '';
  }
}

/** The sentences the cards show about freshness, in the reader's locale and time zone. */
export function freshnessTexts(status: Freshness, locale: string, timeZone: string): { notAnalysed: string; stale: string | null; footer: string } {
  const lastRun = formatted(status.lastRunFinishedAt, locale, timeZone, true);
  const due = formatted(status.nextRunDueBy, locale, timeZone, true);
  const changed = formatted(status.updatedAt, locale, timeZone, false);
  const notAnalysed = `Not analysed yet. Kamflow fills this card on its next run${due ? `, due by ${due}` : ''}.`;
  const stale = status.state === 'stale' ? `These values may be out of date: Kamflow last finished a run on ${lastRun} and the next run was due by ${due}.` : null;
  const parts: string[] = [];
  if (status.state === 'fresh') parts.push(`Checked by Kamflow on ${lastRun}.`);
  if (changed) parts.push(`Last changed ${changed}.`);
  return { notAnalysed, stale, footer: parts.join(' ') };
}
