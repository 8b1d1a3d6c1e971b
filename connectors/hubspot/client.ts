import { Client } from '@hubspot/api-client';
import type { Logger } from '../../src/log.ts';
import { CrmError, OutcomeUnknownError } from '../../src/contract/errors.ts';
import type { ApiUsage } from '../../src/contract/connector.ts';
import { callWithPolicy, type CallDecision } from '../shared/call-policy.ts';
import { UsageCounter } from '../shared/usage.ts';
import { neverSent } from '../shared/never-sent.ts';
import { serverDate } from '../shared/server-date.ts';
import { WindowLimiter, type Slot } from './limiter.ts';
import { classifyFailure, inspectFailure, type CallFailure, type FailureClass } from './failures.ts';
import type { TokenManager } from './auth.ts';
import type { HubSpotOptions } from './options.ts';

/** Kinds of call, as reported in the usage counts. */
export type CallKind =
  | 'list' | 'search' | 'associationsBatchRead' | 'batchUpdate' | 'pipelines' | 'owners'
  | 'propertiesRead' | 'propertyCreate' | 'groupsRead' | 'groupCreate' | 'accountInfo' | 'tokenInfo' | 'currencies'
  | 'tasksCreate' | 'tasksRead' | 'tasksArchive';

export interface CallResult<T> {
  status: number;
  data: T;
}

/** The parts of the SDK's HttpInfo this layer uses. */
interface HttpInfoLike<T> {
  httpStatusCode: number;
  headers: Record<string, string>;
  data: T;
}

export interface HubSpotCallerDeps {
  options: HubSpotOptions;
  tokens: TokenManager;
  logger: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** A search limiter shared with other callers of the same connection (HubSpotRuntime.searchLimiter). */
  searchLimiter?: WindowLimiter | undefined;
}

/** Carries what a failed attempt told us to the call policy. */
class AttemptFailure extends Error {
  constructor(readonly failure: CallFailure) {
    super(failure.message);
  }
}

/**
 * Every HubSpot call of one connection goes through here: the connection's own limiter, a fresh
 * token, the retry policy, rate-limit headers, and the usage count. The SDK's own retry and
 * limiter stay off: they live in a process-wide singleton shared by every portal.
 */
export class HubSpotCaller {
  private client: Client | null = null;
  private clientToken = '';
  private readonly counter = new UsageCounter();
  private readonly general: WindowLimiter;
  private readonly search: WindowLimiter;
  /** Last `X-HubSpot-RateLimit-Daily-Remaining` seen, when the portal sends it. */
  dailyRemaining: number | null = null;
  /** The portal's clock at its last answer (the `Date` header, whole seconds); pull cursors anchor to it. */
  serverTime: number | null = null;
  /** The portal's daily maximum (X-HubSpot-RateLimit-Daily), when HubSpot sends it. */
  dailyMax: number | null = null;
  /** Whether any answer came yet (before it, a missing daily reading says nothing). */
  answered = false;

  constructor(private readonly deps: HubSpotCallerDeps) {
    const { limits } = deps.options;
    this.general = new WindowLimiter(limits.tenSecondBudget, 10_000, deps.now, deps.sleep);
    this.search = deps.searchLimiter ?? new WindowLimiter(limits.searchPerSecond, 1_000, deps.now, deps.sleep);
  }

  count(kind: string): void {
    this.counter.count(kind);
  }

  usage(): ApiUsage {
    return this.counter.usage();
  }

  private async sdk(): Promise<Client> {
    const token = await this.deps.tokens.accessToken();
    if (!this.client || token !== this.clientToken) {
      // No numberOfApiCallRetries / limiterOptions: retries and limits are ours, per connection.
      this.client = new Client({ accessToken: token, basePath: this.deps.options.baseUrl });
      this.clientToken = token;
    }
    return this.client;
  }

  /** Reads the rate-limit, date and daily headers of an answer to the request that held `slot` of `limiter`. */
  private readHeaders(headers: Record<string, string>, limiter: WindowLimiter, slot: Slot): void {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
    this.answered = true;
    const remaining = h['x-hubspot-ratelimit-remaining'];
    if (limiter === this.general && remaining !== undefined && remaining.trim() !== '' && Number.isFinite(Number(remaining))) {
      const max = Number(h['x-hubspot-ratelimit-max']);
      this.general.observe(slot, {
        max: h['x-hubspot-ratelimit-max'] !== undefined && Number.isFinite(max) ? max : null,
        remaining: Number(remaining),
        intervalMs: Number(h['x-hubspot-ratelimit-interval-milliseconds']),
      });
    }
    const date = serverDate(h['date']);
    if (date !== null) this.serverTime = date;
    const daily = h['x-hubspot-ratelimit-daily-remaining'];
    if (daily !== undefined && Number.isFinite(Number(daily))) this.dailyRemaining = Number(daily);
    const max = h['x-hubspot-ratelimit-daily'];
    if (max !== undefined && Number.isFinite(Number(max))) this.dailyMax = Number(max);
  }

