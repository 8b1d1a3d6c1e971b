/**
 * Kamflow's own writes to companies, so the next incremental search does not read them back:
 * the engine has already put the values it wrote into the mirror. Every company a sync writes
 * gets the run's time in kam_updated_at, and each batch update answers with the records' new
 * `updatedAt`; a company whose kam_updated_at holds that run's time and whose last-modified
 * date is no later than the last of those answers is Kamflow's own write and is left out. Any
 * later change moves the last-modified date past `until`, so it is read as usual. What this
 * cannot see: someone else's edit of the same company between the pull and Kamflow's write of
 * it, or during the push; the daily full reconcile reads those.
 */
export interface HubSpotEcho {
  /** The kam_updated_at value the run wrote (ISO). */
  updatedAt: string;
  /** Epoch ms, the portal's clock: the latest `updatedAt` its answers gave. */
  until: number;
}

export function parseEcho(text: string | undefined): HubSpotEcho | null {
  if (!text) return null;
  const [updatedAt, until] = text.split('|');
  if (updatedAt === undefined || until === undefined || Number.isNaN(Date.parse(updatedAt)) || !Number.isFinite(Number(until))) return null;
  return { updatedAt, until: Number(until) };
}

export function formatEcho(echo: HubSpotEcho): string {
  return `${echo.updatedAt}|${echo.until}`;
}
