/*
 * Reads the texts Kamflow writes into the KAM_* fields. Pure functions with no LWC imports, so the
 * same module is checked against the HubSpot card's reader in the repository's tests.
 * The line formats are described in crm-apps/README.md ("What the cards read").
 */

const MARKS = {
    '★': 'summary',
    '⚑': 'override',
    '✓': 'pass',
    '✗': 'fail',
    '○': 'noData',
    '→': 'nearest',
    '!': 'dataIssue'
};

function lines(text) {
    if (typeof text !== 'string') return [];
    return text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
}

/** KAM_Reasons__c: "<mark> <sentence>" per line; a line with an unknown first character is plain text. */
export function parseReasons(text) {
    const out = { summary: null, overrides: [], criteria: [], nearest: null, dataIssues: [], other: [] };
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

/** Whether KAM_Reasons__c says the family is not tiered ("★ Not tiered, score ...: data confidence ..."). */
export function isNotTiered(reasons) {
    const summary = parseReasons(reasons).summary;
    return typeof summary === 'string' && summary.startsWith('Not tiered');
}

/** KAM_Next_Best_Offers__c: "<offering>: <adopters> of <peers> <group> buy <offering>; est. <value>/yr". */
export function parseOffers(text) {
    return lines(text).map((line) => {
        const m = /^(.*?): (\d+ of \d+ .*)$/.exec(line);
        return m ? { offering: m[1], evidence: m[2] } : { offering: '', evidence: line };
    });
}

/** KAM_Contact_Coverage__c: "2 contacts (target 3-5)". */
export function parseCoverage(text) {
    const m = /^(\d+) contacts? \(target (\d+)-(\d+)\)$/.exec(typeof text === 'string' ? text.trim() : '');
    if (!m) return null;
    const count = Number(m[1]);
    const min = Number(m[2]);
    const max = Number(m[3]);
    const status = count < min ? 'under' : count > max ? 'over' : 'ok';
    return { count, min, max, status };
}

const RISK_LABELS = {
    declining: 'Declining',
    'single-threaded': 'Single-threaded',
    stalled: 'Stalled',
    concentration: 'Concentration',
    'owner-dependence': 'Owner dependence',
    'relationship-owner': 'Relationship owner'
};

/** KAM_Risks__c: "<risk id>: <detail>" per line. */
export function parseRisks(text) {
    return lines(text).map((line) => {
        const m = /^([a-z][a-z-]*): (.*)$/.exec(line);
        if (!m) return { id: '', label: '', detail: line };
        const label = RISK_LABELS[m[1]] ?? m[1].charAt(0).toUpperCase() + m[1].slice(1).replace(/-/g, ' ');
        return { id: m[1], label, detail: m[2] };
    });
}

/** KAM_Ultimate_Parent__c: "<record id> <name>". */
export function parseUltimateParent(text) {
    if (typeof text !== 'string' || text.trim() === '') return null;
    const t = text.trim();
    const space = t.indexOf(' ');
    return space === -1 ? { id: t, name: t } : { id: t.slice(0, space), name: t.slice(space + 1) };
}

/** An ISO 8601 timestamp, or milliseconds since the epoch as digits (how HubSpot hands out datetimes). */
function time(value) {
    if (typeof value !== 'string' || value.trim() === '') return null;
    const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
}

/**
 * Whether the values can be trusted now. Kamflow writes nothing to an account whose values did not
 * change, so an account's own stamp cannot say "fresh": the run status (one record per connection,
 * written once per run) says when Kamflow last finished and by when the next run is due.
 * - not-analysed: the account has no Kamflow values;
 * - unknown: no run status to compare with;
 * - stale: the next run was due and has not finished;
 * - fresh: otherwise.
 */
export function freshness({ tier, updatedAt, lastRunFinishedAt, nextRunDueBy, now, reasons }) {
    const lastRun = time(lastRunFinishedAt);
    const due = time(nextRunDueBy);
    const base = { lastRunFinishedAt: lastRun === null ? null : lastRunFinishedAt, nextRunDueBy: due === null ? null : nextRunDueBy, updatedAt: time(updatedAt) === null ? null : updatedAt };
    // A family Kamflow left untiered for want of data has no tier but has been analysed.
    if ((typeof tier !== 'string' || tier === '') && !isNotTiered(reasons)) return { state: 'not-analysed', ...base };
    if (lastRun === null) return { state: 'unknown', ...base };
    if (due !== null && now > due) return { state: 'stale', ...base };
    return { state: 'fresh', ...base };
}

/** Score to one decimal as the field stores it; '' without one. Takes a number or its text. */
export function formatScore(score) {
    const n = typeof score === 'string' && score.trim() !== '' ? Number(score) : score;
    return typeof n === 'number' && Number.isFinite(n) ? n.toFixed(1) : '';
}

function formatted(iso, locale, timeZone, withTime) {
    const ms = time(iso);
    if (ms === null) return '';
    const options = withTime ? { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } : { year: 'numeric', month: 'short', day: 'numeric' };
    try {
        return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(ms));
    } catch {
        // An unknown locale or zone must not blank the card: fall back to the stored timestamp.
        return iso;
    }
}

/** The sentences the cards show about freshness, in the reader's locale and time zone. */
export function freshnessTexts(status, locale, timeZone) {
    const lastRun = formatted(status.lastRunFinishedAt, locale, timeZone, true);
    const due = formatted(status.nextRunDueBy, locale, timeZone, true);
    const changed = formatted(status.updatedAt, locale, timeZone, false);
    const notAnalysed = `Not analysed yet. Kamflow fills this card on its next run${due ? `, due by ${due}` : ''}.`;
    const stale = status.state === 'stale' ? `These values may be out of date: Kamflow last finished a run on ${lastRun} and the next run was due by ${due}.` : null;
    const parts = [];
    if (status.state === 'fresh') parts.push(`Checked by Kamflow on ${lastRun}.`);
    if (changed) parts.push(`Last changed ${changed}.`);
    return { notAnalysed, stale, footer: parts.join(' ') };
}
