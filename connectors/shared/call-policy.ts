import type { Sleep } from './sleep.ts';

/**
 * One HTTP loop for every connector. Each failed attempt is turned, by the connector, into a
 * decision value: retry after a wait (a fixed one the source asked for, or exponential backoff),
 * refresh the credentials then retry, or fail with a typed error. The loop only carries the
 * decisions out, so the rules of each source stay data-like and testable apart from any I/O.
 */
export type CallDecision =
  | { action: 'retry'; /** 'backoff': the policy's exponential delay */ waitMs: number | 'backoff'; reason: string }
  | { action: 'refresh'; reason: string }
  | { action: 'fail'; error: Error };

/** The retry settings every source names the same way (`retry` option of each connector). */
export interface RetrySettings {
  /** Retries of one call after the first attempt. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export interface CallPolicy extends RetrySettings {
  sleep: Sleep;
  /** The decision for a failed attempt; `refreshed` once this call has refreshed. */
  decide(error: unknown, state: { attempt: number; refreshed: boolean }): CallDecision;
  /** New credentials for a `refresh` decision (at most once a call). */
  refresh?: () => Promise<void>;
  /** The error thrown when a `retry` decision comes with no retries left. */
  exhausted(error: unknown): Error;
  onRetry?: (info: { attempt: number; reason: string; waitMs: number }) => void;
}

/** The wait before retry number `n` (1-based): minDelay doubled each time, at most maxDelay. */
export function backoffDelay(n: number, s: Pick<RetrySettings, 'minDelayMs' | 'maxDelayMs'>): number {
  return Math.min(s.maxDelayMs, s.minDelayMs * 2 ** Math.max(0, n - 1));
}

export async function callWithPolicy<T>(attempt: () => Promise<T>, policy: CallPolicy): Promise<T> {
  let retried = 0;
  let refreshed = false;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const decision = policy.decide(error, { attempt: n, refreshed });
      if (decision.action === 'fail') throw decision.error;
      if (decision.action === 'refresh') {
        // A refresh is not a retry of a failing service: it does not use up the retries.
        if (refreshed || !policy.refresh) throw policy.exhausted(error);
        refreshed = true;
        await policy.refresh();
        continue;
      }
      if (retried >= policy.retries) throw policy.exhausted(error);
      retried += 1;
      const waitMs = decision.waitMs === 'backoff' ? backoffDelay(retried, policy) : decision.waitMs;
      policy.onRetry?.({ attempt: n, reason: decision.reason, waitMs });
      await policy.sleep(waitMs);
    }
  }
}
