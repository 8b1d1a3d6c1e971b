import { Connection } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import type { z } from 'zod';
import type { Logger } from '../../src/log.ts';
import type { ApiUsage } from '../../src/contract/connector.ts';
import { CrmError, OutcomeUnknownError } from '../../src/contract/errors.ts';
import { callWithPolicy, type CallDecision, type RetrySettings } from '../shared/call-policy.ts';
import { realSleep, type Sleep } from '../shared/sleep.ts';
import { UsageCounter } from '../shared/usage.ts';
import { neverSent } from '../shared/never-sent.ts';
import { serverDate } from '../shared/server-date.ts';
import type { TokenRefresher } from './auth.ts';

/**
 * Every HTTP call to the org goes through here: counted by kind, the daily allowance read from
 * `Sforce-Limit-Info` on every response, the run stopped before it eats into the reserve,
 * network errors and 5xx retried with exponential backoff, an expired session refreshed once.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface SfRequest {
  method: HttpMethod;
  /** A path from the instance root (`/services/data/v62.0/...`). */
  path: string;
  headers?: Record<string, string>;
  /** A SOAP envelope carries the session itself: build it per attempt, after any refresh. */
  body?: string | ((sessionId: string) => string);
  /**
   * The request changes data in the org: when the connection drops after it went out, the org
   * may have applied it, so it is not sent again (OutcomeUnknownError) but checked later.
   */
  applies?: boolean;
}

export interface SfResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ClientSettings {
  instanceUrl?: string | undefined;
  accessToken?: string | undefined;
  apiVersion: string;
  apiReserve: number;
  retry: RetrySettings;
  refresher?: TokenRefresher | undefined;
  logger: Logger;
  sleep?: Sleep | undefined;
}

/** An HTTP error answer, before it is turned into a CrmError or a per-record value. */
export class SalesforceHttpError extends Error {
  override readonly name = 'SalesforceHttpError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

interface RawHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

// Anchored so a `per-app-api-usage=` part is not read as the org's allowance.
const LIMIT_RE = /(?:^|[;,\s])api-usage=(\d+)\/(\d+)/;

export function parseLimitInfo(header: string | undefined): { used: number; max: number } | null {
  if (!header) return null;
  const m = LIMIT_RE.exec(header);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  return { used: Number(m[1]), max: Number(m[2]) };
}

/**
 * SOAP API faults come back as HTTP 500 with a `<faultcode>` such as `sf:INVALID_SESSION_ID`;
 * they are answers, not server trouble: read the code so they are neither retried blindly nor
 * mistaken for an outage.
 */
function soapFaultCode(res: RawHttpResponse): string | null {
  const m = /<faultcode>(?:[A-Za-z]+:)?([A-Z_]+)<\/faultcode>/.exec(typeof res.body === 'string' ? res.body : '');
  return m?.[1] ?? null;
}

function errorCodeOf(e: unknown): string {
  if (e && typeof e === 'object' && 'errorCode' in e && typeof (e as { errorCode: unknown }).errorCode === 'string') {
    return (e as { errorCode: string }).errorCode;
  }
  return 'UNKNOWN';
}

/**
 * REQUEST_LIMIT_EXCEEDED means either the daily allowance (`TotalRequests Limit exceeded.`: stop)
 * or too many concurrent long-running requests (`ConcurrentPerOrgLongTxn Limit exceeded.`): the
 * latter clears as other requests finish, so it is retried like a 5xx.
 */
export function isConcurrencyLimit(e: unknown): boolean {
  return e instanceof SalesforceHttpError && e.errorCode === 'REQUEST_LIMIT_EXCEEDED' && /concurrent/i.test(e.message);
}

function isRetryable(e: unknown): boolean {
  if (e instanceof NetworkError) return true;
  return e instanceof SalesforceHttpError && (e.status >= 500 || isConcurrencyLimit(e));
}

/** The decision for a failed exchange: network, 5xx and concurrency limits are retried with backoff, an expired session refreshed once. */
function decide(e: unknown, refreshed: boolean, canRefresh: boolean): CallDecision {
  if (e instanceof SalesforceHttpError && e.status === 401) {
    if (!canRefresh) {
      return { action: 'fail', error: new CrmError('auth', `Salesforce session expired or invalid (${e.errorCode}: ${e.message}) and no refresh token is configured`, { status: 401, code: e.errorCode, crm: 'salesforce' }) };
    }
    if (refreshed) {
      return { action: 'fail', error: new CrmError('auth', `Salesforce rejected the session even after a refresh (${e.errorCode}: ${e.message})`, { status: 401, code: e.errorCode, crm: 'salesforce' }) };
    }
    return { action: 'refresh', reason: 'session expired' };
  }
  if (isRetryable(e)) return { action: 'retry', waitMs: 'backoff', reason: e instanceof Error ? e.message : 'retryable' };
  return { action: 'fail', error: e instanceof Error ? e : new Error(String(e)) };
}

export class SalesforceClient {
  readonly conn: Connection;
  readonly versionPath: string;
  private readonly counter = new UsageCounter();
  readonly sleep: Sleep;
  private limit: { used: number; max: number } | null = null;
  private sessionReady: boolean;
  private lastServerTime: number | null = null;