  /**
   * The SDK sets no request timeout; a connection that hangs would stall the run, so a call
   * that takes too long counts as a network failure and is retried.
   */
  private async withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.deps.options.requestTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The decision for a failed attempt (see failures.ts for which failures are worth another). */
  private decide(e: unknown, refreshed: boolean, what: string): CallDecision {
    if (e instanceof CrmError) return { action: 'fail', error: e };
    if (!(e instanceof AttemptFailure)) return { action: 'fail', error: toCrmError(e, what, null) };
    const verdict = classifyFailure(e.failure, this.deps.options.retry);
    switch (verdict.retry) {
      case 'wait':
        return { action: 'retry', waitMs: verdict.waitMs, reason: verdict.reason };
      case 'backoff':
        return { action: 'retry', waitMs: 'backoff', reason: verdict.reason };
      case 'refresh':
        return this.deps.tokens.canRefresh && !refreshed
          ? { action: 'refresh', reason: verdict.reason }
          : { action: 'fail', error: toCrmError(e, what, { retry: 'none', reason: 'unauthorized' }) };
      case 'none':
        return { action: 'fail', error: toCrmError(e, what, verdict) };
    }
  }

  /**
   * Runs one call under the shared call policy. `what` names the call in errors and logs (never
   * a token). Throws CrmError when the call cannot succeed; `api-limit` for the daily limit.
   */
  async call<T>(kind: CallKind, what: string, fn: (client: Client) => Promise<HttpInfoLike<T>>, opts: { applies?: boolean } = {}): Promise<CallResult<T>> {
    const { retry } = this.deps.options;
    const attempt = async (): Promise<CallResult<T>> => {
      const limiter = kind === 'search' ? this.search : this.general;
      const slot = await limiter.acquire();
      try {
        const client = await this.sdk();
        this.count(kind);
        try {
          const info = await this.withTimeout(fn(client), what);
          limiter.release(slot);
          this.readHeaders(info.headers, limiter, slot);
          return { status: info.httpStatusCode, data: info.data };
        } catch (e) {
          limiter.release(slot);
          if (e instanceof CrmError) throw e;
          const failure = inspectFailure(e);
          this.readHeaders(failure.headers, limiter, slot);
          // A write whose answer was lost may have been applied: never sent again blindly.
          if (opts.applies && failure.status === null && !neverSent(e)) {
            throw new OutcomeUnknownError(`the connection to HubSpot dropped during ${what} after the request went out (${failure.message}): HubSpot may have applied it`, { crm: 'hubspot' });
          }
          throw new AttemptFailure(failure);
        }
      } finally {
        // Also when no request went out (the token could not be had): the place is given back.
        limiter.release(slot);
      }
    };
    return callWithPolicy(attempt, {
      retries: retry.retries,
      minDelayMs: retry.minDelayMs,
      maxDelayMs: retry.maxDelayMs,
      sleep: this.deps.sleep,
      decide: (e, state) => this.decide(e, state.refreshed, what),
      refresh: async () => {
        await this.deps.tokens.refresh();
      },
      exhausted: (e) => toCrmError(e, what, e instanceof AttemptFailure ? classifyFailure(e.failure, retry) : null),
      onRetry: ({ attempt: n, reason, waitMs }) => {
        this.deps.logger.warn({ call: what, attempt: n, reason, waitMs }, 'hubspot call failed, retrying');
      },
    });
  }
}

function toCrmError(e: unknown, what: string, verdict: FailureClass | null): CrmError {
  if (e instanceof CrmError) return e;
  if (!(e instanceof AttemptFailure) || verdict === null) {
    return new CrmError('bad-response', `HubSpot ${what}: ${e instanceof Error ? e.message : String(e)}`, { crm: 'hubspot' });
  }
  const { failure: f } = e;
  const details = {
    crm: 'hubspot', ...(f.status !== null ? { status: f.status } : {}), ...(f.category ? { code: f.category } : {}),
    ...(f.reasons.length > 0 ? { reasons: f.reasons } : {}),
  };
  if (verdict.reason === 'daily-limit') {
    return new CrmError('api-limit', `HubSpot daily API limit reached during ${what}; the run stopped and resumes from its saved cursors after the limit resets (midnight in the portal's time zone)`, { ...details, code: 'DAILY' });
  }
  if (verdict.retry === 'wait' && f.status === 429) {
    return new CrmError('api-limit', `HubSpot rate limit still hit after retries during ${what}: ${f.message}`, details);
  }
  if (f.status === 401) return new CrmError('auth', `HubSpot rejected the credentials during ${what}: ${f.message}`, details);
  if (f.status === 403) return new CrmError('config', `HubSpot refused ${what} (missing scope or permission): ${f.message}`, details);
  if (f.status === null || f.status >= 500 || f.status === 423) {
    return new CrmError('unavailable', `HubSpot ${what} failed after retries: ${f.status === null ? 'network error' : `HTTP ${f.status}`}: ${f.message}`, details);
  }
  return new CrmError('bad-response', `HubSpot ${what} failed: HTTP ${f.status}${f.category ? ` ${f.category}` : ''}: ${f.message}`, details);
}
