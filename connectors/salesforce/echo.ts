import { soqlDateTime } from './query.ts';

/**
 * Kamflow's own writes, so the next incremental pull does not read them back: the engine has
 * already put the values it wrote into the mirror. Every account a sync writes gets the run's
 * time in KAM_Updated_At__c, and the org answers each write before the last answer's `Date`;
 * an account whose KAM_Updated_At__c holds that run's time and whose SystemModstamp is no later
 * than that answer's second is Kamflow's own write and is left out of the query. A change anyone
 * makes after the push moves SystemModstamp past `until`, so it is read as usual. What this
 * cannot see: someone else's edit of the same account between the pull and Kamflow's write of
 * it, during the push, or within the second of its last answer; the periodic full reconcile
 * reads those.
 */
export interface SalesforceEcho {
  /** The KAM_Updated_At__c value the run wrote (ISO). */
  updatedAt: string;
  /** Epoch ms, the org's clock (whole seconds): every stamp of the run's writes is at or before it. */
  until: number;
}

/** Runs whose echoes a cursor keeps at most: more only means more is read back. */
const MAX_ECHOES = 3;

export function parseEchoes(text: string | undefined): SalesforceEcho[] {
  if (!text) return [];
  const out: SalesforceEcho[] = [];
  for (const part of text.split(';')) {
    const [updatedAt, until] = part.split('|');
    if (updatedAt === undefined || until === undefined) continue;
    const u = Number(until);
    if (!Number.isNaN(Date.parse(updatedAt)) && Number.isFinite(u)) out.push({ updatedAt, until: u });
  }
  return out;
}

/** Echoes still inside a read that starts at `from` (epoch ms), newest last, as cursor text. */
export function formatEchoes(echoes: readonly SalesforceEcho[], from: number): string | undefined {
  const kept = echoes.filter((e) => e.until >= from).slice(-MAX_ECHOES);
  return kept.length > 0 ? kept.map((e) => `${e.updatedAt}|${e.until}`).join(';') : undefined;
}

/**
 * The SOQL condition that keeps everything but the echo. Salesforce keeps datetimes to the
 * second, so the run's time is matched as its whole second; `= null` is spelled out because
 * SOQL's documentation does not say whether `!=` matches an empty field. Every delete is read.
 */
export function echoCondition(echo: SalesforceEcho, field: string): string {
  const second = Math.floor(Date.parse(echo.updatedAt) / 1000) * 1000;
  const from = soqlDateTime(new Date(second).toISOString());
  const to = soqlDateTime(new Date(second + 1000).toISOString());
  const until = soqlDateTime(new Date(echo.until).toISOString());
  return `(${field} = null OR ${field} < ${from} OR ${field} >= ${to} OR SystemModstamp > ${until} OR IsDeleted = true)`;
}