  constructor(private readonly settings: ClientSettings) {
    this.conn = new Connection({
      version: settings.apiVersion,
      ...(settings.instanceUrl ? { instanceUrl: settings.instanceUrl } : {}),
      ...(settings.accessToken ? { accessToken: settings.accessToken } : {}),
    });
    this.versionPath = `/services/data/v${settings.apiVersion}`;
    this.sessionReady = Boolean(settings.accessToken && settings.instanceUrl);
    this.sleep = settings.sleep ?? realSleep;
  }

  usage(): ApiUsage {
    return this.counter.usage({ tokenRefresh: this.settings.refresher?.count ?? 0 });
  }

  /** The daily allowance as last reported by the org, or null before the first response. */
  apiLimit(): { used: number; max: number } | null {
    return this.limit ? { ...this.limit } : null;
  }

  /**
   * The org's clock as its last answer gave it (the `Date` header, whole seconds), or null before
   * any answer carried one. Pull cursors anchor to it, never to this machine's clock.
   */
  serverTime(): number | null {
    return this.lastServerTime;
  }

  /** Takes the allowance reported by the `/limits` resource. */
  noteLimit(used: number, max: number): void {
    this.limit = { used, max };
  }

  private count(kind: string): void {
    this.counter.count(kind);
  }

  private applyTokens(accessToken: string, instanceUrl: string | undefined): void {
    this.conn.accessToken = accessToken;
    if (instanceUrl) this.conn.instanceUrl = instanceUrl;
  }

  /** The instance URL calls go to (the token response's after a refresh). */
  get instanceUrl(): string {
    return this.conn.instanceUrl;
  }

  /** With only a refresh token, the first call needs a session (and the instance URL) first. */
  private async ensureSession(): Promise<void> {
    if (this.sessionReady) return;
    if (!this.settings.refresher) throw new CrmError('auth', 'no Salesforce session: give an access token or a refresh token');
    const tokens = await this.settings.refresher.refresh(undefined);
    this.applyTokens(tokens.accessToken, tokens.instanceUrl);
    this.sessionReady = true;
  }

  private checkReserve(): void {
    if (!this.limit || this.limit.max <= 0) return;
    const ceiling = Math.floor(this.limit.max * (1 - this.settings.apiReserve));
    if (this.limit.used >= ceiling) {
      const pct = Math.round(this.settings.apiReserve * 100);
      throw new CrmError(
        'api-limit',
        `stopped before the API reserve: ${this.limit.used} of ${this.limit.max} daily Salesforce API requests used, ${pct}% kept free; resume later`,
        { crm: 'salesforce', code: 'API_RESERVE' },
      );
    }
  }

