import { hubspot } from '@hubspot/ui-extensions';
import { KAMFLOW_ORIGIN } from './kamflow-origin.ts';

export { KAMFLOW_ORIGIN };

/**
 * Kamflow's run status for this portal, from Kamflow's own server: HubSpot has no object a card can
 * read for it, and Kamflow writes nothing to a company whose values did not change. The request is
 * signed by HubSpot (X-HubSpot-Signature-v3) and carries the portal id; crm-apps/README.md gives
 * the contract.
 */

export const RUN_STATUS_PATH = '/hubspot/card/run-status';

export interface RunStatus {
  lastRunFinishedAt: string | null;
  nextRunDueBy: string | null;
}

export type RunStatusSource = () => Promise<RunStatus | null>;

const isoOrNull = (v: unknown): v is string | null => v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));

/** The endpoint's JSON, or null for anything else (the card then makes no freshness claim). */
export function parseRunStatus(body: unknown): RunStatus | null {
  if (typeof body !== 'object' || body === null) return null;
  const last: unknown = Reflect.get(body, 'lastRunFinishedAt');
  const due: unknown = Reflect.get(body, 'nextRunDueBy');
  if (!isoOrNull(last) || !isoOrNull(due)) return null;
  return { lastRunFinishedAt: last, nextRunDueBy: due };
}

/** True while the project still names the reserved domain: nothing to ask (see kamflow-origin.ts). */
export const originConfigured = (origin: string): boolean => !new URL(origin).hostname.endsWith('.invalid');

export const fetchRunStatus: RunStatusSource = async () => {
  if (!originConfigured(KAMFLOW_ORIGIN)) return null;
  try {
    const res = await hubspot.fetch(`${KAMFLOW_ORIGIN}${RUN_STATUS_PATH}`, { method: 'GET', timeout: 5000 });
    if (!res.ok) return null;
    return parseRunStatus(await res.json());
  } catch {
    return null;
  }
};
