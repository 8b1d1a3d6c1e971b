/**
 * API pacing: when requests reached the CRM, against the earliest times a client honouring the
 * rate limits could have sent the same requests in the same order.
 */

export interface TimedRequest {
  /** When the simulator received it (ms, any monotonic clock). */
  at: number;
  /** Search requests have their own per-second limit instead of the ten-second one. */
  search: boolean;
}

export interface PacingLimits {
  /** Requests per rolling window (search excluded). */
  budget: number;
  windowMs: number;
  /** Search requests per rolling second. */
  searchPerSecond: number;
}

export interface Pacing {
  requests: number;
  /** First to last request as they came (ms). */
  spanMs: number;
  /** First to last request at the earliest the limits allow (ms). */
  floorMs: number;
  /** The same requests at the budget's sustained rate (requests / budget × window), for comparison. */
  sustainedMs: number;
}

/**
 * The earliest schedule of `requests` (in their order, the first at its own time) under the
 * limits, with `before` (requests made just before, at their real times) still in the windows:
 * each request goes at the latest of the previous one and the moment the request `budget` places
 * back in its class leaves the window. Returns the span first to last of that schedule.
 */
export function pacingFloorMs(requests: readonly TimedRequest[], before: readonly TimedRequest[], limits: PacingLimits): number {
  if (requests.length === 0) return 0;
  const general: number[] = before.filter((r) => !r.search).map((r) => r.at);
  const search: number[] = before.filter((r) => r.search).map((r) => r.at);
  const first = requests[0] as TimedRequest;
  let t = first.at;
  for (const r of requests) {
    const [times, max, span] = r.search ? [search, limits.searchPerSecond, 1_000] : [general, limits.budget, limits.windowMs];
    const bound = times.length >= max ? (times[times.length - max] as number) + span : -Infinity;
    t = Math.max(t, bound);
    times.push(t);
  }
  return t - first.at;
}

export function pacing(requests: readonly TimedRequest[], before: readonly TimedRequest[], limits: PacingLimits): Pacing {
  const spanMs = requests.length > 0 ? (requests[requests.length - 1] as TimedRequest).at - (requests[0] as TimedRequest).at : 0;
  const general = requests.filter((r) => !r.search).length;
  const searches = requests.length - general;
  const sustainedMs = Math.max((general / limits.budget) * limits.windowMs, (searches / limits.searchPerSecond) * 1_000);
  return { requests: requests.length, spanMs, floorMs: pacingFloorMs(requests, before, limits), sustainedMs };
}