  /** One HTTP exchange, with no retry of its own. */
  private async once(kind: string, req: SfRequest, responseType: string | undefined): Promise<SfResponse> {
    this.checkReserve();
    this.count(kind);
    let last: RawHttpResponse | null = null;
    const api = new HttpApi(this.conn, { retry: { maxRetries: 0 }, ...(responseType ? { responseType } : {}) });
    api.on('response', (r: RawHttpResponse) => {
      last = r;
      const info = parseLimitInfo(r.headers['sforce-limit-info']);
      if (info) this.limit = info;
      const date = serverDate(r.headers['date']);
      if (date !== null) this.lastServerTime = date;
    });
    const url = `${this.conn.instanceUrl}${req.path}`;
    try {
      const body: unknown = await api.request({
        method: req.method,
        url,
        headers: { ...(req.headers ?? {}) },
        ...(req.body !== undefined ? { body: typeof req.body === 'function' ? req.body(this.conn.accessToken ?? '') : req.body } : {}),
      });
      const res = last as RawHttpResponse | null;
      return { status: res?.statusCode ?? 200, headers: res?.headers ?? {}, body };
    } catch (e) {
      const res = last as RawHttpResponse | null;
      if (!res) {
        const message = e instanceof Error ? e.message : 'network error';
        if (req.applies && !neverSent(e)) {
          throw new OutcomeUnknownError(`the connection to Salesforce dropped during ${kind} after the request went out (${message}): the org may have applied it`, { crm: 'salesforce' });
        }
        throw new NetworkError(message);
      }
      const fault = soapFaultCode(res);
      if (fault) throw new SalesforceHttpError(fault === 'INVALID_SESSION_ID' ? 401 : 400, fault, `SOAP fault ${fault}`);
      throw new SalesforceHttpError(res.statusCode, errorCodeOf(e), e instanceof Error ? e.message : `HTTP ${res.statusCode}`);
    }
  }

  /**
   * Sends a request under the shared call policy. Throws CrmError for limits, auth and
   * exhausted retries, and SalesforceHttpError for any other 4xx (the caller decides what it means).
   */
  async send(kind: string, req: SfRequest, responseType?: string): Promise<SfResponse> {
    await this.ensureSession();
    const refresher = this.settings.refresher;
    let tokenUsed: string | undefined;
    const attempt = (): Promise<SfResponse> => {
      tokenUsed = this.conn.accessToken ?? undefined;
      return this.once(kind, req, responseType);
    };
    try {
      return await callWithPolicy(attempt, {
        ...this.settings.retry,
        sleep: this.sleep,
        decide: (e, state) => (e instanceof CrmError ? { action: 'fail', error: e } : decide(e, state.refreshed, refresher !== undefined)),
        refresh: async () => {
          if (!refresher) return;
          const tokens = await refresher.refresh(tokenUsed);
          this.applyTokens(tokens.accessToken, tokens.instanceUrl);
        },
        exhausted: (e) => (e instanceof Error ? e : new Error(String(e))),
        onRetry: ({ attempt: attemptNumber, reason }) => {
          this.settings.logger.warn({ kind, attemptNumber, err: reason }, 'salesforce call failed, retrying');
        },
      });
    } catch (e) {
      throw this.finalError(kind, e);
    }
  }

  /** Sends a request and validates the JSON answer. */
  async json<T>(kind: string, req: SfRequest, schema: z.ZodType<T>): Promise<T> {
    const res = await this.send(kind, req);
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) {
      const where = parsed.error.issues[0];
      const path = where ? where.path.map(String).join('.') : '';
      throw new CrmError('bad-response', `unexpected Salesforce answer to ${kind} (${req.method} ${req.path.split('?')[0]}): ${path ? `${path}: ` : ''}${where?.message ?? 'invalid'}`, { crm: 'salesforce' });
    }
    return parsed.data;
  }

  private finalError(kind: string, e: unknown): unknown {
    if (e instanceof CrmError) return e;
    if (e instanceof NetworkError) {
      return new CrmError('unavailable', `Salesforce unreachable during ${kind}: ${e.message}`, { crm: 'salesforce' });
    }
    if (e instanceof SalesforceHttpError) {
      if (e.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
        return new CrmError('api-limit', `Salesforce API limit reached (REQUEST_LIMIT_EXCEEDED) during ${kind}: ${e.message}; resume later`, { status: e.status, code: e.errorCode, crm: 'salesforce' });
      }
      if (e.status >= 500) {
        return new CrmError('unavailable', `Salesforce answered ${e.status} to ${kind} after retries: ${e.message}`, { status: e.status, code: e.errorCode, crm: 'salesforce' });
      }
      return e;
    }
    return e;
  }
}

/** Turns a leftover 4xx into the CrmError that stops a run. */
export function stopError(kind: string, e: unknown): unknown {
  if (!(e instanceof SalesforceHttpError)) return e;
  const config = ['INVALID_FIELD', 'INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'API_DISABLED_FOR_ORG', 'INVALID_TYPE'].includes(e.errorCode);
  return new CrmError(config ? 'config' : 'bad-response', `Salesforce rejected ${kind} (${e.status} ${e.errorCode}): ${e.message}`, {
    status: e.status,
    code: e.errorCode,
    crm: 'salesforce',
  });
}
