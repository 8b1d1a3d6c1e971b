import type { NextFunction, Request, Response } from 'express';
import { dropAnswer, malformAnswer, sleep } from '../faults.ts';
import { sendHsError, type HsContext } from './context.ts';

/** Names calls by endpoint for the call counter. */
export function classifyHsCall(method: string, path: string): string {
  if (/\/search$/.test(path)) return 'search';
  if (path.startsWith('/crm/v4/associations')) return 'associationsBatchRead';
  if (path.startsWith('/crm/v4/')) return 'associations';
  if (/\/batch\/read$/.test(path)) return 'batchRead';
  if (/\/batch\/update$/.test(path)) return 'batchUpdate';
  if (/\/batch\/create$/.test(path)) return 'batchCreate';
  if (/\/batch\/archive$/.test(path)) return 'batchArchive';
  if (path.startsWith('/crm/v3/properties')) return method === 'GET' ? 'propertiesRead' : 'propertiesWrite';
  if (path.startsWith('/crm/v3/pipelines')) return 'pipelines';
  if (path.startsWith('/crm/v3/owners')) return 'owners';
  if (path.startsWith('/account-info/')) return 'accountInfo';
  if (path.startsWith('/settings/v3/currencies')) return 'currencies';
  if (/^\/crm\/v3\/objects\/[^/]+\/?$/.test(path)) return method === 'POST' ? 'create' : 'list';
  if (path.startsWith('/crm/v3/objects/')) return method === 'GET' ? 'get' : `object${method}`;
  return 'other';
}

/** Rolling windows of call times, for the 10-second and search per-second limits. */
class Window {
  private readonly times: number[] = [];
  constructor(private readonly spanMs: number) {}
  count(now: number): number {
    while (this.times.length > 0 && (this.times[0] as number) <= now - this.spanMs) this.times.shift();
    return this.times.length;
  }
  add(now: number): void {
    this.times.push(now);
  }
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  return h && /^Bearer /i.test(h) ? h.slice(7).trim() : null;
}

/**
 * Runs before every authenticated HubSpot call: latency, token check (expired tokens and the
 * expired-token fault), daily and rolling limits with their headers, injected 429s and 5xx.
 */
export function hsApiGate(ctx: HsContext) {
  const tenSecond = new Window(10_000);
  const search = new Window(1_000);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const endpoint = classifyHsCall(req.method, req.path);
    ctx.calls.add('hubspot', endpoint);
    const token = bearer(req);
    const info = token ? ctx.tokens.lookup(token) : undefined;
    const decision = ctx.faults.decide(info?.serial ?? 0);
    await sleep(decision.delayMs);
    if (!info || info.crm !== 'hubspot' || info.kind !== 'access' || info.revoked) {
      sendHsError(ctx, res, 401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
      return;
    }
    const wall = Date.now();
    if (decision.outcome === 'expired-token' || (info.expiresAt !== null && info.expiresAt < wall)) {
      const ago = info.expiresAt !== null ? Math.max(1, Math.round((wall - info.expiresAt) / 1000)) : 1;
      sendHsError(ctx, res, 401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${ago} second(s) ago.`);
      return;
    }
    const isSearch = endpoint === 'search';
    if (!isSearch) {
      const used = tenSecond.count(wall);
      res.setHeader('X-HubSpot-RateLimit-Interval-Milliseconds', '10000');
      res.setHeader('X-HubSpot-RateLimit-Max', String(ctx.limits.tenSecondly));
      res.setHeader('X-HubSpot-RateLimit-Remaining', String(Math.max(0, ctx.limits.tenSecondly - used - 1)));
      if (info.privateApp) {
        res.setHeader('X-HubSpot-RateLimit-Daily', String(ctx.store.dailyLimit));
        res.setHeader('X-HubSpot-RateLimit-Daily-Remaining', String(Math.max(0, ctx.store.dailyLimit - ctx.store.dailyUsed - 1)));
      }
    }
    const rateLimited = (message: string, policyName: string): void => {
      ctx.calls.rateLimited('hubspot', policyName);
      sendHsError(ctx, res, 429, 'RATE_LIMITS', message, { errorType: 'RATE_LIMIT', policyName, requestId: ctx.correlationId() });
    };
    if (ctx.store.dailyUsed >= ctx.store.dailyLimit) {
      rateLimited('You have reached your daily limit.', 'DAILY');
      return;
    }
    if (isSearch && ctx.limits.searchPerSecond !== null && search.count(wall) >= ctx.limits.searchPerSecond) {
      rateLimited('You have reached your secondly limit.', 'SECONDLY');
      return;
    }
    if (!isSearch && ctx.limits.enforceTenSecondly && tenSecond.count(wall) >= ctx.limits.tenSecondly) {
      rateLimited('You have reached your ten_secondly_rolling limit.', 'TEN_SECONDLY_ROLLING');
      return;
    }
    ctx.store.dailyUsed += 1;
    if (isSearch) search.add(wall);
    else tenSecond.add(wall);
    if (decision.outcome === 'rate-limit') {
      if (isSearch) rateLimited('You have reached your secondly limit.', 'SECONDLY');
      else rateLimited('You have reached your ten_secondly_rolling limit.', 'TEN_SECONDLY_ROLLING');
      return;
    }
    if (decision.outcome === 'server-error') {
      sendHsError(ctx, res, ctx.faults.serverStatus(), 'INTERNAL_ERROR', 'An internal error occurred. Please retry the request.');
      return;
    }
    const malformed = ctx.faults.malformed();
    if (malformed && malformAnswer(malformed, res) === 'answered') return;
    if (req.method === 'POST' && /\/batch\/update$/.test(req.path) && ctx.faults.dropsAnswer()) dropAnswer(req, res);
    next();
  };
}
