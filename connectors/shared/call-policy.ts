import pRetry, { AbortError } from 'p-retry';
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

/** A failed attempt the policy chose to try again: the wait it asked for, before the next one. */
class RetryPending extends Error {
  override readonly name = 'RetryPending';
  constructor(readonly waitMs: number) {
    super('retry pending');
  }
}

/**
 * Runs `attempt` under the policy, with p-retry as the loop. The policy's decisions bound the
 * retries (a refresh does not use one up), so p-retry is told to retry whatever is pending and
 * to wait nothing itself: the wait goes through `policy.sleep`, which tests replace.
 */
export async function callWithPolicy<T>(attempt: () => Promise<T>, policy: CallPolicy): Promise<T> {
  let retried = 0;
  let refreshed = false;
  return pRetry(
    async (attemptNumber) => {
      try {
        return await attempt();
      } catch (error) {
        const decision = policy.decide(error, { attempt: attemptNumber, refreshed });
        if (decision.action === 'fail') throw new AbortError(decision.error);
        if (decision.action === 'refresh') {
          if (refreshed || !policy.refresh) throw new AbortError(policy.exhausted(error));
          refreshed = true;
          await policy.refresh();
          throw new RetryPending(0);
        }
        if (retried >= policy.retries) throw new AbortError(policy.exhausted(error));
        retried += 1;
        const waitMs = decision.waitMs === 'backoff' ? backoffDelay(retried, policy) : decision.waitMs;
        policy.onRetry?.({ attempt: attemptNumber, reason: decision.reason, waitMs });
        throw new RetryPending(waitMs);
      }
    },
    {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 0,
      maxTimeout: 0,
      factor: 1,
      randomize: false,
      // Anything but a pending retry (a refresh that failed, say) ends the call as it is.
      shouldRetry: ({ error }) => error instanceof RetryPending,
      onFailedAttempt: async ({ error }) => {
        if (error instanceof RetryPending && error.waitMs > 0) await policy.sleep(error.waitMs);
      },
    },
  );
}
